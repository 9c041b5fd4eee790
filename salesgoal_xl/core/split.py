"""The plan split: from one company target to exact leaf targets per month, rep, channel, product.

The order of work, and why:

1. Org, annually: region -> team -> rep, each level by its rule's method (history share,
   equal, custom weights, potential, or capacity with the new-hire ramp and leavers' end
   dates), with annual locks kept and over-assignment applied where set.
2. Time: the sum of rep targets is spread over the fiscal months by the seasonal index of
   company history (or custom/equal weights), with month locks kept.
3. Rep x month: each rep's year follows season x ramp over the months the rep can sell, so
   new hires and leavers get targets only while they sell; when a company month is locked,
   a two-way fit matches the rep totals and the month totals at once.
4. Mix: each rep-month is spread over channel x product by the rep's own history mix (team,
   then company mix when a rep has none), or, with the `matrix` method, by a two-way fit that
   also matches the company's channel and product totals for the month.
5. Weeks (weekly granularity): each monthly leaf over the ISO weeks of its month by working
   days; a week crossing a month boundary gets a row in each month.

Every step works in whole rounding units and splits exactly, so each level adds up to its
parent to the unit. Problems that make a split impossible are collected and raised together
as `SplitInfeasible`, each naming the rule or lock (its `source`) that caused it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import allocate, allocate_groups
from salesgoal_xl.core.calendar import (
    FiscalCalendar,
    as_date,
    month_label,
    parse_month,
    split_month_into_weeks,
)
from salesgoal_xl.core.errors import AllocationError, CalendarError
from salesgoal_xl.core.matrix import allocate_matrix
from salesgoal_xl.core.money import Amount, Money, from_units, is_int_amount, to_units
from salesgoal_xl.core.money import unit_fraction as _unit_fraction
from salesgoal_xl.core.problems import (
    NOWHERE,
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Source,
    error,
)
from salesgoal_xl.core.ramp import DEFAULT_RAMP, ramp_factors
from salesgoal_xl.core.seasonality import seasonal_indices

ORG_LEVELS = ("region", "team", "rep")
ORG_METHODS = ("history", "equal", "weights", "potential", "capacity")
TIME_METHODS = ("seasonal", "history", "equal", "weights")
MIX_METHODS = ("history", "equal", "matrix")
# A tiny share of the company mix in every rep's seed keeps the two-way fits feasible (a
# combination sold only by people who left still needs someone to carry it) without
# visibly moving anyone's own mix.
_MIX_FLOOR = 1e-6
# Float weights are turned into integers at this resolution so splits stay exact and fast.
_WEIGHT_SCALE = 1e9

Progress = Callable[[float, str], None]

DEFAULT_RULES: tuple[tuple[str, str, int], ...] = (
    # (level, method, lookback months): what a new plan starts with.
    ("time", "seasonal", 36),
    ("region", "history", 12),
    ("team", "history", 12),
    ("rep", "capacity", 12),
    ("channel", "history", 12),
    ("product", "matrix", 12),
)
"""Seasonal months; regions and teams by last year's share; reps by capacity with the ramp;
channels and products by each rep's mix, matched to the company's product totals."""


@dataclass(frozen=True)
class LevelRule:
    """How one level is split; `source` says where the rule lives (e.g. 'Decomposition!B5')."""

    level: str
    method: str
    lookback: int = 12
    over_assignment: Fraction | None = None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Lock:
    """A locked amount: `level`/`code` (e.g. rep R007), for a `period` or the whole year."""

    level: str
    code: str
    period: str | None
    amount: Amount
    source: Source = NOWHERE


@dataclass(frozen=True)
class SplitRequest:
    """Everything the split needs, as plain data.

    `reps` has columns rep_id, rep_name, team, region, start_date, end_date, capacity,
    potential (one row per rep, in the order the output should follow). `history` has
    period ('YYYY-MM'), rep_id, channel, product, amount. `weights` has level, code, weight.
    """

    total: Amount
    unit: Amount
    fiscal_year: int
    first_month: int
    reps: pd.DataFrame
    history: pd.DataFrame
    channels: Sequence[str]
    products: Sequence[str]
    rules: Mapping[str, LevelRule] = field(default_factory=dict)
    locks: Sequence[Lock] = ()
    weights: pd.DataFrame | None = None
    over_assignment: Fraction = Fraction(0)
    ramp: Sequence[float] = DEFAULT_RAMP
    total_source: Source = NOWHERE
    granularity: str = "month"
    country: str | None = None
    country_source: Source = NOWHERE


def infeasible(message: str, source: Source = NOWHERE) -> Problem:
    """One reason the split cannot be made, at the rule, lock or cell behind it."""
    return error(
        ProblemCode.SPLIT_INFEASIBLE,
        message,
        source=source,
        hint="change the rule, lock or data named here and run split again",
        category=Category.RULE,
    )


class SplitInfeasible(ProblemsFound):
    """The rules, locks and data cannot all be satisfied; carries every reason found."""

    def __init__(self, issues: Sequence[Problem]) -> None:
        super().__init__(issues)


@dataclass(frozen=True)
class SplitResult:
    """Leaf targets (tblTargets columns) and the totals of each level."""

    leaves: pd.DataFrame
    level_totals: Mapping[str, pd.DataFrame]
    total: Money
    method_by_level: Mapping[str, str]


def rule_for(request: SplitRequest, level: str, default: str) -> LevelRule:
    """The rule for `level`, or a default one when the workbook has none."""
    return request.rules.get(level, LevelRule(level, default))


def split_plan(request: SplitRequest, progress: Progress | None = None) -> SplitResult:
    """Split the company target of `request` into exact leaf targets (see module docstring)."""
    report = progress or (lambda _fraction, _message: None)
    unit = _unit_fraction(request.unit)
    as_int = is_int_amount(request.unit) and is_int_amount(request.total)
    issues: list[Problem] = []
    try:
        total_units = to_units(request.total, unit, "the final target", shown_unit=request.unit)
    except AllocationError as exc:
        raise SplitInfeasible([infeasible(str(exc), request.total_source)]) from None
    if total_units < 0:
        raise SplitInfeasible(
            [
                infeasible(
                    f"the final target must be >= 0 (got {request.total})", request.total_source
                )
            ]
        )
    calendar = FiscalCalendar(request.fiscal_year, request.first_month)
    months = list(calendar.months)
    reps = request.reps.reset_index(drop=True)
    locks = _lock_units(request.locks, unit, request.unit, issues)
    _check_lock_targets(
        locks, {_lock_key(lock): lock.source for lock in request.locks}, reps, months, issues
    )
    time_rule = rule_for(request, "time", "seasonal")
    channel_rule = rule_for(request, "channel", "history")
    product_rule = rule_for(request, "product", "history")
    _method_known(time_rule, TIME_METHODS, issues)
    _method_known(channel_rule, MIX_METHODS, issues)
    _method_known(product_rule, MIX_METHODS, issues)
    if issues:
        raise SplitInfeasible(issues)

    report(0.05, "reading history")
    history = _history_frame(request.history)
    active = _activity(reps, months, request.ramp)
    rep_history = _recent_totals(history, months[0], list(reps["rep_id"]), request)

    report(0.15, "splitting across the organisation")
    rep_units, org_methods, level_totals = _split_org(
        request, reps, total_units, rep_history, active, locks, issues
    )
    if issues:
        raise SplitInfeasible(issues)

    report(0.35, "spreading over the months")
    month_weights, time_method = _month_weights(time_rule, history, months, request.weights)
    grand = int(rep_units.sum())
    month_locks = [locks.get(("time", "", m)) for m in months]
    try:
        month_units = np.array(allocate(grand, month_weights, locked=month_locks), dtype=np.int64)
    except AllocationError as exc:
        raise SplitInfeasible([infeasible(f"months: {exc}", time_rule.source)]) from None

    report(0.45, "fitting reps to months")
    grid = _fit_reps_to_months(
        reps,
        rep_units,
        month_units,
        month_weights,
        active,
        months,
        locks,
        issues,
        any(lock is not None for lock in month_locks),
        time_rule.source,
    )
    if issues or grid is None:
        raise SplitInfeasible(issues)

    report(0.6, "spreading over channels and products")
    mix_method = (
        "matrix"
        if "matrix" in (channel_rule.method, product_rule.method)
        else ("equal" if channel_rule.method == product_rule.method == "equal" else "history")
    )
    leaves = _split_mix(
        request,
        reps,
        grid,
        months,
        history,
        mix_method,
        issues,
        channel_rule.source or product_rule.source,
    )
    if issues:
        raise SplitInfeasible(issues)

    method_text = (
        f"{org_methods['region']}>{org_methods['team']}>{org_methods['rep']}"
        f"; month:{time_method}; mix:{mix_method}"
    )
    if request.granularity == "week":
        report(0.85, "spreading months over weeks by working days")
        try:
            leaves = _split_weeks(leaves, months, request.country)
        except CalendarError as exc:
            raise SplitInfeasible([infeasible(str(exc), request.country_source)]) from None
        method_text += "; week:working days"
    report(0.9, "assembling leaf targets")
    quarters = {m: calendar.quarter_of(m) for m in months}
    frame = _assemble(leaves, reps, months, quarters, unit, as_int, method_text)
    report(1.0, "split done")
    totals = {
        name: tab.assign(
            target=pd.Series(
                [from_units(int(v), unit, as_int=as_int) for v in tab["target"]], dtype=object
            )
        )
        for name, tab in level_totals.items()
    }
    return SplitResult(
        frame,
        totals,
        from_units(int(grid.sum()), unit, as_int=as_int),
        {**org_methods, "time": time_method, "mix": mix_method},
    )


# --- inputs -------------------------------------------------------------------------------


def _lock_units(
    locks: Sequence[Lock], unit: Fraction, shown: Amount, issues: list[Problem]
) -> dict[tuple[str, str, str | None], int]:
    units: dict[tuple[str, str, str | None], int] = {}
    for lock in locks:
        key = _lock_key(lock)
        try:
            amount = to_units(
                lock.amount, unit, f"locked {lock.level} {lock.code}", shown_unit=shown
            )
        except AllocationError as exc:
            issues.append(infeasible(str(exc), lock.source))
            continue
        if amount < 0:
            issues.append(
                infeasible(f"a locked target must be >= 0 (got {lock.amount})", lock.source)
            )
            continue
        if key in units:
            issues.append(
                infeasible(
                    f"{lock.level} {lock.code} {lock.period or ''} is locked twice; keep one lock",
                    lock.source,
                )
            )
        units[key] = amount
    return units


def _lock_key(lock: Lock) -> tuple[str, str, str | None]:
    """Locks are keyed (level, code, period); a time lock's month may sit in code or period."""
    if lock.level == "time":
        return ("time", "", lock.period or lock.code or None)
    return (lock.level, lock.code, lock.period or None)


def _check_lock_targets(
    locks: Mapping[tuple[str, str, str | None], int],
    sources: Mapping[tuple[str, str, str | None], Source],
    reps: pd.DataFrame,
    months: Sequence[str],
    issues: list[Problem],
) -> None:
    known = {
        "region": set(reps["region"]),
        "team": set(reps["team"]),
        "rep": set(reps["rep_id"]),
    }
    for key in locks:
        level, code, period = key
        source = sources.get(key, NOWHERE)
        if level in ("channel", "product"):
            issues.append(
                infeasible(
                    f"locks at the {level} level are not supported; lock a rep, team, region or "
                    "month instead",
                    source,
                )
            )
        elif level in known and code not in known[level]:
            issues.append(infeasible(f"locked {level} {code!r} is not in the organisation", source))
        if period is not None and period not in months:
            issues.append(
                infeasible(
                    f"locked period {period!r} is not a month of the plan year "
                    f"({months[0]}..{months[-1]})",
                    source,
                )
            )
        if period is not None and level in ("region", "team"):
            issues.append(
                infeasible(
                    f"month locks are supported for reps and the company month (level time), not "
                    f"for {level} {code}",
                    source,
                )
            )


def _history_frame(history: pd.DataFrame) -> pd.DataFrame:
    frame = history.loc[:, ["period", "rep_id", "channel", "product", "amount"]].copy()
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
    frame = frame[frame["amount"] > 0]
    frame["period"] = frame["period"].astype(str)
    return frame


def _months_before(first_month: str, count: int) -> list[str]:
    """The `count` months before `first_month`, most recent first (the lookback window)."""
    year, month = parse_month(first_month)
    index = year * 12 + month - 1
    return [month_label(*_year_month(index - back)) for back in range(1, count + 1)]


def _year_month(index: int) -> tuple[int, int]:
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def _recent_totals(
    history: pd.DataFrame, first_month: str, rep_ids: Sequence[str], request: SplitRequest
) -> pd.Series:
    """Each rep's sales over the rep rule's lookback window (the history weights)."""
    lookback = rule_for(request, "rep", "history").lookback or 12
    window = set(_months_before(first_month, lookback))
    recent = history[history["period"].isin(window)]
    sums = recent.groupby("rep_id")["amount"].sum()
    return sums.reindex(pd.Index(list(rep_ids)), fill_value=0.0)


def _activity(reps: pd.DataFrame, months: Sequence[str], ramp: Sequence[float]) -> np.ndarray:
    rows = []
    for start, end, capacity in zip(
        reps["start_date"], reps["end_date"], reps["capacity"], strict=True
    ):
        factors = ramp_factors(
            _as_date(start), months, schedule=tuple(ramp), end_date=_as_date(end)
        )
        cap = _as_float(capacity, 1.0)
        rows.append([float(f) * cap for f in factors])
    return np.array(rows, dtype=float).reshape(len(reps), len(months))


def _as_date(value: object) -> date | None:
    """A start or end date cell; blank (None, NaN, NaT) means none."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return as_date(value)  # type: ignore[arg-type]  # as_date names anything it cannot read


def _as_float(value: object, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


# --- org ----------------------------------------------------------------------------------


def _split_org(
    request: SplitRequest,
    reps: pd.DataFrame,
    total_units: int,
    rep_history: pd.Series,
    active: np.ndarray,
    locks: Mapping[tuple[str, str, str | None], int],
    issues: list[Problem],
) -> tuple[np.ndarray, dict[str, str], dict[str, pd.DataFrame]]:
    """Region -> team -> rep, annually; returns units per rep, methods, level totals."""
    frame = reps.assign(
        _history=rep_history.to_numpy(),
        _capacity=active.mean(axis=1),
        _potential=[_as_float(v, 0.0) for v in reps["potential"]],
        _root="",
    )
    methods: dict[str, str] = {}
    parents: dict[str, int] = {"": total_units}
    parent_col = {"region": "_root", "team": "region", "rep": "team"}
    key_col = {"region": "region", "team": "team", "rep": "rep_id"}
    totals: dict[str, pd.DataFrame] = {}
    amounts: dict[str, int] = {}
    for level in ORG_LEVELS:
        rule = rule_for(request, level, "capacity" if level == "rep" else "history")
        if not _method_known(rule, ORG_METHODS, issues):
            return np.zeros(len(reps), dtype=np.int64), methods, totals
        pct = rule.over_assignment
        if pct is None:
            pct = request.over_assignment if level == "rep" else Fraction(0)
        nodes = frame.groupby(key_col[level], sort=False).agg(
            parent=(parent_col[level], "first"),
            history=("_history", "sum"),
            capacity=("_capacity", "sum"),
            potential=("_potential", "sum"),
        )
        used = set()
        amounts = {}
        for parent, group in nodes.groupby("parent", sort=False):
            parent_units = parents[str(parent)]
            child_total = _over_assigned(parent_units, pct)
            weights, used_method = _org_weights(rule, level, group, request.weights)
            used.add(used_method)
            lock_list = [locks.get((level, str(code), None)) for code in group.index]
            try:
                parts = allocate(child_total, weights, locked=lock_list)
            except AllocationError as exc:
                where = f"{level}s under {parent!s}" if parent else f"{level}s"
                issues.append(infeasible(f"cannot split {where}: {exc}", rule.source))
                parts = [0] * len(group)
            for code, part in zip(group.index, parts, strict=True):
                amounts[str(code)] = int(part)
        parents = amounts
        methods[level] = "/".join(sorted(used)) if used else rule.method
        totals[level] = pd.DataFrame({"code": list(amounts), "target": list(amounts.values())})
    rep_units = np.array([amounts.get(str(r), 0) for r in reps["rep_id"]], dtype=np.int64)
    return rep_units, methods, totals


def _method_known(rule: LevelRule, allowed: Sequence[str], issues: list[Problem]) -> bool:
    """Whether the rule's method can split its level; if not, say so at the rule's cell."""
    if rule.method in allowed:
        return True
    issues.append(
        infeasible(
            f"method {rule.method!r} cannot split the {rule.level} level; use one of "
            f"{', '.join(allowed)}",
            rule.source,
        )
    )
    return False


def _over_assigned(parent_units: int, pct: Fraction) -> int:
    if pct <= 0:
        return parent_units
    exact = parent_units * (1 + pct)
    return math.floor(exact + Fraction(1, 2))


def _custom_weights(custom: pd.DataFrame | None, level: str) -> dict[str, float]:
    """tblWeights rows of one level, by code."""
    if custom is None:
        return {}
    rows = zip(custom["level"], custom["code"], custom["weight"], strict=True)
    return {str(code): _as_float(w, 0.0) for lvl, code, w in rows if lvl == level}


def _org_weights(
    rule: LevelRule, level: str, group: pd.DataFrame, custom: pd.DataFrame | None
) -> tuple[list[float], str]:
    method = rule.method
    if method == "equal":
        return [1.0] * len(group), "equal"
    if method == "weights":
        table = _custom_weights(custom, level)
        weights = [table.get(str(code), 0.0) for code in group.index]
    else:
        weights = [float(v) for v in group[method]]
    if sum(weights) > 0:
        return weights, method
    # Nothing to go on (no history yet, no potential set): equal is the honest fallback.
    return [1.0] * len(group), f"{method}->equal"


# --- time ---------------------------------------------------------------------------------


def _month_weights(
    rule: LevelRule, history: pd.DataFrame, months: Sequence[str], custom: pd.DataFrame | None
) -> tuple[list[float], str]:
    if rule.method == "equal":
        return [1.0] * len(months), "equal"
    if rule.method == "weights":
        table = _custom_weights(custom, "time")
        weights = [table.get(m, table.get(m[5:], 0.0)) for m in months]
        if sum(weights) > 0:
            return weights, "weights"
        return [1.0] * len(months), "weights->equal"
    # Summing per period first keeps the index fit independent of how many rows there are.
    monthly = history.groupby("period", as_index=False)["amount"].sum()
    indices = seasonal_indices(monthly)
    weights = [float(indices[int(m[5:7])]) for m in months]
    flat = str(indices.attrs.get("method", "")).startswith("flat")
    return weights, "seasonal->flat" if flat else "seasonal"


# --- rep x month --------------------------------------------------------------------------


def _fit_reps_to_months(
    reps: pd.DataFrame,
    rep_units: np.ndarray,
    month_units: np.ndarray,
    month_weights: Sequence[float],
    active: np.ndarray,
    months: Sequence[str],
    locks: Mapping[tuple[str, str, str | None], int],
    issues: list[Problem],
    month_locked: bool,
    time_source: Source,
) -> npt.NDArray[np.int64] | None:
    seed = active * np.asarray(month_weights, dtype=float)[None, :]
    grid_fixed = np.zeros((len(reps), len(months)), dtype=np.int64)
    for (level, code, period), amount in locks.items():
        if level == "rep" and period is not None:
            rep_row = int(np.flatnonzero(reps["rep_id"].to_numpy() == code)[0])
            month_col = months.index(period)
            grid_fixed[rep_row, month_col] = amount
            seed[rep_row, month_col] = 0.0
    rows = rep_units - grid_fixed.sum(axis=1)
    cols = month_units - grid_fixed.sum(axis=0)
    for bad_rep in np.flatnonzero(rows < 0):
        issues.append(
            infeasible(
                f"rep {reps['rep_id'][bad_rep]}: month locks add up to more than the rep's "
                "annual target"
            )
        )
    for bad_month in np.flatnonzero(cols < 0):
        if month_locked:
            issues.append(
                infeasible(
                    f"{months[int(bad_month)]}: rep locks add up to more than the locked "
                    "month total",
                    time_source,
                )
            )
    for idle_rep in np.flatnonzero((rows > 0) & (seed.sum(axis=1) <= 0)):
        issues.append(
            infeasible(
                f"rep {reps['rep_id'][idle_rep]} is given a target but has no month in the "
                "plan year "
                "where it can sell (start date, end date or capacity 0); set its capacity rule "
                "or lock it to 0"
            )
        )
    for idle_month in np.flatnonzero((cols > 0) & (seed.sum(axis=0) <= 0)):
        if month_locked:
            issues.append(
                infeasible(
                    f"{months[int(idle_month)]} is locked above zero but no rep can sell "
                    "that month",
                    time_source,
                )
            )
    if issues:
        return None
    if not month_locked:
        # No company month is pinned, so each rep's year simply follows season x ramp over
        # the months the rep can sell; the company's months are the sum of the reps'.
        weights = np.round(seed * _WEIGHT_SCALE / max(seed.max(), 1e-300)).astype(np.int64)
        groups = np.repeat(np.arange(len(reps)), len(months))
        free = allocate_groups(rows.astype(np.int64), weights.reshape(-1), groups)
        return free.reshape(len(reps), len(months)) + grid_fixed
    try:
        fitted = allocate_matrix(rows, cols, seed=seed)
    except AllocationError as exc:
        issues.append(
            infeasible(
                f"the locked company months cannot be met by the reps active in them: {exc}",
                time_source,
            )
        )
        return None
    return np.asarray(fitted, dtype=np.int64) + grid_fixed


# --- channel x product --------------------------------------------------------------------


def _split_mix(
    request: SplitRequest,
    reps: pd.DataFrame,
    grid: npt.NDArray[np.int64],
    months: Sequence[str],
    history: pd.DataFrame,
    method: str,
    issues: list[Problem],
    source: Source,
) -> pd.DataFrame:
    combos = [(c, p) for c in request.channels for p in request.products]
    if not combos:
        issues.append(infeasible("there are no channels or products to split into", source))
        return pd.DataFrame()
    combo_index = {combo: i for i, combo in enumerate(combos)}
    window = set(_months_before(months[0], rule_for(request, "product", "history").lookback or 12))
    recent = history[history["period"].isin(window)]
    company = _mix_vector(recent, combo_index)
    if company.sum() <= 0:
        company = np.ones(len(combos))
    rep_pos = {code: i for i, code in enumerate(reps["rep_id"])}
    seeds = np.zeros((len(reps), len(combos)))
    if method == "equal":
        seeds[:] = 1.0
    else:
        by_rep = recent.groupby(["rep_id", "channel", "product"])["amount"].sum().reset_index()
        for rep, channel, product, amount in by_rep.itertuples(index=False):
            combo = combo_index.get((str(channel), str(product)))
            if rep in rep_pos and combo is not None:
                seeds[rep_pos[rep], combo] += float(amount)
        team_mix = {
            team: seeds[np.flatnonzero(reps["team"].to_numpy() == team)].sum(axis=0)
            for team in reps["team"].unique()
        }
        for r, team in enumerate(reps["team"]):
            if seeds[r].sum() <= 0:
                seeds[r] = team_mix[team] if team_mix[team].sum() > 0 else company
        seeds = seeds / seeds.sum(axis=1, keepdims=True)
        seeds = seeds + _MIX_FLOOR * company / company.sum()
    rep_idx, month_idx = np.nonzero(grid > 0)
    amounts = grid[rep_idx, month_idx]
    if method == "matrix":
        parts = _matrix_mix(grid, seeds, company, issues, source)
        if parts is None:
            return pd.DataFrame()
        values = parts[rep_idx, month_idx, :].reshape(-1)
    else:
        weights = seeds[rep_idx].reshape(-1)
        groups = np.repeat(np.arange(len(amounts)), len(combos))
        values = allocate_groups(amounts.astype(np.int64), weights, groups)
    return pd.DataFrame(
        {
            "rep": np.repeat(rep_idx, len(combos)),
            "month": np.repeat(month_idx, len(combos)),
            "combo": np.tile(np.arange(len(combos)), len(amounts)),
            "units": values,
        }
    ).assign(
        channel=lambda f: [combos[i][0] for i in f["combo"]],
        product=lambda f: [combos[i][1] for i in f["combo"]],
    )


def _mix_vector(frame: pd.DataFrame, combo_index: Mapping[tuple[str, str], int]) -> np.ndarray:
    vector = np.zeros(len(combo_index))
    sums = frame.groupby(["channel", "product"])["amount"].sum().reset_index()
    for channel, product, amount in sums.itertuples(index=False):
        combo = combo_index.get((str(channel), str(product)))
        if combo is not None:
            vector[combo] += float(amount)
    return vector


def _matrix_mix(
    grid: npt.NDArray[np.int64],
    seeds: np.ndarray,
    company: np.ndarray,
    issues: list[Problem],
    source: Source,
) -> np.ndarray | None:
    """Per month, match rep totals and the company's channel x product totals at once."""
    reps_count, month_count = grid.shape
    out = np.zeros((reps_count, month_count, seeds.shape[1]), dtype=np.int64)
    for m in range(month_count):
        column = grid[:, m]
        if column.sum() == 0:
            continue
        combo_totals = np.array(allocate(int(column.sum()), list(company)), dtype=np.int64)
        try:
            fitted = allocate_matrix(column, combo_totals, seed=seeds)
        except AllocationError as exc:
            issues.append(infeasible(f"channel x product two-way split: {exc}", source))
            return None
        out[:, m, :] = np.asarray(fitted, dtype=np.int64)
    return out


# --- weeks --------------------------------------------------------------------------------


def _split_weeks(leaves: pd.DataFrame, months: Sequence[str], country: str | None) -> pd.DataFrame:
    """Each monthly leaf spread over the ISO weeks touching its month, by working days.

    A week that crosses a month boundary gets one row in each month, each carrying the
    working days of its own month, so every month keeps exactly its total.
    """
    per_month = [split_month_into_weeks(month, country) for month in months]
    leaves = leaves[leaves["units"] > 0].reset_index(drop=True)
    counts = np.array([len(per_month[m]) for m in leaves["month"]], dtype=np.int64)
    groups = np.repeat(np.arange(len(leaves)), counts)
    labels = [list(weeks) for weeks in per_month]
    days = [list(weeks.values()) for weeks in per_month]
    week_labels = [w for m in leaves["month"] for w in labels[m]]
    weights = np.array([d for m in leaves["month"] for d in days[m]], dtype=np.int64)
    units = allocate_groups(leaves["units"].to_numpy(dtype=np.int64), weights, groups)
    expanded = leaves.loc[groups].reset_index(drop=True)
    expanded["units"] = units
    expanded["week"] = week_labels
    return expanded


# --- output -------------------------------------------------------------------------------


def _assemble(
    leaves: pd.DataFrame,
    reps: pd.DataFrame,
    months: Sequence[str],
    quarters: Mapping[str, str],
    unit: Fraction,
    as_int: bool,
    method_text: str,
) -> pd.DataFrame:
    weekly = "week" in leaves.columns
    order = ["rep", "month", "week", "combo"] if weekly else ["rep", "month", "combo"]
    leaves = leaves[leaves["units"] > 0].sort_values(order, kind="stable")
    rep_rows = reps.iloc[leaves["rep"].to_numpy()]
    month = [months[i] for i in leaves["month"]]
    period = leaves["week"].tolist() if weekly else month
    if unit.denominator == 1 and as_int:
        target: list[Money] | np.ndarray = leaves["units"].to_numpy() * unit.numerator
    else:
        target = [from_units(int(v), unit, as_int=as_int) for v in leaves["units"]]
    return pd.DataFrame(
        {
            "period": period,
            "month": month,
            "quarter": [quarters[m] for m in month],
            "region": rep_rows["region"].to_numpy(),
            "team": rep_rows["team"].to_numpy(),
            "rep_id": rep_rows["rep_id"].to_numpy(),
            "rep_name": rep_rows["rep_name"].to_numpy(),
            "channel": leaves["channel"].to_numpy(),
            "product": leaves["product"].to_numpy(),
            "target": target,
            "method": method_text,
        }
    )
