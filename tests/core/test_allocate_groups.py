"""allocate_groups(): the vectorised group-wise split agrees exactly with allocate()."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings

from salesgoal_xl.core import AllocationError, allocate, allocate_groups
from salesgoal_xl.core.allocation import _rank_within_groups
from tests.core.strategies import GroupProblem, group_problems


def _one_by_one(problem: GroupProblem, weights: object = None) -> list[int]:
    member_weights = problem.weights if weights is None else weights
    expected = [0] * problem.groups.size
    for group, total in enumerate(problem.totals.tolist()):
        members = np.flatnonzero(problem.groups == group)
        parts = allocate(total, [member_weights[i] for i in members], unit=problem.unit)  # type: ignore[index]
        for member, part in zip(members, parts, strict=True):
            expected[member] = int(part)
    return expected


@given(problem=group_problems())
@settings(max_examples=150)
def test_matches_allocate_group_by_group(problem: GroupProblem) -> None:
    """Every member's amount equals what allocate() gives for its group alone."""
    amounts = allocate_groups(problem.totals, problem.weights, problem.groups, unit=problem.unit)
    assert amounts.dtype == np.int64
    assert amounts.tolist() == _one_by_one(problem)


@given(problem=group_problems())
@settings(max_examples=100)
def test_group_sums_are_exact_multiples_of_the_unit(problem: GroupProblem) -> None:
    """Each group's amounts add up to its total and are multiples of the unit."""
    amounts = allocate_groups(problem.totals, problem.weights, problem.groups, unit=problem.unit)
    sums = np.zeros(problem.totals.size, dtype=np.int64)
    np.add.at(sums, problem.groups, amounts)
    assert sums.tolist() == problem.totals.tolist()
    assert (amounts % problem.unit == 0).all()


@given(problem=group_problems())
@settings(max_examples=60)
def test_float_weights_match_allocate_reading_them_as_printed(problem: GroupProblem) -> None:
    """Float weights with a few decimals give the same answer as allocate() on those floats."""
    floats = problem.weights / 1000.0
    amounts = allocate_groups(problem.totals, floats, problem.groups, unit=problem.unit)
    assert amounts.tolist() == _one_by_one(problem, floats.tolist())


def test_worked_example() -> None:
    """100 over three equal weights and 10 over 2:3 give 34, 33, 33 and 4, 6."""
    amounts = allocate_groups([100, 10], [1, 1, 1, 2, 3], np.array([0, 0, 0, 1, 1]))
    assert amounts.tolist() == [34, 33, 33, 4, 6]


def test_members_may_come_in_any_order() -> None:
    """Interleaved group members get the same amounts as when grouped together."""
    amounts = allocate_groups(np.array([100, 10]), np.array([1, 2, 1, 3, 1]), [0, 1, 0, 1, 0])
    assert amounts.tolist() == [34, 4, 33, 6, 33]


def test_rounding_unit_in_minor_units() -> None:
    """Cents with a unit of 100 round to whole currency units within each group."""
    amounts = allocate_groups(np.array([1_000_00]), np.array([1, 1, 1]), [0, 0, 0], unit=100)
    assert amounts.tolist() == [334_00, 333_00, 333_00]


def test_weights_too_large_for_int64_take_the_exact_path() -> None:
    """Weights whose products would overflow int64 are still split exactly, like allocate()."""
    weights = [2**61, 2**61 + 1, 3]
    amounts = allocate_groups(np.array([10**6 + 1]), np.array(weights, dtype=np.int64), [0, 0, 0])
    assert amounts.tolist() == allocate(10**6 + 1, weights)


def test_decimal_weights_take_the_exact_path() -> None:
    """Decimal weights (an object array) give the same answer as allocate()."""
    weights = np.array([Decimal("0.1"), Decimal("0.2"), Decimal("0.7")], dtype=object)
    amounts = allocate_groups(np.array([101]), weights, [0, 0, 0])
    assert amounts.tolist() == allocate(101, list(weights))


def test_zero_total_groups_may_have_zero_weights_or_no_members() -> None:
    """A group with nothing to split may have zero weights, or no members at all."""
    amounts = allocate_groups(np.array([0, 0, 5]), np.array([0, 0, 1]), [0, 0, 2])
    assert amounts.tolist() == [0, 0, 5]


def test_near_equal_remainders_are_ranked_exactly() -> None:
    """Remainders too close for the packed float key are re-ranked exactly (6 before 5)."""
    # A large group number leaves few bits for the fraction, so 5 and 6 quantise alike.
    groups = np.array([2**40, 2**40], dtype=np.intp)
    remainders = np.array([5, 6], dtype=np.int64)
    group_weights = np.array([2**61, 2**61], dtype=np.int64)
    weights = np.array([1, 1], dtype=np.int64)
    assert _rank_within_groups(groups, remainders, group_weights, weights).tolist() == [1, 0]


def test_equal_remainders_rank_by_weight_then_index() -> None:
    """Equal remainders put the larger weight first, then the lower index."""
    groups = np.array([0, 0, 0, 1], dtype=np.intp)
    remainders = np.array([3, 3, 3, 0], dtype=np.int64)
    group_weights = np.array([10, 10, 10, 4], dtype=np.int64)
    weights = np.array([1, 2, 1, 4], dtype=np.int64)
    assert _rank_within_groups(groups, remainders, group_weights, weights).tolist() == [1, 0, 2, 3]


@pytest.mark.parametrize(
    ("totals", "weights", "groups", "unit", "message"),
    [
        ([1.5], [1], [0], 1, "group_totals must be a 1-D array of integers"),
        ([10], [1, 1], [0], 1, "weights has 2 values but groups has 1"),
        ([10], [1], [1], 1, "groups[0] must be a group index in 0..0 (got 1)"),
        ([10], [1], [0.0], 1, "groups must be a 1-D array of group indexes"),
        ([-10], [1], [0], 1, "group_totals[0] must be >= 0 (got -10)"),
        ([150], [1], [0], 100, "group_totals[0] must be a multiple of the unit 100 (got 150)"),
        ([10], [1], [0], 0, "unit must be an int > 0"),
        ([10], [-1], [0], 1, "weights[0] must be >= 0 (got -1)"),
        ([10], [np.nan], [0], 1, "weights[0] must be a finite number"),
        ([10, 5], [1, 1], [0, 0], 1, "group 1 has no members"),
        ([10, 5], [1, 0], [0, 1], 1, "group 1 has weights adding up to 0"),
    ],
)
def test_bad_inputs_say_what_is_wrong(
    totals: list[float], weights: list[float], groups: list[float], unit: int, message: str
) -> None:
    """Malformed or impossible group requests raise AllocationError naming the input."""
    with pytest.raises(AllocationError) as caught:
        allocate_groups(np.array(totals), np.array(weights), np.array(groups), unit=unit)
    assert message in str(caught.value)
