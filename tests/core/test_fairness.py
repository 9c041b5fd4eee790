"""The Gini coefficient against hand cases and the direct O(n^2) definition."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core.fairness import FairnessError, gini


def direct_gini(values: list[int]) -> Fraction:
    """The definition itself, exactly: sum of all |x_i - x_j| over 2 n sum(x)."""
    total = sum(values)
    if total == 0:
        return Fraction(0)
    spread = sum(abs(a - b) for a in values for b in values)
    return Fraction(spread, 2 * len(values) * total)


def test_equal_values_have_no_inequality() -> None:
    """Five reps on the same target: 0."""
    assert gini([100, 100, 100, 100, 100]) == 0.0


def test_one_holder_of_everything() -> None:
    """One of four holds it all: (n - 1) / n = 0.75."""
    assert gini([0, 0, 0, 400]) == pytest.approx(0.75)


def test_hand_computed_case() -> None:
    """1, 2, 3: pairwise differences sum to 8; 8 / (2 x 3 x 6) = 2/9."""
    assert gini([1, 2, 3]) == pytest.approx(2 / 9)


def test_order_and_shape_do_not_matter() -> None:
    """A 2-D block and its shuffled flat form give the same figure."""
    assert gini(np.array([[3, 1], [2, 0]])) == pytest.approx(gini([0, 2, 1, 3]))


def test_all_zero_counts_as_equal() -> None:
    """Nobody has anything: equal, 0."""
    assert gini([0, 0]) == 0.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "values is empty"),
        ([1, -2], r"values\[1\] must be >= 0"),
        ([1, float("nan")], r"values\[1\] must be a finite number"),
        (["a", "b"], "values must be numbers"),
    ],
)
def test_bad_values_are_refused(values: list[object], message: str) -> None:
    """Empty, negative, NaN and non-numbers each say what was wrong."""
    with pytest.raises(FairnessError, match=message):
        gini(values)


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=60))
def test_matches_the_direct_definition(values: list[int]) -> None:
    """The sorted-rank formula equals the O(n^2) definition to float precision."""
    assert gini(values) == pytest.approx(float(direct_gini(values)), abs=1e-12)
    assert 0.0 <= gini(values) <= (len(values) - 1) / len(values) + 1e-12
