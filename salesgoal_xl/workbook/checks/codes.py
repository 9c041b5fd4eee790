"""Key and code checks: blank and duplicated keys, required values, codes that must exist
in the organisation tables or among a column's choices, and the codes of split levels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from salesgoal_xl.core.problems import Problem, ProblemCode, error
from salesgoal_xl.workbook.cells import (
    choice_code,
    choices_text,
    code_text,
    is_blank,
    parse_period,
)
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
from salesgoal_xl.workbook.reader import TableRead
from salesgoal_xl.workbook.schema import SPLIT_LEVELS, ColumnType, Role

VALUES_NAMED = 20  # distinct unknown codes reported one by one per column
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


def check_keys(ctx: CheckContext) -> list[Problem]:
    """Blank or duplicated keys (the key columns together, and each unique column)."""
    problems: list[Problem] = []
    for read in present_tables(ctx, skip=()):
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
    names = " + ".join(header_label(read, k, lang) for k in keys)
    for row in read.live_rows:
        values = [frame.at[row, k] for k in keys]
        blank = [k for k, v in zip(keys, values, strict=True) if is_blank(v)]
        if blank:
            problems.append(
                error(
                    ProblemCode.BLANK_KEY,
                    f"{header_label(read, blank[0], lang)} is empty; every row of {read.name} "
                    "needs one",
                    source=read.data.source(row, blank[0]),
                    hint="fill it in, or delete the row",
                )
            )
            continue
        # A choice is the same key in any language ('region' and '區域' are one level).
        key = tuple(
            choice_code(read.spec.column(k).choices, v) or code_text(v).casefold()
            for k, v in zip(keys, values, strict=True)
        )
        if key in seen:
            first = read.data.cell(seen[key], keys[0])
            here = read.data.cell(row, keys[0])
            shown = " / ".join(code_text(v) for v in values)
            problems.append(
                error(
                    ProblemCode.DUPLICATE_KEY,
                    f"{names} {shown!r} appears twice in {read.name} ({first} and {here})",
                    source=read.data.source(row, keys[0]),
                    hint=f"keep one row; {first} is the first",
                )
            )
        else:
            seen[key] = row
    return problems


def check_required_values(ctx: CheckContext) -> list[Problem]:
    """Required cells left empty in a row that has other values."""
    problems: list[Problem] = []
    for read in present_tables(ctx):
        key_like = set(read.spec.key_columns) | {c.key for c in read.spec.columns if c.unique}
        for column in checked_columns(read):
            if not column.required or column.key in key_like:
                continue
            rows = [row for row, value in live_values(read, column.key) if is_blank(value)]
            if rows:
                problems.append(
                    error(
                        ProblemCode.BLANK_VALUE,
                        f"{header_label(read, column.key, ctx.lang)} is empty in {len(rows):,} "
                        f"row(s) of {read.name}: {cells_text(read, column.key, rows)}",
                        source=read.data.source(rows[0], column.key),
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
                known[source] = {code_text(v) for _, v in live_values(src, key) if not is_blank(v)}
        return known[source]

    problems: list[Problem] = []
    for read in present_tables(ctx):
        for column in checked_columns(read, ColumnType.CODE):
            source = column.list_from or (
                IMPLIED_SOURCES.get(column.key) if column.role is Role.OUTPUT else None
            )
            if source is not None and source.split(".")[0] == read.name:
                source = None
            if column.choices:
                unknown = _unknown_choices(read, column.key, column.choices)
                where = "one of " + choices_text(column.choices, ctx.lang)
                problems += _unknown_problems(read, column.key, unknown, where, ctx.lang)
                continue
            if source is not None:
                allowed = codes_of(source)
                where = source.split(".")[0]
            else:
                continue
            if allowed is None:
                continue
            unknown = _unknown_codes(read, column.key, allowed)
            problems += _unknown_problems(read, column.key, unknown, where, ctx.lang)
        if "level" in read.header_cells and "code" in read.header_cells:
            problems += _level_code_problems(read, codes_of, ctx.lang)
    return problems


def _unknown_choices(read: TableRead, key: str, choices: tuple[str, ...]) -> dict[str, list[int]]:
    """Rows per distinct value that is none of `choices` in any language (`cells.choice_code`)."""
    return _unknown_rows(read, key, lambda value: choice_code(choices, value) is not None)


def _unknown_codes(read: TableRead, key: str, allowed: set[str]) -> dict[str, list[int]]:
    """Rows per distinct code not in `allowed`."""
    return _unknown_rows(read, key, lambda value: code_text(value) in allowed)


def _unknown_rows(read: TableRead, key: str, known: Callable[[Any], bool]) -> dict[str, list[int]]:
    """Rows per distinct value that is not `known` (blanks, formulas and errors are skipped)."""
    unknown: dict[str, list[int]] = defaultdict(list)
    verdicts: dict[Any, str | None] = {}  # raw value -> its code if unknown (few distinct)
    for row, value in live_values(read, key):
        if value not in verdicts:
            text = code_text(value)
            verdicts[value] = None if is_blank(value) or known(value) else text
        bad = verdicts[value]
        if bad is None or is_formula(read, row, key) or is_error(read, row, key, value):
            continue
        unknown[bad].append(row)
    return unknown


def _unknown_problems(
    read: TableRead, key: str, unknown: dict[str, list[int]], where: str, lang: str
) -> list[Problem]:
    """One problem per unknown value (first cell, a few more and a count), then a summary."""
    problems: list[Problem] = []
    label = header_label(read, key, lang)
    for value, rows in list(unknown.items())[:VALUES_NAMED]:
        count = f" ({len(rows):,} cells: {cells_text(read, key, rows)})" if len(rows) > 1 else ""
        problems.append(
            error(
                ProblemCode.UNKNOWN_CODE,
                f"{label} {value!r} is not in {where}{count}",
                source=read.data.source(rows[0], key),
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
                source=replace(read.data.source(), cell=read.column_range(key), column=key),
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
    for row, value in live_values(read, "code"):
        level = choice_code(SPLIT_LEVELS, frame.at[row, "level"]) or ""
        if is_blank(value) or is_formula(read, row, "code") or is_error(read, row, "code", value):
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
