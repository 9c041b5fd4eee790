"""Tracking: pace against the seasonal expectation, the projected landing, the run rate still
needed, and a risk flag with a reason a manager can act on.

Definitions (amounts are read exactly, as ``core.money`` reads them: ints and Decimals as they
are, a float as the decimal it prints as):

* **pace** = actual to date / seasonal expectation to date (the target to date under the
  seasonal split); undefined (NaN) while nothing is expected yet.
* **projected landing** = actual to date + (annual target - target to date) x pace: what is
  left of the year is assumed to go at the pace so far. It equals annual target x pace, and is
  rounded half-up (halves away from zero, as Excel's ROUND) to a multiple of ``unit``;
  undefined (None) while the target to date is 0.
* **required run rate** = (annual target - actual to date) / periods left, rounded *up* to a
  multiple of ``unit``, so that many periods at that rate close the gap; 0 once the target is
  reached; undefined (None) when a gap remains and no period is left.
* **risk**: red when pace is below ``red_below``, amber when below ``amber_below``, green
  otherwise (a pace exactly at a threshold is not below it; the comparison is exact). A target
  already reached is green, and so is a year in which nothing is expected yet. The thresholds
  are the workbook's settings (AmberThreshold, RedThreshold); the core keeps no copy of them.

Scalars give scalars. ``pace``, ``projected_landing`` and ``required_run_rate`` also take numpy
arrays (or lists) and then work element by element, broadcasting scalars, for a whole tracking
table at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from salesgoal_xl.core.errors import AllocationError, SalesgoalError
from salesgoal_xl.core.money import (
    Amount,
    Money,
    from_units,
    is_int_amount,
    to_fraction,
    unit_fraction,
)

AmountArray: TypeAlias = npt.NDArray[Any] | Sequence[Amount]
"""Amounts for many rows at once: a numpy array or a list."""


class TrackingError(SalesgoalError, ValueError):
    """A tracking figure cannot be computed from the inputs given."""


class RiskLevel(StrEnum):
    """The traffic light of a target (the values are the workbook's risk codes)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class RiskCause(StrEnum):
    """Why a flag has its level: the fact its reason is written from."""

    NOTHING_EXPECTED = "nothing_expected"
    TARGET_REACHED = "target_reached"
    PACE = "pace"


@dataclass(frozen=True)
class RiskFlag:
    """A target's risk level and the facts behind it; ``reason`` words them for a manager.

    ``pace`` is actual / expected to date (None while nothing is expected);
    ``attainment`` is actual / annual target (None for a zero target);
    ``required_run_rate`` is what each period left must bring (None with no period left);
    ``times_best`` is that rate over the best period so far (None when no best was given).
    """

    level: RiskLevel
    cause: RiskCause
    pace: Fraction | None
    attainment: Fraction | None
    required_run_rate: Money | None
    periods_left: int
    times_best: Fraction | None
    period_word: str = "month"

    @property
    def reason(self) -> str:
        """One line a manager can act on, e.g. 'behind seasonal pace by 18%; needs 1.4x the
        best month so far'."""
        if self.cause is RiskCause.NOTHING_EXPECTED:
            return "nothing is expected yet this year"
        if self.cause is RiskCause.TARGET_REACHED:
            assert self.attainment is not None
            return f"annual target reached ({_percent(self.attainment)})"
        assert self.pace is not None
        behind = _round_half_up((1 - self.pace) * 100)
        if behind > 0:
            text = f"behind seasonal pace by {behind}%"
        elif behind < 0:
            text = f"ahead of seasonal pace by {-behind}%"
        else:
            text = "on seasonal pace"
        if behind > 0 or self.level is not RiskLevel.GREEN:
            text += "; " + self._need()
        return text

    def _need(self) -> str:
        word = self.period_word
        if self.required_run_rate is None:
            return f"no {word}s are left to close the gap"
        if self.times_best is not None:
            times = Decimal(_round_half_up(self.times_best * 10)) / 10
            return f"needs {times}x the best {word} so far"
        left = f"the last {word}" if self.periods_left == 1 else f"{self.periods_left} {word}s"
        return f"needs {self.required_run_rate:,} a {word} for {left}"


@overload
def pace(actual_to_date: Amount, expected_to_date: Amount) -> float: ...


@overload
def pace(
    actual_to_date: AmountArray, expected_to_date: Amount | AmountArray
) -> npt.NDArray[np.float64]: ...


def pace(
    actual_to_date: Amount | AmountArray, expected_to_date: Amount | AmountArray
) -> float | npt.NDArray[np.float64]:
    """Actual to date over the seasonal expectation to date (1.0 = exactly on pace).

    NaN where nothing is expected yet (an expectation of 0), as the workbook leaves the cell
    blank. A ratio, not money, so it is a float; arrays give an array of the broadcast shape.
    """
    actual = np.asarray(actual_to_date, dtype=np.float64)
    expected = np.asarray(expected_to_date, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected != 0, actual / np.where(expected != 0, expected, 1.0), np.nan)
    return float(ratio) if ratio.ndim == 0 else ratio


@overload
def projected_landing(
    actual_to_date: Amount, target_to_date: Amount, annual_target: Amount, *, unit: Amount = 1
) -> Money | None: ...


@overload
def projected_landing(
    actual_to_date: AmountArray,
    target_to_date: Amount | AmountArray,
    annual_target: Amount | AmountArray,
    *,
    unit: Amount = 1,
) -> npt.NDArray[np.object_]: ...


def projected_landing(
    actual_to_date: Amount | AmountArray,
    target_to_date: Amount | AmountArray,
    annual_target: Amount | AmountArray,
    *,
    unit: Amount = 1,
) -> Money | npt.NDArray[np.object_] | None:
    """Where the year lands if the rest goes at the pace so far (see the module docstring).

    Rounded half-up to a multiple of ``unit``; None while the target to date is 0. An int when
    every amount given is an int, else a Decimal.
    """
    if _is_array(actual_to_date):
        return _per_element(
            lambda a, t, y: projected_landing(a, t, y, unit=unit),
            actual_to_date,
            target_to_date,
            annual_target,
        )
    actual = _exact(actual_to_date, "actual_to_date")
    target = _exact(target_to_date, "target_to_date")
    annual = _exact(annual_target, "annual_target")
    _not_negative(target, target_to_date, "target_to_date")
    _not_negative(annual, annual_target, "annual_target")
    if target == 0:
        return None
    step = _unit(unit)
    landing = actual + (annual - target) * (actual / target)
    units = _round_half_up(landing / step)
    return from_units(
        units, step, as_int=_all_int(actual_to_date, target_to_date, annual_target, unit)
    )


@overload
def required_run_rate(
    annual_target: Amount, actual_to_date: Amount, periods_left: Amount, *, unit: Amount = 1
) -> Money | None: ...


@overload
def required_run_rate(
    annual_target: AmountArray,
    actual_to_date: Amount | AmountArray,
    periods_left: Amount | AmountArray,
    *,
    unit: Amount = 1,
) -> npt.NDArray[np.object_]: ...


def required_run_rate(
    annual_target: Amount | AmountArray,
    actual_to_date: Amount | AmountArray,
    periods_left: Amount | AmountArray,
    *,
    unit: Amount = 1,
) -> Money | npt.NDArray[np.object_] | None:
    """What each period left must bring to reach the annual target (see the module docstring).

    Rounded up to a multiple of ``unit``; 0 once the target is reached; None when a gap remains
    and ``periods_left`` is 0. ``periods_left`` must be a whole number >= 0.
    """
    if _is_array(annual_target):
        return _per_element(
            lambda y, a, n: required_run_rate(y, a, n, unit=unit),
            annual_target,
            actual_to_date,
            periods_left,
        )
    annual = _exact(annual_target, "annual_target")
    actual = _exact(actual_to_date, "actual_to_date")
    _not_negative(annual, annual_target, "annual_target")
    left = _periods(periods_left)
    step = _unit(unit)
    as_int = _all_int(annual_target, actual_to_date, unit)
    gap = annual - actual
    if gap <= 0:
        return from_units(0, step, as_int=as_int)
    if left == 0:
        return None
    return from_units(math.ceil(gap / left / step), step, as_int=as_int)


def risk_flag(
    *,
    actual_to_date: Amount,
    expected_to_date: Amount,
    annual_target: Amount,
    periods_left: Amount,
    amber_below: Amount,
    red_below: Amount,
    best_period: Amount | None = None,
    unit: Amount = 1,
    period_word: str = "month",
) -> RiskFlag:
    """Flag one target green, amber or red by its seasonal pace, with the facts for a reason.

    ``expected_to_date`` is the seasonal expectation (target to date); ``amber_below`` and
    ``red_below`` are pace thresholds as fractions (0.9 = 90%), ``red_below`` not above
    ``amber_below``. ``best_period`` (the best period's actual so far, optional) lets the reason
    compare the required run rate with it; a best of 0 or less counts as none.
    """
    actual = _exact(actual_to_date, "actual_to_date")
    expected = _exact(expected_to_date, "expected_to_date")
    annual = _exact(annual_target, "annual_target")
    amber = _exact(amber_below, "amber_below")
    red = _exact(red_below, "red_below")
    _not_negative(expected, expected_to_date, "expected_to_date")
    _not_negative(annual, annual_target, "annual_target")
    if red < 0 or red > amber:
        raise TrackingError(
            f"red_below must be from 0 up to amber_below (got red_below {red_below!r} and "
            f"amber_below {amber_below!r})."
        )
    left = _periods(periods_left)
    rate = required_run_rate(annual_target, actual_to_date, left, unit=unit)
    best = None if best_period is None else _exact(best_period, "best_period")
    times_best = None if rate is None or best is None or best <= 0 else Fraction(rate) / best
    attainment = actual / annual if annual > 0 else None

    def flag(level: RiskLevel, cause: RiskCause, ratio: Fraction | None) -> RiskFlag:
        return RiskFlag(level, cause, ratio, attainment, rate, left, times_best, period_word)

    if annual > 0 and actual >= annual:
        return flag(
            RiskLevel.GREEN, RiskCause.TARGET_REACHED, actual / expected if expected else None
        )
    if expected == 0:
        return flag(RiskLevel.GREEN, RiskCause.NOTHING_EXPECTED, None)
    ratio = actual / expected
    if ratio < red:
        return flag(RiskLevel.RED, RiskCause.PACE, ratio)
    if ratio < amber:
        return flag(RiskLevel.AMBER, RiskCause.PACE, ratio)
    return flag(RiskLevel.GREEN, RiskCause.PACE, ratio)


def _exact(value: object, what: str) -> Fraction:
    try:
        return to_fraction(value, what)
    except AllocationError as error:  # the money reader's message, under this module's error
        raise TrackingError(str(error)) from None


def _not_negative(exact: Fraction, given: object, what: str) -> None:
    if exact < 0:
        raise TrackingError(f"{what} must be >= 0 (got {given!r}).")


def _unit(unit: object) -> Fraction:
    try:
        return unit_fraction(unit)
    except AllocationError as error:
        raise TrackingError(str(error)) from None


def _periods(value: object) -> int:
    exact = _exact(value, "periods_left")
    if exact.denominator != 1 or exact < 0:
        raise TrackingError(f"periods_left must be a whole number >= 0 (got {value!r}).")
    return exact.numerator


def _all_int(*values: object) -> bool:
    return all(is_int_amount(value) for value in values)


def _round_half_up(value: Fraction) -> int:
    """The nearest integer, halves away from zero (Excel's ROUND, as in core.proposal)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def _percent(value: Fraction) -> str:
    return f"{_round_half_up(value * 100)}%"


def _is_array(value: object) -> bool:
    return isinstance(value, np.ndarray | list | tuple)


def _per_element(
    rule: Callable[..., Money | None], *columns: Amount | AmountArray
) -> npt.NDArray[np.object_]:
    """Apply a scalar rule to every row of broadcast columns, keeping exact results."""
    arrays = [np.asarray(column, dtype=object) for column in columns]
    shape = np.broadcast_shapes(*(array.shape for array in arrays))
    result = np.empty(shape, dtype=object)
    flat = [np.broadcast_to(array, shape).ravel() for array in arrays]
    result.ravel()[:] = [rule(*row) for row in zip(*flat, strict=True)]
    return result
