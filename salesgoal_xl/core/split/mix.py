"""The split over channel x product: each rep-month by the rep's own history mix (team, then
company mix when a rep has none), equally, or by a two-way fit that also matches the
company's channel x product totals for the month (the `matrix` method)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import allocate, allocate_groups
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.matrix import allocate_matrix
from salesgoal_xl.core.problems import Problem, Source
from salesgoal_xl.core.split.inputs import lookback_window
from salesgoal_xl.core.split.request import SplitRequest, infeasible, rule_for

# A tiny share of the company mix in every rep's seed keeps the two-way fits feasible (a
# combination sold only by people who left still needs someone to carry it) without
# visibly moving anyone's own mix.
_MIX_FLOOR = 1e-6


def split_mix(
    request: SplitRequest,
    reps: pd.DataFrame,
    grid: npt.NDArray[np.int64],
    months: Sequence[str],
    history: pd.DataFrame,
    method: str,
    issues: list[Problem],
    source: Source,
) -> pd.DataFrame:
    """Long frame of rep, month, combo, units, channel, product: each rep-month's units over
    channel x product by `method`; empty (with issues) when it cannot be done."""
    combos = [(c, p) for c in request.channels for p in request.products]
    if not combos:
        issues.append(infeasible("there are no channels or products to split into", source))
        return pd.DataFrame()
    combo_index = {combo: i for i, combo in enumerate(combos)}
    window = lookback_window(months[0], rule_for(request, "product", "history").lookback)
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
