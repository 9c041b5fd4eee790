"""Excel's values and coercions: errors, blanks, numbers as text, comparisons, criteria.

A value is an int or float, a str, a bool, None (an empty cell) or an `ExcelError`. Rules
follow Excel (and LibreOffice, which agrees on all of them for the product's formulas).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class ExcelError:
    code: str  # '#DIV/0!', '#N/A', '#VALUE!', '#REF!', '#NUM!', '#NAME?'

    def __str__(self) -> str:
        return self.code


DIV0: Final = ExcelError("#DIV/0!")
NA: Final = ExcelError("#N/A")
VALUE: Final = ExcelError("#VALUE!")
REF: Final = ExcelError("#REF!")
NUM: Final = ExcelError("#NUM!")
ERROR_CODES: Final = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NUM!", "#NAME?", "#NULL!", "#GETTING_DATA"}
)


class Raised(Exception):  # noqa: N818 -- carries an Excel error value up through Python calls
    """An Excel error value propagating out of an operation."""

    def __init__(self, error: ExcelError) -> None:
        super().__init__(error.code)
        self.error = error


def number(value: Any) -> int | float:
    """A value used in arithmetic: blanks are 0, booleans 0/1, numeric text its number."""
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if value is None:
        return 0
    if isinstance(value, ExcelError):
        raise Raised(value)
    parsed = text_number(value)
    if parsed is None:
        raise Raised(VALUE)
    return parsed


_NUMERIC_TEXT: Final = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def text_number(text: str) -> int | float | None:
    """The number a text spells ('04' -> 4, ' 1.5 ' -> 1.5), or None."""
    if not _NUMERIC_TEXT.fullmatch(text):
        return None
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def as_number_result(value: float) -> int | float:
    """Integral floats become ints (exact money stays exact and prints without '.0')."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise Raised(NUM)
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def text(value: Any) -> str:
    """A value used as text (&, MID, ...): numbers in Excel's General format."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, ExcelError):
        raise Raised(value)
    return general(value)


def general(value: int | float) -> str:
    """A number as Excel's General format shows it in text: up to 15 significant digits."""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    shown = f"{value:.15g}"
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        shown = f"{mantissa}E{'-' if exponent.startswith('-') else '+'}{abs(int(exponent)):02d}"
    return shown


def truth(value: Any) -> bool:
    """A condition: numbers are true when not 0, blanks false, 'TRUE'/'FALSE' text allowed."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if value is None:
        return False
    if isinstance(value, ExcelError):
        raise Raised(value)
    if str(value).upper() in ("TRUE", "FALSE"):
        return str(value).upper() == "TRUE"
    raise Raised(VALUE)


def _rank(value: Any) -> tuple[int, Any]:
    """Excel's sort order: numbers < text (case-insensitive) < booleans."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    return (1, value.casefold())


def compare(operator: str, left: Any, right: Any) -> bool:
    """`left operator right` as Excel compares: a blank is 0 beside a number, '' beside text."""
    if isinstance(left, ExcelError):
        raise Raised(left)
    if isinstance(right, ExcelError):
        raise Raised(right)
    if left is None:
        left = "" if isinstance(right, str) else False if isinstance(right, bool) else 0
    if right is None:
        right = "" if isinstance(left, str) else False if isinstance(left, bool) else 0
    a, b = _rank(left), _rank(right)
    if operator == "=":
        return a == b
    if operator == "<>":
        return a != b
    if operator == "<":
        return a < b
    if operator == "<=":
        return a <= b
    if operator == ">":
        return a > b
    return a >= b


def round_half_away(value: float, digits: int) -> int | float:
    """ROUND: halves away from zero, on the decimal digits the number shows."""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return as_number_result(float(rounded))


def serial_date(serial: float, epoch: date) -> date:
    """The date of a serial number (whole days from the workbook's epoch)."""
    if serial < 0:
        raise Raised(NUM)
    return epoch + timedelta(days=math.floor(serial))


def date_serial(year: int, month: int, day: int, epoch: date) -> int:
    """DATE(year, month, day) with Excel's roll-over of months and days."""
    if 0 <= year < 1900:
        year += 1900
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    try:
        first = date(year, month, 1)
    except ValueError as exc:
        raise Raised(NUM) from exc
    serial = (first - epoch).days + day - 1
    if serial < 0:
        raise Raised(NUM)
    return serial


_CRITERION: Final = re.compile(r"^(<>|<=|>=|=|<|>)?(.*)$", re.S)


def criterion(value: Any) -> tuple[str, Any]:
    """A SUMIFS/COUNTIF criterion as (operator, operand): '<>0' -> ('<>', 0), 5 -> ('=', 5)."""
    if isinstance(value, ExcelError):
        raise Raised(value)
    if not isinstance(value, str):
        return ("=", 0 if value is None else value)
    match = _CRITERION.match(value)
    operator, operand = (match.group(1) or "=", match.group(2)) if match else ("=", value)
    parsed = text_number(operand)
    if parsed is not None:
        return (operator, parsed)
    if operand.upper() in ("TRUE", "FALSE"):
        return (operator, operand.upper() == "TRUE")
    if any(ch in operand for ch in "*?~") and operator in ("=", "<>"):
        raise Raised(VALUE)  # wildcards are outside the product's vocabulary
    return (operator, operand)


def meets(cell: Any, rule: tuple[str, Any]) -> bool:
    """Whether a cell meets a criterion: numbers match numbers, text matches text (any case)."""
    operator, operand = rule
    if isinstance(cell, ExcelError):
        return False
    if operand == "" and operator in ("=", "<>"):
        empty = cell is None or cell == ""
        return empty if operator == "=" else not empty
    if cell is None:
        return operator == "<>"
    if isinstance(operand, bool) != isinstance(cell, bool):
        return operator == "<>"
    if isinstance(operand, int | float) and not isinstance(cell, int | float):
        if isinstance(cell, str) and operator == "=":
            parsed = text_number(cell)
            return parsed is not None and parsed == operand
        return operator == "<>"
    if isinstance(operand, str) and not isinstance(cell, str):
        return operator == "<>"
    return compare(operator, cell, operand)


def criterion_key(value: Any) -> Any:
    """What equal cells share for an '=' criterion: numbers by value, text by its case fold."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        parsed = text_number(value)
        return ("n", parsed) if parsed is not None else ("s", value.casefold())
    return None
