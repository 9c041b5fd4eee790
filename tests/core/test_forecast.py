"""Tests for the plan-year forecast: the fallback chain, cleaning, exact output and errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import forecast as forecast_module
from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.forecast import (
    ALPHA_GRID,
    BETA_GRID,
    GAMMA_GRID,
    PHI_GRID,
    Forecast,
    ForecastMethod,
    forecast_plan_year,
    index_to_period,
    monthly_actuals,
    period_to_index,
)

# A Q4 peak and a summer dip, averaging 1.
SEASON = np.array([0.85, 0.88, 1.02, 0.98, 1.0, 1.0, 0.82, 0.78, 1.0, 1.1, 1.2, 1.37])
SEASON = SEASON / SEASON.mean()


def monthly(values: Sequence[float] | np.ndarray, start: str = "2023-01") -> pd.Series:
    """A monthly series of ``values`` starting at ``start``."""
    first = period_to_index(start)
    return pd.Series(list(values), index=[index_to_period(first + t) for t in range(len(values))])


def trend_times_season(months: int, noise: float = 0.0, seed: int = 7) -> np.ndarray:
    """Level 1000 growing by 20 a month, times the seasonal pattern, times optional noise."""
    t = np.arange(months)
    values = (1000 + 20 * t) * SEASON[t % 12]
    if noise:
        values = values * np.random.default_rng(seed).lognormal(0.0, noise, months)
    return np.asarray(values, dtype=np.float64)


def slowing_growth_times_season(months: int, noise: float = 0.0, seed: int = 7) -> np.ndarray:
    """Level 1000 growing 2% a month at first, the growth rate fading to 60% of itself each year.

    Year over year that is about +15%, +9% and +5%: the shape of a business whose growth slows.
    """
    t = np.arange(months)
    values = 1000 * np.exp(np.cumsum(0.02 * 0.6 ** (t / 12))) * SEASON[t % 12]
    if noise:
        values = values * np.random.default_rng(seed).lognormal(0.0, noise, months)
    return np.asarray(values, dtype=np.float64)


def undamped(history: pd.Series, monkeypatch: pytest.MonkeyPatch) -> Forecast:
    """The forecast the plain straight-line trend (phi = 1 only) would give."""
    with monkeypatch.context() as patch:
        patch.setattr(forecast_module, "PHI_GRID", (1.0,))
        return forecast_plan_year(history)


def test_holt_winters_recovers_trend_and_season() -> None:
    """Three years of trend times season forecast the fourth year within 1% in every month."""
    values = trend_times_season(48)
    forecast = forecast_plan_year(monthly(values[:36]))
    assert forecast.method is ForecastMethod.HOLT_WINTERS
    assert forecast.periods[0] == "2026-01" and forecast.periods[-1] == "2026-12"
    relative = np.abs(np.array(forecast.monthly) - values[36:]) / values[36:]
    assert relative.max() < 0.01
    assert set(forecast.parameters) == {"alpha", "beta", "gamma", "phi"}
    assert forecast.parameters["phi"] == Decimal("1.0000")
    assert forecast.fit_mape is not None and forecast.fit_mape < Decimal("0.01")


def test_holt_winters_with_noise_lands_within_a_few_percent() -> None:
    """With 5% monthly noise the year total is within 6% of the truth, 2.5% on average."""
    truth = trend_times_season(48)[36:].sum()
    errors = []
    for seed in range(8):
        noisy = trend_times_season(48, noise=0.05, seed=seed)
        forecast = forecast_plan_year(monthly(noisy[:36]))
        assert forecast.damped_periods == ()
        errors.append(abs(forecast.total - truth) / truth)
    assert max(errors) < 0.06
    assert float(np.mean(errors)) < 0.025


def test_constant_trend_keeps_phi_near_one() -> None:
    """A steady trend under 2% or 5% noise keeps phi at 0.98 or more and lands within 6%."""
    truth = trend_times_season(48)[36:].sum()
    for noise in (0.02, 0.05):
        for seed in range(8):
            noisy = trend_times_season(48, noise=noise, seed=seed)
            forecast = forecast_plan_year(monthly(noisy[:36]))
            assert forecast.parameters["phi"] >= Decimal("0.98"), (noise, seed)
            assert abs(forecast.total - truth) / truth < 0.06, (noise, seed)


def test_slowing_growth_is_damped_and_nearer_the_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Growth of +15% then +9% gets phi < 1, and a fourth year nearer the truth than phi = 1."""
    values = slowing_growth_times_season(48)
    truth = values[36:].sum()
    history = monthly(values[:36])
    damped = forecast_plan_year(history)
    straight = undamped(history, monkeypatch)
    assert damped.parameters["phi"] < Decimal(1)
    assert straight.parameters["phi"] == Decimal(1)
    assert "phi=" in damped.notes[-1]
    damped_error = abs(damped.total - truth) / truth
    straight_error = abs(straight.total - truth) / truth
    assert damped_error < straight_error
    assert damped_error < 0.015
    # The damped year is the lower one: growth is expected to keep fading.
    assert damped.total < straight.total


def test_slowing_growth_with_noise_is_nearer_the_truth_on_average(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under 2% monthly noise, damping picks phi < 1 mostly and cuts the mean year error."""
    truth = slowing_growth_times_season(48)[36:].sum()
    damped_errors, straight_errors, phis = [], [], []
    for seed in range(10):
        history = monthly(slowing_growth_times_season(48, noise=0.02, seed=seed)[:36])
        damped = forecast_plan_year(history)
        phis.append(damped.parameters["phi"])
        damped_errors.append(abs(damped.total - truth) / truth)
        straight_errors.append(abs(undamped(history, monkeypatch).total - truth) / truth)
    assert sum(phi < 1 for phi in phis) >= 6
    assert float(np.mean(damped_errors)) < float(np.mean(straight_errors))


def test_damped_projection_adds_the_fading_trend() -> None:
    """Month h of the projection carries the trend phi + phi^2 + ... + phi^h times."""
    fit = forecast_module._HoltWintersFit(
        alpha=0.5,
        beta=0.1,
        gamma=0.0,
        phi=0.5,
        level=100.0,
        trend=8.0,
        season=np.ones(12),
        months=24,
        mape=None,
    )
    assert fit.project(4).tolist() == [104.0, 106.0, 107.0, 107.5]
    straight = dataclasses.replace(fit, phi=1.0)
    assert straight.project(3).tolist() == [108.0, 116.0, 124.0]


def test_holt_winters_choice_is_deterministic() -> None:
    """The same history always gives the same forecast; exact ties go to the first grid point."""
    history = monthly(slowing_growth_times_season(36, noise=0.05, seed=3))
    assert forecast_plan_year(history) == forecast_plan_year(history)
    # A flat history fits every grid point perfectly, so the first one is kept.
    flat = forecast_plan_year(monthly([1000.0] * 36))
    first = (ALPHA_GRID[0], BETA_GRID[0], GAMMA_GRID[0], PHI_GRID[0])
    assert tuple(flat.parameters[name] for name in ("alpha", "beta", "gamma", "phi")) == tuple(
        Decimal(str(value)).quantize(Decimal("0.0001")) for value in first
    )
    assert flat.monthly == (1000,) * 12


def test_seasonal_naive_on_fifteen_months() -> None:
    """Fifteen months use last year's month grown linearly by the year-over-year growth."""
    year1 = [100.0] * 11 + [200.0]
    history = monthly([*year1, 110.0, 110.0, 110.0])  # 2023-01 .. 2024-03, growth 330/300 = 10%
    forecast = forecast_plan_year(history, plan_start="2025-01")
    assert forecast.method is ForecastMethod.SEASONAL_NAIVE_TREND
    assert forecast.parameters["yoy_growth"] == Decimal("0.1000")
    # Jan-Mar come from 2024 one year back (x1.1); Apr-Dec from 2023 two years back (x1.2).
    assert forecast.monthly == (121, 121, 121, 120, 120, 120, 120, 120, 120, 120, 120, 240)
    assert forecast.total == 1563
    assert any("seasonal naive" in note for note in forecast.notes)


def test_seasonal_naive_on_exactly_twelve_months_has_no_growth() -> None:
    """Twelve months repeat last year unchanged and say that no growth could be measured."""
    history = monthly([float(v) for v in range(100, 112)])
    forecast = forecast_plan_year(history)
    assert forecast.monthly == tuple(range(100, 112))
    assert forecast.parameters["yoy_growth"] == Decimal("0.0000")
    assert forecast.fit_mape is None


def test_run_rate_on_six_months() -> None:
    """Six months forecast the mean month times twelve, flat."""
    forecast = forecast_plan_year(monthly([90, 110, 100, 100, 95, 105]))
    assert forecast.method is ForecastMethod.RUN_RATE
    assert forecast.monthly == (100,) * 12
    assert forecast.total == 1200
    assert forecast.parameters["monthly_run_rate"] == Decimal("100.00")
    assert forecast.fit_mape is None
    assert forecast.periods[0] == "2023-07"


def test_rounding_unit_and_exact_total() -> None:
    """Every month is a multiple of the rounding unit and the total is their sum."""
    forecast = forecast_plan_year(monthly(trend_times_season(36) * 37), rounding_unit=100)
    assert all(value % 100 == 0 for value in forecast.monthly)
    assert forecast.total == sum(forecast.monthly)
    assert all(isinstance(value, int) for value in forecast.monthly)


def test_outlier_month_is_damped_and_improves_the_forecast() -> None:
    """A one-off spike is named, replaced before fitting, and the forecast is closer to truth."""
    values = trend_times_season(48, noise=0.02)
    spiked = values[:36].copy()
    spiked[21] *= 2.5  # 2024-10, a one-off deal
    truth = trend_times_season(48)[36:]
    damped = forecast_plan_year(monthly(spiked))
    undamped = forecast_plan_year(monthly(spiked), damp_outliers=False)
    assert damped.damped_periods == ("2024-10",)
    assert undamped.damped_periods == ()
    damped_error = np.abs(np.array(damped.monthly) - truth).sum()
    undamped_error = np.abs(np.array(undamped.monthly) - truth).sum()
    assert damped_error < undamped_error
    assert abs(damped.total - truth.sum()) / truth.sum() < 0.03


def test_missing_month_is_imputed() -> None:
    """A month absent from the index is imputed, named, and barely moves the forecast."""
    full = monthly(trend_times_season(36))
    gappy = full.drop("2024-04")
    complete = forecast_plan_year(full)
    imputed = forecast_plan_year(gappy)
    assert imputed.imputed_periods == ("2024-04",)
    assert imputed.history_months == 36
    assert abs(imputed.total - complete.total) / complete.total < 0.01


def test_blank_value_counts_as_missing() -> None:
    """A NaN amount is imputed like an absent month."""
    history = monthly(trend_times_season(36))
    history.iloc[5] = np.nan
    assert forecast_plan_year(history).imputed_periods == ("2023-06",)


def test_too_many_missing_months_is_an_error() -> None:
    """More than three missing months are refused, naming them."""
    history = monthly(trend_times_season(36)).drop(["2023-03", "2023-07", "2024-02", "2025-05"])
    with pytest.raises(ProposalError, match="2023-03, 2023-07, 2024-02, 2025-05"):
        forecast_plan_year(history)


def test_empty_history_is_an_error() -> None:
    """An empty series is refused with a clear message."""
    with pytest.raises(ProposalError, match="history is empty"):
        forecast_plan_year(pd.Series([], dtype="float64"))


def test_negative_values_are_an_error_naming_each_period() -> None:
    """Negative amounts are refused and every offending period is named."""
    history = monthly([100, -120, 100, 100, -5, 100])
    with pytest.raises(ProposalError) as raised:
        forecast_plan_year(history)
    assert "amount must be >= 0 (got -120 for 2023-02)" in str(raised.value)
    assert "(got -5 for 2023-05)" in str(raised.value)


def test_bad_period_label_is_an_error() -> None:
    """An index label that is not 'YYYY-MM' is refused and quoted."""
    history = pd.Series([100, 100], index=["2023-01", "2023/02"])
    with pytest.raises(ProposalError, match="'2023/02'"):
        forecast_plan_year(history)


def test_plan_start_inside_history_is_an_error() -> None:
    """A plan that starts before the history ends is refused."""
    with pytest.raises(ProposalError, match="must start after the last month"):
        forecast_plan_year(monthly([100] * 12), plan_start="2023-06")


def test_all_zero_history_forecasts_zero() -> None:
    """A history of zeros forecasts zeros rather than failing on a zero seasonal index."""
    forecast = forecast_plan_year(monthly([0] * 30))
    assert forecast.total == 0
    assert forecast.monthly == (0,) * 12


def test_as_series_and_monthly_actuals() -> None:
    """A long history sums per period, and a forecast converts to an int series."""
    history = pd.DataFrame(
        {"period": ["2023-02", "2023-01", "2023-01"], "amount": [5, 10, 20], "rep_id": list("abc")}
    )
    totals = monthly_actuals(history)
    assert totals.to_dict() == {"2023-01": 30, "2023-02": 5}
    series = forecast_plan_year(totals).as_series()
    assert list(series.index[:2]) == ["2023-03", "2023-04"]
    assert series.dtype == "int64"


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40),
    unit=st.sampled_from([1, 10, 100, 1000]),
)
def test_output_is_exact_and_non_negative(values: list[int], unit: int) -> None:
    """Any non-negative history gives non-negative multiples of the unit summing to the total."""
    forecast = forecast_plan_year(monthly(values), rounding_unit=unit)
    assert len(forecast.monthly) == 12
    assert all(value >= 0 and value % unit == 0 for value in forecast.monthly)
    assert forecast.total == sum(forecast.monthly)
