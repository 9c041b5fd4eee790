"""Timing figures for the allocation core (run by `make bench`; prints, asserts, not a test).

1. allocate_groups on 1,000,000 weights in 10,000 groups against the same largest-remainder
   rule written as a plain Python loop (one sort per group); both must agree exactly.
2. allocate_matrix on a 1,000 rep x 52 week plan, with how far the rounded cells land from
   the IPF-balanced seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from salesgoal_xl.core import allocate_groups, allocate_matrix
from salesgoal_xl.core.matrix import fit_to_margins

Result = TypeVar("Result")

MEMBERS = 1_000_000
GROUPS = 10_000
REPS, WEEKS = 1_000, 52
UNIT = 100  # targets in cents, rounded to whole currency units


def best_of_three(run: Callable[[], Result]) -> tuple[float, Result]:
    """Fastest wall time of three runs, and the last result."""
    best = float("inf")
    result: Result | None = None
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def largest_remainder_loop(
    totals: list[int], weights: list[int], groups: list[int], unit: int
) -> list[int]:
    """The reference: per group, floor of each exact share, then leftovers by remainder."""
    members: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        members.setdefault(group, []).append(index)
    amounts = [0] * len(weights)
    for group, indexes in members.items():
        total_units = totals[group] // unit
        weight_sum = sum(weights[i] for i in indexes)
        if weight_sum == 0:
            continue
        parts = {}
        remainders = {}
        for i in indexes:
            share = total_units * weights[i]
            parts[i], remainders[i] = divmod(share, weight_sum)
        leftover = total_units - sum(parts.values())
        ranked = sorted(indexes, key=lambda i: (-remainders[i], -weights[i], i))
        for i in ranked[:leftover]:
            parts[i] += 1
        for i in indexes:
            amounts[i] = parts[i] * unit
    return amounts


def bench_groups() -> None:
    rng = np.random.default_rng(2026)
    groups = rng.integers(0, GROUPS, MEMBERS)
    weights = rng.integers(0, 5_000_000, MEMBERS)  # e.g. last year's actuals in cents
    totals = rng.integers(1_000, 50_000_000, GROUPS) * UNIT

    vector_time, vector = best_of_three(lambda: allocate_groups(totals, weights, groups, unit=UNIT))
    totals_list, weights_list, groups_list = totals.tolist(), weights.tolist(), groups.tolist()
    loop_time, loop = best_of_three(
        lambda: largest_remainder_loop(totals_list, weights_list, groups_list, UNIT)
    )
    assert vector.tolist() == loop, "vectorised and loop results differ"
    assert (np.bincount(groups, weights=vector, minlength=GROUPS) == totals).all()
    print(f"allocate_groups: {MEMBERS:,} weights in {GROUPS:,} groups")
    print(f"  vectorised (numpy)  {vector_time:8.3f} s   (target < 0.3 s)")
    print(f"  plain Python loop   {loop_time:8.3f} s")
    print(f"  speed-up            {loop_time / vector_time:8.1f} x  (target >= 5x); identical")

    equal_time, _ = best_of_three(
        lambda: allocate_groups(totals, np.ones(MEMBERS, dtype=np.int64), groups, unit=UNIT)
    )
    float_weights = np.round(rng.random(MEMBERS) * 1000, 2)
    float_time, _ = best_of_three(lambda: allocate_groups(totals, float_weights, groups, unit=UNIT))
    print(f"  equal weights       {equal_time:8.3f} s   (all ties)")
    print(f"  2-decimal floats    {float_time:8.3f} s")


def bench_matrix() -> None:
    rng = np.random.default_rng(52)
    season = 1 + 0.3 * np.sin(np.linspace(0, 2 * np.pi, WEEKS))
    seed = rng.gamma(4.0, 1.0, (REPS, 1)) * season * rng.gamma(8.0, 0.125, (REPS, WEEKS))
    seed[rng.random(seed.shape) < 0.05] = 0.0  # weeks a rep sold nothing
    row_units = rng.integers(50_000, 2_000_000, REPS)
    col_units = rng.multinomial(int(row_units.sum()), season / season.sum())
    rows, cols = (row_units * UNIT).tolist(), (col_units * UNIT).tolist()

    matrix_time, matrix = best_of_three(lambda: allocate_matrix(rows, cols, seed=seed, unit=UNIT))
    assert matrix.sum(axis=1).tolist() == rows and matrix.sum(axis=0).tolist() == cols
    assert (matrix[seed == 0] == 0).all()
    fit = fit_to_margins(seed, row_units.astype(float), col_units.astype(float))
    cells = matrix // UNIT
    gap = np.abs(cells - fit.values)
    used = fit.values >= 1.0
    relative = (gap[used] / fit.values[used]).max()
    print(f"allocate_matrix: {REPS:,} reps x {WEEKS} weeks, 5% zero cells, unit {UNIT}")
    print(f"  time (best of 3)    {matrix_time:8.3f} s   ({fit.iterations} IPF rounds)")
    print("  margins             exact; zero cells kept")
    print(f"  max |cell - fit|    {gap.max():8.3f} units")
    print(f"  max relative dev.   {relative:8.2e}   (cells with fit >= 1 unit)")
    print(f"  IPF margin residual {fit.margin_error:8.2e} units before rounding")


if __name__ == "__main__":
    bench_groups()
    bench_matrix()
