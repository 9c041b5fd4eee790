"""The split over time: the company's year over the fiscal months (seasonal index, history,
custom or equal weights, with month locks), then each rep's year over the months it can sell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import allocate_groups
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.matrix import allocate_matrix
from salesgoal_xl.core.problems import Problem, Source
from salesgoal_xl.core.seasonality import seasonal_indices
from salesgoal_xl.core.split.inputs import custom_weights
from salesgoal_xl.core.split.locks import LockKey
from salesgoal_xl.core.split.request import LevelRule, infeasible

# Float weights are turned into integers at this resolution so splits stay exact and fast.
_WEIGHT_SCALE = 1e9


def month_weights(
    rule: LevelRule, history: pd.DataFrame, months: Sequence[str], custom: pd.DataFrame | None
) -> tuple[list[float], str]:
    """Each plan month's weight by the time rule (`seasonal_indices` of company history by
    default), and the method used, e.g. 'seasonal->flat' when history is too short."""
    if rule.method == "equal":
        return [1.0] * len(months), "equal"
    if rule.method == "weights":
        table = custom_weights(custom, "time")
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


def fit_reps_to_months(
    reps: pd.DataFrame,
    rep_units: npt.NDArray[np.int64],
    month_units: npt.NDArray[np.int64],
    month_weights: Sequence[float],
    active: npt.NDArray[np.float64],
    months: Sequence[str],
    locks: Mapping[LockKey, int],
    issues: list[Problem],
    month_locked: bool,
    time_source: Source,
) -> npt.NDArray[np.int64] | None:
    """Rep x month units adding up to each rep's year (and, with a locked company month, to
    every month's total too), with rep-month locks kept; None (with issues) if impossible."""
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
