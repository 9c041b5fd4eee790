"""`approve` and `verify`: approvals bound to a fingerprint of exactly the numbers approved.

`approve` records one row in tblApprovals (scope, plan version, approver, role, time, the
fingerprint from `core.fingerprint` and, with a key, an Ed25519 signature), keeps the numbers
it saw in tblApprovedNumbers so a later change can be named by its cell, and writes the
fingerprint into the document properties too. `verify` recomputes every standing approval and
lists those that no longer hold, cell by cell; `check` runs it, and `adjust` marks the
approvals an applied request breaks as superseded (`supersede_broken`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

import pandas as pd

from salesgoal_xl.core.calendar import period_text
from salesgoal_xl.core.fingerprint import (
    LEAF_KEYS,
    KeyProblem,
    LeafChange,
    LeafKey,
    Scope,
    ScopeError,
    fingerprint,
    leaf_entries,
    parse_scope,
    public_key_bytes,
    public_text,
    sign,
    signature_holds,
    signed_message,
)
from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Source,
    error,
    warning,
)
from salesgoal_xl.workbook.cells import choice_code, is_blank
from salesgoal_xl.workbook.identity import (
    APPROVAL_PREFIX,
    PLAN_VERSION,
    PlanIdentity,
    identity_of,
)
from salesgoal_xl.workbook.port import PropertiesPort, TableData, WorkbookPort
from salesgoal_xl.workbook.schema import APPROVAL_STATUSES

APPROVALS: Final = "tblApprovals"
APPROVERS: Final = "tblApprovers"
SNAPSHOT: Final = "tblApprovedNumbers"
TARGETS: Final = "tblTargets"
APPROVED, SUPERSEDED, REVOKED = "approved", "superseded", "revoked"
FORM_WORDS: Final = MappingProxyType(
    {"signed": "signed, valid", "hash": "hash only", "invalid signature": "INVALID"}
)
GUIDE_FINGERPRINT: Final = "PlanFingerprint"  # the Guide's cell for the latest approval
SHOWN_CHANGES: Final = 200  # cells named per broken approval; the count says how many more


@dataclass(frozen=True)
class ApproveSummary:
    """What `approve` recorded."""

    approval_id: str
    scope: str
    version: int
    approver: str
    fingerprint: str
    signed: bool
    leaves: int
    superseded: list[str]
    written: bool


@dataclass
class ApprovalResult:
    """One standing approval as `verify` found it."""

    approval_id: str
    scope: str
    approver: str
    version: int
    fingerprint: str
    holds: bool
    form: str  # 'signed' (a valid signature), 'hash' (no signature), or 'invalid signature'

    @property
    def form_words(self) -> str:
        """The form as verify's table and the ribbon's message show it."""
        return FORM_WORDS.get(self.form, self.form)

    changes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class VerifySummary:
    """Every approval with status approved, and whether each still holds."""

    results: list[ApprovalResult]
    skipped: int  # superseded or revoked rows, not checked

    @property
    def broken(self) -> list[ApprovalResult]:
        return [r for r in self.results if not r.holds]

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]


def plan_identity(port: PropertiesPort) -> PlanIdentity:
    """The plan id and version from the document properties; a template has no id to bind an
    approval to, so it is refused."""
    identity = identity_of(port.properties())
    if not identity.plan_id:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.NOT_A_PLAN,
                    "this workbook has no plan id (a template, or a file whose document "
                    "properties were removed): approvals are bound to a plan's id and version",
                    hint="make a plan with `salesgoal new` or `salesgoal demo`, or restore the "
                    "PlanId document property",
                    category=Category.SCHEMA,
                )
            ],
            port.label,
        )
    return identity


def _split_targets(port: WorkbookPort) -> TableData:
    targets = port.read_table(TARGETS)
    if targets.frame.empty or all(is_blank(v) for v in targets.frame["target"]):
        raise ProblemsFound(
            [
                error(
                    ProblemCode.NOT_SPLIT,
                    "tblTargets has no leaf targets yet: an approval covers split targets",
                    source=targets.source(),
                    hint="run Split targets first",
                )
            ],
            port.label,
        )
    return targets


def _scope_or_refuse(
    text: str, leaves: pd.DataFrame, label: str, where: Source | None = None
) -> Scope:
    try:
        scope = parse_scope(text)
    except ScopeError as exc:
        problem = error(ProblemCode.BAD_SCOPE, str(exc), source=where)
        raise ProblemsFound([problem], label) from exc
    if scope.level != "all" and not scope.mask(leaves).any():
        column = {"region": "region", "team": "team", "rep": "rep_id"}[scope.level]
        known = sorted({str(v).strip() for v in leaves[column] if not is_blank(v)})
        # Codes are exact everywhere; typed on a command line, 'south' can only mean SOUTH.
        alike = [k for k in known if k.casefold() == scope.code.casefold()]
        if len(alike) == 1:
            return Scope(scope.level, alike[0])
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        raise ProblemsFound(
            [
                error(
                    ProblemCode.BAD_SCOPE,
                    f"no leaf target belongs to {scope.level} {scope.code!r}",
                    hint=f"the plan's {scope.level} codes are: {shown}",
                    source=where,
                )
            ],
            label,
        )
    return scope


def _next_id(log: pd.DataFrame) -> str:
    numbers = [
        int(m.group(1))
        for v in log["approval_id"]
        if not is_blank(v) and (m := re.fullmatch(r"APR-(\d+)", str(v).strip()))
    ]
    return f"APR-{max([0, *numbers]) + 1:03d}"


def _status(value: object) -> str:
    return choice_code(APPROVAL_STATUSES, value) or ""


@dataclass(frozen=True)
class ApprovalRequest:
    """One approval to record: who approves which scope, with what note (and key)."""

    scope: str
    approver: str
    role: str = ""
    comment: str = ""
    private_key: bytes | None = None
    approved_at: dt.datetime | None = None
    typed_at: Source | None = None  # the tblApprovals row a person typed it in, if any


def run_approve(
    port: PropertiesPort,
    scope_text: str,
    approver: str,
    *,
    role: str = "",
    comment: str = "",
    private_key: bytes | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ApproveSummary:
    """Record `approver`'s approval of the leaf targets in scope, as they are now."""
    port.progress(0.0, "reading the targets")
    request = ApprovalRequest(scope_text, approver, role, comment, private_key, now)
    (summary,) = stage_approvals(port, [request], write=not dry_run)
    if not dry_run:
        port.progress(0.6, "writing the approval")
        port.commit()
    port.progress(1.0, "done")
    return summary


def stage_approvals(
    port: PropertiesPort,
    requests: Sequence[ApprovalRequest],
    *,
    write: bool = True,
    log: pd.DataFrame | None = None,
) -> list[ApproveSummary]:
    """Check and stage (without committing) approvals of the numbers as they are now: their
    rows in tblApprovals, the numbers they saw in tblApprovedNumbers, their fingerprints in the
    document properties and the latest one on the Guide. `approve` records one; `collect`
    records those a recipient typed into a returned copy, in the same commit as its merge;
    the ribbon's Approve those typed into the plan's own log (`log`: tblApprovals without the
    typed rows, which the recorded ones replace)."""
    identity = plan_identity(port)
    targets = _split_targets(port)
    frame = (port.read_table(APPROVALS).frame if log is None else log).copy()
    snapshot = port.read_table(SNAPSHOT).frame if port.has_table(SNAPSHOT) else pd.DataFrame()
    done: list[ApproveSummary] = []
    prints: dict[str, str | int | None] = {}
    for request in requests:
        name = request.approver.strip()
        if not name:
            raise ProblemsFound(
                [error(ProblemCode.BLANK_VALUE, "an approval needs the approver's name (--by)")],
                port.label,
            )
        scope = _scope_or_refuse(request.scope, targets.frame, port.label, request.typed_at)
        entries = leaf_entries(targets.frame, scope.mask(targets.frame))
        print_ = fingerprint(identity.plan_id, identity.version, scope, entries)
        approval_id = _next_id(frame)
        signature = ""
        if request.private_key is not None:
            signature = _signature(port, approval_id, name, print_, request.private_key)
        stamp = (request.approved_at or dt.datetime.now()).replace(microsecond=0)
        superseded = [
            str(frame.at[i, "approval_id"]).strip()
            for i in range(len(frame))
            if _status(frame.at[i, "status"]) == APPROVED
            and _same_scope(frame.at[i, "scope"], scope)
        ]
        for i in range(len(frame)):
            if str(frame.at[i, "approval_id"]).strip() in superseded:
                frame.at[i, "status"] = SUPERSEDED
                frame.at[i, "note"] = _joined(frame.at[i, "note"], f"superseded by {approval_id}")
        row = {
            "approval_id": approval_id,
            "scope": scope.text,
            "version": identity.version,
            "approver": name,
            "role": request.role.strip() or None,
            "approved_at": stamp,
            "fingerprint": print_,
            "signature": signature or None,
            "status": APPROVED,
            "note": request.comment.strip() or None,
        }
        frame = pd.concat([frame, pd.DataFrame([row], dtype=object)], ignore_index=True)
        snapshot = _snapshot(snapshot, approval_id, entries)
        prints[f"{APPROVAL_PREFIX}{approval_id}"] = print_
        done.append(
            ApproveSummary(
                approval_id,
                scope.text,
                identity.version,
                name,
                print_,
                bool(signature),
                len(entries),
                superseded,
                write,
            )
        )
    if write and done:
        port.write_table(APPROVALS, frame)
        port.write_table(SNAPSHOT, snapshot)
        port.set_properties(prints)
        last = done[-1]
        shown = f"{last.approval_id} ({last.scope}, version {last.version}): {last.fingerprint}"
        port.set_named_values({GUIDE_FINGERPRINT: shown})
    return done


def typed_approvals(
    port: WorkbookPort, *, required: bool = False
) -> tuple[list[ApprovalRequest], pd.DataFrame]:
    """The approvals a person typed into tblApprovals to be recorded (a row with the approver
    and no approval ID yet; scope, role and note as typed), and the log without those rows.
    Excel's ribbon has no form to ask for them, so the log is the form. When `required`, none
    typed is a problem at the log's first free row, saying what to type there."""
    data = port.read_table(APPROVALS)
    frame = data.frame
    requests, typed = [], []
    for i in range(len(frame)):
        if is_blank(frame.at[i, "approver"]) or not is_blank(frame.at[i, "approval_id"]):
            continue
        if not is_blank(frame.at[i, "status"]) and _status(frame.at[i, "status"]) != APPROVED:
            continue  # typed as revoked or superseded: it approves nothing
        typed.append(i)
        raw = frame.at[i, "scope"]
        if is_blank(raw):
            problem = error(
                ProblemCode.BLANK_VALUE,
                "an approval to record needs its scope",
                source=data.source(i, "scope"),
                hint="type all, region:CODE, team:CODE or rep:ID",
            )
            raise ProblemsFound([problem], port.label)
        requests.append(
            ApprovalRequest(
                str(raw).strip(),
                str(frame.at[i, "approver"]).strip(),
                "" if is_blank(frame.at[i, "role"]) else str(frame.at[i, "role"]).strip(),
                "" if is_blank(frame.at[i, "note"]) else str(frame.at[i, "note"]).strip(),
                typed_at=data.source(i, "scope"),
            )
        )
    if required and not requests:
        problem = error(
            ProblemCode.BLANK_VALUE,
            "no approval to record: type the approver's name, the scope (all, region:CODE, "
            "team:CODE or rep:ID), and a role and note if you like, in a new row of "
            "tblApprovals; leave its Approval ID blank",
            source=data.source(len(frame), "approver"),
        )
        raise ProblemsFound([problem], port.label)
    return requests, frame.drop(index=typed).reset_index(drop=True)


def run_approve_typed(
    port: PropertiesPort, *, dry_run: bool = False, now: dt.datetime | None = None
) -> list[ApproveSummary]:
    """Record every approval typed into tblApprovals (`typed_approvals`) as `approve` records
    one, in one commit: what the ribbon's Approve button runs. A dry run (`check`) checks the
    typed rows and records nothing; with none typed it has nothing to say."""
    port.progress(0.0, "reading the approvals typed in tblApprovals")
    requests, log = typed_approvals(port, required=not dry_run)
    if not requests:
        return []  # a dry run with nothing typed: nothing to say
    stamped = [replace(r, approved_at=now) for r in requests]
    done = stage_approvals(port, stamped, log=log, write=not dry_run)
    if dry_run:
        return done
    port.progress(0.6, "writing the approvals")
    port.commit()
    port.progress(1.0, "done")
    return done


def _joined(note: object, text: str) -> str:
    return text if is_blank(note) else f"{str(note).strip()}; {text}"


def _same_scope(value: object, scope: Scope) -> bool:
    try:
        return parse_scope(value).text.casefold() == scope.text.casefold()
    except ScopeError:
        return False


def _signature(
    port: WorkbookPort, approval_id: str, approver: str, print_: str, private_key: bytes
) -> str:
    """Sign with the key only when tblApprovers lists its public half for this approver, so a
    signature made with the wrong key is refused now rather than found invalid later."""
    try:
        mine = public_text(private_key)
    except KeyProblem as exc:
        raise ProblemsFound(
            [error(ProblemCode.BAD_KEY, f"the key file: {exc}")], port.label
        ) from exc
    listed = _approver_keys(port, [])
    key = listed.get(approver.casefold())
    if key is None or key[0] != mine:
        where = (
            f"tblApprovers lists another key for {approver}"
            if key
            else (f"{approver} is not in tblApprovers")
        )
        raise ProblemsFound(
            [
                error(
                    ProblemCode.UNKNOWN_APPROVER,
                    f"{where}: a signature could not be checked against it",
                    source=key[1] if key else Source("Approvals", table=APPROVERS),
                    hint=f"list the key first: salesgoal keys add PLAN {approver!r} KEY.pub",
                )
            ],
            port.label,
        )
    return sign(private_key, signed_message(approval_id, approver, print_))


def _approver_keys(port: WorkbookPort, problems: list[Problem]) -> dict[str, tuple[str, Source]]:
    """Each approver's public key text (by name, case-insensitive) and its cell."""
    if not port.has_table(APPROVERS):
        return {}
    data = port.read_table(APPROVERS)
    keys: dict[str, tuple[str, Source]] = {}
    for i in range(len(data.frame)):
        name, key = data.frame.at[i, "approver"], data.frame.at[i, "public_key"]
        if is_blank(name):
            continue
        source = data.source(i, "public_key")
        try:
            public_key_bytes(key)
        except KeyProblem as exc:
            problems.append(
                error(ProblemCode.BAD_KEY, f"{str(name).strip()}: {exc}", source=source)
            )
            continue
        keys[str(name).strip().casefold()] = (str(key).strip(), source)
    return keys


def _snapshot(kept: pd.DataFrame, approval_id: str, entries: Mapping[LeafKey, str]) -> pd.DataFrame:
    """tblApprovedNumbers with this approval's leaves added to those kept for the others."""
    columns = ["approval_id", *LEAF_KEYS, "target"]
    rows = [[approval_id, *key, _amount(amount)] for key, amount in entries.items()]
    new = pd.DataFrame(rows, columns=columns, dtype=object)
    if kept.empty:
        return new
    return pd.concat([kept[columns], new], ignore_index=True)


def _amount(text: str) -> object:
    """An exact amount text back as the number a cell holds (int when whole)."""
    if not text:
        return None
    from decimal import Decimal

    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else number


# --- verify ---------------------------------------------------------------------------------


def run_verify(port: PropertiesPort) -> VerifySummary:
    """Recompute the fingerprint of every approval with status approved and say which hold."""
    port.progress(0.0, "reading the approvals")
    identity = plan_identity(port)
    log = port.read_table(APPROVALS)
    standing = [i for i in range(len(log.frame)) if _status(log.frame.at[i, "status"]) == APPROVED]
    skipped = sum(1 for v in log.frame["status"] if _status(v) in (SUPERSEDED, REVOKED))
    if not standing:
        return VerifySummary([], skipped)
    targets = port.read_table(TARGETS)
    key_problems: list[Problem] = []
    keys = _approver_keys(port, key_problems)
    snapshots = _snapshots(port)
    properties = port.properties()
    rows_by_key = _rows_by_key(targets)
    results: list[ApprovalResult] = []
    for n, i in enumerate(standing):
        port.progress(
            0.1 + 0.9 * n / len(standing), f"verifying {log.frame.at[i, 'approval_id']!s}"
        )
        results.append(
            _verify_row(log, i, identity, targets, rows_by_key, snapshots, keys, properties)
        )
    if results and key_problems:
        results[0].problems[:0] = key_problems
    return VerifySummary(results, skipped)


def verify_problems(port: WorkbookPort) -> list[Problem]:
    """What `verify` would report, for `check` (nothing for a port without properties)."""
    properties = getattr(port, "properties", None)
    if properties is None or not port.has_table(APPROVALS) or not port.has_table(TARGETS):
        return []
    if not identity_of(properties()).plan_id:
        return []
    return run_verify(port).problems  # type: ignore[arg-type]


def typed_approval_problems(port: WorkbookPort) -> list[Problem]:
    """What the ribbon's Approve would refuse in the approvals typed into tblApprovals, for
    `check` (nothing for a port without properties, or a workbook without the log)."""
    if getattr(port, "properties", None) is None or not port.has_table(APPROVALS):
        return []
    try:
        run_approve_typed(port, dry_run=True)  # type: ignore[arg-type]
    except ProblemsFound as refused:
        return refused.problems
    return []


def _snapshots(port: WorkbookPort) -> dict[str, dict[LeafKey, str]]:
    if not port.has_table(SNAPSHOT):
        return {}
    frame = port.read_table(SNAPSHOT).frame
    found: dict[str, dict[LeafKey, str]] = {}
    if frame.empty:
        return found
    ids = frame["approval_id"].map(lambda v: "" if is_blank(v) else str(v).strip())
    for approval_id, rows in frame.groupby(ids, sort=False):
        found[str(approval_id)] = leaf_entries(
            rows.reset_index(drop=True), pd.Series(True, index=range(len(rows))).to_numpy()
        )
    return found


def _rows_by_key(targets: TableData) -> dict[LeafKey, int]:
    """Each leaf key's row in tblTargets, to name the cell that changed."""
    entries = leaf_entries(targets.frame, pd.Series(True, index=targets.frame.index).to_numpy())
    return {key: row for row, key in enumerate(entries)}


def _verify_row(
    log: TableData,
    i: int,
    identity: PlanIdentity,
    targets: TableData,
    rows_by_key: Mapping[LeafKey, int],
    snapshots: Mapping[str, Mapping[LeafKey, str]],
    keys: Mapping[str, tuple[str, Source]],
    properties: Mapping[str, object],
) -> ApprovalResult:
    f = log.frame
    approval_id = "" if is_blank(f.at[i, "approval_id"]) else str(f.at[i, "approval_id"]).strip()
    approver = "" if is_blank(f.at[i, "approver"]) else str(f.at[i, "approver"]).strip()
    stored = "" if is_blank(f.at[i, "fingerprint"]) else str(f.at[i, "fingerprint"]).strip()
    version = _version(f.at[i, "version"], identity.version)
    result = ApprovalResult(
        approval_id, str(f.at[i, "scope"]), approver, version, stored, True, "hash"
    )
    who = f"approval {approval_id} ({result.scope} by {approver or 'nobody'})"
    try:
        scope = parse_scope(f.at[i, "scope"])
    except ScopeError as exc:
        result.holds = False
        result.problems.append(
            error(ProblemCode.BAD_SCOPE, f"{who}: {exc}", source=log.source(i, "scope"))
        )
        return result
    result.scope = scope.text
    current = leaf_entries(targets.frame, scope.mask(targets.frame))
    now = fingerprint(identity.plan_id, version, scope, current)
    snapshot = snapshots.get(approval_id)
    kept = None if snapshot is None else fingerprint(identity.plan_id, version, scope, snapshot)
    if now != stored:
        result.holds = False
        if snapshot is not None and kept == stored:
            result.changes = _named_changes(snapshot, current, targets, rows_by_key)
            result.problems += _change_problems(
                who, result.changes, targets, log.source(i, "fingerprint")
            )
        else:
            result.problems.append(
                error(
                    ProblemCode.APPROVAL_BROKEN,
                    f"{who} no longer holds: the numbers in scope give {now[:19]}..., the "
                    f"approval says {stored[:19] or '(blank)'}...; the numbers as approved are "
                    "not kept (Approved numbers sheet), so the changed cells cannot be named",
                    source=log.source(i, "fingerprint"),
                    hint="approve the scope again once the numbers are agreed",
                )
            )
    elif snapshot is not None and kept != stored:
        result.holds = False
        result.problems.append(
            error(
                ProblemCode.APPROVAL_BROKEN,
                f"{who}: the numbers as approved (Approved numbers sheet) do not give the logged "
                "fingerprint: the fingerprint or the kept numbers were edited after approval",
                source=log.source(i, "fingerprint"),
                hint="approve the scope again; sign approvals (approve --sign) so a rewritten "
                "fingerprint cannot pass",
            )
        )
    recorded = properties.get(f"{APPROVAL_PREFIX}{approval_id}")
    if recorded is not None and str(recorded) != stored:
        result.holds = False
        result.problems.append(
            error(
                ProblemCode.APPROVAL_BROKEN,
                f"{who}: the document properties record fingerprint {str(recorded)[:19]}... for "
                "it, the log another: the log's fingerprint was edited",
                source=log.source(i, "fingerprint"),
                hint="approve the scope again",
            )
        )
    _check_signature(result, log, i, who, keys)
    return result


def _version(value: object, default: int) -> int:
    try:
        return int(str(value).strip()) if not is_blank(value) else default
    except ValueError:
        return default


def _check_signature(
    result: ApprovalResult,
    log: TableData,
    i: int,
    who: str,
    keys: Mapping[str, tuple[str, Source]],
) -> None:
    signature = log.frame.at[i, "signature"]
    if is_blank(signature):
        return
    key = keys.get(result.approver.casefold())
    if key is None:
        result.holds, result.form = False, "invalid signature"
        result.problems.append(
            error(
                ProblemCode.UNKNOWN_APPROVER,
                f"{who} is signed, but tblApprovers holds no public key for {result.approver!r}: "
                "the signature cannot be checked",
                source=log.source(i, "signature"),
                hint="add the approver's public key to tblApprovers (salesgoal keys add)",
            )
        )
        return
    message = signed_message(result.approval_id, result.approver, result.fingerprint)
    if signature_holds(key[0], message, signature):
        result.form = "signed"
        return
    result.holds, result.form = False, "invalid signature"
    result.problems.append(
        error(
            ProblemCode.SIGNATURE_INVALID,
            f"{who}: the signature does not match the fingerprint and approver logged with "
            f"{result.approver}'s public key: the fingerprint, the approver or the signature was "
            "changed after signing",
            source=log.source(i, "signature"),
            hint="ask the approver to approve (and sign) the numbers again",
        )
    )


def _named_changes(
    before: Mapping[LeafKey, str],
    after: Mapping[LeafKey, str],
    targets: TableData,
    rows_by_key: Mapping[LeafKey, int],
) -> list[dict[str, Any]]:
    from salesgoal_xl.core.fingerprint import changes

    named: list[dict[str, Any]] = []
    for change in changes(before, after):
        row = rows_by_key.get(change.key)
        source = targets.source(row, "target") if row is not None else targets.source()
        named.append(
            {
                "sheet": source.sheet,
                "cell": source.cell,
                "leaf": _leaf_text(change),
                "approved": change.old,
                "now": change.new,
                "source": source,
            }
        )
    return named


def _leaf_text(change: LeafChange) -> str:
    period, region, team, rep, channel, product = change.key
    return " / ".join(p for p in (period_text(period), region, team, rep, channel, product) if p)


def _money(text: str) -> str:
    """An exact amount text grouped for reading ('14600' -> '14,600'), '(blank)' when empty."""
    from decimal import Decimal

    return f"{Decimal(text):,}" if text else "(blank)"


def _change_problems(
    who: str, named: Sequence[dict[str, Any]], targets: TableData, at: Source
) -> list[Problem]:
    problems: list[Problem] = []
    for change in named[:SHOWN_CHANGES]:
        old, new = change["approved"], change["now"]
        if old is None:
            what = f"leaf {change['leaf']} was added since ({_money(new)})"
        elif new is None:
            what = f"leaf {change['leaf']} was removed since (approved as {_money(old)})"
        else:
            what = f"{change['leaf']} was approved as {_money(old)} and is now {_money(new)}"
        problems.append(
            error(
                ProblemCode.APPROVAL_BROKEN,
                f"{who} no longer holds: {what}",
                source=change["source"] if new is not None else at,
                hint="approve the scope again once the change is agreed, or restore the figure",
            )
        )
    if len(named) > SHOWN_CHANGES:
        problems.append(
            warning(
                ProblemCode.APPROVAL_BROKEN,
                f"{who}: {len(named) - SHOWN_CHANGES} more changed leaves not listed",
                source=at,
            )
        )
    return problems


# --- versions -----------------------------------------------------------------------------


def stage_new_version(
    port: WorkbookPort, old_leaves: pd.DataFrame, new_leaves: pd.DataFrame
) -> int | None:
    """When leaf targets that existed change, stage the next plan version (document property and the
    Guide's Plan version cell) for the command's commit; return it, or None when nothing
    changed or the port keeps no plan identity. Split and adjust call this: a copy exported
    or an approval given at an earlier version is then known to be older."""
    properties = getattr(port, "properties", None)
    if properties is None:
        return None
    identity = identity_of(properties())
    if not identity.plan_id:
        return None
    everything = Scope("all")
    before = leaf_entries(old_leaves, everything.mask(old_leaves)) if "target" in old_leaves else {}
    after = leaf_entries(new_leaves, everything.mask(new_leaves))
    if not before or before == after:
        return None  # the first split makes version 1's numbers; an unchanged one, no new version
    version = identity.version + 1
    port.set_properties({PLAN_VERSION: version})  # type: ignore[attr-defined]
    port.set_named_values({PLAN_VERSION: version})  # type: ignore[attr-defined]
    return version


# --- adjust -------------------------------------------------------------------------------


def supersede_broken(
    port: WorkbookPort,
    old_leaves: pd.DataFrame,
    new_leaves: pd.DataFrame,
    reason: str,
    *,
    write: bool = True,
) -> list[str]:
    """Stage tblApprovals with the standing approvals that hold over `old_leaves` and that
    `new_leaves` break marked superseded (with `reason` in their note); return their ids.
    An approval already broken before is left for verify to report. Nothing is staged when
    none breaks, without `write` (a dry run), or when the port keeps no properties (no plan id
    to fingerprint with)."""
    properties = getattr(port, "properties", None)
    if properties is None or not port.has_table(APPROVALS):
        return []
    identity = identity_of(properties())
    if not identity.plan_id:
        return []
    log = port.read_table(APPROVALS)
    frame = log.frame.copy()
    broken: list[str] = []
    for i in range(len(frame)):
        if _status(frame.at[i, "status"]) != APPROVED:
            continue
        try:
            scope = parse_scope(frame.at[i, "scope"])
        except ScopeError:
            continue
        version = _version(frame.at[i, "version"], identity.version)
        stored = str(frame.at[i, "fingerprint"]).strip()

        def holds(
            leaves: pd.DataFrame, scope: Scope = scope, version: int = version, stored: str = stored
        ) -> bool:
            entries = leaf_entries(leaves, scope.mask(leaves))
            return fingerprint(identity.plan_id, version, scope, entries) == stored

        if not holds(old_leaves) or holds(new_leaves):
            continue
        broken.append(str(frame.at[i, "approval_id"]).strip())
        frame.at[i, "status"] = SUPERSEDED
        frame.at[i, "note"] = _joined(frame.at[i, "note"], reason)
    if broken and write:
        port.write_table(APPROVALS, frame)
    return broken
