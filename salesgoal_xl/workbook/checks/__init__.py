"""Every check of a planning workbook: plain functions listed in `ALL_CHECKS`, one module per
family (`structure`, `values`, `codes`, `periods`, `rules`) over the tables `context` reads once.

Each `check_x(ctx)` looks at the tables read once into a `CheckContext` and returns a list
of problems naming their cells; `run_checks` runs them all and never stops at the first.
docs/checks.md lists the codes, what triggers them and the numbers-as-text policy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from openpyxl.workbook.workbook import Workbook

from salesgoal_xl.core.problems import Problem
from salesgoal_xl.workbook.checks.codes import check_codes, check_keys, check_required_values
from salesgoal_xl.workbook.checks.context import (
    CheckContext,
    RawTables,
    context_from_port,
    context_from_workbook,
)
from salesgoal_xl.workbook.checks.periods import check_periods, fiscal_months
from salesgoal_xl.workbook.checks.rules import check_kpi_weights, check_targets_sum
from salesgoal_xl.workbook.checks.structure import (
    check_merged_cells,
    check_missing_tables,
    check_rows_outside_table,
    check_settings,
    check_table_structure,
)
from salesgoal_xl.workbook.checks.values import (
    check_dates,
    check_error_values,
    check_formulas_in_inputs,
    check_negative_amounts,
    check_numbers,
    check_text,
)
from salesgoal_xl.workbook.port import WorkbookPort

__all__ = [
    "ALL_CHECKS",
    "SAME_PROBLEM_LIMIT",
    "CheckContext",
    "RawTables",
    "fiscal_months",
    "run_checks",
    "summarise_runs",
]

SAME_PROBLEM_LIMIT = 25  # per code and column; the rest are summed up in one line

ALL_CHECKS: tuple[Callable[[CheckContext], list[Problem]], ...] = (
    check_missing_tables,
    check_table_structure,
    check_merged_cells,
    check_rows_outside_table,
    check_settings,
    check_error_values,
    check_formulas_in_inputs,
    check_numbers,
    check_negative_amounts,
    check_dates,
    check_text,
    check_keys,
    check_required_values,
    check_codes,
    check_periods,
    check_kpi_weights,
    check_targets_sum,
)


def run_checks(source: Workbook | CheckContext | WorkbookPort | RawTables) -> list[Problem]:
    """Run every check in `ALL_CHECKS` and return all problems (long runs summed up)."""
    if isinstance(source, CheckContext):
        ctx = source
    elif isinstance(source, Workbook):
        ctx = context_from_workbook(source)
    else:
        ctx = context_from_port(source)
    problems = [p for check in ALL_CHECKS for p in check(ctx)]
    return summarise_runs(problems)


def summarise_runs(problems: list[Problem]) -> list[Problem]:
    """Keep the first few problems per code and table column; sum the rest up in one line each.

    Problems are grouped by their structured source (table and column key of a data cell);
    a problem without a data row is never summed up.
    """
    groups: dict[tuple[object, ...], list[Problem]] = defaultdict(list)
    order: list[tuple[object, ...]] = []
    for problem in problems:
        where = problem.source
        key: tuple[object, ...] = (
            (problem.code, where.sheet, where.table, where.column)
            if where.row is not None and where.column
            else (id(problem),)
        )
        if key not in groups:
            order.append(key)
        groups[key].append(problem)
    kept: list[Problem] = []
    for key in order:
        group = groups[key]
        kept += group[:SAME_PROBLEM_LIMIT]
        rest = group[SAME_PROBLEM_LIMIT:]
        if rest:
            first, last = rest[0], rest[-1]
            kept.append(
                Problem(
                    first.code,
                    first.severity,
                    f"{len(rest):,} more cells in the same column have the same problem "
                    f"({first.cell} to {last.cell})",
                    replace(first.source, cell=f"{first.cell}:{last.cell}", row=None),
                    first.hint,
                    first.category,
                )
            )
    return kept
