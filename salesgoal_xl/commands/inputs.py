"""Turning tables read through the port into typed plan inputs, with problems that name cells.

Commands call these instead of poking at frames themselves, so every command reads the
settings, the organisation and the rules the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from salesgoal_xl.commands.port import TableData, WorkbookPort
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.problems import Problem, ProblemCode, ProblemsFound, error
from salesgoal_xl.workbook.schema import (
    SETTINGS,
    SETTINGS_BY_KEY,
    ColumnType,
    normalise_header,
    setting_lookup,
)


@dataclass(frozen=True)
class PlanSettings:
    """The settings every command needs, typed; `cells` maps a setting key to its cell."""

    values: dict[str, Any]
    cells: dict[str, str]
    sheet: str

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def where(self, key: str) -> str:
        """'Settings!C7' for the value cell of setting `key` ('' if the row is missing)."""
        cell = self.cells.get(key, "")
        return f"{self.sheet}!{cell}" if cell else self.sheet


def load_settings(port: WorkbookPort) -> PlanSettings:
    """Read tblSettings (labels in any language); raise ProblemsFound naming bad cells."""
    data = port.read_table("tblSettings")
    lookup = setting_lookup()
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    cells: dict[str, str] = {}
    problems: list[Problem] = []
    for row, (label, raw) in enumerate(
        zip(data.frame["setting"], data.frame["value"], strict=True)
    ):
        key = lookup.get(normalise_header(str(label))) if label is not None else None
        if key is None:
            continue
        cells[key] = data.cell(row, "value")
        if is_blank(raw):
            continue
        spec = SETTINGS_BY_KEY[key]
        try:
            values[key] = _typed_setting(spec.type, raw, spec.choices)
        except ValueError as exc:
            problems.append(
                error(
                    ProblemCode.BAD_SETTING,
                    f"{spec.label.en}: {exc}",
                    sheet=data.sheet,
                    cell=cells[key],
                    hint="fix the value in the Settings table",
                )
            )
            continue
        number = values[key]
        if isinstance(number, int | float | Decimal) and not isinstance(number, bool):
            too_low = spec.minimum is not None and number < spec.minimum
            too_high = spec.maximum is not None and number > spec.maximum
            if too_low or too_high:
                problems.append(_out_of_range(spec.label.en, raw, spec, data, cells[key]))
    if problems:
        raise ProblemsFound(problems, port.label)
    return PlanSettings(values, cells, data.sheet)


def _out_of_range(label: str, raw: object, spec: Any, data: TableData, cell: str) -> Problem:
    return error(
        ProblemCode.BAD_SETTING,
        f"{label} must be between {spec.minimum} and {spec.maximum} (got {raw!r})",
        sheet=data.sheet,
        cell=cell,
    )


def _typed_setting(kind: ColumnType, raw: object, choices: tuple[str, ...]) -> Any:
    if kind is ColumnType.INTEGER:
        number = to_decimal(raw)
        if number != number.to_integral_value():
            raise ValueError(f"expected a whole number (got {raw!r})")
        return int(number)
    if kind is ColumnType.MONEY:
        number = to_decimal(raw)
        return int(number) if number == number.to_integral_value() else number
    if kind is ColumnType.PERCENT:
        return to_fraction_percent(raw)
    text = str(raw).strip()
    if choices and text not in choices:
        raise ValueError(f"expected one of {', '.join(choices)} (got {raw!r})")
    return text


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
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"expected a number (got {value!r})") from None
    raise ValueError(f"expected a number (got {value!r})")


def to_fraction_percent(value: object) -> Fraction:
    """A percentage cell (0.1 or '10%') as an exact fraction (1/10)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return Fraction(to_decimal(value.strip()[:-1])) / 100
    return Fraction(to_decimal(value))


def to_date(value: object) -> date | None:
    """A date cell (datetime, date, or ISO text) as a date; blank gives None."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return date.fromisoformat(str(value).strip()[:10])


def money_amount(value: object) -> int | Decimal:
    """A money cell as an int when whole, otherwise an exact Decimal."""
    number = to_decimal(value)
    return int(number) if number == number.to_integral_value() else number


def text_codes(frame: pd.DataFrame, column: str) -> list[str]:
    """The non-blank codes of a column, as trimmed text, in order."""
    return [str(v).strip() for v in frame[column] if not is_blank(v)]
