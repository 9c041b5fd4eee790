"""Period checks: periods that do not parse, dates Excel made of typed periods, and periods
outside the plan's fiscal year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from salesgoal_xl.core.calendar import FiscalCalendar, parse_month
from salesgoal_xl.core.problems import Problem, ProblemCode, error, warning
from salesgoal_xl.workbook.cells import PERIOD_WEEK, is_blank, parse_period
from salesgoal_xl.workbook.checks.context import (
    CheckContext,
    cells_text,
    checked_columns,
    header_label,
    is_error,
    is_formula,
    live_values,
    present_tables,
)
from salesgoal_xl.workbook.schema import ColumnType

# Tables whose periods must lie inside the plan's fiscal year.
IN_YEAR_TABLES = ("tblTargets", "tblActuals", "tblOverrides")


def fiscal_months(fiscal_year: int, first_month: int) -> set[tuple[int, int]]:
    """The 12 (year, month) pairs of a fiscal year named by the calendar year it ends in."""
    return {parse_month(month) for month in FiscalCalendar(fiscal_year, first_month).months}


def check_periods(ctx: CheckContext) -> list[Problem]:
    """Periods that do not parse, dates Excel made of them, and periods outside the plan year."""
    fiscal_year = int(ctx.settings.get("fiscal_year", 2026))
    first_month = int(ctx.settings.get("first_month", 1))
    in_year = fiscal_months(fiscal_year, first_month)
    start, end = min(in_year), max(in_year)
    span = f"FY{fiscal_year} ({start[0]}-{start[1]:02d} to {end[0]}-{end[1]:02d})"
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read, ColumnType.PERIOD):
            label = header_label(read, column.key, ctx.lang)
            outside: dict[str, list[int]] = defaultdict(list)
            for row, value in live_values(read, column.key):
                if (
                    is_blank(value)
                    or is_formula(read, row, column.key)
                    or is_error(read, row, column.key, value)
                ):
                    continue
                parsed = parse_period(value)
                if isinstance(value, dt.datetime | dt.date) and value.day == 1:
                    parsed = (value.year, value.month)
                    problems.append(
                        warning(
                            ProblemCode.PERIOD_AS_DATE,
                            f"{label} is the date {value:%Y-%m-%d}; it is read as the period "
                            f"{value:%Y-%m}",
                            source=read.data.source(row, column.key),
                            hint="format the column as Text and type periods like 2026-04",
                        )
                    )
                elif parsed is None:
                    problems.append(
                        error(
                            ProblemCode.BAD_PERIOD,
                            f"{label} must be a month like 2026-04 or an ISO week like "
                            f"2026-W15 (got {value!r})",
                            source=read.data.source(row, column.key),
                            hint="type the period as text: year, dash, two-digit month",
                        )
                    )
                    continue
                # A weekly row's Month says which month its days belong to; the week's own
                # Thursday may fall in the month before the plan year starts.
                decided_by_month = column.key == "period" and "month" in read.header_cells
                if (
                    read.name in IN_YEAR_TABLES
                    and parsed not in in_year
                    and not (decided_by_month and PERIOD_WEEK.fullmatch(str(value).strip()))
                ):
                    outside[_period_text(value)].append(row)
            for value, rows in outside.items():
                count = f" ({len(rows):,} cells: {cells_text(read, column.key, rows)})"
                problems.append(
                    error(
                        ProblemCode.PERIOD_OUTSIDE_YEAR,
                        f"{label} {value} lies outside the plan year {span}"
                        + (count if len(rows) > 1 else ""),
                        source=read.data.source(rows[0], column.key),
                        hint="correct the period, or the fiscal year and first month in Settings",
                    )
                )
    return problems


def _period_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return str(value).strip()
