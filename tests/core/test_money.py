"""Exact money helpers: floats read as printed, units counted exactly, Decimals on scale."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core import AllocationError
from salesgoal_xl.core.money import (
    fraction_to_decimal,
    from_units,
    max_cascade_units,
    over_assigned_units,
    round_half_up,
    round_half_up_units,
    to_fraction,
    to_units,
)


def test_float_is_read_as_the_decimal_it_prints_as() -> None:
    """0.1 means one tenth exactly, not the binary float nearest to it."""
    assert to_fraction(0.1, "x") == Fraction(1, 10)
    assert to_fraction(np.float64(2.675), "x") == Fraction(2675, 1000)


def test_decimal_strings_and_ints_are_exact() -> None:
    """Decimals, numeric strings and numpy ints are read without rounding."""
    assert to_fraction(Decimal("12.345"), "x") == Fraction(12345, 1000)
    assert to_fraction(" 7.5 ", "x") == Fraction(15, 2)
    assert to_fraction(np.int32(4), "x") == 4


def test_units_must_divide_exactly() -> None:
    """An amount between two units is refused with the unit and the value in the message."""
    assert to_units(Decimal("12.30"), Fraction(1, 100), "target") == 1230
    with pytest.raises(AllocationError, match=r"target\[3\] must be a multiple of the unit"):
        to_units(Decimal("12.305"), Fraction(1, 100), "target", 3)


def test_booleans_are_not_amounts() -> None:
    """True is not silently read as 1."""
    with pytest.raises(AllocationError, match="must be a number"):
        to_fraction(True, "total")


def test_decimal_results_keep_the_unit_scale() -> None:
    """50 units of 0.01 print as 0.50, and 3 units of 1000 as 3000."""
    assert str(from_units(50, Fraction(1, 100), as_int=False)) == "0.50"
    assert from_units(3, Fraction(1000), as_int=True) == 3000


def test_fraction_to_decimal_is_exact() -> None:
    """Fractions over powers of two and five become exact Decimals; others are refused."""
    assert fraction_to_decimal(Fraction(1, 8)) == Decimal("0.125")
    with pytest.raises(AllocationError, match="no exact decimal form"):
        fraction_to_decimal(Fraction(1, 3))


@pytest.mark.parametrize(
    ("value", "unit", "units"),
    [
        (Fraction(21, 2), 1, 11),  # 10.5: the half goes up
        (Fraction(-21, 2), 1, -11),  # and away from zero below it, as Excel's ROUND
        (Decimal("10.49"), 1, 10),
        (250, 100, 3),  # 2.5 units of 100
        (249, 100, 2),
        (Decimal("0.125"), Decimal("0.01"), 13),
        (0.125, Decimal("0.01"), 13),  # the float means the 0.125 it prints as
        (0, 100, 0),
    ],
)
def test_round_half_up_units_rounds_halves_up(value: object, unit: object, units: int) -> None:
    """Half-up rounding to a unit counts whole units exactly, a half going away from zero."""
    assert round_half_up_units(value, unit) == units


def test_round_half_up_keeps_the_steps_scale() -> None:
    """A ratio rounded to four places is a Decimal with exactly four places."""
    assert str(round_half_up(Fraction(131, 100), Decimal("0.0001"))) == "1.3100"
    assert str(round_half_up(Fraction(1, 8), Decimal("0.01"))) == "0.13"


@pytest.mark.parametrize(
    ("parent", "rate", "children"),
    [
        (10, Fraction(1, 20), 11),  # 10.5 -> 11
        (30, Fraction(1, 20), 32),  # 31.5 -> 32
        (29, Fraction(1, 20), 30),  # 30.45 -> 30
        (1000, Fraction(1, 10), 1100),
        (7, Fraction(0), 7),
        (0, Fraction(1, 10), 0),
    ],
)
def test_over_assigned_units_by_hand(parent: int, rate: Fraction, children: int) -> None:
    """Children add up to round(parent x (1 + rate)) in whole units, halves up."""
    assert over_assigned_units(parent, rate) == children


def test_negative_over_assignment_is_refused() -> None:
    """A negative over-assignment rate is an error, not silently zero."""
    with pytest.raises(AllocationError, match="over-assignment must be >= 0"):
        over_assigned_units(10, Fraction(-1, 20))


def test_cascade_ceiling_by_hand() -> None:
    """Two parents of 10 at 5 % reach 11 + 11 = 22; a rate of 0 adds nothing at all."""
    assert max_cascade_units(20, [(Fraction(1, 20), 2)]) == 22
    assert max_cascade_units(20, [(Fraction(0), 5)]) == 20
    # 1000 at 3 % to one parent is 1030, then 1030 at 5 % over 4 parents: 1081.5 + 2 -> 1083.
    assert max_cascade_units(1000, [(Fraction(3, 100), 1), (Fraction(1, 20), 4)]) == 1083
    # With an odd denominator (1/3) no product ends in .5, so each parent adds less than 1/2.
    assert max_cascade_units(3, [(Fraction(1, 3), 3)]) == 5


@given(
    parts=st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
    rate=st.sampled_from([Fraction(0), Fraction(3, 100), Fraction(1, 20), Fraction(1, 3)]),
)
def test_one_level_never_passes_the_ceiling(parts: list[int], rate: Fraction) -> None:
    """However a total is shared among parents, their over-assigned children stay under it."""
    reached = sum(over_assigned_units(part, rate) for part in parts)
    assert sum(parts) <= reached <= max_cascade_units(sum(parts), [(rate, len(parts))])
