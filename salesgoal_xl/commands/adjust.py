"""`adjust`: apply the approved rows of the adjustment log (tblAdjustments) to the leaf targets,
log each one with a chain hash, and say what moved, by how much, why and who approved it.

The re-spread rule lives in ``core.adjustment``; this module reads the log and the targets with
problems at their cells, checks the log's chain (a logged row edited, deleted or moved after it
was applied is refused), applies the new rows in log order and writes, in one commit,
tblTargets, the log's output columns, tblAdjustmentChanges, the seal and the Rep plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.commands.approvals import stage_new_version, supersede_broken
from salesgoal_xl.commands.inputs import cell_amount, load_settings
from salesgoal_xl.core.adjustment import (
    ADJUSTMENT_LEVELS,
    CHAIN_FIELDS,
    LEVEL_COLUMNS,
    PARENT_LEVEL,
    Adjustment,
    AdjustmentRefused,
    Applied,
    ChainBreak,
    LockGroup,
    apply_adjustment,
    chain_hash,
    parent_code,
    scope_mask,
    verify_chain,
)
from salesgoal_xl.core.calendar import FiscalCalendar, period_text
from salesgoal_xl.core.money import from_units, is_int_amount, to_fraction, unit_fraction
from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    error,
)
from salesgoal_xl.workbook.cells import code_text, format_number, is_blank, parse_period
from salesgoal_xl.workbook.port import TableData, WorkbookPort

LOG = "tblAdjustments"
CHANGES = "tblAdjustmentChanges"
SEAL = "tblAdjustmentSeal"
REP_PLAN = "tblRepPlan"
APPLIED, APPROVED = "applied", "approved"


@dataclass(frozen=True)
class AdjustSummary:
    """What `adjust` did: the rows applied (with the targets they moved), the rows still
    waiting for approval, the change summary as text, and whether it wrote."""

    applied: list[dict[str, Any]]
    changes: pd.DataFrame
    waiting: list[str]
    text: str
    written: bool
    logged_rows: int = 0
    notes: list[str] = field(default_factory=list)


def run_adjust(
    port: WorkbookPort, *, dry_run: bool = False, today: dt.date | None = None
) -> AdjustSummary:
    """Apply the approved, not yet applied rows of tblAdjustments in log order."""
    port.progress(0.0, "reading the adjustment log")
    if not port.has_table(LOG):
        raise ProblemsFound(
            [
                error(
                    ProblemCode.MISSING_TABLE,
                    f"table {LOG} is missing: adjust reads its requests there",
                    hint="rebuild the Adjustments sheet from a template",
                    category=Category.SCHEMA,
                )
            ],
            port.label,
        )
    settings = load_settings(port)
    unit = unit_fraction(settings["rounding_unit"])
    log = port.read_table(LOG)
    rows = [_logged_fields(log, i) for i in range(len(log.frame))]
    problems: list[Problem] = []
    applied_rows = [i for i, fields in enumerate(rows) if fields["status"] == APPLIED]
    problems += _chain_problems(port, log, rows, applied_rows)
    todo = [i for i, fields in enumerate(rows) if fields["status"] == APPROVED]
    waiting = [
        str(rows[i]["adj_id"]) for i, f in enumerate(rows) if f["status"] in ("requested", "draft")
    ]
    if not todo:
        if problems:
            raise ProblemsFound(problems, port.label)
        return AdjustSummary([], _empty_changes(), waiting, _nothing_text(waiting), False)

    targets = port.read_table("tblTargets")
    leaves = targets.frame
    if leaves.empty or all(is_blank(v) for v in leaves["target"]):
        problems.append(
            error(
                ProblemCode.NOT_SPLIT,
                "tblTargets has no leaf targets: adjust changes targets split has made",
                source=targets.source(),
                hint="run Split targets first",
            )
        )
        raise ProblemsFound(problems, port.label)
    units = _leaf_units(targets, unit, problems)
    months = list(FiscalCalendar(int(settings["fiscal_year"]), int(settings["first_month"])).months)
    requests = [_request(log, i, rows[i], leaves, months, unit, problems) for i in todo]
    _conflicts(log, todo, requests, problems)
    locks = _locks(port)
    if problems:
        raise ProblemsFound(problems, port.label)

    port.progress(0.3, f"applying {len(todo)} adjustment(s)")
    current, results = _apply_in_order(port, leaves, units, requests, locks, replay=False)

    day = today or dt.date.today()
    as_int = is_int_amount(settings["rounding_unit"])
    log_frame = log.frame.copy()
    previous = str(rows[applied_rows[-1]]["chain_hash"]) if applied_rows else ""
    change_rows: list[dict[str, Any]] = []
    applied_info: list[dict[str, Any]] = []
    before = units
    for i, outcome in zip(todo, results, strict=True):
        a = outcome.adjustment
        old_money = from_units(outcome.old_units, unit, as_int=as_int)
        new_money = from_units(a.new_units, unit, as_int=as_int)
        for key, value in (("status", APPLIED), ("applied_on", day), ("old_target", old_money)):
            _put(log_frame, i, key, value)
        fields = {**rows[i], "status": APPLIED, "applied_on": day, "old_target": old_money}
        previous = chain_hash(previous, fields)
        _put(log_frame, i, "chain_hash", previous)
        why = _why(rows[i])
        moved = _moved(leaves, before, outcome, unit, as_int)
        for level, code, old, new in moved:
            change_rows.append(
                {
                    "adj_id": a.adj_id,
                    "level": level,
                    "code": code,
                    "from_period": a.from_period,
                    "old_target": old,
                    "new_target": new,
                    "why": why,
                    "approved_by": rows[i]["approved_by"],
                }
            )
        applied_info.append(
            {
                "adj_id": a.adj_id,
                "level": a.level,
                "code": a.code,
                "from_period": a.from_period,
                "old_target": old_money,
                "new_target": new_money,
                "keep_parent_total": a.keep_parent_total,
                "approved_by": rows[i]["approved_by"],
                "cell": str(a.source),
            }
        )
        before = outcome.units
    changes = pd.DataFrame(change_rows, columns=list(_CHANGE_COLUMNS), dtype=object)
    logged = len(applied_rows) + len(results)
    seal = pd.DataFrame(
        {
            "logged_rows": [logged],
            "last_adj_id": [results[-1].adjustment.adj_id],
            "head_hash": [previous],
            "sealed_on": [day],
        },
        dtype=object,
    )
    new_leaves = leaves.copy()
    new_leaves["target"] = pd.Series(_money_column(current, unit, as_int), dtype=object)
    text = change_text(changes, port.label)
    ids = ", ".join(r.adjustment.adj_id for r in results)
    superseded = supersede_broken(
        port, leaves, new_leaves, f"superseded by {ids} on {day}", write=not dry_run
    )
    notes = [
        f"approval {approval_id} no longer holds after {ids}: "
        + (
            "marked superseded; approve the new numbers again"
            if not dry_run
            else "it would be marked superseded"
        )
        for approval_id in superseded
    ]
    for note in notes:
        port.message(note, level="warning")
    if not dry_run:
        port.progress(0.8, "writing the targets and the log")
        port.write_table("tblTargets", new_leaves)
        stage_new_version(port, leaves, new_leaves)
        port.write_table(LOG, log_frame)
        if port.has_table(CHANGES):
            port.write_table(CHANGES, changes)
        if port.has_table(SEAL):
            port.write_table(SEAL, seal)
        rep_plan = _rep_plan(port, settings, new_leaves, units, current, unit, results)
        if rep_plan is not None:
            port.write_table(REP_PLAN, rep_plan)
        port.commit()
    port.progress(1.0, "done")
    return AdjustSummary(applied_info, changes, waiting, text, not dry_run, logged, notes)


def _put(frame: pd.DataFrame, row: int, key: str, value: Any) -> None:
    if frame[key].dtype != object:
        frame[key] = frame[key].astype(object)
    frame.at[row, key] = value


def _scope_text(level: str, code: str) -> str:
    return "the company" if level == "company" else f"{level} {code}"


# --- reading the log ------------------------------------------------------------------------


def _logged_fields(log: TableData, row: int) -> dict[str, Any]:
    """One log row's fields as the chain hash covers them; choices trimmed."""
    frame = log.frame
    fields: dict[str, Any] = {}
    for key in (*CHAIN_FIELDS, "chain_hash"):
        value = frame.at[row, key] if key in frame.columns else None
        fields[key] = None if is_blank(value) else value
    for key in ("level", "status", "keep_parent_total", "reason_category", "adj_id", "code"):
        fields[key] = "" if fields[key] is None else code_text(fields[key])
    return fields


def _chain_problems(
    port: WorkbookPort, log: TableData, rows: Sequence[Mapping[str, Any]], applied: Sequence[int]
) -> list[Problem]:
    """A logged row changed, moved or deleted since adjust applied it, at the row's cells."""
    problems: list[Problem] = []
    unhashed = [i for i in applied if is_blank(rows[i]["chain_hash"])]
    for i in unhashed:
        problems.append(
            error(
                ProblemCode.LOG_TAMPERED,
                f"{rows[i]['adj_id'] or 'a row'} says applied but has no chain hash: adjust "
                "never applied it (only adjust marks a row applied)",
                source=log.source(i, "status"),
                hint="set Status to approved and run adjust, or restore the log",
                category=Category.RULE,
            )
        )
    if unhashed:
        return problems
    count, head = _seal(port)
    hashes = [str(rows[i]["chain_hash"]) for i in applied]
    broken = verify_chain([rows[i] for i in applied], hashes, count, head)
    if broken is not None:
        problems.append(_break_problem(log, rows, applied, broken, count))
    return problems


def _seal(port: WorkbookPort) -> tuple[int | None, str]:
    if not port.has_table(SEAL):
        return None, ""
    frame = port.read_table(SEAL).frame
    if frame.empty or is_blank(frame["logged_rows"][0]):
        return None, ""
    try:
        count = int(to_fraction(frame["logged_rows"][0], "logged rows"))
    except ValueError:
        return -1, ""
    head = frame["head_hash"][0]
    return count, "" if is_blank(head) else str(head).strip()


def _break_problem(
    log: TableData,
    rows: Sequence[Mapping[str, Any]],
    applied: Sequence[int],
    broken: ChainBreak,
    sealed: int | None,
) -> Problem:
    hint = "restore the log from the last approved copy; to change a target, add a new request"
    if broken.kind in ("edited", "moved"):
        i = applied[broken.row]
        name = rows[i]["adj_id"] or f"row {log.first_row + i}"
        if broken.kind == "edited":
            what = (
                "one of its logged fields was changed after adjust applied it, or the logged "
                "row above it was deleted"
            )
        else:
            what = "its place in the log changed: logged rows were moved"
        return error(
            ProblemCode.LOG_TAMPERED,
            f"{name} no longer matches its chain hash: {what}",
            source=log.source(i, "chain_hash"),
            hint=hint,
            category=Category.RULE,
        )
    if broken.kind == "unsealed":
        message = (
            f"the log holds {len(applied)} applied row(s) but the seal ({SEAL}) is blank: "
            "the seal was cleared"
        )
    else:
        message = (
            f"the log holds {len(applied)} applied row(s) but was sealed with "
            f"{sealed if sealed is not None and sealed >= 0 else 'another number of'}: "
            "logged rows were deleted or added at the end"
        )
    where = log.source(applied[-1], "chain_hash") if applied else log.source()
    return error(ProblemCode.LOG_TAMPERED, message, source=where, hint=hint, category=Category.RULE)


def _request(
    log: TableData,
    row: int,
    fields: Mapping[str, Any],
    leaves: pd.DataFrame,
    months: Sequence[str],
    unit: Fraction,
    problems: list[Problem],
    *,
    replay: bool = False,
) -> Adjustment | None:
    """One approved row as a request (or, with `replay`, an applied row being applied again
    after a re-split: its approval was checked when it was first applied); what is wrong with
    it is a problem at its cell."""
    found: list[Problem] = []
    name = fields["adj_id"] or f"row {log.first_row + row}"

    def refuse(code: ProblemCode, key: str, message: str, hint: str) -> None:
        found.append(
            error(
                code,
                f"{name}: {message}",
                source=log.source(row, key),
                hint=hint,
                category=Category.RULE,
            )
        )

    approver = str(fields["approved_by"] or "").strip()
    requester = str(fields["requested_by"] or "").strip()
    # A replayed row's approval was checked when it was first applied.
    if not replay and not approver:
        refuse(
            ProblemCode.ADJUSTMENT_UNAPPROVED,
            "approved_by",
            "Status says approved but Approved by is blank",
            "the approver types their name in Approved by",
        )
    elif not replay and requester and approver.casefold() == requester.casefold():
        refuse(
            ProblemCode.ADJUSTMENT_UNAPPROVED,
            "approved_by",
            f"{approver} both requested and approved it: a change needs a second person",
            "ask someone other than the requester to approve it",
        )
    level = str(fields["level"])
    code = str(fields["code"])
    if level not in ADJUSTMENT_LEVELS:
        refuse(
            ProblemCode.UNKNOWN_CODE,
            "level",
            f"Level must be one of {', '.join(ADJUSTMENT_LEVELS)} (got {level!r})",
            "pick the level from the list",
        )
    elif level == "company" and code:
        refuse(
            ProblemCode.ADJUSTMENT_CONFLICT,
            "code",
            f"a company adjustment has no code (got {code!r})",
            "clear Code, or pick the level the code belongs to",
        )
    elif level != "company" and not scope_mask(leaves, level, code).any():
        refuse(
            ProblemCode.UNKNOWN_CODE,
            "code",
            f"no leaf target belongs to {level} {code!r}" if code else f"a {level} needs a code",
            f"type a {level} code that has targets in tblTargets",
        )
    period = period_text(fields["from_period"])
    if parse_period(period) is None:
        refuse(
            ProblemCode.BAD_PERIOD,
            "from_period",
            f"From period must be a month like {months[0]} (got {fields['from_period']!r})",
            "type the first month the new target applies to, as text",
        )
    elif (period[:7] if "-W" not in period else period) < months[0] or period[:7] > months[-1]:
        refuse(
            ProblemCode.PERIOD_OUTSIDE_YEAR,
            "from_period",
            f"From period {period} is outside the plan year {months[0]} to {months[-1]}",
            "pick a month of the plan year",
        )
    keep = str(fields["keep_parent_total"]).casefold()
    if keep not in ("", "yes", "no"):
        refuse(
            ProblemCode.UNKNOWN_CODE,
            "keep_parent_total",
            f"Keep parent total must be yes or no (got {fields['keep_parent_total']!r})",
            "pick yes or no",
        )
    elif keep == "yes" and level == "company":
        refuse(
            ProblemCode.ADJUSTMENT_CONFLICT,
            "keep_parent_total",
            "the company has no parent whose total could be kept",
            "set Keep parent total to no",
        )
    amount = cell_amount(log, row, "new_target", found, label="New yearly target")
    new_units = 0
    if amount is None and not any(p.source.column == "new_target" for p in found):
        refuse(
            ProblemCode.BLANK_VALUE,
            "new_target",
            "New yearly target is blank",
            "type the scope's new target for the whole plan year",
        )
    elif amount is not None:
        exact = to_fraction(amount, "new target")
        if exact < 0:
            refuse(
                ProblemCode.NEGATIVE_AMOUNT,
                "new_target",
                f"New yearly target must be >= 0 (got {format_number(float(exact))})",
                "type the new target as a positive amount",
            )
        elif exact % unit:
            refuse(
                ProblemCode.NOT_WHOLE_UNITS,
                "new_target",
                f"New yearly target must be a multiple of the rounding unit "
                f"{format_number(float(unit))} (got {format_number(float(exact))})",
                "type a multiple of the rounding unit",
            )
        else:
            new_units = int(exact / unit)
    if not found and keep == "yes":
        try:
            parent_code(leaves, scope_mask(leaves, level, code), level)
        except AdjustmentRefused as refused:
            refuse(
                ProblemCode.ADJUSTMENT_CONFLICT,
                "keep_parent_total",
                refused.message,
                "set Keep parent total to no",
            )
    problems += found
    if found:
        return None
    return Adjustment(
        str(fields["adj_id"]),
        level,
        code,
        period,
        new_units,
        keep == "yes",
        log.source(row, "new_target"),
        unit,
    )


def _conflicts(
    log: TableData,
    todo: Sequence[int],
    requests: Sequence[Adjustment | None],
    problems: list[Problem],
) -> None:
    """Two approved rows for one scope in the same run: which one is meant is not ours to
    guess, so both are named."""
    seen: dict[tuple[str, str], int] = {}
    for row, request in zip(todo, requests, strict=True):
        if request is None:
            continue
        key = (request.level, request.code)
        if key in seen:
            first = seen[key]
            problems.append(
                error(
                    ProblemCode.ADJUSTMENT_CONFLICT,
                    f"{request.adj_id} and {code_text(log.frame.at[first, 'adj_id'])} both "
                    f"change {_scope_text(request.level, request.code)} in this run "
                    f"({log.sheet}!{log.cell(first, 'new_target')})",
                    source=log.source(row, "new_target"),
                    hint="merge them into one request, or reject one",
                    category=Category.RULE,
                )
            )
        else:
            seen[key] = row


def _locks(port: WorkbookPort) -> list[LockGroup]:
    """tblOverrides as the leaves each lock holds (split's own reader parses the cells)."""
    from salesgoal_xl.commands.split import read_locks

    if not port.has_table("tblOverrides"):
        return []
    ignored: list[Problem] = []  # a bad lock is split's and check's to report
    return [
        LockGroup(lock.level, lock.code, lock.period, lock.source)
        for lock in read_locks(port.read_table("tblOverrides"), ignored)
        if lock.level == "time" or lock.level in PARENT_LEVEL
    ]


def _leaf_units(
    targets: TableData, unit: Fraction, problems: list[Problem]
) -> npt.NDArray[np.int64]:
    """Each leaf's target in whole rounding units; a leaf between units is named."""
    values = targets.frame["target"].tolist()
    units = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if is_blank(value):
            continue
        try:
            exact = to_fraction(value, "target")
        except ValueError:
            exact = None
        if exact is None or exact % unit or exact < 0:
            problems.append(
                error(
                    ProblemCode.NOT_WHOLE_UNITS,
                    f"leaf target {value!r} is not a whole number of rounding units: adjust "
                    "re-spreads whole units",
                    source=targets.source(i, "target"),
                    hint="run Split targets again, or correct the target",
                )
            )
            if len(problems) > 20:
                break
            continue
        units[i] = int(exact / unit)
    return units


# --- what moved -------------------------------------------------------------------------------

_CHANGE_COLUMNS = (
    "adj_id",
    "level",
    "code",
    "from_period",
    "old_target",
    "new_target",
    "why",
    "approved_by",
)


def _empty_changes() -> pd.DataFrame:
    return pd.DataFrame(columns=list(_CHANGE_COLUMNS), dtype=object)


def _moved(
    leaves: pd.DataFrame,
    before: npt.NDArray[np.int64],
    outcome: Applied,
    unit: Fraction,
    as_int: bool,
) -> list[tuple[str, str, object, object]]:
    """Every unit whose yearly target moved: the scope, then each level above it, then the
    siblings that absorbed the change, largest first."""
    a = outcome.adjustment
    diff = outcome.units != before
    rows: list[tuple[str, str, object, object]] = []

    def money(count: int) -> object:
        return from_units(count, unit, as_int=as_int)

    def add(level: str, code: str) -> None:
        mask = scope_mask(leaves, level, code)
        old, new = int(before[mask].sum()), int(outcome.units[mask].sum())
        if old != new:
            rows.append((level, code, money(old), money(new)))

    add(a.level, a.code)
    scope = scope_mask(leaves, a.level, a.code)
    level = a.level
    while level in PARENT_LEVEL:  # up the organisation to the company
        code = parent_code(leaves, scope, level)
        level = PARENT_LEVEL[level]
        add(level, code)
    if a.keep_parent_total:
        column = LEVEL_COLUMNS[a.level]
        others = leaves.loc[diff & ~scope, column].astype(str).str.strip().unique()
        moved = []
        for code in others:
            mask = scope_mask(leaves, a.level, str(code))
            moved.append(
                (int(outcome.units[mask].sum()) - int(before[mask].sum()), str(code), mask)
            )
        for _change, code, mask in sorted(moved, key=lambda m: (-abs(m[0]), m[1])):
            rows.append(
                (
                    a.level,
                    code,
                    money(int(before[mask].sum())),
                    money(int(outcome.units[mask].sum())),
                )
            )
    return rows


def _why(fields: Mapping[str, Any]) -> str:
    category = str(fields["reason_category"] or "other")
    description = str(fields["description"] or "").strip()
    who = str(fields["requested_by"] or "").strip()
    text = category + (f": {description}" if description else "")
    return text + (f" (requested by {who})" if who else "")


def _money_column(units: npt.NDArray[np.int64], unit: Fraction, as_int: bool) -> list[object]:
    if unit.denominator == 1 and as_int:
        return [int(u) * unit.numerator for u in units]
    return [from_units(int(u), unit, as_int=as_int) for u in units]


def change_text(changes: pd.DataFrame, label: str) -> str:
    """The change summary, ready to paste into an email."""
    if changes.empty:
        return "No targets moved."
    lines = [f"Target changes applied to {label}:"]
    for adj_id, group in changes.groupby("adj_id", sort=False):
        first = group.iloc[0]
        lines.append(
            f"{adj_id} (from {first['from_period']}, approved by {first['approved_by']}): "
            f"{first['why']}"
        )
        for level, code, old_target, new_target in zip(
            group["level"], group["code"], group["old_target"], group["new_target"], strict=True
        ):
            who = "Company" if level == "company" else f"{str(level).capitalize()} {code}"
            old = float(to_fraction(old_target, "old target"))
            new = float(to_fraction(new_target, "new target"))
            sign = "+" if new >= old else "-"
            lines.append(
                f"  {who}: {format_number(old)} -> {format_number(new)} "
                f"({sign}{format_number(abs(new - old))})"
            )
    return "\n".join(lines)


def _nothing_text(waiting: Sequence[str]) -> str:
    if waiting:
        return (
            f"Nothing to apply: {len(waiting)} request(s) wait for approval "
            f"({', '.join(waiting[:10])}{', ...' if len(waiting) > 10 else ''})."
        )
    return "Nothing to apply: no approved request waits in the adjustment log."


# --- the Rep plan after an adjustment -------------------------------------------------------


def _rep_plan(
    port: WorkbookPort,
    settings: Any,
    leaves: pd.DataFrame,
    original: npt.NDArray[np.int64],
    units: npt.NDArray[np.int64],
    unit: Fraction,
    results: Sequence[Applied],
) -> pd.DataFrame | None:
    """tblRepPlan after adjust (see `rep_plan_after`), or None if the workbook has none."""
    if not port.has_table(REP_PLAN):
        return None
    current = port.read_table(REP_PLAN).frame
    if current.empty:
        return None
    from salesgoal_xl.commands.split import build_request

    return rep_plan_after(current, build_request(port, settings), leaves, original, units, results)


def rep_plan_after(
    current: pd.DataFrame,
    request: Any,
    leaves: pd.DataFrame,
    original: npt.NDArray[np.int64],
    units: npt.NDArray[np.int64],
    results: Sequence[Applied],
) -> pd.DataFrame:
    """The Rep plan with each rep's adjusted target, change and share (split's own rule), and
    the adjustments that moved the rep's year added to the reason."""
    from salesgoal_xl.core.split.guard import rep_plan, rep_years
    from salesgoal_xl.core.split.inputs import history_frame

    unit = unit_fraction(request.unit)
    reps = request.reps.reset_index(drop=True)
    months = list(FiscalCalendar(request.fiscal_year, request.first_month).months)
    years = rep_years(reps, history_frame(request.history), months)
    rep_of_leaf = leaves["rep_id"].astype(str).str.strip().to_numpy()
    by_rep = pd.Series(units).groupby(rep_of_leaf).sum()
    reasons = {
        str(r).strip(): str(t or "")
        for r, t in zip(current["rep_id"], current["reason"], strict=True)
    }
    methods = [str(m) for m in current["method"] if not is_blank(m)]
    touched: dict[str, list[str]] = {}
    start = original
    for outcome in results:
        a = outcome.adjustment
        before = pd.Series(start).groupby(rep_of_leaf).sum()
        after = pd.Series(outcome.units).groupby(rep_of_leaf).sum()
        for rep in after.index[after.to_numpy() != before.to_numpy()]:
            touched.setdefault(str(rep), []).append(f"{a.adj_id} from {a.from_period}")
        start = outcome.units
    rep_units = np.array(
        [int(by_rep.get(str(r).strip(), 0)) for r in reps["rep_id"]], dtype=np.int64
    )
    texts = []
    for rep in reps["rep_id"]:
        key = str(rep).strip()
        text = reasons.get(key, "")
        if key in touched and "adjusted by" not in text:
            text = (text + "; " if text else "") + "adjusted by " + ", ".join(touched[key])
        texts.append(text)
    return rep_plan(reps, rep_units, years, texts, unit, methods[0] if methods else "")


# --- split after adjustments ----------------------------------------------------------------


def replay_applied(
    port: WorkbookPort,
    leaves: pd.DataFrame,
    unit: Fraction,
    months: Sequence[str],
    *,
    as_int: bool,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], npt.NDArray[np.int64], list[Applied]]:
    """A fresh split's leaves with the log's applied adjustments applied again, in log order,
    so a re-split keeps approved changes instead of dropping them. Returns the leaves, their
    units before and after, and what each row did; a row that no longer fits the new split
    is refused at its cell (ADJUSTMENT_INFEASIBLE), as is a log that was tampered with."""
    units = _leaf_units_of(leaves, unit)
    if not port.has_table(LOG):
        return leaves, units, units, []
    log = port.read_table(LOG)
    rows = [_logged_fields(log, i) for i in range(len(log.frame))]
    applied = [i for i, fields in enumerate(rows) if fields["status"] == APPLIED]
    if not applied:
        return leaves, units, units, []
    problems = _chain_problems(port, log, rows, applied)
    requests = [
        _request(log, i, rows[i], leaves, months, unit, problems, replay=True) for i in applied
    ]
    if problems:
        raise ProblemsFound(problems, port.label)
    current, results = _apply_in_order(port, leaves, units, requests, _locks(port), replay=True)
    replayed = leaves.copy()
    replayed["target"] = pd.Series(_money_column(current, unit, as_int), dtype=object)
    return replayed, units, current, results


def _apply_in_order(
    port: WorkbookPort,
    leaves: pd.DataFrame,
    units: npt.NDArray[np.int64],
    requests: Sequence[Adjustment | None],
    locks: Sequence[LockGroup],
    *,
    replay: bool,
) -> tuple[npt.NDArray[np.int64], list[Applied]]:
    """Each request applied to the result of the one before; every refusal at its cell."""
    problems: list[Problem] = []
    current, results = units, []
    for request in requests:
        assert request is not None  # the callers raise on unreadable requests first
        try:
            outcome = apply_adjustment(leaves, current, request, locks)
        except AdjustmentRefused as refused:
            what = "(applied) no longer fits the new split: " if replay else ""
            hint = refused.hint
            if replay:
                hint = (
                    "a re-split keeps applied adjustments; change the split's inputs, or log a "
                    "new request that reverses this one"
                )
            problems.append(
                error(
                    ProblemCode.ADJUSTMENT_INFEASIBLE,
                    f"{request.adj_id}: {what}{refused.message}",
                    source=refused.where,
                    hint=hint,
                    category=Category.RULE,
                )
            )
            continue
        results.append(outcome)
        current = outcome.units
    if problems:
        raise ProblemsFound(problems, port.label)
    return current, results


def _leaf_units_of(leaves: pd.DataFrame, unit: Fraction) -> npt.NDArray[np.int64]:
    """A fresh split's targets (exact multiples of the unit) as whole units."""
    return np.array(
        [int(to_fraction(v, "target") / unit) for v in leaves["target"]], dtype=np.int64
    )


__all__ = ["AdjustSummary", "change_text", "rep_plan_after", "replay_applied", "run_adjust"]
