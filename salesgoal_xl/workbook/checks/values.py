"""Cell-value checks: error values, formulas in input columns, numbers typed as text,
negative amounts, dates, over-long text and control characters."""

from __future__ import annotations

import re

from salesgoal_xl.core.problems import Problem, ProblemCode, error, warning
from salesgoal_xl.workbook.cells import (
    NUMERIC_TYPES,
    date_problem,
    format_number,
    is_blank,
    number_problem,
)
from salesgoal_xl.workbook.checks.context import (
    CheckContext,
    checked_columns,
    header_label,
    is_error,
    is_formula,
    live_values,
    number_or_none,
    present_tables,
)
from salesgoal_xl.workbook.reader import ERROR_LITERALS
from salesgoal_xl.workbook.schema import ColumnType, Role

EXCEL_TEXT_LIMIT = 32_767
# Amounts that may legitimately dip below zero (returns, credit notes) are only warned about.
NEGATIVE_WARNS = {("tblHistory", "amount"), ("tblActuals", "amount")}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ESCAPE = re.compile(r"_x00(0[0-8bBcCeEfF]|1[0-9a-fA-F])_")
_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00")


def check_error_values(ctx: CheckContext) -> list[Problem]:
    """Excel error values (#REF!, #DIV/0!, #N/A, ...) where data is expected."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read):
            for row, value in live_values(read, column.key):
                if (row, column.key) in read.errors or (
                    column.type is not ColumnType.TEXT
                    and isinstance(value, str)
                    and value.strip() in ERROR_LITERALS
                ):
                    problems.append(
                        error(
                            ProblemCode.ERROR_VALUE,
                            f"{header_label(read, column.key, ctx.lang)} holds the error {value}",
                            source=read.data.source(row, column.key),
                            hint="type the value itself; an error usually comes from a pasted "
                            "formula whose source was deleted",
                        )
                    )
    return problems


def check_formulas_in_inputs(ctx: CheckContext) -> list[Problem]:
    """Formulas in input columns: the program reads values and cannot recalculate them."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read):
            if column.role is not Role.INPUT:
                continue
            make = warning if column.type is ColumnType.TEXT else error
            rows = sorted(row for row, key in read.formulas if key == column.key)
            for row in rows:
                value = read.data.frame.at[row, column.key]  # a formula makes its row live
                problems.append(
                    make(
                        ProblemCode.FORMULA_IN_INPUT,
                        f"{header_label(read, column.key, ctx.lang)} is an input but holds the "
                        f"formula {str(value)[:60]}",
                        source=read.data.source(row, column.key),
                        hint="replace it by its value (Copy, then Paste Special > Values)",
                    )
                )
    return problems


def check_numbers(ctx: CheckContext) -> list[Problem]:
    """Numeric cells holding text: plain numbers are read (warning), the rest are errors."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read, *NUMERIC_TYPES):
            label = header_label(read, column.key, ctx.lang)
            for row, value in live_values(read, column.key):
                if (
                    is_blank(value)
                    or is_formula(read, row, column.key)
                    or is_error(read, row, column.key, value)
                ):
                    continue
                problem = number_problem(value, label)
                if problem is not None:
                    code, severity, message, hint = problem
                    problems.append(
                        Problem(
                            code,
                            severity,
                            message,
                            read.data.source(row, column.key),
                            hint,
                        )
                    )
    return problems


def check_negative_amounts(ctx: CheckContext) -> list[Problem]:
    """Negative money or percentages typed by users, and negative leaf targets."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read, ColumnType.MONEY, ColumnType.PERCENT):
            if column.role is not Role.INPUT and (read.name, column.key) != (
                "tblTargets",
                "target",
            ):
                continue
            make = warning if (read.name, column.key) in NEGATIVE_WARNS else error
            label = header_label(read, column.key, ctx.lang)
            for row, value in live_values(read, column.key):
                number = number_or_none(value)
                if number is not None and number < 0:
                    problems.append(
                        make(
                            ProblemCode.NEGATIVE_AMOUNT,
                            f"{label} must be >= 0 (got {format_number(number)})",
                            source=read.data.source(row, column.key),
                            hint="enter a positive amount"
                            if make is error
                            else "check the sign; returns larger than sales give a negative",
                        )
                    )
    return problems


def check_dates(ctx: CheckContext) -> list[Problem]:
    """Date cells holding something that is not a date (ISO text like 2026-04-01 is read)."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read, ColumnType.DATE, ColumnType.DATETIME):
            label = header_label(read, column.key, ctx.lang)
            for row, value in live_values(read, column.key):
                if is_formula(read, row, column.key) or is_error(read, row, column.key, value):
                    continue  # check_error_values names an error value
                problem = date_problem(value, label)
                if problem is not None:
                    code, message, hint = problem
                    problems.append(
                        error(code, message, source=read.data.source(row, column.key), hint=hint)
                    )
    return problems


def check_text(ctx: CheckContext) -> list[Problem]:
    """Control characters and text longer than Excel's 32,767-character cell limit."""
    problems: list[Problem] = []
    for read in present_tables(ctx, skip=()):
        for key in read.spec.keys:
            if key not in read.header_cells:
                continue
            for row, value in live_values(read, key):
                if not isinstance(value, str) or not (
                    len(value) > EXCEL_TEXT_LIMIT or _SUSPECT.search(value)
                ):
                    continue
                if is_formula(read, row, key):
                    continue
                if len(value) > EXCEL_TEXT_LIMIT:
                    problems.append(
                        error(
                            ProblemCode.TEXT_TOO_LONG,
                            f"{header_label(read, key, ctx.lang)} holds {len(value):,} characters; "
                            f"Excel keeps at most {EXCEL_TEXT_LIMIT:,}",
                            source=read.data.source(row, key),
                            hint="shorten the text or keep it in a separate document",
                        )
                    )
                if _CONTROL.search(value) or _CONTROL_ESCAPE.search(value):
                    problems.append(
                        error(
                            ProblemCode.CONTROL_CHARACTERS,
                            f"{header_label(read, key, ctx.lang)} contains invisible control "
                            "characters",
                            source=read.data.source(row, key),
                            hint="retype the text; pasted text from other systems can carry them",
                        )
                    )
    return problems
