"""Structure checks: missing sheets and tables, what the reader found wrong with a table's
headers and range, merged cells, values typed beside a table, and the settings."""

from __future__ import annotations

from salesgoal_xl.core.problems import Category, Problem, ProblemCode, Source, error
from salesgoal_xl.workbook.checks.context import CELLS_NAMED, CheckContext, present_tables
from salesgoal_xl.workbook.schema import SHEETS, TABLES, table


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
                    source=Source(where, table=name),
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
            source=Source(read.data.sheet, merged, read.name),
            hint="select them and use Merge & Center > Unmerge Cells",
            category=Category.SCHEMA,
        )
        for read in present_tables(ctx, skip=())
        for merged in read.merged
    ]


def check_rows_outside_table(ctx: CheckContext) -> list[Problem]:
    """Values typed just below or right of a table without extending it are not read."""
    problems: list[Problem] = []
    for read in present_tables(ctx, skip=()):
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
                source=Source(read.data.sheet, cells[0], read.name),
                hint="extend the table over them (drag the handle at its bottom-right corner) "
                "or delete them; they are ignored until then",
                category=Category.SCHEMA,
            )
        )
    return problems


def check_settings(ctx: CheckContext) -> list[Problem]:
    """Settings with a wrong type, out of bounds, unknown, duplicated or missing."""
    return list(ctx.setting_problems)
