"""The plan split's order of work: one company target to exact leaf targets per month, rep,
channel and product, each step delegated to its module (org, months, mix, weeks).

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

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.errors import AllocationError, CalendarError
from salesgoal_xl.core.money import Money, from_units, is_int_amount, to_units
from salesgoal_xl.core.money import unit_fraction as _unit_fraction
from salesgoal_xl.core.problems import Problem
from salesgoal_xl.core.split.guard import GuardRails, apply_guard_rails, rep_plan, rep_years
from salesgoal_xl.core.split.inputs import activity, history_frame, recent_totals
from salesgoal_xl.core.split.locks import (
    annual_org_locks,
    check_lock_targets,
    lock_key,
    lock_units,
)
from salesgoal_xl.core.split.mix import split_mix
from salesgoal_xl.core.split.months import fit_reps_to_months, month_weights
from salesgoal_xl.core.split.org import split_org
from salesgoal_xl.core.split.request import (
    MIX_METHODS,
    TIME_METHODS,
    Progress,
    SplitInfeasible,
    SplitRequest,
    SplitResult,
    infeasible,
    method_known,
    rule_for,
)
from salesgoal_xl.core.split.weeks import split_weeks


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
    locks = lock_units(request.locks, unit, request.unit, issues)
    check_lock_targets(
        locks, {lock_key(lock): lock.source for lock in request.locks}, reps, months, issues
    )
    time_rule = rule_for(request, "time", "seasonal")
    channel_rule = rule_for(request, "channel", "history")
    product_rule = rule_for(request, "product", "history")
    method_known(time_rule, TIME_METHODS, issues)
    method_known(channel_rule, MIX_METHODS, issues)
    method_known(product_rule, MIX_METHODS, issues)
    if issues:
        raise SplitInfeasible(issues)

    report(0.05, "reading history")
    history = history_frame(request.history)
    active = activity(reps, months, request.ramp)
    rep_lookback = rule_for(request, "rep", "history").lookback
    rep_history = recent_totals(history, months[0], list(reps["rep_id"]), rep_lookback)

    report(0.15, "splitting across the organisation")
    org = split_org(request, reps, rep_history, active, issues, months)
    if issues or org is None:
        raise SplitInfeasible(issues)
    org_methods, level_totals = org.methods, org.level_totals
    years = rep_years(reps, history, months)
    rep_locks = {
        lock.code: to_units(lock.amount, unit, "locked target")
        for lock in annual_org_locks(request.locks)
        if lock.level == "rep"
    }
    guarded = apply_guard_rails(
        reps,
        org.rep_units,
        years,
        GuardRails(request.max_rise, request.max_cut),
        unit,
        months,
        request.ramp,
        rep_locks,
        org_methods["rep"],
    )
    rep_units = guarded.units
    level_totals["rep"] = pd.DataFrame(
        {"code": [str(r) for r in reps["rep_id"]], "target": [int(u) for u in rep_units]}
    )
    plan_rows = rep_plan(reps, rep_units, years, guarded.reasons, unit, org_methods["rep"])

    report(0.35, "spreading over the months")
    weights, time_method = month_weights(time_rule, history, months, request.weights)
    grand = int(rep_units.sum())
    month_locks = [locks.get(("time", "", m)) for m in months]
    try:
        month_units = np.array(allocate(grand, weights, locked=month_locks), dtype=np.int64)
    except AllocationError as exc:
        raise SplitInfeasible([infeasible(f"months: {exc}", time_rule.source)]) from None

    report(0.45, "fitting reps to months")
    grid = fit_reps_to_months(
        reps,
        rep_units,
        month_units,
        weights,
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
    leaves = split_mix(
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
            leaves = split_weeks(leaves, months, request.country)
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
        org.over_assignment,
        plan_rows,
    )


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
