"""Exact money helpers: floats read as printed, units counted exactly, Decimals on scale."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from salesgoal_xl.core import AllocationError
from salesgoal_xl.core.money import fraction_to_decimal, from_units, to_fraction, to_units


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
