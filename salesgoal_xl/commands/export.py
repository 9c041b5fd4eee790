"""`export`: one workbook per region, team or manager holding only that recipient's slice of a
split plan, stamped with the master's identity and a fingerprint of the numbers sent.

This module decides what goes into a copy (docs/export.md): the leaf targets in scope, the
slice's org, the rep-level tables filtered to its reps, one tblCommits row per rep and month
with the exact target, and the master's commits. `workbook.export_copy` builds, stamps,
protects and saves each file; `core.fingerprint` computes the fingerprint `collect` checks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.commands.inputs import load_settings, money_amount
from salesgoal_xl.core.adjustment import canonical_value
from salesgoal_xl.core.calendar import period_text
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.fingerprint import EXPORT_LEVELS, Scope, fingerprint, leaf_entries
from salesgoal_xl.core.problems import Category, ProblemCode, ProblemsFound, error
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.export_copy import EDITABLE_COLUMNS, CopyStamp, write_copy
from salesgoal_xl.workbook.identity import identity_of
from salesgoal_xl.workbook.port import PropertiesPort
from salesgoal_xl.workbook.schema import LANGUAGES, TABLES, TABLES_BY_NAME

TARGETS: Final = "tblTargets"
COMMITS: Final = "tblCommits"
COPIED: Final = ("tblSettings", "tblChannels", "tblProducts", "tblKpis")
"""Tables every copy holds whole: they name things and set rules, they hold nobody's numbers."""
NOT_SLICED: Final = frozenset({TARGETS, COMMITS, "tblReps", "tblApprovedNumbers"})
"""Tables with a rep column that are not simply filtered: built here, or the master's own."""
REP_TABLES: Final = tuple(t.name for t in TABLES if "rep_id" in t.keys and t.name not in NOT_SLICED)
"""History, actuals, tracking, scorecard, rep plan...: filtered to the slice's reps."""
_UNSAFE: Final = re.compile(r"[^\w\- .()&,+]+")


class ExportError(SalesgoalError, ValueError):
    """The copies cannot be written as asked (a file exists, a bad language or level)."""


class CopiesExistError(ExportError):
    """Copy files of the same names are there already (`existing`): replacing them could
    overwrite copies a manager sent back, so it takes --force (in Excel, a yes)."""

    def __init__(self, message: str, existing: list[str]) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True)
class ExportedCopy:
    """One written copy: its file, whom it is for, what it covers and its fingerprint."""

    path: Path
    recipient: str
    scope: str
    reps: int
    leaf_rows: int
    commit_rows: int
    fingerprint: str


@dataclass(frozen=True)
class ExportSummary:
    """What `export` wrote, in recipient order, and the reps no copy holds (no manager)."""

    copies: list[ExportedCopy]
    plan_id: str
    version: int
    language: str
    left_out: list[str]


def run_export(
    port: PropertiesPort,
    plan_path: str | Path,
    by: str,
    out_dir: str | Path | None = None,
    *,
    lang: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> ExportSummary:
    """Write one copy of the plan behind `port` per region, team or manager (`by`)."""
    if by not in EXPORT_LEVELS:
        raise ExportError(f"--by must be one of {', '.join(EXPORT_LEVELS)} (got {by!r})")
    if lang is not None and lang not in LANGUAGES:
        raise ExportError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    port.progress(0.0, "reading the plan")
    plan = identity_of(port.properties())
    targets = port.read_table(TARGETS)
    leaves = targets.frame
    problems = []
    if not plan.plan_id:
        problems.append(
            error(
                ProblemCode.NOT_A_PLAN,
                "the workbook has no plan id (a template): a copy must name the plan it "
                "comes from so collect can bring it back",
                hint="make a plan with salesgoal new or demo, split it, then export",
                category=Category.SCHEMA,
            )
        )
    if leaves.empty or all(is_blank(v) for v in leaves["target"]):
        problems.append(
            error(
                ProblemCode.NOT_SPLIT,
                "tblTargets has no leaf targets: export sends the targets split has made",
                source=targets.source(),
                hint="run Split targets first",
            )
        )
    if problems:
        raise ProblemsFound(problems, port.label)
    settings = load_settings(port)
    language = lang or plan.language or str(settings["language"])
    tables = {
        t.name: port.read_table(t.name).frame
        for t in TABLES
        if t.name != TARGETS and port.has_table(t.name)
    }
    reps = tables.get("tblReps", pd.DataFrame(columns=TABLES_BY_NAME["tblReps"].keys))
    scopes = _scopes(by, leaves, reps)
    folder = Path(out_dir) if out_dir is not None else Path(plan_path).parent
    name = str(settings["plan_name"] or Path(plan_path).stem)
    paths = [folder / copy_file_name(name, by, scope.code) for scope in scopes]
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        raise CopiesExistError(
            f"{len(existing)} copy file(s) already exist ({', '.join(existing[:3])}"
            f"{', ...' if len(existing) > 3 else ''}); pass --force to replace them",
            existing,
        )
    stamp_time = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    copies: list[ExportedCopy] = []
    for i, (scope, path) in enumerate(zip(scopes, paths, strict=True)):
        port.progress(0.05 + 0.95 * i / len(scopes), f"writing {path.name}")
        mask = scope.mask(leaves)
        sliced = _slice(tables, leaves, mask, scope, by)
        print_ = fingerprint(plan.plan_id, plan.version, scope, leaf_entries(leaves, mask))
        stamp = CopyStamp(plan.plan_id, plan.version, scope.text, print_, scope.code, stamp_time)
        write_copy(
            path,
            language,
            fiscal_year=int(settings["fiscal_year"]),
            first_month=int(settings["first_month"]),
            data=sliced,
            stamp=stamp,
        )
        copies.append(
            ExportedCopy(
                path,
                scope.code,
                scope.text,
                int(sliced["tblReps"]["rep_id"].nunique()),
                int(mask.sum()),
                len(sliced[COMMITS]),
                print_,
            )
        )
    port.progress(1.0, f"{len(copies)} copies written")
    covered = {r for s in scopes for r in _rep_ids(leaves[s.mask(leaves)])}
    left_out = sorted(set(_rep_ids(leaves)) - covered)
    return ExportSummary(copies, plan.plan_id, plan.version, language, left_out)


def copy_file_name(plan_name: str, by: str, unit: str) -> str:
    """'<plan name> - region NORTH.xlsx', with characters a file system or mail client may
    refuse replaced by '_'."""
    raw = f"{plan_name.strip()} - {by} {unit.strip()}"
    return _UNSAFE.sub("_", raw).strip(" .") + ".xlsx"


def _rep_ids(frame: pd.DataFrame) -> list[str]:
    return [canonical_value(v) for v in frame["rep_id"]]


def _scopes(by: str, leaves: pd.DataFrame, reps: pd.DataFrame) -> list[Scope]:
    """Every region or team with leaf targets, or every manager of a rep with leaf targets."""
    if by != "manager":
        codes = sorted({canonical_value(v) for v in leaves[by]} - {""})
        return [Scope(by, code) for code in codes]
    with_targets = set(_rep_ids(leaves))
    managed: dict[str, set[str]] = {}
    for rep, manager in zip(_rep_ids(reps), reps["manager"], strict=True):
        name = canonical_value(manager)
        if name and rep in with_targets:
            managed.setdefault(name, set()).add(rep)
    return [Scope("manager", name, frozenset(ids)) for name, ids in sorted(managed.items())]


def _slice(
    tables: dict[str, pd.DataFrame],
    leaves: pd.DataFrame,
    mask: npt.NDArray[np.bool_],
    scope: Scope,
    by: str,
) -> dict[str, pd.DataFrame]:
    """The tables of one copy, by name (absent ones are left empty by the builder)."""
    mine = leaves[mask].reset_index(drop=True)
    rep_ids = set(_rep_ids(mine))
    reps = tables.get("tblReps", pd.DataFrame(columns=TABLES_BY_NAME["tblReps"].keys))
    if by != "manager":
        # A region's or team's rep without a target yet still belongs on its org sheet.
        rep_ids |= {
            r
            for r, unit in zip(_rep_ids(reps), reps[by], strict=True)
            if canonical_value(unit) == scope.code
        }
    data: dict[str, pd.DataFrame] = {TARGETS: mine}
    for name in COPIED:
        if name in tables:
            data[name] = tables[name]
    data["tblReps"] = _with_reps(reps, rep_ids)
    regions = {canonical_value(v) for v in [*mine["region"], *data["tblReps"]["region"]]}
    teams = {canonical_value(v) for v in [*mine["team"], *data["tblReps"]["team"]]}
    for name, key, codes in (("tblRegions", "region", regions), ("tblTeams", "team", teams)):
        if name in tables:
            frame = tables[name]
            keep = [canonical_value(v) in codes for v in frame[key]]
            data[name] = frame[keep].reset_index(drop=True)
    for name in REP_TABLES:
        if name in tables:
            data[name] = _with_reps(tables[name], rep_ids)
    data[COMMITS] = commit_rows(mine, tables.get(COMMITS))
    return data


def _with_reps(frame: pd.DataFrame, rep_ids: set[str]) -> pd.DataFrame:
    keep = [r in rep_ids for r in _rep_ids(frame)]
    return frame[keep].reset_index(drop=True)


def commit_rows(leaves: pd.DataFrame, master: pd.DataFrame | None) -> pd.DataFrame:
    """One tblCommits row per rep and month of `leaves`: the exact sum of that rep's leaf
    targets that month, and the master's commit, comment and committed-by for it if any."""
    sums: dict[tuple[str, str], int | Decimal] = {}
    names: dict[str, object] = {}
    for rep, name, month, target in zip(
        _rep_ids(leaves), leaves["rep_name"], leaves["month"], leaves["target"], strict=True
    ):
        key = (rep, period_text(month))
        amount = 0 if is_blank(target) else money_amount(target)
        sums[key] = sums.get(key, 0) + amount
        names.setdefault(rep, name)
    kept: dict[tuple[str, str], dict[str, object]] = {}
    if master is not None and not master.empty:
        for _, row in master.iterrows():
            key = (canonical_value(row["rep_id"]), period_text(row["period"]))
            kept[key] = {k: row[k] for k in EDITABLE_COLUMNS}
    rows = [
        {
            "rep_id": rep,
            "rep_name": names[rep],
            "period": month,
            "target": total,
            **kept.get((rep, month), dict.fromkeys(EDITABLE_COLUMNS)),
        }
        for (rep, month), total in sorted(sums.items())
    ]
    return pd.DataFrame(rows, columns=list(TABLES_BY_NAME[COMMITS].keys))
