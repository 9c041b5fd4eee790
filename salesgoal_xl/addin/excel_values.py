"""What worksheet-function arguments hold, as Excel passes them, turned into the core's types.

Excel (through xlwings) passes a single cell as a scalar and a range as a list of rows; an empty
cell is None; numbers are floats; a number typed as text stays text ("1234.5"). Numbers typed
as text are read under the checks' policy (``workbook.cells``): one plain reading is accepted,
text with separators ('1,000') is refused with its possible readings. Every refusal is a
``ArgumentError`` whose message names the argument and the item, counted from 1 as Excel users do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.money import Amount, Money
from salesgoal_xl.workbook.cells import NumberText, classify_number_text, is_blank

Grid = list[list[object]]
"""A block of cell values, row by row."""

T = TypeVar("T")
D = TypeVar("D")

_FLOAT_INTS = 2**53  # whole floats below this are exact ints


class ArgumentError(SalesgoalError, ValueError):
    """A worksheet-function argument that cannot be used as given."""


def grid(value: object) -> Grid:
    """Any argument as rows of cells: a scalar is 1x1, a flat list one column."""
    if isinstance(value, list | tuple):
        if not value:
            return [[None]]
        if all(isinstance(row, list | tuple) for row in value):
            return [list(row) for row in value]
        return [[cell] for cell in value]
    return [[value]]


def cells(value: object) -> list[object]:
    """Every cell of an argument, row by row."""
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(row, list | tuple) for row in value)
    ):  # a block of rows, the common case, without copying it first
        return [cell for row in value for cell in row]
    return [cell for row in grid(value) for cell in row]


def amount(value: object, what: str, index: int | None = None) -> Amount | None:
    """A number from one cell (None for a blank); whole floats become ints.

    ``index`` (0-based) names the cell of a range argument in a message.
    """
    if isinstance(value, float) and math.isfinite(value):  # what Excel passes, first
        return int(value) if value.is_integer() and abs(value) < _FLOAT_INTS else value
    if index is not None:
        return amount(value, item(what, index))
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ArgumentError(f"{what} must be a number (got {'TRUE' if value else 'FALSE'}).")
    if isinstance(value, dt.date | dt.datetime):
        raise ArgumentError(f"{what} must be a number (got the date {value:%Y-%m-%d}).")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ArgumentError(f"{what} must be a finite number (got {value!r}).")
        return int(value) if value.is_integer() and abs(value) < _FLOAT_INTS else value
    if isinstance(value, str):
        return amount(_number_text(value, what), what)
    raise ArgumentError(f"{what} must be a number (got {value!r}).")


def required_amount(value: object, what: str) -> Amount:
    """A number from one cell that must not be blank."""
    found = amount(single(value, what), what)
    if found is None:
        raise ArgumentError(f"{what} is blank; give a number.")
    return found


def optional_amount(value: object, what: str, default: D) -> Amount | D:
    """A number from one cell, or ``default`` when the argument is left out or blank."""
    if value is None:
        return default
    found = amount(single(value, what), what)
    return default if found is None else found


def amounts(value: object, what: str) -> list[Amount | None]:
    """Every cell of a range as a number or None (blank), row by row."""
    return [amount(cell, what, index) for index, cell in enumerate(cells(value))]


def whole_number(value: object, what: str, default: int | None = None) -> int:
    """A whole number from one cell (periods, months); ``default`` for a blank, if given."""
    found = (
        required_amount(value, what) if default is None else optional_amount(value, what, default)
    )
    if not isinstance(found, int):
        raise ArgumentError(f"{what} must be a whole number (got {found!r}).")
    return found


def single(value: object, what: str) -> object:
    """The one cell of an argument that takes a single value."""
    if not isinstance(value, list | tuple):
        return value
    found = cells(value)
    if len(found) != 1:
        raise ArgumentError(f"{what} takes one cell (got a range of {len(found)}).")
    return found[0]


def item(what: str, index: int) -> str:
    """How to name the index-th (0-based) cell of a range argument."""
    return f"{what} item {index + 1}"


def same_count(values: Sequence[T], what: str, count: int, of: str) -> list[T]:
    """A per-item argument matched to ``count`` items: one value for all, or one each."""
    if len(values) == 1:
        return list(values) * count
    if len(values) != count:
        raise ArgumentError(
            f"{what} has {len(values)} values but {of} has {count}; give one each or a single one."
        )
    return list(values)


def to_excel(value: Money | Fraction | float | str | None) -> float | str:
    """A result as a cell value: numbers as floats, nothing as an empty text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number = float(value)
    return "" if math.isnan(number) else number


def column(values: Sequence[Money | Fraction | float | str | None]) -> list[list[float | str]]:
    """Results spilled down one column."""
    return [[to_excel(value)] for value in values]


def _number_text(text: str, what: str) -> float:
    kind, number, readings = classify_number_text(text)
    if kind is NumberText.PLAIN and number is not None:
        return number
    if kind is NumberText.LOCALE:
        meanings = " or ".join(f"{reading:g}" for reading in readings)
        raise ArgumentError(
            f"{what} is the text {text!r}, which could mean {meanings}; "
            "type the number without separators (1234.5)."
        )
    raise ArgumentError(f"{what} must be a number (got the text {text!r}).")
