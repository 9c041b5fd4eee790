"""Exact money: turning user amounts into integer counts of a rounding unit and back.

A float is read as the decimal it prints as (``0.1`` means one tenth), so no binary
float ever reaches a result; results are Python ints when every input amount was an int,
otherwise ``Decimal``. The product's one half-up rounding rule and its one over-assignment
rule live here too, exact, so the split and the checks apply the very same arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from numbers import Integral
from typing import Any, TypeAlias

import numpy as np

from salesgoal_xl.core.errors import AllocationError

Amount: TypeAlias = int | Decimal | float | np.integer[Any] | np.floating[Any]
"""An amount of money as a caller may pass it (never returned as a float)."""

Weight: TypeAlias = Amount | Fraction
"""A proportion to split by; read exactly like an Amount."""

Money: TypeAlias = int | Decimal
"""An amount of money as the core returns it."""


def _where(what: str, index: int | None) -> str:
    return what if index is None else f"{what}[{index}]"


def is_int_amount(value: object) -> bool:
    """True when ``value`` is an integer type (not a float that happens to be whole)."""
    if type(value) is int:
        return True  # the common case, without the slower abstract-type checks
    return isinstance(value, Integral | np.integer) and not isinstance(value, bool | np.bool_)


def to_fraction(value: object, what: str, index: int | None = None) -> Fraction:
    """Read a number exactly: ints as they are, floats as the decimal they print as."""
    if type(value) is int:
        return Fraction(value)
    if type(value) is Fraction:
        return value
    if isinstance(value, bool | np.bool_):
        raise AllocationError(f"{_where(what, index)} must be a number (got {value!r}).")
    if is_int_amount(value):
        return Fraction(int(value))  # type: ignore[call-overload]
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            raise AllocationError(f"{_where(what, index)} must be a finite number (got {value!r}).")
        # repr is the shortest decimal that round-trips, i.e. what the user typed.
        return Fraction(Decimal(repr(number)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AllocationError(f"{_where(what, index)} must be a finite number (got {value!r}).")
        return Fraction(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise AllocationError(
                f"{_where(what, index)} must be a number (got {value!r})."
            ) from None
        return to_fraction(parsed, what, index)
    raise AllocationError(
        f"{_where(what, index)} must be an int, Decimal or float (got {type(value).__name__} "
        f"{value!r})."
    )


def unit_fraction(unit: object) -> Fraction:
    """The rounding unit as an exact positive fraction."""
    exact = to_fraction(unit, "unit")
    if exact <= 0:
        raise AllocationError(f"unit must be > 0 (got {unit!r}).")
    return exact


def to_units(
    value: object, unit: Fraction, what: str, index: int | None = None, *, shown_unit: object = None
) -> int:
    """The amount as a whole number of units; an amount between units is an error."""
    if is_int_amount(value) and unit.denominator == 1:
        # The common case (a whole amount, a whole unit) without Fraction arithmetic.
        whole: int = int(value)  # type: ignore[call-overload]  # is_int_amount: an int type
        if whole % unit.numerator == 0:
            return whole // unit.numerator
    exact = to_fraction(value, what, index)
    count = exact / unit
    if count.denominator != 1:
        unit_text = shown_unit if shown_unit is not None else _fraction_text(unit)
        raise AllocationError(
            f"{_where(what, index)} must be a multiple of the unit {unit_text} (got {value})."
        )
    return count.numerator


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(value)


def unit_decimal(unit: Fraction) -> Decimal:
    """The unit as an exact Decimal (units read from decimals always have one)."""
    return Decimal(unit.numerator) / Decimal(unit.denominator)


def from_units(count: int, unit: Fraction, *, as_int: bool) -> Money:
    """``count`` units as money: an int when asked, else a Decimal on the unit's own scale."""
    if as_int:
        if unit.denominator == 1:
            return unit.numerator * int(count)  # the common case, without Fraction arithmetic
        exact = unit * count
        if exact.denominator != 1:
            raise AllocationError(f"{exact} is not a whole amount")  # callers pass int units
        return exact.numerator
    return _units_as_decimal(count, unit)


def _units_as_decimal(count: int, unit: Fraction) -> Decimal:
    step = fraction_to_decimal(unit)
    with localcontext() as context:
        # Enough digits that the product is never rounded, so 50 x 0.01 prints as 0.50.
        context.prec = max(28, len(str(abs(count))) + len(step.as_tuple().digits) + 2)
        return Decimal(count) * step


def fraction_to_decimal(exact: Fraction) -> Decimal:
    """A fraction whose denominator divides a power of ten, as an exact Decimal."""
    numerator, denominator = exact.numerator, exact.denominator
    scale = 0
    while denominator != 1:
        # Each step multiplies the fraction by ten; only 2s and 5s can be cleared this way.
        if denominator % 10 == 0:
            denominator //= 10
        elif denominator % 2 == 0:
            denominator //= 2
            numerator *= 5
        elif denominator % 5 == 0:
            denominator //= 5
            numerator *= 2
        else:
            raise AllocationError(f"{exact} has no exact decimal form")
        scale += 1
    # Building from a string is exact whatever the context precision is.
    return Decimal(f"{numerator}E-{scale}") if scale else Decimal(numerator)


# --- the one rounding rule and the one over-assignment rule -------------------------------


def round_half_up_units(value: object, unit: object = 1) -> int:
    """The whole number of ``unit``s nearest ``value``, exactly; a half goes away from zero.

    This is Excel's ROUND to a step (so 10.5 -> 11 and -10.5 -> -11). ``value`` and ``unit``
    may be ints, Decimals, Fractions or floats (a float means the decimal it prints as);
    multiply the result by the unit to get the rounded amount.
    """
    count = to_fraction(value, "value") / unit_fraction(unit)
    return round_half_up_ratio(count.numerator, count.denominator)


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0) to the nearest integer, halves away from
    zero: the same rule as `round_half_up_units`, in integers only (for hot paths)."""
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def round_half_up(value: object, step: Decimal) -> Decimal:
    """``value`` rounded half-up (away from zero) to a multiple of ``step``, on its scale.

    The same rule as ``round_half_up_units`` for figures shown with a fixed number of
    places: ``round_half_up(Fraction(131, 100), Decimal("0.1"))`` is ``Decimal("1.3")``.
    """
    return _units_as_decimal(round_half_up_units(value, step), unit_fraction(step))


def over_assigned_units(parent_units: int, rate: Fraction) -> int:
    """What a parent's children add up to under over-assignment ``rate`` (1/20 for 5 %).

    round(parent x (1 + rate)) in whole units, halves up: 10 units at 5 % is 10.5, so 11.
    A rate of 0 leaves the parent as it is.
    """
    exact_rate = to_fraction(rate, "over-assignment")
    if exact_rate < 0:
        raise AllocationError(f"over-assignment must be >= 0 (got {rate}).")
    return round_half_up_units(parent_units * (1 + exact_rate))


def max_cascade_units(total_units: int, levels: Sequence[tuple[Fraction, int]]) -> int:
    """The largest leaf total a cascade of ``total_units`` can reach under over-assignment.

    ``levels`` lists, top level first, each level's over-assignment rate and how many parent
    nodes split at that level (1 for the regions under the company, the number of regions
    for the teams, the number of teams for the reps). Each parent's children add up to
    ``over_assigned_units(parent, rate)``, which is at most parent x (1 + rate) + 1/2, and
    less by 1/(2b) when the rate's reduced denominator b is odd (the product then never
    ends in exactly .5). So a level of g parents holding X units in all gives at most
    floor(X x (1 + rate) + g x (1/2 - that gap)); the bound grows with X, so applying it
    level after level bounds the leaves. A level with rate 0 adds nothing. A single level
    reaches the bound whenever its parents can be sized to land on halves (e.g. 10 + 10 at
    5 % gives 11 + 11 = 22 = floor(20 x 1.05 + 2/2)); cascades of several levels stay
    at or below it.
    """
    bound = total_units
    for rate, parents in levels:
        exact_rate = to_fraction(rate, "over-assignment")
        if exact_rate < 0 or parents < 0:
            raise AllocationError(
                f"each level needs a rate >= 0 and a parent count >= 0 (got {rate}, {parents})."
            )
        denominator = exact_rate.denominator
        gap = Fraction(0) if denominator % 2 == 0 else Fraction(1, 2 * denominator)
        bound = math.floor(bound * (1 + exact_rate) + parents * (Fraction(1, 2) - gap))
    return bound
