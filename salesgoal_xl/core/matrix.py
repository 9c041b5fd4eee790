"""Two-way splits: an integer matrix whose rows and columns both add up to given totals.

The shape comes from a seed (e.g. history by rep x month) balanced by iterative proportional
fitting (IPF, also called RAS); the rounding afterwards keeps both margins exact.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import (
    Amount,
    from_units,
    is_int_amount,
    to_units,
    unit_fraction,
)

_FLOAT64_EXACT = 2**53


@dataclass(frozen=True)
class MatrixFit:
    """A real-valued matrix balanced to the margins, before rounding."""

    values: npt.NDArray[np.float64]
    iterations: int
    margin_error: float
    """Largest absolute gap between a row or column sum and its total, in units."""


def fit_to_margins(
    seed: npt.NDArray[np.float64],
    row_totals: npt.NDArray[np.float64],
    col_totals: npt.NDArray[np.float64],
    *,
    tolerance: float = 1e-9,
    max_iterations: int = 1000,
) -> MatrixFit:
    """Scale rows and columns of ``seed`` in turn until both margins match (IPF / RAS).

    Stops when every row and column sum is within ``tolerance`` (relative to the largest
    total) or after ``max_iterations`` rounds; the rounding step copes with what is left.
    """
    values = seed.astype(np.float64, copy=True)
    scale = max(float(row_totals.max(initial=0.0)), 1.0)
    margin_error = float("inf")
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        row_sums = values.sum(axis=1)
        values *= np.divide(row_totals, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)[
            :, None
        ]
        col_sums = values.sum(axis=0)
        values *= np.divide(col_totals, col_sums, out=np.zeros_like(col_sums), where=col_sums > 0)[
            None, :
        ]
        margin_error = max(
            float(np.abs(values.sum(axis=1) - row_totals).max(initial=0.0)),
            float(np.abs(values.sum(axis=0) - col_totals).max(initial=0.0)),
        )
        if margin_error <= tolerance * scale:
            break
    return MatrixFit(values=values, iterations=iterations, margin_error=margin_error)


def _margin_units(values: Sequence[Amount] | npt.ArrayLike, what: str, unit: object) -> list[int]:
    exact_unit = unit_fraction(unit)
    array = np.asarray(values)
    if np.issubdtype(array.dtype, np.integer) and exact_unit == 1:
        # Integer unit counts already: skip the exact per-element conversion (hot in splits).
        negative = np.flatnonzero(array.ravel() < 0)
        if negative.size:
            index = int(negative[0])
            raise AllocationError(
                f"{what}[{index}] must be >= 0 (got {int(array.ravel()[index])})."
            )
        return [int(v) for v in array.ravel().tolist()]
    items = np.asarray(values, dtype=object).ravel().tolist()
    units = []
    for index, value in enumerate(items):
        count = to_units(value, exact_unit, what, index, shown_unit=unit)
        if count < 0:
            raise AllocationError(f"{what}[{index}] must be >= 0 (got {value!r}).")
        units.append(count)
    return units


def _seed_array(seed: npt.ArrayLike | None, shape: tuple[int, int]) -> npt.NDArray[np.float64]:
    if seed is None:
        return np.ones(shape, dtype=np.float64)
    try:
        array = np.asarray(seed, dtype=np.float64)
    except (TypeError, ValueError):
        raise AllocationError("seed must be a 2-D array of numbers.") from None
    if array.shape != shape:
        raise AllocationError(
            f"seed has shape {array.shape} but the totals need {shape} "
            "(one row per row total, one column per column total)."
        )
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise AllocationError(
            f"seed[{row}, {col}] must be a finite number >= 0 (got {array[row, col]})."
        )
    return array


def allocate_matrix(
    row_totals: Sequence[Amount] | npt.ArrayLike,
    col_totals: Sequence[Amount] | npt.ArrayLike,
    *,
    seed: npt.ArrayLike | None = None,
    unit: Amount = 1,
    tolerance: float = 1e-9,
    max_iterations: int = 1000,
) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
    """A matrix in multiples of ``unit`` whose rows and columns add up exactly to the totals.

    The shape follows ``seed`` (non-negative, e.g. last year's rep x month actuals; None
    means uniform): IPF balances it to the margins, then each cell gets the floor of its
    fitted value and the units still missing go, one per cell, to the cells with the largest
    fractional parts whose row and column both still lack units (ties: lower row, then lower
    column). Should that greedy pass get stuck, shortest augmenting paths (max-flow) move
    units between cells until both margins are met, so a feasible request always succeeds.
    Cells that are zero in the seed stay zero.

    Returns an int64 array when the totals and ``unit`` are all ints, otherwise an object
    array of exact Decimals. Totals follow ``allocate``'s rules (int/Decimal/float read as
    printed, multiples of ``unit``, >= 0).

    Raises AllocationError when the grand totals differ, a seed value is negative or not
    finite, a row or column with a positive total has an all-zero seed line, or the seed's
    zero pattern leaves no way to meet both margins.
    """
    rows = _margin_units(row_totals, "row_totals", unit)
    cols = _margin_units(col_totals, "col_totals", unit)
    exact_unit = unit_fraction(unit)
    as_int = (
        is_int_amount(unit)
        and all(is_int_amount(v) for v in np.asarray(row_totals, dtype=object).ravel())
        and all(is_int_amount(v) for v in np.asarray(col_totals, dtype=object).ravel())
    )
    if sum(rows) != sum(cols):
        raise AllocationError(
            f"row_totals add up to {from_units(sum(rows), exact_unit, as_int=as_int)} but "
            f"col_totals add up to {from_units(sum(cols), exact_unit, as_int=as_int)}; "
            "both margins must have the same grand total."
        )
    if max([*rows, *cols], default=0) >= _FLOAT64_EXACT:
        raise AllocationError("a total is too large: it must stay below 2**53 units.")
    weights = _seed_array(seed, (len(rows), len(cols)))
    row_units = np.array(rows, dtype=np.int64)
    col_units = np.array(cols, dtype=np.int64)
    _check_zero_lines(weights, row_units, col_units)

    support = weights > 0
    fit = fit_to_margins(
        weights,
        row_units.astype(np.float64),
        col_units.astype(np.float64),
        tolerance=tolerance,
        max_iterations=max_iterations,
    )
    counts = round_to_margins(fit.values, row_units, col_units, support)
    if as_int:
        return counts * int(exact_unit)
    out = np.empty(counts.shape, dtype=object)
    for position, count in np.ndenumerate(counts):
        out[position] = from_units(int(count), exact_unit, as_int=False)
    return out


def _check_zero_lines(
    weights: npt.NDArray[np.float64],
    row_units: npt.NDArray[np.int64],
    col_units: npt.NDArray[np.int64],
) -> None:
    empty_rows = (weights.sum(axis=1) == 0) & (row_units > 0)
    if empty_rows.any():
        row = int(np.flatnonzero(empty_rows)[0])
        raise AllocationError(
            f"row_totals[{row}] is {row_units[row]} units but seed row {row} is all zero, "
            "so nothing can go there; give that row a seed value > 0 or a total of 0."
        )
    empty_cols = (weights.sum(axis=0) == 0) & (col_units > 0)
    if empty_cols.any():
        col = int(np.flatnonzero(empty_cols)[0])
        raise AllocationError(
            f"col_totals[{col}] is {col_units[col]} units but seed column {col} is all zero, "
            "so nothing can go there; give that column a seed value > 0 or a total of 0."
        )


def round_to_margins(
    fitted: npt.NDArray[np.float64],
    row_units: npt.NDArray[np.int64],
    col_units: npt.NDArray[np.int64],
    support: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Integer cells on ``support`` with exactly the given margins, close to ``fitted``."""
    fitted = np.where(support, np.maximum(fitted, 0.0), 0.0)
    counts = np.floor(fitted).astype(np.int64)
    fractions = fitted - counts
    # An unconverged fit can overshoot a margin; take back the least-deserved units first.
    _trim_overshoot(counts, fractions, row_units, axis=1)
    _trim_overshoot(counts, fractions, col_units, axis=0)
    floors = counts.copy()
    row_missing = row_units - counts.sum(axis=1)
    col_missing = col_units - counts.sum(axis=0)

    cell_rows, cell_cols = np.nonzero(support)
    cell_fractions = fractions[cell_rows, cell_cols]
    order = np.lexsort((cell_cols, cell_rows, -cell_fractions))
    outstanding = int(row_missing.sum())
    row_left = row_missing.tolist()
    col_left = col_missing.tolist()
    for row, col in zip(cell_rows[order].tolist(), cell_cols[order].tolist(), strict=True):
        if outstanding == 0:
            break
        if row_left[row] > 0 and col_left[col] > 0:
            counts[row, col] += 1
            row_left[row] -= 1
            col_left[col] -= 1
            outstanding -= 1
    if outstanding:
        _augment(counts, floors, support, row_left, col_left)
    return counts


def _trim_overshoot(
    counts: npt.NDArray[np.int64],
    fractions: npt.NDArray[np.float64],
    totals: npt.NDArray[np.int64],
    axis: int,
) -> None:
    over = counts.sum(axis=axis) - totals
    for line in np.flatnonzero(over > 0).tolist():
        cells = counts[line, :] if axis == 1 else counts[:, line]
        line_fractions = fractions[line, :] if axis == 1 else fractions[:, line]
        excess = int(over[line])
        for cell in np.argsort(line_fractions, kind="stable").tolist():
            take = min(int(cells[cell]), excess)
            cells[cell] -= take
            excess -= take
            if excess == 0:
                break


def _augment(
    counts: npt.NDArray[np.int64],
    floors: npt.NDArray[np.int64],
    support: npt.NDArray[np.bool_],
    row_left: list[int],
    col_left: list[int],
) -> None:
    """Meet both margins by moving units along shortest augmenting paths (max-flow).

    A path adds a unit at (row, col), removes one at (row2, col), adds one at (row2, col2),
    and so on, ending in a column that still lacks units. The first pass only moves cells
    between their floor and floor + 1, which keeps every cell within one unit of the fit
    (always possible when the fit meets the margins); if that pass gets stuck, any cell on
    the support may move. No path at all means no matrix on this zero pattern has these
    margins.
    """
    no_limit = np.iinfo(np.int64).max
    within_one = _augment_within(
        counts, support, row_left, col_left, add_limit=floors + 1, remove_limit=floors
    )
    if within_one:
        return
    unlimited = np.full(counts.shape, no_limit, dtype=np.int64)
    if not _augment_within(
        counts, support, row_left, col_left, add_limit=unlimited, remove_limit=np.zeros_like(counts)
    ):
        short_rows = [row for row, left in enumerate(row_left) if left > 0]
        short_cols = [col for col, left in enumerate(col_left) if left > 0]
        raise AllocationError(
            "the seed's zero cells leave no way to meet both the row and the column totals "
            f"(rows still short: {short_rows}; columns still short: {short_cols}); "
            "allow more cells."
        )


def _augment_within(
    counts: npt.NDArray[np.int64],
    support: npt.NDArray[np.bool_],
    row_left: list[int],
    col_left: list[int],
    *,
    add_limit: npt.NDArray[np.int64],
    remove_limit: npt.NDArray[np.int64],
) -> bool:
    """Augment while paths exist inside the limits; True when both margins are met."""
    row_count = counts.shape[0]
    while any(row_left):
        roots = [row for row in range(row_count) if row_left[row] > 0]
        reached_row_from: dict[int, int] = {}
        reached_col_from: dict[int, int] = {}
        seen_rows = set(roots)
        queue = deque(roots)
        end_col = -1
        while queue and end_col < 0:
            row = queue.popleft()
            open_cols = np.flatnonzero(support[row] & (counts[row] < add_limit[row])).tolist()
            for col in open_cols:
                if col in reached_col_from:
                    continue
                reached_col_from[col] = row
                if col_left[col] > 0:
                    end_col = col
                    break
                for other in np.flatnonzero(counts[:, col] > remove_limit[:, col]).tolist():
                    if other not in seen_rows:
                        seen_rows.add(other)
                        reached_row_from[other] = col
                        queue.append(other)
        if end_col < 0:
            return False
        additions: list[tuple[int, int]] = []
        removals: list[tuple[int, int]] = []
        col = end_col
        while True:
            row = reached_col_from[col]
            additions.append((row, col))
            if row not in reached_row_from:
                break
            col = reached_row_from[row]
            removals.append((row, col))
        root = additions[-1][0]
        step = min(
            row_left[root],
            col_left[end_col],
            *(int(add_limit[cell] - counts[cell]) for cell in additions),
            *(int(counts[cell] - remove_limit[cell]) for cell in removals),
        )
        for cell in additions:
            counts[cell] += step
        for cell in removals:
            counts[cell] -= step
        row_left[root] -= step
        col_left[end_col] -= step
    return True
