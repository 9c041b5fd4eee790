"""Exact money: turning user amounts into integer counts of a rounding unit and back.

A float is read as the decimal it prints as (``0.1`` means one tenth), so no binary
float ever reaches a result; results are Python ints when every input amount was an int,
otherwise ``Decimal``.
"""

from __future__ import annotations

import math
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
    return isinstance(value, Integral | np.integer) and not isinstance(value, bool | np.bool_)


def to_fraction(value: object, what: str, index: int | None = None) -> Fraction:
    """Read a number exactly: ints as they are, floats as the decimal they print as."""
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
    exact = to_fraction(value, what, index)
    count = exact / unit
    if count.denominator != 1:
        unit_text = shown_unit if shown_unit is not None else _fraction_text(unit)
        raise AllocationError(
            f"{_where(what, index)} must be a multiple of the unit {unit_text} (got {value!r})."
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
        exact = unit * count
        if exact.denominator != 1:
            raise AllocationError(f"{exact} is not a whole amount")  # callers pass int units
        return exact.numerator
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
