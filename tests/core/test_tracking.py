"""Tracking figures: pace, projected landing, required run rate and the risk flag."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core.tracking import (
    RiskCause,
    RiskLevel,
    TrackingError,
    pace,
    projected_landing,
    required_run_rate,
    risk_flag,
)

THRESHOLDS = {"amber_below": Decimal("0.90"), "red_below": Decimal("0.75")}

# ---------------------------------------------------------------- pace


def test_pace_is_actual_over_the_seasonal_expectation() -> None:
    """82,000 actual against 100,000 expected is a pace of 0.82."""
    assert pace(82_000, 100_000) == pytest.approx(0.82)


def test_pace_is_nan_while_nothing_is_expected() -> None:
    """An expectation of 0 gives NaN, the blank the workbook shows."""
    assert math.isnan(pace(500, 0))


def test_pace_works_on_arrays_and_broadcasts() -> None:
    """Arrays give an element-wise array; a scalar expectation applies to every row."""
    result = pace(np.array([50, 100, 150]), 100)
    assert result.tolist() == [0.5, 1.0, 1.5]
    mixed = pace([10, 20], [0, 40])
    assert math.isnan(mixed[0]) and mixed[1] == 0.5


# ---------------------------------------------------------------- projected landing


def test_projection_goes_on_at_the_pace_so_far() -> None:
    """Hand case: 45,000 done of 50,000 expected, 120,000 a year: 45,000 + 70,000 x 0.9."""
    assert projected_landing(45_000, 50_000, 120_000) == 108_000


def test_projection_rounds_half_up_to_the_unit() -> None:
    """1 x 10 / 4 = 2.5 lands on 3 (half up); with unit 5 it is 2.5 -> 5."""
    assert projected_landing(1, 4, 10) == 3
    assert projected_landing(1, 4, 10, unit=5) == 5
    assert projected_landing(1, 8, 10) == 1  # 1.25 rounds down


def test_projection_is_exact_with_decimals_and_floats() -> None:
    """Decimals and floats (read as the decimal they print as) give exact Decimals."""
    assert projected_landing(Decimal("100.10"), 200, 400, unit=Decimal("0.01")) == Decimal("200.20")
    assert projected_landing(0.1, 0.3, 0.9, unit=Decimal("0.01")) == Decimal("0.30")


def test_projection_is_undefined_before_any_target_is_due() -> None:
    """No target to date yet: nothing to project from."""
    assert projected_landing(1_000, 0, 120_000) is None


def test_projection_over_arrays_matches_row_by_row() -> None:
    """An array call equals the scalar call on each row, None included."""
    actual, target = np.array([45_000, 0, 10]), np.array([50_000, 0, 40])
    result = projected_landing(actual, target, 120_000)
    assert result.tolist() == [108_000, None, 30_000]


def test_projection_refuses_negative_targets() -> None:
    """A negative target to date is an input error naming the field."""
    with pytest.raises(TrackingError, match="target_to_date must be >= 0"):
        projected_landing(10, -1, 100)


# ---------------------------------------------------------------- required run rate


def test_run_rate_spreads_the_gap_over_the_periods_left_rounding_up() -> None:
    """100,000 short with 3 months left needs 33,334 a month (rounded up, so 3 x covers it)."""
    assert required_run_rate(220_000, 120_000, 3) == 33_334
    assert required_run_rate(220_000, 120_000, 3, unit=100) == 33_400


def test_run_rate_is_zero_once_the_target_is_reached() -> None:
    """Actual at or above the annual target needs nothing more."""
    assert required_run_rate(100, 100, 4) == 0
    assert required_run_rate(100, 150, 0) == 0


def test_run_rate_is_undefined_with_a_gap_and_no_period_left() -> None:
    """The year is over and the target was missed: no rate can close it."""
    assert required_run_rate(100, 40, 0) is None


def test_run_rate_needs_whole_periods() -> None:
    """2.5 periods left is refused with the value it got."""
    with pytest.raises(
        TrackingError, match=r"periods_left must be a whole number >= 0 \(got 2.5\)"
    ):
        required_run_rate(100, 40, 2.5)


def test_run_rate_over_arrays() -> None:
    """Each rep gets its own rate; a shared periods-left broadcasts."""
    result = required_run_rate(np.array([100, 100, 90]), np.array([40, 120, 0]), 6)
    assert result.tolist() == [10, 0, 15]


@given(
    annual=st.integers(0, 10**9),
    actual=st.integers(-(10**6), 10**9),
    left=st.integers(1, 53),
    unit=st.sampled_from([1, 5, 100]),
)
def test_run_rate_always_closes_the_gap_with_less_than_one_unit_per_period_to_spare(
    annual: int, actual: int, left: int, unit: int
) -> None:
    """left x rate covers the gap, and one unit less per period would not."""
    rate = required_run_rate(annual, actual, left, unit=unit)
    assert rate is not None and rate % unit == 0
    gap = max(annual - actual, 0)
    assert rate * left >= gap
    assert rate == 0 or (rate - unit) * left < gap


# ---------------------------------------------------------------- risk


def test_risk_reason_says_how_far_behind_and_how_hard_the_rest_is() -> None:
    """The design's example: 18% behind seasonal pace, needing 1.4x the best month so far."""
    flag = risk_flag(
        actual_to_date=82_000,
        expected_to_date=100_000,
        annual_target=250_000,
        periods_left=6,
        best_period=20_000,
        **THRESHOLDS,
    )
    assert flag.level is RiskLevel.AMBER
    assert flag.required_run_rate == 28_000
    assert flag.reason == "behind seasonal pace by 18%; needs 1.4x the best month so far"


def test_risk_is_red_below_the_red_threshold_and_names_the_rate_without_a_best_month() -> None:
    """70% of pace is red; with no best month the reason gives the rate per month."""
    flag = risk_flag(
        actual_to_date=70_000,
        expected_to_date=100_000,
        annual_target=250_000,
        periods_left=6,
        **THRESHOLDS,
    )
    assert flag.level is RiskLevel.RED
    assert flag.reason == "behind seasonal pace by 30%; needs 30,000 a month for 6 months"


def test_risk_thresholds_themselves_are_not_below() -> None:
    """Exactly 90% of pace is green and exactly 75% amber: the comparison is exact."""
    at_amber = risk_flag(
        actual_to_date=90, expected_to_date=100, annual_target=200, periods_left=2, **THRESHOLDS
    )
    at_red = risk_flag(
        actual_to_date=75, expected_to_date=100, annual_target=200, periods_left=2, **THRESHOLDS
    )
    assert at_amber.level is RiskLevel.GREEN
    assert at_red.level is RiskLevel.AMBER
    float_edge = risk_flag(
        actual_to_date=0.9, expected_to_date=1.0, annual_target=2, periods_left=1, **THRESHOLDS
    )
    assert float_edge.level is RiskLevel.GREEN


def test_risk_green_on_or_ahead_of_pace() -> None:
    """Ahead of pace says by how much and asks for nothing."""
    flag = risk_flag(
        actual_to_date=112, expected_to_date=100, annual_target=400, periods_left=3, **THRESHOLDS
    )
    assert flag.level is RiskLevel.GREEN
    assert flag.reason == "ahead of seasonal pace by 12%"
    on = risk_flag(
        actual_to_date=100, expected_to_date=100, annual_target=400, periods_left=3, **THRESHOLDS
    )
    assert on.reason == "on seasonal pace"


def test_risk_green_but_behind_still_names_what_is_needed() -> None:
    """95% of pace is green, and the reason still says what the rest needs."""
    flag = risk_flag(
        actual_to_date=95, expected_to_date=100, annual_target=195, periods_left=1, **THRESHOLDS
    )
    assert flag.level is RiskLevel.GREEN
    assert flag.reason == "behind seasonal pace by 5%; needs 100 a month for the last month"


def test_risk_of_a_reached_target_is_green() -> None:
    """A target reached early is green whatever the pace arithmetic says."""
    flag = risk_flag(
        actual_to_date=130, expected_to_date=200, annual_target=125, periods_left=2, **THRESHOLDS
    )
    assert flag.level is RiskLevel.GREEN
    assert flag.cause is RiskCause.TARGET_REACHED
    assert flag.reason == "annual target reached (104%)"


def test_risk_before_anything_is_expected_is_green() -> None:
    """A zero expectation (start of the year) is green with a reason saying so."""
    flag = risk_flag(
        actual_to_date=0, expected_to_date=0, annual_target=125, periods_left=12, **THRESHOLDS
    )
    assert flag.level is RiskLevel.GREEN
    assert flag.pace is None
    assert flag.reason == "nothing is expected yet this year"


def test_risk_at_year_end_says_no_period_is_left() -> None:
    """Missed at year end: red, with no rate to ask for."""
    flag = risk_flag(
        actual_to_date=60, expected_to_date=100, annual_target=100, periods_left=0, **THRESHOLDS
    )
    assert flag.level is RiskLevel.RED
    assert flag.required_run_rate is None
    assert flag.reason == "behind seasonal pace by 40%; no months are left to close the gap"


def test_risk_words_weeks_for_weekly_plans() -> None:
    """The period word follows the plan's granularity."""
    flag = risk_flag(
        actual_to_date=50,
        expected_to_date=100,
        annual_target=200,
        periods_left=3,
        period_word="week",
        **THRESHOLDS,
    )
    assert flag.reason == "behind seasonal pace by 50%; needs 50 a week for 3 weeks"


def test_risk_refuses_red_above_amber() -> None:
    """Thresholds out of order are refused, naming both."""
    with pytest.raises(TrackingError, match="red_below must be from 0 up to amber_below"):
        risk_flag(
            actual_to_date=1,
            expected_to_date=1,
            annual_target=1,
            periods_left=1,
            amber_below=0.7,
            red_below=0.8,
        )


def test_risk_refuses_text_that_is_not_a_number() -> None:
    """A bad amount names its field and what arrived."""
    with pytest.raises(TrackingError, match="actual_to_date must be a number"):
        risk_flag(
            actual_to_date="lots",  # type: ignore[arg-type]
            expected_to_date=1,
            annual_target=1,
            periods_left=1,
            **THRESHOLDS,
        )


@given(
    actual=st.integers(0, 10**7),
    expected=st.integers(1, 10**7),
    amber=st.integers(50, 100),
    red=st.integers(0, 50),
)
def test_risk_level_follows_the_exact_pace(
    actual: int, expected: int, amber: int, red: int
) -> None:
    """The level is fixed by the exact ratio against the thresholds (unless the target is met)."""
    flag = risk_flag(
        actual_to_date=actual,
        expected_to_date=expected,
        annual_target=10**8,
        periods_left=1,
        amber_below=Fraction(amber, 100),
        red_below=Fraction(red, 100),
    )
    ratio = Fraction(actual, expected)
    want = (
        RiskLevel.RED
        if ratio < Fraction(red, 100)
        else RiskLevel.AMBER
        if ratio < Fraction(amber, 100)
        else RiskLevel.GREEN
    )
    assert flag.level is want
    assert flag.pace == ratio


@given(actual=st.integers(0, 10**6), expected=st.integers(1, 10**6))
def test_reason_percent_is_the_exact_shortfall_rounded_half_up(actual: int, expected: int) -> None:
    """The percent in a reason is (1 - pace) x 100 rounded half-up, computed exactly."""
    flag = risk_flag(
        actual_to_date=actual,
        expected_to_date=expected,
        annual_target=10**7,
        periods_left=1,
        **THRESHOLDS,
    )
    exact = Decimal(expected - actual) * 100 / Decimal(expected)
    want = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if want > 0:
        assert flag.reason.startswith(f"behind seasonal pace by {want}%;")
    elif want < 0:
        assert flag.reason == f"ahead of seasonal pace by {-want}%"
    else:
        assert flag.reason == "on seasonal pace"
