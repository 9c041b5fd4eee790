"""`collect`: read returned copies of the plan, check that each is this plan's, at its version
and with its protected numbers untouched, and merge what recipients may change (commits,
comments, who committed) into the master's tblCommits and tblReconciliation in one commit.

A copy that cannot be trusted is refused with problems at its cells (in that file); while any
copy is refused nothing is written, unless the caller asks to skip refused copies. The
fingerprint rule is `core.fingerprint`'s; the reconciliation rule is `core.reconcile`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.commands.approvals import APPROVALS, ApprovalRequest, stage_approvals
from salesgoal_xl.commands.inputs import load_settings, unit_amount
from salesgoal_xl.core.adjustment import canonical_value
from salesgoal_xl.core.calendar import period_text
from salesgoal_xl.core.fingerprint import (
    LEAF_KEYS,
    LeafKey,
    Scope,
    ScopeError,
    changes,
    fingerprint,
    leaf_entries,
    parse_scope,
)
from salesgoal_xl.core.money import unit_fraction
from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Source,
    error,
)
from salesgoal_xl.core.reconcile import reconciliation, rep_month_targets
from salesgoal_xl.workbook.cells import choice_code, format_number, is_blank, parse_period
from salesgoal_xl.workbook.identity import (
    EXPORT_FINGERPRINT,
    EXPORT_SCOPE,
    EXPORTED_TO,
    PLAN_ID,
    file_properties,
    identity_of,
)
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import PropertiesPort, TableData
from salesgoal_xl.workbook.schema import APPROVAL_STATUSES

COMMITS: Final = "tblCommits"
RECONCILIATION: Final = "tblReconciliation"
TARGETS: Final = "tblTargets"
EDITABLE: Final = ("commit", "comment", "committed_by")
"""The tblCommits cells a recipient may change (the only unlocked cells of an exported copy)."""
MANAGER: Final = "manager"

CopyOpener = Callable[[Path], PropertiesPort]


@dataclass(frozen=True)
class CopyChange:
    """One cell a returned copy changed: where in the copy, the row's rep and month, the value
    the master holds and the copy's, and who made it."""

    copy: str
    sheet: str
    cell: str
    rep_id: str
    period: str
    column: str
    old: Any
    new: Any
    who: str


@dataclass(frozen=True)
class CopyResult:
    """What collect found in one returned file: its scope, its changes, and why it is refused
    (no problems: accepted)."""

    path: str
    scope: str = ""
    exported_to: str = ""
    changes: list[CopyChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    approvals: list[ApprovalRequest] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Whether the copy is refused."""
        return bool(self.problems)


@dataclass(frozen=True)
class CollectSummary:
    """Every copy's result, the copies applied, the reconciliation table and whether it wrote."""

    copies: list[CopyResult]
    applied: list[str]
    reconciliation: pd.DataFrame
    written: bool

    @property
    def refused(self) -> list[CopyResult]:
        """The copies refused."""
        return [c for c in self.copies if c.refused]

    @property
    def problems(self) -> list[Problem]:
        """All refusals, each located in its copy."""
        return [p for c in self.copies for p in c.problems]


@dataclass
class _Master:
    """What every copy is compared with."""

    plan_id: str
    version: int
    leaves: pd.DataFrame
    commits: pd.DataFrame
    unit: Fraction


def run_collect(
    master: PropertiesPort,
    returned: Sequence[str | Path],
    *,
    dry_run: bool = False,
    skip_rejected: bool = False,
    open_copy: CopyOpener | None = None,
) -> CollectSummary:
    """Check every returned copy against `master` and apply the accepted copies' changes.

    Writes nothing when any copy is refused (unless `skip_rejected`) or with `dry_run`.
    Problems with the master itself (no tblCommits, unreadable settings) raise ProblemsFound.
    """
    opener = open_copy or PackagePort
    for name in (COMMITS, RECONCILIATION, TARGETS):
        if not master.has_table(name):
            raise ProblemsFound(
                [
                    error(
                        ProblemCode.MISSING_TABLE,
                        f"table {name} is missing: collect merges returned copies there",
                        hint="rebuild the Commits sheet from a template",
                        category=Category.SCHEMA,
                    )
                ],
                master.label,
            )
    settings = load_settings(master)
    identity = identity_of(master.properties())
    state = _Master(
        identity.plan_id,
        identity.version,
        master.read_table(TARGETS).frame,
        master.read_table(COMMITS).frame,
        unit_fraction(settings["rounding_unit"]),
    )
    results: list[CopyResult] = []
    for n, path in enumerate(returned):
        master.progress(n / max(1, len(returned)) * 0.8, f"reading {Path(path).name}")
        results.append(_read_copy(Path(path), opener, state))
    results = _conflicts(results)
    accepted = [r for r in results if not r.refused]
    refused = len(accepted) < len(results)
    table = reconciliation(state.leaves, state.commits, _names(master))
    if refused and not skip_rejected:
        return CollectSummary(results, [], table, False)
    cells = [c for r in accepted for c in r.changes if c.column != APPROVAL_COLUMN]
    merged = _merged_commits(state, cells, master)
    table = reconciliation(state.leaves, merged, _names(master))
    approvals = _new_approvals(master, state, [a for r in accepted for a in r.approvals])
    written = not dry_run and bool(accepted)
    if approvals:
        # Checked (scope, approver) even on a dry run; staged only when writing.
        stage_approvals(master, approvals, write=written)
    if written:
        master.progress(0.9, "writing the commits and the reconciliation")
        master.write_table(COMMITS, merged)
        master.write_table(RECONCILIATION, table)
        master.commit()
    master.progress(1.0, "done")
    return CollectSummary(results, [r.path for r in accepted], table, written)


def returned_copies(folder: Path, plan_id: str, plan: Path | None = None) -> list[Path]:
    """The workbooks in `folder` whose document properties say they are exported copies of
    plan `plan_id` (not the plan itself, not Excel's ~$ lock files), in name order: what the
    ribbon's Collect returns collects from the folder named in Settings."""
    found = []
    for path in sorted(folder.glob("*.xls[xm]")):
        if path.name.startswith("~$") or (plan is not None and path.resolve() == plan.resolve()):
            continue
        props = file_properties(path)
        if str(props.get(PLAN_ID, "")).strip() == plan_id and props.get(EXPORT_SCOPE):
            found.append(path)
    return found


# --- one copy -------------------------------------------------------------------------------


def _in_copy(problems: Sequence[Problem], path: str) -> list[Problem]:
    """The problems located in the returned file, so each line names the copy."""
    return [p.located(replace(p.source, file=path)) for p in problems]


def _refuse(code: ProblemCode, message: str, hint: str, source: Source | None = None) -> Problem:
    return error(code, message, source=source, hint=hint, category=Category.RULE)


def _read_copy(path: Path, opener: CopyOpener, master: _Master) -> CopyResult:
    """A copy's result; a file the gate refuses, or a workbook collect cannot use, is a refusal
    with those problems, never an exception that stops the other copies."""
    name = str(path)
    try:
        port = opener(path)
    except ProblemsFound as refused:
        return CopyResult(name, problems=_in_copy(refused.problems, name))
    try:
        return _check_copy(port, name, master)
    except ProblemsFound as refused:
        return CopyResult(name, problems=_in_copy(refused.problems, name))
    finally:
        close = getattr(port, "close", None)
        if callable(close):
            close()


def _check_copy(port: PropertiesPort, name: str, master: _Master) -> CopyResult:
    """Identity, plan, fingerprint and version first (a copy failing one is not read further),
    then its commit cells."""
    props = port.properties()
    identity = identity_of(props)
    scope_text = str(props.get(EXPORT_SCOPE, "") or "").strip()
    exported_fp = str(props.get(EXPORT_FINGERPRINT, "") or "").strip()
    exported_to = str(props.get(EXPORTED_TO, "") or "").strip()
    if not str(props.get(PLAN_ID, "") or "").strip() or not scope_text or not exported_fp:
        present = {
            PLAN_ID: identity.plan_id,
            EXPORT_SCOPE: scope_text,
            EXPORT_FINGERPRINT: exported_fp,
        }
        missing = [key for key, value in present.items() if not value]
        problem = _refuse(
            ProblemCode.NOT_A_COPY,
            f"this workbook is not an exported copy: its document properties lack "
            f"{', '.join(missing)}",
            "collect only reads copies written by salesgoal export; export the plan again",
        )
        return CopyResult(name, problems=_in_copy([problem], name))
    if identity.plan_id != master.plan_id:
        problem = _refuse(
            ProblemCode.COPY_OTHER_PLAN,
            f"the copy is of plan {identity.plan_id}, the master is plan "
            f"{master.plan_id or '(none)'}",
            "collect each copy into the master it was exported from",
        )
        return CopyResult(name, scope_text, exported_to, problems=_in_copy([problem], name))
    problems: list[Problem] = []
    copy_targets = port.read_table(TARGETS)
    try:
        scope = _scope(scope_text, port)
    except ScopeError as exc:
        problem = _refuse(
            ProblemCode.BAD_SCOPE,
            f"the copy's ExportScope {scope_text!r} cannot be read: {exc}",
            "export the plan again",
        )
        return CopyResult(name, scope_text, exported_to, problems=_in_copy([problem], name))
    copy_entries = leaf_entries(copy_targets.frame, _all_rows(copy_targets.frame))
    master_entries = leaf_entries(master.leaves, scope.mask(master.leaves))
    recomputed = fingerprint(identity.plan_id, identity.version, scope, copy_entries)
    if recomputed != exported_fp:
        problems += _tampered_targets(copy_targets, master_entries, copy_entries)
    else:
        # The copy is as sent; it still counts if the master's numbers for its scope are the
        # ones it was sent (at the copy's version), whatever version the master is at now.
        at_copy = fingerprint(identity.plan_id, identity.version, scope, master_entries)
        if identity.version > master.version or at_copy != exported_fp:
            problems.append(
                _outdated(identity.version, master.version, master_entries, copy_entries)
            )
    if problems:
        return CopyResult(name, scope.text, exported_to, problems=_in_copy(problems, name))
    reps = {key[LEAF_KEYS.index("rep_id")] for key in copy_entries}
    found = _commit_changes(port, name, reps, exported_to, master, problems)
    requests, typed = _copy_approvals(port, name, scope, master, problems)
    return CopyResult(
        name, scope.text, exported_to, found + typed, _in_copy(problems, name), requests
    )


APPROVAL_COLUMN: Final = "approval"


def _copy_approvals(
    port: PropertiesPort, name: str, scope: Scope, master: _Master, problems: list[Problem]
) -> tuple[list[ApprovalRequest], list[CopyChange]]:
    """Approvals a recipient typed into the copy's tblApprovals (approver, and a scope inside
    the copy's; blank means the copy's own), as requests for `approve`'s one recorder. Their
    fingerprint is taken over the master's numbers, which equal the copy's (checked above)."""
    if not port.has_table(APPROVALS):
        return [], []
    data = port.read_table(APPROVALS)
    frame = data.frame
    requests: list[ApprovalRequest] = []
    typed: list[CopyChange] = []
    inside = scope.mask(master.leaves)
    for i in range(len(frame)):
        approver = "" if is_blank(frame.at[i, "approver"]) else str(frame.at[i, "approver"]).strip()
        if not approver:
            continue
        status = choice_code(APPROVAL_STATUSES, frame.at[i, "status"])
        if not is_blank(frame.at[i, "status"]) and status != "approved":
            continue  # a row the recipient marked revoked or superseded approves nothing
        raw = frame.at[i, "scope"]
        text = scope.text if is_blank(raw) else str(raw).strip()
        try:
            wanted = parse_scope(text)
        except ScopeError as exc:
            hint = "write all, region:CODE, team:CODE or rep:ID, or leave it blank"
            if scope.level == MANAGER and is_blank(raw):
                hint = "a manager's copy is approved by team:CODE or rep:ID; write one"
            problems.append(_refuse(ProblemCode.BAD_SCOPE, str(exc), hint, data.source(i, "scope")))
            continue
        mask = wanted.mask(master.leaves)
        if not mask.any() or (mask & ~inside).any():
            problems.append(
                _refuse(
                    ProblemCode.BAD_SCOPE,
                    f"the approval's scope {wanted.text} is not inside this copy's "
                    f"{scope.text}: a copy can only approve the numbers it holds",
                    "leave the scope blank (the copy's own) or name a part of it",
                    data.source(i, "scope"),
                )
            )
            continue
        when = frame.at[i, "approved_at"]
        note = f"approved in a returned copy ({Path(name).name}, exported to {scope.text})"
        if not is_blank(frame.at[i, "note"]):
            note = f"{str(frame.at[i, 'note']).strip()}; {note}"
        role = "" if is_blank(frame.at[i, "role"]) else str(frame.at[i, "role"]).strip()
        requests.append(
            ApprovalRequest(
                wanted.text,
                approver,
                role,
                note,
                approved_at=when if isinstance(when, dt.datetime) else None,
            )
        )
        source = data.source(i, "approver")
        typed.append(
            CopyChange(
                name,
                source.sheet,
                source.cell,
                "",
                "",
                APPROVAL_COLUMN,
                None,
                f"approved {wanted.text}",
                approver,
            )
        )
    return requests, typed


def _new_approvals(
    master: PropertiesPort, state: _Master, requests: list[ApprovalRequest]
) -> list[ApprovalRequest]:
    """The requests that add something: an approval still standing in the master by the same
    approver, of the same scope and of the same numbers (its fingerprint is the one those
    numbers have now) already says it, so collecting a copy twice records its approvals once."""
    log = master.read_table(APPROVALS).frame if master.has_table(APPROVALS) else pd.DataFrame()
    standing = {
        (str(a).strip().casefold(), str(sc).strip().casefold(), str(fp).strip())
        for a, sc, fp, st in zip(
            log.get("approver", []),
            log.get("scope", []),
            log.get("fingerprint", []),
            log.get("status", []),
            strict=False,
        )
        if not is_blank(a) and choice_code(APPROVAL_STATUSES, st) == "approved"
    }
    fresh: list[ApprovalRequest] = []
    for request in requests:
        scope = parse_scope(request.scope)
        entries = leaf_entries(state.leaves, scope.mask(state.leaves))
        now = fingerprint(state.plan_id, state.version, scope, entries)
        key = (request.approver.strip().casefold(), scope.text.casefold(), now)
        if key not in standing:
            fresh.append(request)
            standing.add(key)
    return fresh


def _all_rows(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    return np.ones(len(frame), dtype=bool)


def _scope(text: str, port: PropertiesPort) -> Scope:
    """The copy's scope; a manager's reps are those the copy's tblReps names under them."""
    level, _, code = text.partition(":")
    if level.strip().casefold() != MANAGER:
        return parse_scope(text)
    manager = code.strip()
    if not manager:
        raise ScopeError("a manager scope needs the manager's name")
    reps = port.read_table("tblReps").frame
    ids = frozenset(
        canonical_value(rep)
        for rep, boss in zip(reps["rep_id"], reps["manager"], strict=True)
        if canonical_value(boss).casefold() == manager.casefold()
    )
    return Scope(MANAGER, manager, ids)


def _tampered_targets(
    copy_targets: TableData,
    master_entries: Mapping[LeafKey, str],
    copy_entries: Mapping[LeafKey, str],
) -> list[Problem]:
    """COPY_TAMPERED at each target cell of the copy that is not the master's."""
    rows = _rows_by_key(copy_targets.frame)
    hint = (
        "targets are protected in a copy: change them in the master (adjust); ask the sender "
        "for the copy as exported, or re-export"
    )
    found: list[Problem] = []
    for change in changes(master_entries, copy_entries):
        what = "/".join(part for part in change.key if part)
        if change.new is None:
            found.append(
                _refuse(
                    ProblemCode.COPY_TAMPERED,
                    f"the leaf target {what} ({change.old}) was deleted from the copy",
                    hint,
                    copy_targets.source(),
                )
            )
            continue
        row = rows.get(change.key)
        where = copy_targets.source(row, "target") if row is not None else copy_targets.source()
        old = "no such leaf in the master" if change.old is None else change.old
        found.append(
            _refuse(
                ProblemCode.COPY_TAMPERED,
                f"the protected target {what} was changed in the copy: {old} -> {change.new}",
                hint,
                where,
            )
        )
    if not found:
        found.append(
            _refuse(
                ProblemCode.COPY_TAMPERED,
                "the copy's ExportFingerprint does not match its own targets, plan id, version "
                "and scope: its document properties were edited",
                hint,
                copy_targets.source(),
            )
        )
    return found


def _rows_by_key(frame: pd.DataFrame) -> dict[LeafKey, int]:
    """Each leaf key's row, with leaf_entries' own numbering of repeated keys."""
    keys = list(leaf_entries(frame, _all_rows(frame)))
    return {key: i for i, key in enumerate(keys)}


def _outdated(
    copy_version: int,
    master_version: int,
    master_entries: Mapping[LeafKey, str],
    copy_entries: Mapping[LeafKey, str],
) -> Problem:
    moved = changes(copy_entries, master_entries)
    if copy_version > master_version:
        message = (
            f"the copy is of version {copy_version}, newer than the master's {master_version}: "
            "this is not the current master"
        )
    else:
        now = (
            "is still at that version but"
            if copy_version == master_version
            else f"is at version {master_version} and"
        )
        message = (
            f"the copy was exported at version {copy_version}; the master {now} "
            f"{len(moved)} of the copy's targets have changed since"
        )
        if moved:
            first = moved[0]
            message += f" (first: {'/'.join(p for p in first.key if p)} {first.old} -> {first.new})"
    return _refuse(
        ProblemCode.COPY_OUTDATED,
        message,
        "export a fresh copy for the recipient and ask them to commit against the new numbers",
    )


# --- the commits a copy changed -------------------------------------------------------------


def _key_of(frame: pd.DataFrame, row: int) -> tuple[str, str]:
    return canonical_value(frame.at[row, "rep_id"]), period_text(frame.at[row, "period"])


def _master_rows(commits: pd.DataFrame) -> dict[tuple[str, str], int]:
    rows: dict[tuple[str, str], int] = {}
    for i in range(len(commits)):
        rows.setdefault(_key_of(commits, i), i)
    return rows


def _commit_changes(
    port: PropertiesPort,
    name: str,
    reps: set[str],
    exported_to: str,
    master: _Master,
    problems: list[Problem],
) -> list[CopyChange]:
    """The copy's tblCommits cells that differ from the master's; bad cells are problems."""
    if not port.has_table(COMMITS):
        return []
    data = port.read_table(COMMITS)
    frame = data.frame
    master_rows = _master_rows(master.commits)
    seen: dict[tuple[str, str], int] = {}
    found: list[CopyChange] = []
    for i in range(len(frame)):
        rep, period = _key_of(frame, i)
        old_row = master_rows.get((rep, period))
        if old_row is None and all(is_blank(frame.at[i, key]) for key in EDITABLE):
            continue  # a blank row the master has no row for: nothing to merge
        if rep not in reps:
            problems.append(
                _refuse(
                    ProblemCode.COPY_TAMPERED,
                    f"a commit row for rep {rep or '(blank)'}, who is not in the copy's scope",
                    "a copy may only commit for its own reps: remove the row",
                    data.source(i, "rep_id"),
                )
            )
            continue
        if parse_period(period) is None or "-W" in period:
            problems.append(
                error(
                    ProblemCode.BAD_PERIOD,
                    f"Period must be a month like 2026-03 (got {frame.at[i, 'period']!r})",
                    source=data.source(i, "period"),
                    hint="keep the period the copy was exported with",
                )
            )
            continue
        if (rep, period) in seen:
            problems.append(
                error(
                    ProblemCode.DUPLICATE_KEY,
                    f"rep {rep} has two commit rows for {period} (the other is row "
                    f"{data.first_row + seen[(rep, period)]})",
                    source=data.source(i, "rep_id"),
                    hint="keep one row per rep and month",
                )
            )
            continue
        seen[(rep, period)] = i
        amount = _commit_amount(data, i, master.unit, problems)
        who = canonical_value(frame.at[i, "committed_by"]) or exported_to
        old_by = None if old_row is None else master.commits.at[old_row, "committed_by"]
        new_values = {
            "commit": amount,
            "comment": frame.at[i, "comment"],
            # A commit typed without a name is the recipient's: the master then says who.
            "committed_by": who
            if is_blank(frame.at[i, "committed_by"]) and amount is not None and is_blank(old_by)
            else frame.at[i, "committed_by"],
        }
        for column in EDITABLE:
            old = None if old_row is None else master.commits.at[old_row, column]
            new = new_values[column]
            if column == "commit" and amount is None and not is_blank(frame.at[i, column]):
                continue  # unreadable: already a problem at its cell
            if canonical_value(old) == canonical_value(new):
                continue
            found.append(
                CopyChange(
                    name,
                    data.sheet,
                    data.cell(i, column),
                    rep,
                    period,
                    column,
                    None if is_blank(old) else old,
                    None if is_blank(new) else new,
                    who,
                )
            )
    return found


def _commit_amount(data: TableData, row: int, unit: Fraction, problems: list[Problem]) -> Any:
    """The commit exactly (None when blank or unreadable); a negative commit or one between
    rounding units is a problem at its cell, as for every money input."""
    amount = unit_amount(data, row, "commit", unit, problems, label="Commit")
    if amount is not None and amount < 0:
        problems.append(
            error(
                ProblemCode.NEGATIVE_AMOUNT,
                f"Commit must be >= 0 (got {format_number(float(amount))})",
                source=data.source(row, "commit"),
                hint="type the commit as a positive amount",
            )
        )
        return None
    return amount


def _conflicts(results: list[CopyResult]) -> list[CopyResult]:
    """Two accepted copies setting one cell to different values: both refused, each naming the
    other, since which one is meant is not ours to guess."""
    by_cell: dict[tuple[str, str, str], list[CopyChange]] = {}
    for result in results:
        if result.refused:
            continue
        for change in result.changes:
            by_cell.setdefault((change.rep_id, change.period, change.column), []).append(change)
    extra: dict[str, list[Problem]] = {}
    for (rep, period, column), found in by_cell.items():
        values = {canonical_value(c.new) for c in found}
        if len(values) < 2:
            continue
        for change in found:
            others = [o for o in found if o.copy != change.copy]
            named = "; ".join(f"{o.copy}:{o.sheet}!{o.cell} = {o.new!r}" for o in others)
            extra.setdefault(change.copy, []).append(
                error(
                    ProblemCode.COLLECT_CONFLICT,
                    f"{column} of rep {rep} for {period} is {change.new!r} here and differs in "
                    f"{named}",
                    source=Source(change.sheet, change.cell, COMMITS, column, file=change.copy),
                    hint="agree on one value, correct one copy and collect again",
                    category=Category.RULE,
                )
            )
    return [replace(r, problems=r.problems + extra.get(r.path, [])) for r in results]


# --- applying -------------------------------------------------------------------------------


def _merged_commits(
    master: _Master, accepted: Sequence[CopyChange], port: PropertiesPort
) -> pd.DataFrame:
    """The master's tblCommits with the accepted changes: the master's rows stay where they
    are (cells a user added beside them stay on their row), new rows follow sorted by rep and
    month; rep names and targets are refreshed from tblReps and tblTargets."""
    frame = master.commits.copy().astype(object)
    rows = _master_rows(frame)
    added: dict[tuple[str, str], dict[str, Any]] = {}
    for change in accepted:
        key = (change.rep_id, change.period)
        if key in rows:
            frame.at[rows[key], change.column] = change.new
        else:
            added.setdefault(key, {"rep_id": key[0], "period": key[1]})[change.column] = change.new
    new_rows = pd.DataFrame(
        [added[k] for k in sorted(added)], columns=list(frame.columns), dtype=object
    )
    merged = pd.concat([frame, new_rows], ignore_index=True) if len(new_rows) else frame
    targets = rep_month_targets(master.leaves)
    names = _names(port).get("rep", {})
    keys = [_key_of(merged, i) for i in range(len(merged))]
    merged["rep_name"] = pd.Series([names.get(r, "") for r, _ in keys], dtype=object)
    merged["target"] = pd.Series([targets.get(k) for k in keys], dtype=object)
    return merged.reset_index(drop=True)


def _names(port: PropertiesPort) -> dict[str, dict[str, str]]:
    """Display names of reps, teams and regions, by code."""
    found: dict[str, dict[str, str]] = {}
    for level, name, code_column, name_column in (
        ("rep", "tblReps", "rep_id", "rep_name"),
        ("team", "tblTeams", "team", "team_name"),
        ("region", "tblRegions", "region", "region_name"),
    ):
        if not port.has_table(name):
            continue
        frame = port.read_table(name).frame
        found[level] = {
            canonical_value(c): canonical_value(n)
            for c, n in zip(frame[code_column], frame[name_column], strict=True)
        }
    return found


__all__ = ["CollectSummary", "CopyChange", "CopyResult", "run_collect"]
