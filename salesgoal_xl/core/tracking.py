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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    round_half_up_ratio,
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

    The exact inputs are kept; ``pace`` (actual / expected, None while nothing is expected),
    ``attainment`` (actual / annual target, None for a zero target) and ``times_best`` (the
    required run rate over the best period, None without a best) are derived from them.
    ``required_run_rate`` is what each period left must bring (None with no period left).
    """

    level: RiskLevel
    cause: RiskCause
    actual_to_date: Fraction
    expected_to_date: Fraction
    annual_target: Fraction
    periods_left: int
    required_run_rate: Money | None
    best_period: Fraction | None = None
    period_word: str = "month"

    @property
    def pace(self) -> Fraction | None:
        """Actual over expected to date, exactly."""
        if self.expected_to_date == 0:
            return None
        return self.actual_to_date / self.expected_to_date

    @property
    def attainment(self) -> Fraction | None:
        """Actual to date over the annual target, exactly."""
        if self.annual_target.numerator <= 0:
            return None
        return self.actual_to_date / self.annual_target

    @property
    def times_best(self) -> Fraction | None:
        """The required run rate as a multiple of the best period so far."""
        best = self.best_period
        if self.required_run_rate is None or best is None or best.numerator <= 0:
            return None
        return Fraction(self.required_run_rate) / best

    @property
    def reason(self) -> str:
        """One line a manager can act on, e.g. 'behind seasonal pace by 18%; needs 1.4x the
        best month so far'."""
        if self.cause is RiskCause.NOTHING_EXPECTED:
            return "nothing is expected yet this year"
        if self.cause is RiskCause.TARGET_REACHED:
            assert self.attainment is not None
            return f"annual target reached ({whole_percent(self.attainment)})"
        done, due = self.actual_to_date, self.expected_to_date
        # (due - done) / due in percent, in integer arithmetic: the reason is on a hot path.
        scale = due.numerator * done.denominator
        shortfall = scale - done.numerator * due.denominator
        behind = round_half_up_ratio(100 * shortfall, scale) if scale else 0
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
        times_best = self.times_best
        if times_best is not None:
            tenths = round_half_up_ratio(10 * times_best.numerator, times_best.denominator)
            times = f"{tenths // 10}.{tenths % 10}"
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
    _not_negative(annual, annual_target, "annual_target")
    return _run_rate(
        annual,
        _exact(actual_to_date, "actual_to_date"),
        _periods(periods_left),
        _unit(unit),
        as_int=_all_int(annual_target, actual_to_date, unit),
    )


def _run_rate(
    annual: Fraction, actual: Fraction, left: int, step: Fraction, *, as_int: bool
) -> Money | None:
    """The required run rate from exact inputs (see required_run_rate)."""
    # The gap, annual - actual, as gap_top / gap_bottom in integer arithmetic (a hot path).
    gap_top = annual.numerator * actual.denominator - actual.numerator * annual.denominator
    gap_bottom = annual.denominator * actual.denominator
    if gap_top <= 0:
        return from_units(0, step, as_int=as_int)
    if left == 0:
        return None
    # ceil(gap / (left x step)), still in integers.
    count = -(-(gap_top * step.denominator) // (gap_bottom * left * step.numerator))
    if as_int and step.denominator == 1:
        return count * step.numerator
    return from_units(count, step, as_int=as_int)


def risk_flag(
    *,
    actual_to_date: Amount,
    expected_to_date: Amount,
    annual_target: Amount,
    periods_left: Amount,
    amber_below: Amount | Fraction,
    red_below: Amount | Fraction,
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
    if red.numerator < 0 or _below(amber, red):
        raise TrackingError(
            f"red_below must be from 0 up to amber_below (got red_below {red_below!r} and "
            f"amber_below {amber_below!r})."
        )
    left = _periods(periods_left)
    rate = _run_rate(
        annual, actual, left, _unit(unit), as_int=_all_int(annual_target, actual_to_date, unit)
    )
    best = None if best_period is None else _exact(best_period, "best_period")
    level, cause = RiskLevel.GREEN, RiskCause.PACE
    if annual.numerator > 0 and not _below(actual, annual):
        cause = RiskCause.TARGET_REACHED
    elif expected.numerator == 0:
        cause = RiskCause.NOTHING_EXPECTED
    # pace < threshold, as actual < threshold x expected: exact, with no division.
    elif _below_share(actual, red, expected):
        level = RiskLevel.RED
    elif _below_share(actual, amber, expected):
        level = RiskLevel.AMBER
    return RiskFlag(level, cause, actual, expected, annual, left, rate, best, period_word)


def _exact(value: object, what: str) -> Fraction:
    # The common cases first, without the money reader's slower abstract type checks.
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    try:
        return to_fraction(value, what)
    except AllocationError as error:  # the money reader's message, under this module's error
        raise TrackingError(str(error)) from None


def _below(low: Fraction, high: Fraction) -> bool:
    """low < high, exactly, in integer arithmetic (Fraction's own comparison is slower)."""
    return low.numerator * high.denominator < high.numerator * low.denominator


def _below_share(value: Fraction, share: Fraction, of: Fraction) -> bool:
    """value < share x of, exactly, in integer arithmetic."""
    return (
        value.numerator * share.denominator * of.denominator
        < share.numerator * of.numerator * value.denominator
    )


def _not_negative(exact: Fraction, given: object, what: str) -> None:
    if exact.numerator < 0:
        raise TrackingError(f"{what} must be >= 0 (got {given!r}).")


def _unit(unit: object) -> Fraction:
    if type(unit) is int and unit > 0:
        return Fraction(unit)
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
    return all(type(value) is int or is_int_amount(value) for value in values)


def _round_half_up(value: Fraction) -> int:
    """The nearest integer, halves away from zero: core.money's one rounding rule."""
    return round_half_up_ratio(value.numerator, value.denominator)


def whole_percent(value: Fraction) -> str:
    """A ratio as a whole percentage, rounded half-up as Excel rounds: 2/3 as '67%'."""
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
