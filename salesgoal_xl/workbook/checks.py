"""Every check of a planning workbook: plain functions listed in `ALL_CHECKS`.

Each `check_x(ctx)` looks at the tables read once into a `CheckContext` and returns a list
of problems naming their cells; `run_checks` runs them all and never stops at the first.
docs/checks.md lists the codes, what triggers them and the numbers-as-text policy.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Protocol, runtime_checkable

import pandas as pd
from openpyxl.workbook.workbook import Workbook

from salesgoal_xl.core.calendar import FiscalCalendar, parse_month
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import max_cascade_units, to_fraction, to_units, unit_fraction
from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    error,
    warning,
)
from salesgoal_xl.core.proposal import is_company_scope
from salesgoal_xl.workbook.cells import (
    NUMERIC_TYPES,
    PERIOD_WEEK,
    NumberText,
    classify_number_text,
    code_text,
    format_number,
    is_blank,
    number_problem,
    parse_period,
)
from salesgoal_xl.workbook.port import TableData, WorkbookPort
from salesgoal_xl.workbook.reader import (
    ERROR_LITERALS,
    TableRead,
    read_settings,
    read_tables,
    table_read_from_data,
    workbook_language,
)
from salesgoal_xl.workbook.schema import (
    SHEETS,
    TABLES,
    Column,
    ColumnType,
    Role,
    table,
)

EXCEL_TEXT_LIMIT = 32_767
SAME_PROBLEM_LIMIT = 25  # per code and column; the rest are summed up in one line
CELLS_NAMED = 5  # cells listed in an aggregated message
VALUES_NAMED = 20  # distinct unknown codes reported one by one per column

# Tables whose periods must lie inside the plan's fiscal year.
IN_YEAR_TABLES = ("tblTargets", "tblActuals", "tblOverrides")
# Output code columns lose `list_from` in the schema (the program fills them); their values
# still have to exist in the organisation tables.
IMPLIED_SOURCES = {
    "rep_id": "tblReps.rep_id",
    "team": "tblTeams.team",
    "region": "tblRegions.region",
    "channel": "tblChannels.channel",
    "product": "tblProducts.product",
}
# Where the `code` of a split level must be found (tblOverrides, tblWeights, tblAdjustments).
LEVEL_SOURCES = {
    "region": "tblRegions.region",
    "team": "tblTeams.team",
    "rep": "tblReps.rep_id",
    "channel": "tblChannels.channel",
    "product": "tblProducts.product",
}
# Amounts that may legitimately dip below zero (returns, credit notes) are only warned about.
NEGATIVE_WARNS = {("tblHistory", "amount"), ("tblActuals", "amount")}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ESCAPE = re.compile(r"_x00(0[0-8bBcCeEfF]|1[0-9a-fA-F])_")
_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00")


@runtime_checkable
class RawTables(Protocol):
    """A workbook that can hand over tables with cell facts (the file adapter can)."""

    def read_raw(self, name: str) -> TableRead:
        """Table `name` with formulas, error cells, merged ranges and stray values noted."""
        ...

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """The titles of the workbook's worksheets."""
        ...


@dataclass
class CheckContext:
    """Everything the checks look at, read once: tables, settings, language, sheet names."""

    tables: dict[str, TableRead]
    lang: str = "en"
    sheet_names: tuple[str, ...] = ()  # empty when the source cannot list its sheets
    settings: dict[str, Any] = field(default_factory=dict)
    setting_problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.settings:
            self.settings, self.setting_problems = read_settings(self.tables["tblSettings"])

    def found(self, name: str) -> TableRead | None:
        """The table if the workbook has it and its rows could be read."""
        read = self.tables.get(name)
        if read is None or not read.found:
            return None
        return read


def context_from_workbook(wb: Workbook) -> CheckContext:
    """Read every schema table of an openpyxl workbook once."""
    return CheckContext(
        read_tables(wb), workbook_language(wb), tuple(ws.title for ws in wb.worksheets)
    )


def context_from_port(port: WorkbookPort | RawTables) -> CheckContext:
    """Read every schema table through a port; cell facts only if the port has them."""
    if isinstance(port, RawTables):
        reads = {t.name: port.read_raw(t.name) for t in TABLES}
        lang = _language_of(reads)
        return CheckContext(reads, lang, port.sheet_names)
    reads = {}
    for spec in TABLES:
        if not port.has_table(spec.name):
            reads[spec.name] = _not_found(spec.name)
            continue
        try:
            data = port.read_table(spec.name)
        except ProblemsFound as found:
            reads[spec.name] = _not_found(spec.name)
            reads[spec.name].found = True
            reads[spec.name].problems.extend(found.problems)
            continue
        reads[spec.name] = table_read_from_data(data)
    return CheckContext(reads, _language_of(reads))


def _not_found(name: str) -> TableRead:
    spec = table(name)
    frame = pd.DataFrame({key: pd.Series([], dtype=object) for key in spec.keys})
    return TableRead(name, TableData(name, frame), found=False)


def _language_of(reads: dict[str, TableRead]) -> str:
    settings = reads.get("tblSettings")
    if settings is None or not settings.found:
        return "en"
    values, _ = read_settings(settings)
    return str(values.get("language", "en"))


# --- helpers ---------------------------------------------------------------------------------


def _label(read: TableRead, key: str, lang: str) -> str:
    return read.spec.column(key).label.get(lang)


def _values(read: TableRead, key: str) -> Iterator[tuple[int, Any]]:
    """(row, value) for the live rows of column `key`."""
    column = read.data.frame[key].tolist()
    if len(read.live_rows) == len(column):  # no blank row inside the table: the usual case
        return enumerate(column)
    return ((row, column[row]) for row in read.live_rows if row < len(column))


def _is_formula(read: TableRead, row: int, key: str) -> bool:
    return (row, key) in read.formulas


def _is_error(read: TableRead, row: int, key: str, value: Any) -> bool:
    return (row, key) in read.errors or (isinstance(value, str) and value.strip() in ERROR_LITERALS)


def _cells_text(read: TableRead, key: str, rows: Sequence[int]) -> str:
    cells = [read.data.cell(r, key) for r in rows[:CELLS_NAMED]]
    more = len(rows) - len(cells)
    return ", ".join(cells) + (f" and {more:,} more" if more > 0 else "")


def _checked_columns(read: TableRead, *types: ColumnType) -> Iterator[Column]:
    """Columns of the given types that hold values (not live formulas) and have a header."""
    for column in read.spec.columns:
        if column.role is Role.FORMULA or column.key not in read.header_cells:
            continue
        if not types or column.type in types:
            yield column


def _tables(ctx: CheckContext, skip: tuple[str, ...] = ("tblSettings",)) -> Iterator[TableRead]:
    for spec in TABLES:
        read = ctx.found(spec.name)
        if read is not None and spec.name not in skip:
            yield read


# --- structure -------------------------------------------------------------------------------


def check_missing_tables(ctx: CheckContext) -> list[Problem]:
    """A table that is nowhere in the workbook; a whole sheet when none of its tables is."""
    problems: list[Problem] = []
    for sheet in SHEETS:
        if not sheet.tables:
            continue
        missing = [
            name for name in sheet.tables if name in ctx.tables and not ctx.tables[name].found
        ]
        if not missing:
            continue
        expected = sheet.label.get(ctx.lang)
        sheet_exists = any(label in ctx.sheet_names for label in sheet.label.all())
        if len(missing) == len(sheet.tables) and ctx.sheet_names and not sheet_exists:
            problems.append(
                error(
                    ProblemCode.MISSING_SHEET,
                    f"sheet {expected!r} is missing (no {', '.join(missing)} anywhere)",
                    sheet=expected,
                    hint="copy the sheet back from a fresh template (salesgoal new)",
                    category=Category.SCHEMA,
                )
            )
            continue
        hosts = [ctx.tables[n].data.sheet for n in sheet.tables if ctx.tables[n].found]
        where = hosts[0] if hosts else expected
        for name in missing:
            problems.append(
                error(
                    ProblemCode.MISSING_TABLE,
                    f"table {name} ({table(name).title.get(ctx.lang)}) is missing",
                    sheet=where,
                    hint="copy the table back from a fresh template; if you renamed it, "
                    f"rename it back to {name} (Table Design > Table Name)",
                    category=Category.SCHEMA,
                )
            )
    return problems


def check_table_structure(ctx: CheckContext) -> list[Problem]:
    """What the reader found wrong with headers, ranges and row counts."""
    return [p for spec in TABLES for p in ctx.tables[spec.name].problems]


def check_merged_cells(ctx: CheckContext) -> list[Problem]:
    """Merged cells inside a table break sorting, filtering and row-by-row reading."""
    return [
        error(
            ProblemCode.MERGED_CELLS,
            f"cells {merged} are merged inside table {read.name}",
            sheet=read.data.sheet,
            cell=merged,
            hint="select them and use Merge & Center > Unmerge Cells",
            category=Category.SCHEMA,
        )
        for read in _tables(ctx, skip=())
        for merged in read.merged
    ]


def check_rows_outside_table(ctx: CheckContext) -> list[Problem]:
    """Values typed just below or right of a table without extending it are not read."""
    problems: list[Problem] = []
    for read in _tables(ctx, skip=()):
        if not read.outside:
            continue
        cells = list(read.outside)
        shown = ", ".join(cells[:CELLS_NAMED]) + (
            f" and {len(cells) - CELLS_NAMED} more" if len(cells) > CELLS_NAMED else ""
        )
        problems.append(
            error(
                ProblemCode.ROWS_OUTSIDE_TABLE,
                f"values next to table {read.name} ({read.ref}) are not part of it: {shown}",
                sheet=read.data.sheet,
                cell=cells[0],
                hint="extend the table over them (drag the handle at its bottom-right corner) "
                "or delete them; they are ignored until then",
                category=Category.SCHEMA,
            )
        )
    return problems


def check_settings(ctx: CheckContext) -> list[Problem]:
    """Settings with a wrong type, out of bounds, unknown, duplicated or missing."""
    return list(ctx.setting_problems)


# --- cell values -----------------------------------------------------------------------------


def check_error_values(ctx: CheckContext) -> list[Problem]:
    """Excel error values (#REF!, #DIV/0!, #N/A, ...) where data is expected."""
    problems: list[Problem] = []
    for read in _tables(ctx):
        for column in _checked_columns(read):
            for row, value in _values(read, column.key):
                if (row, column.key) in read.errors or (
                    column.type is not ColumnType.TEXT
                    and isinstance(value, str)
                    and value.strip() in ERROR_LITERALS
                ):
                    problems.append(
                        error(
                            ProblemCode.ERROR_VALUE,
                            f"{_label(read, column.key, ctx.lang)} holds the error {value}",
                            sheet=read.data.sheet,
                            cell=read.data.cell(row, column.key),
                            hint="type the value itself; an error usually comes from a pasted "
                            "formula whose source was deleted",
                        )
                    )
    return problems


def check_formulas_in_inputs(ctx: CheckContext) -> list[Problem]:
    """Formulas in input columns: the program reads values and cannot recalculate them."""
    problems: list[Problem] = []
    for read in _tables(ctx):
        for column in _checked_columns(read):
            if column.role is not Role.INPUT:
                continue
            make = warning if column.type is ColumnType.TEXT else error
            rows = sorted(row for row, key in read.formulas if key == column.key)
            for row in rows:
                value = read.data.frame.at[row, column.key]  # a formula makes its row live
                problems.append(
                    make(
                        ProblemCode.FORMULA_IN_INPUT,
                        f"{_label(read, column.key, ctx.lang)} is an input but holds the "
                        f"formula {str(value)[:60]}",
                        sheet=read.data.sheet,
                        cell=read.data.cell(row, column.key),
                        hint="replace it by its value (Copy, then Paste Special > Values)",
                    )
                )
    return problems


def check_numbers(ctx: CheckContext) -> list[Problem]:
    """Numeric cells holding text: plain numbers are read (warning), the rest are errors."""
    problems: list[Problem] = []
    for read in _tables(ctx):
        for column in _checked_columns(read, *NUMERIC_TYPES):
            label = _label(read, column.key, ctx.lang)
            for row, value in _values(read, column.key):
                if (
                    is_blank(value)
                    or _is_formula(read, row, column.key)
                    or _is_error(read, row, column.key, value)
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
    for read in _tables(ctx):
        for column in _checked_columns(read, ColumnType.MONEY, ColumnType.PERCENT):
            if column.role is not Role.INPUT and (read.name, column.key) != (
                "tblTargets",
                "target",
            ):
                continue
            make = warning if (read.name, column.key) in NEGATIVE_WARNS else error
            label = _label(read, column.key, ctx.lang)
            for row, value in _values(read, column.key):
                number = _number_or_none(value)
                if number is not None and number < 0:
                    problems.append(
                        make(
                            ProblemCode.NEGATIVE_AMOUNT,
                            f"{label} must be >= 0 (got {format_number(number)})",
                            sheet=read.data.sheet,
                            cell=read.data.cell(row, column.key),
                            hint="enter a positive amount"
                            if make is error
                            else "check the sign; returns larger than sales give a negative",
                        )
                    )
    return problems


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        kind, number, _ = classify_number_text(value)
        return number if kind is NumberText.PLAIN else None
    return None


def check_dates(ctx: CheckContext) -> list[Problem]:
    """Date cells holding something that is not a date (ISO text like 2026-04-01 is read)."""
    problems: list[Problem] = []
    for read in _tables(ctx):
        for column in _checked_columns(read, ColumnType.DATE, ColumnType.DATETIME):
            for row, value in _values(read, column.key):
                if (
                    is_blank(value)
                    or isinstance(value, dt.date)
                    or _is_formula(read, row, column.key)
                    or _is_error(read, row, column.key, value)
                ):
                    continue
                if isinstance(value, str) and _iso_date(value):
                    continue
                problems.append(
                    error(
                        ProblemCode.BAD_DATE,
                        f"{_label(read, column.key, ctx.lang)} must be a date (got {value!r})",
                        sheet=read.data.sheet,
                        cell=read.data.cell(row, column.key),
                        hint="type a date like 2026-04-01 and format the cell as a date",
                    )
                )
    return problems


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return False
    return True


def check_text(ctx: CheckContext) -> list[Problem]:
    """Control characters and text longer than Excel's 32,767-character cell limit."""
    problems: list[Problem] = []
    for read in _tables(ctx, skip=()):
        for key in read.spec.keys:
            if key not in read.header_cells:
                continue
            for row, value in _values(read, key):
                if not isinstance(value, str) or not (
                    len(value) > EXCEL_TEXT_LIMIT or _SUSPECT.search(value)
                ):
                    continue
                if _is_formula(read, row, key):
                    continue
                cell = read.data.cell(row, key)
                if len(value) > EXCEL_TEXT_LIMIT:
                    problems.append(
                        error(
                            ProblemCode.TEXT_TOO_LONG,
                            f"{_label(read, key, ctx.lang)} holds {len(value):,} characters; "
                            f"Excel keeps at most {EXCEL_TEXT_LIMIT:,}",
                            sheet=read.data.sheet,
                            cell=cell,
                            hint="shorten the text or keep it in a separate document",
                        )
                    )
                if _CONTROL.search(value) or _CONTROL_ESCAPE.search(value):
                    problems.append(
                        error(
                            ProblemCode.CONTROL_CHARACTERS,
                            f"{_label(read, key, ctx.lang)} contains invisible control characters",
                            sheet=read.data.sheet,
                            cell=cell,
                            hint="retype the text; pasted text from other systems can carry them",
                        )
                    )
    return problems


# --- keys and codes --------------------------------------------------------------------------


def check_keys(ctx: CheckContext) -> list[Problem]:
    """Blank or duplicated keys (the key columns together, and each unique column)."""
    problems: list[Problem] = []
    for read in _tables(ctx, skip=()):
        spec = read.spec
        groups = [spec.key_columns] if spec.key_columns else []
        groups += [(c.key,) for c in spec.columns if c.unique and (c.key,) != spec.key_columns]
        for keys in groups:
            if any(k not in read.header_cells for k in keys):
                continue
            problems += _key_problems(read, keys, ctx.lang)
    return problems


def _key_problems(read: TableRead, keys: tuple[str, ...], lang: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], int] = {}
    frame = read.data.frame
    names = " + ".join(_label(read, k, lang) for k in keys)
    for row in read.live_rows:
        values = [frame.at[row, k] for k in keys]
        blank = [k for k, v in zip(keys, values, strict=True) if is_blank(v)]
        if blank:
            problems.append(
                error(
                    ProblemCode.BLANK_KEY,
                    f"{_label(read, blank[0], lang)} is empty; every row of {read.name} needs one",
                    sheet=read.data.sheet,
                    cell=read.data.cell(row, blank[0]),
                    hint="fill it in, or delete the row",
                )
            )
            continue
        key = tuple(code_text(v).casefold() for v in values)
        if key in seen:
            first = read.data.cell(seen[key], keys[0])
            here = read.data.cell(row, keys[0])
            shown = " / ".join(code_text(v) for v in values)
            problems.append(
                error(
                    ProblemCode.DUPLICATE_KEY,
                    f"{names} {shown!r} appears twice in {read.name} ({first} and {here})",
                    sheet=read.data.sheet,
                    cell=here,
                    hint=f"keep one row; {first} is the first",
                )
            )
        else:
            seen[key] = row
    return problems


def check_required_values(ctx: CheckContext) -> list[Problem]:
    """Required cells left empty in a row that has other values."""
    problems: list[Problem] = []
    for read in _tables(ctx):
        key_like = set(read.spec.key_columns) | {c.key for c in read.spec.columns if c.unique}
        for column in _checked_columns(read):
            if not column.required or column.key in key_like:
                continue
            rows = [row for row, value in _values(read, column.key) if is_blank(value)]
            if rows:
                problems.append(
                    error(
                        ProblemCode.BLANK_VALUE,
                        f"{_label(read, column.key, ctx.lang)} is empty in {len(rows):,} "
                        f"row(s) of {read.name}: {_cells_text(read, column.key, rows)}",
                        sheet=read.data.sheet,
                        cell=read.data.cell(rows[0], column.key),
                        hint="fill in the cells, or delete the rows",
                    )
                )
    return problems


def check_codes(ctx: CheckContext) -> list[Problem]:
    """Codes not found where they must come from (a rep id not in tblReps, a bad choice)."""
    known: dict[str, set[str] | None] = {}

    def codes_of(source: str) -> set[str] | None:
        if source not in known:
            name, key = source.split(".")
            src = ctx.found(name)
            if src is None or key not in src.header_cells:
                known[source] = None
            else:
                known[source] = {code_text(v) for _, v in _values(src, key) if not is_blank(v)}
        return known[source]

    problems: list[Problem] = []
    for read in _tables(ctx):
        for column in _checked_columns(read, ColumnType.CODE):
            source = column.list_from or (
                IMPLIED_SOURCES.get(column.key) if column.role is Role.OUTPUT else None
            )
            if source is not None and source.split(".")[0] == read.name:
                source = None
            if column.choices:
                allowed: set[str] | None = set(column.choices)
                where = "one of " + ", ".join(column.choices)
            elif source is not None:
                allowed = codes_of(source)
                where = source.split(".")[0]
            else:
                continue
            if allowed is None:
                continue
            unknown = _unknown_rows(read, column.key, allowed)
            problems += _unknown_problems(read, column.key, unknown, where, ctx.lang)
        if "level" in read.header_cells and "code" in read.header_cells:
            problems += _level_code_problems(read, codes_of, ctx.lang)
    return problems


def _unknown_rows(read: TableRead, key: str, allowed: set[str]) -> dict[str, list[int]]:
    """Rows per distinct value not in `allowed` (blanks, formulas and errors are skipped)."""
    unknown: dict[str, list[int]] = defaultdict(list)
    verdicts: dict[Any, str | None] = {}  # raw value -> its code if unknown (few distinct)
    for row, value in _values(read, key):
        if value not in verdicts:
            text = code_text(value)
            verdicts[value] = None if is_blank(value) or text in allowed else text
        bad = verdicts[value]
        if bad is None or _is_formula(read, row, key) or _is_error(read, row, key, value):
            continue
        unknown[bad].append(row)
    return unknown


def _unknown_problems(
    read: TableRead, key: str, unknown: dict[str, list[int]], where: str, lang: str
) -> list[Problem]:
    """One problem per unknown value (first cell, a few more and a count), then a summary."""
    problems: list[Problem] = []
    label = _label(read, key, lang)
    for value, rows in list(unknown.items())[:VALUES_NAMED]:
        count = f" ({len(rows):,} cells: {_cells_text(read, key, rows)})" if len(rows) > 1 else ""
        problems.append(
            error(
                ProblemCode.UNKNOWN_CODE,
                f"{label} {value!r} is not in {where}{count}",
                sheet=read.data.sheet,
                cell=read.data.cell(rows[0], key),
                hint=_unknown_hint(value, where),
            )
        )
    rest = list(unknown.items())[VALUES_NAMED:]
    if rest:
        cells = sum(len(rows) for _, rows in rest)
        problems.append(
            error(
                ProblemCode.UNKNOWN_CODE,
                f"{len(rest):,} more unknown {label} values in {read.name} ({cells:,} cells)",
                sheet=read.data.sheet,
                cell=read.column_range(key),
                hint=f"add them to {where} or correct them",
            )
        )
    return problems


def _unknown_hint(value: str, where: str) -> str:
    if where.startswith("one of"):
        return f"use {where}"
    return f"add {value!r} to {where} first, or correct the code"


def _level_code_problems(
    read: TableRead, codes_of: Callable[[str], set[str] | None], lang: str
) -> list[Problem]:
    """The `code` of a level row must exist at that level (a rep code in tblReps, ...)."""
    frame = read.data.frame
    by_level: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, value in _values(read, "code"):
        level = code_text(frame.at[row, "level"]).casefold()
        if is_blank(value) or _is_formula(read, row, "code") or _is_error(read, row, "code", value):
            continue
        if level == "time":
            if parse_period(value) is None:
                by_level["time"][code_text(value)].append(row)
            continue
        source = LEVEL_SOURCES.get(level)
        allowed = codes_of(source) if source else None
        if allowed is not None and code_text(value) not in allowed:
            by_level[level][code_text(value)].append(row)
    problems: list[Problem] = []
    for level, unknown in by_level.items():
        where = "a period like 2026-04" if level == "time" else LEVEL_SOURCES[level].split(".")[0]
        problems += _unknown_problems(read, "code", unknown, where, lang)
    return problems


# --- periods ---------------------------------------------------------------------------------


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
    for read in _tables(ctx):
        for column in _checked_columns(read, ColumnType.PERIOD):
            label = _label(read, column.key, ctx.lang)
            outside: dict[str, list[int]] = defaultdict(list)
            for row, value in _values(read, column.key):
                if (
                    is_blank(value)
                    or _is_formula(read, row, column.key)
                    or _is_error(read, row, column.key, value)
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
                            sheet=read.data.sheet,
                            cell=read.data.cell(row, column.key),
                            hint="format the column as Text and type periods like 2026-04",
                        )
                    )
                elif parsed is None:
                    problems.append(
                        error(
                            ProblemCode.BAD_PERIOD,
                            f"{label} must be a month like 2026-04 or an ISO week like "
                            f"2026-W15 (got {value!r})",
                            sheet=read.data.sheet,
                            cell=read.data.cell(row, column.key),
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
                count = f" ({len(rows):,} cells: {_cells_text(read, column.key, rows)})"
                problems.append(
                    error(
                        ProblemCode.PERIOD_OUTSIDE_YEAR,
                        f"{label} {value} lies outside the plan year {span}"
                        + (count if len(rows) > 1 else ""),
                        sheet=read.data.sheet,
                        cell=read.data.cell(rows[0], column.key),
                        hint="correct the period, or the fiscal year and first month in Settings",
                    )
                )
    return problems


def _period_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return str(value).strip()


# --- business rules --------------------------------------------------------------------------


def check_kpi_weights(ctx: CheckContext) -> list[Problem]:
    """KPI weights must add up to 100%."""
    read = ctx.found("tblKpis")
    if read is None or "weight" not in read.header_cells or not read.live_rows:
        return []
    weights = [_number_or_none(v) for _, v in _values(read, "weight")]
    numbers = [w for w in weights if w is not None]
    if len(numbers) != len(weights):
        return []  # the cell checks already name the unreadable weights
    total = sum(numbers)
    if math.isclose(total, 1.0, abs_tol=1e-6):
        return []
    hint = "adjust the weights so they total 100%"
    if math.isclose(total, 100.0, abs_tol=1e-4):
        hint = "weights are percentages: type 40% (or 0.4), not 40"
    return [
        error(
            ProblemCode.SHARES_NOT_100,
            f"KPI weights add up to {total:.2%}, not 100%",
            sheet=read.data.sheet,
            cell=read.column_range("weight"),
            hint=hint,
            category=Category.RULE,
        )
    ]


def check_targets_sum(ctx: CheckContext) -> list[Problem]:
    """Leaf targets must add up to the company's final target (plus allowed over-assignment)."""
    targets = ctx.found("tblTargets")
    proposal = ctx.found("tblProposal")
    if targets is None or proposal is None or not targets.live_rows:
        return []
    if "target" not in targets.header_cells or "final_target" not in proposal.header_cells:
        return []
    company = _company_row(proposal)
    if company is None:
        return []
    final = _number_or_none(proposal.data.frame.at[company, "final_target"])
    if final is None:
        return []
    leaves = [_number_or_none(v) for _, v in _values(targets, "target")]
    total = sum((to_fraction(v, "target") for v in leaves if v is not None), Fraction(0))
    exact_final = to_fraction(final, "final target")
    try:
        unit = unit_fraction(ctx.settings.get("rounding_unit", 1))
        final_units = to_units(exact_final, unit, "final target")
    except AllocationError:
        return []  # a final target between units: split's dry run names that cell
    rates = _over_assignment_rates(ctx)
    groups = {
        key: len({code_text(v) for _, v in _values(targets, key) if not is_blank(v)})
        for key in ("region", "team")
        if key in targets.header_cells
    }
    # The same rule split applies, exact: each level's children add up to round-half-up of
    # parent x (1 + rate), level after level (core.money.max_cascade_units).
    levels = [
        (rates["region"], 1),
        (rates["team"], groups.get("region", 1)),
        (rates["rep"], groups.get("team", 1)),
    ]
    ceiling = max_cascade_units(final_units, levels) * unit
    if exact_final <= total <= ceiling:
        return []
    over = any(rate > 0 for rate in rates.values())
    allowed = format_number(final)
    if over:
        allowed += f" to {format_number(float(ceiling))}"
    shown = ", ".join(f"{level} {float(rate):.1%}" for level, rate in rates.items() if rate)
    return [
        error(
            ProblemCode.CHILDREN_NOT_SUM,
            f"leaf targets in {targets.name} add up to {format_number(float(total))}, but the "
            f"company's final target ({proposal.data.sheet}!"
            f"{proposal.data.cell(company, 'final_target')}) allows {allowed} "
            f"(over-assignment {shown or 'none'})",
            sheet=targets.data.sheet,
            cell=targets.column_range("target"),
            hint="run Split targets again, or correct the final target",
            category=Category.RULE,
        )
    ]


def _over_assignment_rates(ctx: CheckContext) -> dict[str, Fraction]:
    """Each org level's over-assignment as split reads it: tblSplitRules, else the setting
    for reps; exact fractions (5% is 1/20)."""
    setting = ctx.settings.get("over_assignment") or 0
    rates = {"region": Fraction(0), "team": Fraction(0), "rep": to_fraction(setting, "setting")}
    rules = ctx.found("tblSplitRules")
    if rules is not None and {"level", "over_assignment"} <= set(rules.header_cells):
        frame = rules.data.frame
        for row in rules.live_rows:
            level = code_text(frame.at[row, "level"]).casefold()
            pct = _number_or_none(frame.at[row, "over_assignment"])
            if level in rates and pct is not None:
                rates[level] = max(to_fraction(pct, "over-assignment"), Fraction(0))
    return rates


def _company_row(proposal: TableRead) -> int | None:
    rows = list(proposal.live_rows)
    for row, value in _values(proposal, "scope"):
        if is_company_scope(code_text(value)):
            return row
    return rows[0] if len(rows) == 1 else None


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
    """Keep the first few problems per code and column; sum the rest up in one line each."""
    groups: dict[tuple[ProblemCode, str, str], list[Problem]] = defaultdict(list)
    order: list[tuple[ProblemCode, str, str]] = []
    for problem in problems:
        column = re.match(r"[A-Z]+(?=\d+$)", problem.cell)
        key = (problem.code, problem.sheet, column.group(0) if column else f"#{id(problem)}")
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
                    f"{len(rest):,} more cells in column {key[2]} have the same problem",
                    replace(first.source, cell=f"{first.cell}:{last.cell}", row=None),
                    first.hint,
                    first.category,
                )
            )
    return kept
