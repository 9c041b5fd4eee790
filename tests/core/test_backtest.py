"""Choosing the forecast method by back-test on the last 12 months of history."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from salesgoal_xl.core.backtest import CANDIDATES, Backtest, choose_forecast, mape, method_name
from salesgoal_xl.core.forecast import ForecastMethod, forecast_plan_year
from salesgoal_xl.core.proposal_text import LANGUAGES

SEASON = (8, 7, 9, 10, 10, 11, 9, 8, 10, 12, 14, 16)  # a Q4 peak, whole numbers


def monthly(values: list[float] | list[int], start_year: int = 2023) -> pd.Series:
    """Monthly actuals from January of `start_year`, indexed 'YYYY-MM'."""
    periods = [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    return pd.Series(values, index=periods, dtype="float64")


def _by_method(test: Backtest) -> dict[ForecastMethod, Decimal | None]:
    return {c.method: c.mape for c in test.candidates}


def test_mape_matches_a_hand_computed_case() -> None:
    """MAPE is the mean of |actual - forecast| / actual over months with a positive actual."""
    # |100-110|/100 = 0.1, |200-150|/200 = 0.25, the zero month is skipped, |40-50|/40 = 0.25
    assert mape([100, 200, 0, 40], [110, 150, 7, 50]) == Decimal("0.2")
    assert mape([0, 0], [5, 5]) is None


def test_seasonal_naive_back_test_error_is_computed_by_hand() -> None:
    """On 24 months the seasonal naive forecast of year two is year one, scored by hand."""
    year1 = [100] * 12
    year2 = [110] * 6 + [90] * 6
    test = choose_forecast(monthly(year1 + year2))
    expected = (6 * Fraction(10, 110) + 6 * Fraction(10, 90)) / 12  # 0.10101...
    assert _by_method(test)[ForecastMethod.SEASONAL_NAIVE] == Decimal("0.1010")
    assert abs(Fraction(_by_method(test)[ForecastMethod.SEASONAL_NAIVE]) - expected) < Fraction(
        1, 20_000
    )
    assert test.held_out == ("2024-01", "2024-12")


def test_the_method_with_the_lowest_back_test_error_is_chosen() -> None:
    """Exact 10% yearly growth makes year-on-year growth perfect, so it is chosen over the rest."""
    values = [s * 100 for s in SEASON] + [s * 110 for s in SEASON] + [s * 121 for s in SEASON]
    test = choose_forecast(monthly(values))
    scores = _by_method(test)
    assert scores[ForecastMethod.YOY_GROWTH] == Decimal(0)
    assert scores[ForecastMethod.SEASONAL_NAIVE] == Decimal("0.0909")  # 11/121
    assert test.chosen is ForecastMethod.YOY_GROWTH
    assert test.by_backtest
    # The plan year is year three grown by the measured 10%, month by month.
    assert test.forecast.monthly == tuple(
        int(Fraction(s * 121 * 11, 10) + Fraction(1, 2)) for s in SEASON
    )
    assert "lowest back-test MAPE (0.00%)" in test.reason()


@pytest.mark.parametrize("seed", range(6))
def test_the_choice_is_always_the_lowest_scored_error(seed: int) -> None:
    """On noisy growing seasonal series the chosen method has the smallest MAPE of the three."""
    rng = np.random.default_rng(seed)
    t = np.arange(40)
    base = 1000 * (1 + rng.uniform(-0.01, 0.02) * t) * np.array(SEASON * 4)[:40] / 10
    values = list(base * rng.normal(1, rng.uniform(0.01, 0.1), 40))
    test = choose_forecast(monthly(values), rounding_unit=10)
    scores = {m: s for m, s in _by_method(test).items() if s is not None}
    assert set(scores) == set(CANDIDATES)
    lowest = min(scores.values())
    first_lowest = next(m for m in CANDIDATES if scores[m] == lowest)
    assert test.chosen is first_lowest
    assert test.forecast == forecast_plan_year(
        monthly(values), rounding_unit=10, method=first_lowest
    )


@pytest.mark.parametrize(
    ("months", "method"),
    [(18, ForecastMethod.SEASONAL_NAIVE_TREND), (9, ForecastMethod.RUN_RATE)],
)
def test_under_24_months_falls_back_to_the_length_rule_and_says_so(
    months: int, method: ForecastMethod
) -> None:
    """Too little history for a back-test keeps the rule by length and states why, no crash."""
    history = monthly([float(100 + 3 * i) for i in range(months)])
    test = choose_forecast(history)
    assert test.candidates == ()
    assert not test.by_backtest
    assert test.chosen is method
    assert test.forecast == forecast_plan_year(history)
    assert test.reason() == (
        f"no back-test: it needs 24 months of history (12 to fit, 12 held out), got {months}; "
        f"{method_name(method)} by history length"
    )
    for language in LANGUAGES:
        assert str(months) in test.reason(language)


def test_with_24_to_35_months_only_seasonal_naive_is_scored_and_the_length_rule_holds() -> None:
    """With 30 months Holt-Winters cannot be back-tested, so it stays by length, said in words."""
    history = monthly([float(100 + (i % 12) * 5 + i) for i in range(30)])
    test = choose_forecast(history)
    scores = _by_method(test)
    assert scores[ForecastMethod.SEASONAL_NAIVE] is not None
    assert scores[ForecastMethod.HOLT_WINTERS] is None
    assert test.chosen is ForecastMethod.HOLT_WINTERS
    assert not test.by_backtest
    needs = next(c for c in test.candidates if c.method is ForecastMethod.HOLT_WINTERS)
    assert needs.note() == "not back-tested: needs 36 months of history (24 to fit, 12 held out)"
    assert test.reason().startswith("chosen by history length")
