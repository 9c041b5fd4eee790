"""allocate_matrix(): both margins exact, zero cells kept, shape close to the seed."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings

from salesgoal_xl.core import AllocationError, allocate_matrix
from salesgoal_xl.core.matrix import fit_to_margins
from tests.core.strategies import MatrixProblem, matrix_problems


@given(problem=matrix_problems())
@settings(max_examples=150)
def test_margins_are_exact_and_zero_cells_stay_zero(problem: MatrixProblem) -> None:
    """Rows and columns add up exactly, in multiples of the unit, with no seed-zero cell used."""
    matrix = allocate_matrix(
        problem.row_totals, problem.col_totals, seed=problem.seed, unit=problem.unit
    )
    assert matrix.dtype == np.int64
    assert matrix.sum(axis=1).tolist() == problem.row_totals
    assert matrix.sum(axis=0).tolist() == problem.col_totals
    assert (matrix[problem.seed == 0] == 0).all()
    assert (matrix % problem.unit == 0).all()
    assert (matrix >= 0).all()


@given(problem=matrix_problems())
@settings(max_examples=40)
def test_same_request_gives_the_same_matrix(problem: MatrixProblem) -> None:
    """allocate_matrix is deterministic."""
    first = allocate_matrix(problem.row_totals, problem.col_totals, seed=problem.seed)
    again = allocate_matrix(problem.row_totals, problem.col_totals, seed=problem.seed.copy())
    assert np.array_equal(first, again)


@given(problem=matrix_problems())
@settings(max_examples=60)
def test_full_seed_cells_stay_within_one_unit_of_the_fit(problem: MatrixProblem) -> None:
    """With no zero cells in the seed, every cell is within one unit of the balanced fit."""
    seed = np.where(problem.seed > 0, problem.seed, 1.0)
    matrix = allocate_matrix(problem.row_totals, problem.col_totals, seed=seed)
    fit = fit_to_margins(
        seed,
        np.array(problem.row_totals, dtype=float),
        np.array(problem.col_totals, dtype=float),
    )
    assert np.abs(matrix - fit.values).max(initial=0.0) < 1 + 1e-6


def test_uniform_seed_splits_evenly() -> None:
    """With no seed, 10 and 20 across two columns of 15 give 5, 5 and 10, 10."""
    assert allocate_matrix([10, 20], [15, 15]).tolist() == [[5, 5], [10, 10]]


def test_seed_shape_is_followed() -> None:
    """A seed whose proportions already fit the margins is reproduced scaled."""
    seed = [[1, 3], [2, 6]]
    assert allocate_matrix([40, 80], [30, 90], seed=seed).tolist() == [[10, 30], [20, 60]]


def test_stuck_greedy_is_rescued_by_moving_units() -> None:
    """When a zero cell blocks the greedy rounding, units are moved along a path instead."""
    matrix = allocate_matrix([3, 3], [2, 4], seed=[[1, 1], [0, 1]])
    assert matrix.tolist() == [[2, 1], [0, 3]]


def test_forced_pattern_is_found() -> None:
    """A diagonal-only seed forces the diagonal, and zero rows or columns stay zero."""
    matrix = allocate_matrix([5, 5, 0], [5, 5], seed=[[1, 0], [1, 1], [0, 0]])
    assert matrix.tolist() == [[5, 0], [0, 5], [0, 0]]


def test_decimal_cents() -> None:
    """Decimal totals in cents give an object array of Decimals on the cent scale."""
    matrix = allocate_matrix(
        [Decimal("1.00"), Decimal("2.00")], [Decimal("1.50"), Decimal("1.50")], unit=0.01
    )
    assert matrix.dtype == object
    assert matrix.tolist() == [
        [Decimal("0.50"), Decimal("0.50")],
        [Decimal("1.00"), Decimal("1.00")],
    ]


def test_thousands_unit() -> None:
    """With unit 1000 every cell is a multiple of 1000 and the margins still hold."""
    matrix = allocate_matrix([10_000, 5_000], [7_000, 8_000], unit=1000)
    assert matrix.sum(axis=1).tolist() == [10_000, 5_000]
    assert matrix.sum(axis=0).tolist() == [7_000, 8_000]
    assert (matrix % 1000 == 0).all()


@pytest.mark.parametrize(
    ("rows", "cols", "seed", "unit", "message"),
    [
        ([10, 5], [10, 6], None, 1, "row_totals add up to 15 but col_totals add up to 16"),
        ([10, 5], [10, 5], [[1, 1], [0, 0]], 1, "row_totals[1] is 5 units but seed row 1"),
        ([10, 5], [10, 5], [[1, 0], [1, 0]], 1, "col_totals[1] is 5 units but seed column 1"),
        ([10, 5], [10, 5], [[1, -1], [1, 1]], 1, "seed[0, 1] must be a finite number >= 0"),
        ([10, 5], [10, 5], [[1, np.nan], [1, 1]], 1, "seed[0, 1] must be a finite number"),
        ([10, 5], [10, 5], [[1, 1, 1], [1, 1, 1]], 1, "seed has shape (2, 3)"),
        ([-10, 10], [0, 0], None, 1, "row_totals[0] must be >= 0 (got -10)"),
        ([150, 50], [100, 100], None, 100, "row_totals[0] must be a multiple of the unit 100"),
        ([3, 3], [6, 0], [[0, 1], [1, 1]], 1, "no way to meet both the row and the column"),
        ([1], [1], None, 0, "unit must be > 0"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    rows: list[int], cols: list[int], seed: object, unit: int, message: str
) -> None:
    """Impossible or malformed matrix requests raise AllocationError naming the input."""
    with pytest.raises(AllocationError) as caught:
        allocate_matrix(rows, cols, seed=seed, unit=unit)  # type: ignore[arg-type]
    assert message in str(caught.value)
