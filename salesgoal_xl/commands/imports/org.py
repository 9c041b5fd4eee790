"""`import-org`: regions, teams, reps, channels and products from an HR or CRM list.

Every row may name a region, a team, a rep (with manager, start and end dates, capacity and
potential), a channel and a product; the codes found are created in their tables, codes the
plan has are updated with the values the list carries, and codes the list leaves out stay.
Contradictions inside the list (a rep in two teams, a team in two regions, a rep whose
region is not its team's) are listed at the lines that disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from salesgoal_xl.commands.imports.common import (
    ImportOptions,
    ImportSummary,
    bad_row,
    cell_text,
    finish,
    open_export,
    read_amount,
    require_columns,
    settle_convention,
)
from salesgoal_xl.commands.imports.facts import money
from salesgoal_xl.core.problems import Problem, ProblemCode, Source, error
from salesgoal_xl.workbook.port import WorkbookPort
from salesgoal_xl.workbook.schema import Column, ColumnType, table
from salesgoal_xl.workbook.source import SourceFile
from salesgoal_xl.workbook.source_values import source_day

ORG_TABLES: Final = ("tblRegions", "tblTeams", "tblReps", "tblChannels", "tblProducts")
_CODES: Final = {
    "tblRegions": "region",
    "tblTeams": "team",
    "tblReps": "rep_id",
    "tblChannels": "channel",
    "tblProducts": "product",
}

ORG_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "rep_id": ("Employee ID", "Employee Number", "Staff ID", "User ID", "工號", "工号"),
    "rep_name": ("Name", "Employee Name", "Full Name", "Sales Rep", "姓名"),
    "team": ("Team Code", "Sales Team", "Department", "部門", "部门"),
    "region": ("Region Code", "Territory", "Area", "地區", "地区"),
    "manager": ("Manager Name", "Reports To", "Supervisor", "直屬主管", "直属主管"),
    "start_date": ("Hire Date", "Date Hired", "Start", "Joined", "到職日期", "入职日"),
    "end_date": ("Termination Date", "Leave Date", "Exit Date", "Last Day", "離職日期", "离职日"),
    "capacity": ("FTE", "Capacity Factor"),
    "potential": ("Territory Potential", "Account Potential", "Market Potential"),
    "channel": ("Sales Channel", "銷售通路", "销售渠道"),
    "product": ("Product Line", "Product Family", "產品", "产品"),
}


def _extra_columns() -> tuple[Column, ...]:
    reps = table("tblReps")
    seen = set(reps.keys)
    extra: list[Column] = []
    for name in ORG_TABLES:
        for col in table(name).columns:
            if col.key not in seen:
                seen.add(col.key)
                extra.append(col)
    return tuple(extra)


@dataclass
class _Found:
    """One code as the list describes it: its values and the line each came from."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


def run_import_org(
    port: WorkbookPort, path: str | Path, options: ImportOptions | None = None
) -> ImportSummary:
    """Create and update the org tables from an HR or CRM list (see docs/import.md)."""
    options = options or ImportOptions()
    extra = _extra_columns()
    port.progress(0.0, f"reading {Path(path).name}")
    source, columns = open_export(path, table("tblReps"), options, aliases=ORG_ALIASES, extra=extra)
    require_columns(
        source,
        columns,
        (
            (
                ("region", "team", "rep_id", "channel", "product"),
                "Region, Team, Rep ID, Channel or Product",
            ),
        ),
    )
    numeric = [
        source.column(i) for k in ("capacity", "potential") if (i := columns.get(k)) is not None
    ]
    decimal = settle_convention(source, numeric, options.decimal) if numeric else "."
    problems: list[Problem] = []
    found: dict[str, dict[str, _Found]] = {name: {} for name in ORG_TABLES}
    specs = {c.key: c for c in (*table("tblReps").columns, *extra)}
    for row in range(source.row_count):
        values = _row_values(source, row, columns.index, specs, decimal, problems)
        if values is None:
            continue
        for name in ORG_TABLES:
            code = values.get(_CODES[name])
            if code:
                _collect(source, row, found[name], code, name, values, columns.index, problems)
    plan = {name: port.read_table(name).frame for name in ORG_TABLES}
    _check_regions(source, found, plan, problems)
    writes: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    for name in ORG_TABLES:
        if found[name]:
            writes[name], counts[name] = _merge(plan[name], found[name], name)
    summary = ImportSummary(
        command="import-org",
        source=source.label,
        detail=source.detail,
        columns=dict(columns.headers),
        source_rows=source.row_count,
        good_rows=source.row_count - len({p.source.line for p in problems}),
        bad_rows=len({p.source.line for p in problems}),
        written=False,
        problems=problems,
        org=counts,
    )
    return finish(port, summary, writes, options)


def _row_values(
    source: SourceFile,
    row: int,
    index: Mapping[str, int],
    specs: dict[str, Column],
    decimal: str,
    problems: list[Problem],
) -> dict[str, Any] | None:
    """One row's values typed by their schema column; None (with problems) when bad."""
    values: dict[str, Any] = {}
    before = len(problems)
    for key, at in index.items():
        raw = source.columns[at][row]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        kind = specs[key].type
        label = specs[key].label.en
        if kind is ColumnType.DATE:
            day = source_day(raw)
            if day is None:
                problems.append(
                    bad_row(
                        source,
                        row,
                        at,
                        ProblemCode.BAD_DATE,
                        f"{label} {str(raw)[:40]!r} is not a date like 2026-04-15",
                    )
                )
                continue
            values[key] = day
        elif kind in (ColumnType.NUMBER, ColumnType.MONEY):
            number = read_amount(raw, decimal)
            if number is None or number < 0:
                problems.append(
                    bad_row(
                        source,
                        row,
                        at,
                        ProblemCode.NOT_A_NUMBER if number is None else ProblemCode.OUT_OF_RANGE,
                        f"{label} must be a number of 0 or more (got {str(raw)[:40]!r})",
                    )
                )
                continue
            values[key] = money(number)
        else:
            values[key] = cell_text(raw)
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        problems.append(
            bad_row(
                source,
                row,
                index.get("end_date"),
                ProblemCode.OUT_OF_RANGE,
                f"End date {end.isoformat()} is before Start date {start.isoformat()}",
            )
        )
    return None if len(problems) > before else values


def _collect(
    source: SourceFile,
    row: int,
    found: dict[str, _Found],
    code: str,
    name: str,
    values: dict[str, Any],
    index: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """Note what this row says about `code`; a value another line contradicts is a conflict."""
    entry = found.setdefault(code, _Found())
    line = source.lines[row]
    for key in table(name).keys:
        if key not in values:
            continue
        value = values[key]
        if key in entry.values and entry.values[key] != value:
            what = {"team": "two teams", "region": "two regions"}.get(key, f"two {key}s")
            problems.append(
                bad_row(
                    source,
                    row,
                    index.get(key),
                    ProblemCode.ORG_CONFLICT,
                    f"{_noun(name)} {code!r} is in {what}: {entry.values[key]} (line "
                    f"{entry.lines[key]}) and {value} (line {line})",
                    "keep one: a rep belongs to one team, a team to one region",
                )
            )
            continue
        entry.values[key] = value
        entry.lines.setdefault(key, line)


def _noun(name: str) -> str:
    return {"tblRegions": "region", "tblTeams": "team", "tblReps": "rep"}.get(
        name, name[3:-1].lower()
    )


def _check_regions(
    source: SourceFile,
    found: dict[str, dict[str, _Found]],
    plan: dict[str, pd.DataFrame],
    problems: list[Problem],
) -> None:
    """Each rep's region is its team's: filled in when the list leaves it out, a conflict
    when it names another; a rep needs a team."""
    team_region = {
        cell_text(t): cell_text(r)
        for t, r in zip(plan["tblTeams"]["team"], plan["tblTeams"]["region"], strict=True)
    }
    team_region.update(
        {code: e.values["region"] for code, e in found["tblTeams"].items() if "region" in e.values}
    )
    plan_reps = {cell_text(r) for r in plan["tblReps"]["rep_id"]}
    for code, entry in list(found["tblReps"].items()):
        line = entry.lines.get("rep_id", source.header_line)
        team = entry.values.get("team")
        if not team:
            if code not in plan_reps:
                problems.append(
                    _line_problem(
                        source, line, ProblemCode.BLANK_VALUE, f"rep {code!r} has no team"
                    )
                )
                del found["tblReps"][code]
            continue
        region = team_region.get(team, "")
        named = entry.values.get("region")
        if named and region and named != region:
            problems.append(
                _line_problem(
                    source,
                    entry.lines["region"],
                    ProblemCode.ORG_CONFLICT,
                    f"rep {code!r} is in region {named}, but its team {team} is in {region}",
                )
            )
        elif not named:
            if not region:
                problems.append(
                    _line_problem(
                        source,
                        line,
                        ProblemCode.BLANK_VALUE,
                        f"rep {code!r}: team {team} has no region",
                    )
                )
                del found["tblReps"][code]
                continue
            entry.values["region"] = region


def _line_problem(source: SourceFile, line: int, code: ProblemCode, text: str) -> Problem:
    return error(code, text, source=Source(file=source.label, line=line))


def _merge(
    existing: pd.DataFrame, found: dict[str, _Found], name: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The table with the list's codes created or updated; the others as they were."""
    spec = table(name)
    key = _CODES[name]
    frame = existing[[k for k in spec.keys if k in existing.columns]].copy()
    rows = {cell_text(code): i for i, code in enumerate(frame[key].tolist()) if cell_text(code)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    records = frame.to_dict("records")
    for code, entry in found.items():
        values = {k: v for k, v in entry.values.items() if k in spec.keys}
        if code in rows:
            record = records[rows[code]]
            changed = any(not _same(record.get(k), v) for k, v in values.items())
            record.update(values)
            counts["updated" if changed else "unchanged"] += 1
        else:
            records.append({k: values.get(k) for k in spec.keys})
            counts["created"] += 1
    return pd.DataFrame(records, columns=list(spec.keys), dtype=object), counts


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, int | float):
        return old == float(new)
    return bool(cell_text(old) == cell_text(new)) if isinstance(new, str) else bool(old == new)


__all__: Sequence[str] = ["ORG_ALIASES", "run_import_org"]
