"""Turning tables read through the port into typed plan inputs, with problems that name cells.

Commands call these instead of poking at frames themselves, so every command reads the
settings, the organisation and the rules the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Integral
from typing import Any, Final

import numpy as np
import pandas as pd

from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, Severity, Source, error
from salesgoal_xl.workbook.cells import (
    PERIOD_MONTH,
    NumberText,
    classify_number_text,
    date_problem,
    format_number,
    is_blank,
    number_problem,
    parse_period,
)
from salesgoal_xl.workbook.port import TableData, WorkbookPort
from salesgoal_xl.workbook.reader import parse_settings, table_read_from_data
from salesgoal_xl.workbook.schema import (
    SETTINGS_BY_KEY,
    ColumnType,
    table,
)


@dataclass(frozen=True)
class PlanSettings:
    """The settings every command needs, typed; `cells` maps a setting key to its cell."""

    values: dict[str, Any]
    cells: dict[str, str]
    sheet: str

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def where(self, key: str) -> Source:
        """The value cell of setting `key` (the Settings sheet if the row is missing)."""
        return Source(self.sheet, self.cells.get(key, ""), "tblSettings", "value")


def load_settings(port: WorkbookPort) -> PlanSettings:
    """Read tblSettings through the one settings parser the checks use; stop on its errors.

    Values are then made exact: money and percentages become ints, Decimals or Fractions,
    never binary floats.
    """
    data = port.read_table("tblSettings")
    parsed = parse_settings(table_read_from_data(data))
    errors = [p for p in parsed.problems if p.severity is Severity.ERROR]
    if errors:
        raise ProblemsFound(errors, port.label)
    values = {
        key: _exact_setting(SETTINGS_BY_KEY[key].type, value)
        for key, value in parsed.values.items()
    }
    return PlanSettings(values, parsed.cells, parsed.sheet)


def _exact_setting(kind: ColumnType, value: Any) -> Any:
    """A parsed setting without binary floats: percent as a Fraction, money as int/Decimal."""
    if kind is ColumnType.PERCENT:
        return to_fraction_percent(_shortest(value))
    if kind is ColumnType.MONEY:
        return money_amount(_shortest(value))
    return value


def _shortest(value: Any) -> Any:
    # '1.1%' parses to 0.011000000000000001; 15 significant digits give back what was typed.
    return Decimal(f"{value:.15g}") if isinstance(value, float) else value


def to_decimal(value: object) -> Decimal:
    """A cell value as an exact Decimal; floats as the decimal they print as."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"expected a number (got {value!r})")
    if isinstance(value, Integral):
        return Decimal(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"expected a number (got {value!r})")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        # The same policy as the checks: only text with one possible reading is a number;
        # '1,000.50' or '1.000,50' could mean two things and is refused, not guessed.
        text = unicodedata.normalize("NFKC", value).strip()
        kind, _, _ = classify_number_text(text)
        if kind is NumberText.PLAIN and not text.endswith("%"):
            try:
                return Decimal(text)
            except InvalidOperation:
                pass
    raise ValueError(f"expected a number (got {value!r})")


def to_fraction_percent(value: object) -> Fraction:
    """A percentage cell (0.1 or '10%') as an exact fraction (1/10)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return Fraction(to_decimal(value.strip()[:-1])) / 100
    return Fraction(to_decimal(value))


def money_amount(value: object) -> int | Decimal:
    """A money cell as an int when whole, otherwise an exact Decimal."""
    number = to_decimal(value)
    return int(number) if number == number.to_integral_value() else number


def cell_number(
    data: TableData, row: int, key: str, problems: list[Problem], *, label: str
) -> Decimal | None:
    """The exact number in one cell, None when blank; a bad value becomes a problem at its cell.

    The policy is the checks' own (`number_problem`), so a command refuses exactly what the
    checks call an error, with the same code at the same cell.
    """
    raw = data.frame[key][row]
    if is_blank(raw):
        return None
    found = number_problem(raw, label)
    if found is not None and found[1] is Severity.ERROR:
        code, severity, message, hint = found
        problems.append(Problem(code, severity, message, data.source(row, key), hint))
        return None
    return (
        to_decimal(raw[:-1]) / 100
        if isinstance(raw, str) and raw.strip().endswith("%")
        else to_decimal(raw)
    )


def cell_amount(
    data: TableData, row: int, key: str, problems: list[Problem], *, label: str
) -> int | Decimal | None:
    """A money cell exactly (an int when whole, else a Decimal: never cut to whole units)."""
    number = cell_number(data, row, key, problems, label=label)
    return None if number is None else money_amount(number)


def unit_amount(
    data: TableData, row: int, key: str, unit: Fraction, problems: list[Problem], *, label: str
) -> int | Decimal | None:
    """A money cell that must be a whole number of rounding units (a final target, a
    commit), exactly; unreadable, or between units, is a problem at its cell (None)."""
    amount = cell_amount(data, row, key, problems, label=label)
    if amount is None:
        return None
    if Fraction(amount) % unit:
        problems.append(
            error(
                ProblemCode.NOT_WHOLE_UNITS,
                f"{label} must be a multiple of the rounding unit {format_number(float(unit))} "
                f"(got {format_number(float(amount))})",
                source=data.source(row, key),
                hint="type a multiple of the rounding unit, or change Rounding unit in Settings",
            )
        )
        return None
    return amount


def text_codes(frame: pd.DataFrame, column: str) -> list[str]:
    """The non-blank codes of a column, as trimmed text, in order."""
    return [str(v).strip() for v in frame[column] if not is_blank(v)]


SAME_CELL_PROBLEMS: Final = 25  # bad cells of one column named one by one; the rest counted


def history_amounts(data: TableData, problems: list[Problem]) -> pd.DataFrame:
    """tblHistory with exact numeric amounts; unreadable amounts become problems at cells.

    Vectorised: the history has hundreds of thousands of rows; only bad cells are looked at.
    """
    frame = data.frame
    raw = frame["amount"]
    amounts = pd.to_numeric(raw, errors="coerce")
    missing = np.flatnonzero(amounts.isna().to_numpy()).tolist()
    suspect = [i for i in missing if not is_blank(raw.iat[i])]
    found: list[Problem] = []
    for row in suspect:  # text the checks read as a number ('25%') is read the same way
        value = cell_number(data, row, "amount", found, label="Amount")
        if value is not None:
            amounts.iat[row] = float(value)
    problems += found[:SAME_CELL_PROBLEMS]
    if len(found) > SAME_CELL_PROBLEMS:
        problems.append(
            error(
                ProblemCode.NOT_A_NUMBER,
                f"{len(found) - SAME_CELL_PROBLEMS:,} more amounts in {data.name} are not numbers",
                source=data.source(),
            )
        )
    periods = history_periods(data, problems)
    live = [not is_blank(p) for p in periods]
    frame = frame.assign(
        period=pd.Series(periods, index=frame.index, dtype=object), amount=amounts.fillna(0)
    )
    return frame.loc[live].reset_index(drop=True)


def history_periods(data: TableData, problems: list[Problem]) -> list[object]:
    """History periods as 'YYYY-MM' labels: a first-of-month date is read as its month (the
    checks warn about it); anything else is BAD_PERIOD at its cell, as the checks say."""
    labels: dict[object, object] = {}
    bad: list[int] = []
    out: list[object] = []
    for row, value in enumerate(data.frame["period"].tolist()):
        key = (type(value), value)
        if key not in labels:
            labels[key] = _month_label(value)
        label = labels[key]
        if label is _BAD:
            bad.append(row)
            label = None
        out.append(label)
    for row in bad[:SAME_CELL_PROBLEMS]:
        problems.append(
            error(
                ProblemCode.BAD_PERIOD,
                f"Period must be a month like 2026-04 (got {data.frame['period'][row]!r})",
                source=data.source(row, "period"),
                hint="history is monthly: type the period as text, year, dash, two-digit month",
            )
        )
    if len(bad) > SAME_CELL_PROBLEMS:
        problems.append(
            error(
                ProblemCode.BAD_PERIOD,
                f"{len(bad) - SAME_CELL_PROBLEMS:,} more periods in {data.name} are not months",
                source=data.source(),
            )
        )
    return out


_BAD: Final = object()


def _month_label(value: object) -> object:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime | dt.date) and value.day == 1:
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and PERIOD_MONTH.fullmatch(value.strip()):
        parsed = parse_period(value)
        return value.strip() if parsed is not None else _BAD
    return _BAD


def empty_table(data: TableData, what: str, hint: str) -> Problem:
    """A table a command needs is still empty: the next step on a new plan, named."""
    return error(ProblemCode.EMPTY_TABLE, f"{data.name} {what}", source=data.source(), hint=hint)


def checked_dates(data: TableData, keys: Sequence[str], problems: list[Problem]) -> pd.DataFrame:
    """The frame with the date columns `keys` read by the cells' date policy: a value that is
    not a date (an error value, a word, a serial number outside the calendar) is a problem at
    its cell and reads as blank."""
    frame = data.frame.copy()
    for key in keys:
        label = table(data.name).column(key).label.en
        values: list[object] = []
        for row, value in enumerate(frame[key]):
            problem = date_problem(value, label)
            if problem is not None:
                code, message, hint = problem
                problems.append(error(code, message, source=data.source(row, key), hint=hint))
                value = None
            values.append(value)
        frame[key] = pd.Series(values, dtype=object)
    return frame


def checked_numbers(
    data: TableData, keys: Sequence[str], problems: list[Problem], *, minimum: int = 0
) -> pd.DataFrame:
    """The frame with the numeric columns `keys` read by the cells' policy and bounded below.

    Blank stays blank (None); a bad or too small value is a problem at its cell.
    """
    frame = data.frame.copy()
    for key in keys:
        label = table(data.name).column(key).label.en
        values: list[object] = []
        for row in range(len(frame)):
            number = cell_number(data, row, key, problems, label=label)
            if number is not None and number < minimum:
                problems.append(
                    error(
                        ProblemCode.OUT_OF_RANGE,
                        f"{label} must be >= {minimum} (got {format_number(float(number))})",
                        source=data.source(row, key),
                        hint=f"type a {label.lower()} of {minimum} or more, or leave it blank",
                    )
                )
            values.append(None if number is None else float(number))
        frame[key] = pd.Series(values, dtype=object)
    return frame
