"""Choosing the forecast method by back-test: the last 12 months of history are held out, each
candidate forecasts them from the months before, and the lowest error (MAPE) wins.

The candidates, in the order that breaks ties (the first is the product's own method, the
other two are the benchmarks any forecast must beat to be worth its complexity):

* ``holt_winters``: damped-trend Holt-Winters (``core.forecast``), needs 24 months to fit;
* ``seasonal_naive``: each month as the same month a year earlier, needs 12;
* ``yoy_growth``: the same, grown by the last 12 months against the 12 before, needs 24.

Each candidate fits on the history without its last 12 months, through ``forecast_plan_year``
(the same cleaning, imputation and rounding as the plan forecast), and its MAPE is the mean of
|actual - forecast| / actual over the held-out months with a positive actual, as a fraction
(0.0523 = 5.23%). The plan-year forecast is then made by the chosen method on all history.

Too little history is a stated fallback, never a guess dressed as a choice: with less than
24 months nothing can be held out and still fitted, and with less than 36 only seasonal naive
can be back-tested, so a choice among one is no choice; in both cases the method follows the
rule by history length (``forecast_plan_year`` without ``method``) and the reason says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

import pandas as pd

from salesgoal_xl.core.forecast import (
    METHOD_MIN_MONTHS,
    SEASON_LENGTH,
    Forecast,
    ForecastMethod,
    forecast_plan_year,
    index_to_period,
    period_to_index,
)
from salesgoal_xl.core.money import round_half_up, round_half_up_units
from salesgoal_xl.core.proposal_text import Language, message

HELD_OUT_MONTHS: Final = SEASON_LENGTH
CANDIDATES: Final = (
    ForecastMethod.HOLT_WINTERS,
    ForecastMethod.SEASONAL_NAIVE,
    ForecastMethod.YOY_GROWTH,
)
BACKTEST_MIN_MONTHS: Final = METHOD_MIN_MONTHS[ForecastMethod.SEASONAL_NAIVE] + HELD_OUT_MONTHS
"""The least history a back-test can use: 12 months to fit and 12 held out."""
_MAPE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's back-test: its MAPE on the held-out months (``None`` when it could not be
    back-tested: it needs ``needed_months`` of history) and the parameters it fitted on the
    months before them."""

    method: ForecastMethod
    mape: Decimal | None
    parameters: Mapping[str, Decimal]
    needed_months: int

    def note(self, language: Language = "en") -> str:
        """Why the candidate has no MAPE, in words; empty when it was back-tested."""
        if self.mape is not None:
            return ""
        return message("backtest.needs", language).format(
            needed=self.needed_months, fit=self.needed_months - HELD_OUT_MONTHS
        )


@dataclass(frozen=True)
class Backtest:
    """The back-test of one scope and the plan forecast made by the method it chose.

    ``held_out`` is the first and last held-out period (``None`` without a back-test);
    ``by_backtest`` is False when the method fell back to the rule by history length.
    """

    held_out: tuple[str, str] | None
    candidates: tuple[CandidateScore, ...]
    chosen: ForecastMethod
    by_backtest: bool
    history_months: int
    forecast: Forecast

    @property
    def chosen_mape(self) -> Decimal | None:
        """The back-test MAPE of the chosen method (``None`` when it was not back-tested)."""
        return next((c.mape for c in self.candidates if c.method is self.chosen), None)

    def reason(self, language: Language = "en") -> str:
        """Why the method was chosen, in words."""
        if self.by_backtest and self.held_out is not None:
            return message("backtest.chosen", language).format(
                mape=f"{self.chosen_mape:.2%}", first=self.held_out[0], last=self.held_out[1]
            )
        if not self.candidates:
            return message("backtest.too_short", language).format(
                needed=BACKTEST_MIN_MONTHS,
                months=self.history_months,
                method=method_name(self.chosen, language),
            )
        return message("backtest.one_scored", language).format(months=self.history_months)


def method_name(method: ForecastMethod, language: Language = "en") -> str:
    """A forecast method as people read it ('Holt-Winters (damped trend)')."""
    return message(f"method.{method.value}", language)


def parameters_text(parameters: Mapping[str, Decimal]) -> str:
    """Fitted parameters as one line: 'alpha=0.7, beta=0, ...', a growth as a percentage."""
    parts = []
    for name, value in parameters.items():
        if name == "yoy_growth":
            parts.append(f"growth {value:+.1%}")
        elif name == "monthly_run_rate":
            parts.append(f"run rate {value:,.0f}")
        else:
            parts.append(f"{name}={value.normalize():f}")
    return ", ".join(parts)


def mape(actual: Sequence[int], forecast: Sequence[int]) -> Decimal | None:
    """Mean absolute percentage error over the months with a positive actual, as a fraction
    rounded half-up to 4 places; ``None`` when no actual is positive. Exact until the rounding."""
    pairs = [(a, f) for a, f in zip(actual, forecast, strict=True) if a > 0]
    if not pairs:
        return None
    total = sum((Fraction(abs(a - f), a) for a, f in pairs), Fraction(0))
    return round_half_up(total / len(pairs), _MAPE_PLACES)


def choose_forecast(
    monthly: pd.Series, *, plan_start: str | None = None, rounding_unit: int = 1
) -> Backtest:
    """Back-test the candidates on the last 12 months of ``monthly`` and forecast the plan year
    with the one of lowest MAPE (ties to the earlier candidate); see the module docstring."""
    periods = sorted(str(p) for p in monthly.index)
    months = period_to_index(periods[-1]) - period_to_index(periods[0]) + 1 if periods else 0
    if months < BACKTEST_MIN_MONTHS:
        forecast = forecast_plan_year(monthly, plan_start=plan_start, rounding_unit=rounding_unit)
        return Backtest(None, (), forecast.method, False, months, forecast)

    last = period_to_index(periods[-1])
    first_held = index_to_period(last - HELD_OUT_MONTHS + 1)
    held_out = (first_held, periods[-1])
    training = monthly[[str(p) < first_held for p in monthly.index]]
    actual = [
        _whole(monthly.get(index_to_period(last - HELD_OUT_MONTHS + 1 + h)))
        for h in range(HELD_OUT_MONTHS)
    ]
    scores = []
    for method in CANDIDATES:
        needed = METHOD_MIN_MONTHS[method] + HELD_OUT_MONTHS
        if months < needed:
            scores.append(CandidateScore(method, None, MappingProxyType({}), needed))
            continue
        trial = forecast_plan_year(
            training, plan_start=first_held, rounding_unit=rounding_unit, method=method
        )
        scores.append(CandidateScore(method, mape(actual, trial.monthly), trial.parameters, needed))
    ranked = sorted(
        (s for s in scores if s.mape is not None),
        key=lambda s: (s.mape, CANDIDATES.index(s.method)),
    )
    if len(ranked) < 2:
        forecast = forecast_plan_year(monthly, plan_start=plan_start, rounding_unit=rounding_unit)
        return Backtest(held_out, tuple(scores), forecast.method, False, months, forecast)
    best = ranked[0].method
    forecast = forecast_plan_year(
        monthly, plan_start=plan_start, rounding_unit=rounding_unit, method=best
    )
    return Backtest(held_out, tuple(scores), best, True, months, forecast)


def _whole(value: Any) -> int:
    """A held-out actual as a whole amount (missing months count as zero and are skipped)."""
    if value is None or bool(pd.isna(value)):
        return 0
    return round_half_up_units(value)
