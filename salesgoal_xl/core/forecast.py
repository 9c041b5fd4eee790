"""The plan-year forecast from monthly actuals (company or region): cleaning, fitting, fallbacks.

Method, in the order it is tried:

* **24 months or more: Holt-Winters** (triple exponential smoothing) with a damped additive
  trend and multiplicative seasonality, period 12. Why this method: sales have a trend (the
  business grows by roughly a fixed amount a year) and a seasonal peak whose *size* grows with
  the business (a Q4 that is 35% above average stays 35% above average), which is exactly what
  additive trend with multiplicative seasonality models. It is the textbook method for this
  shape, it needs no external library, and each part can be explained to finance in one
  sentence: a level, a trend per month and twelve seasonal indices, each updated as actuals
  arrive.
  Why damped (Gardner & McKenzie): a straight-line trend carried a full year ahead tends to
  overshoot, because the growth measured at the end of the history rarely lasts unchanged for
  twelve more months; in the M forecasting competitions the damped trend was among the most
  accurate simple methods for business series at horizons like this. For finance: *growth
  fades toward a steady level over the year*. Each month ahead adds the monthly trend times a
  damping factor phi one more time, so month h of the forecast carries the trend
  phi + phi^2 + ... + phi^h times instead of h times. With phi = 1 that is the plain straight
  line; with phi = 0.9 the twelfth month carries about 6.5 months of trend instead of 12, and
  no month ever more than 9.
  The smoothing weights (alpha for the level, beta for the trend, gamma for the seasonal
  indices) and phi are chosen together from a small fixed grid by minimising the sum of squared
  one-step-ahead errors over the whole history; ties go to the first grid point, so the choice
  is deterministic. One-step-ahead errors tell phi values apart only weakly, so the search
  usually keeps phi = 1 unless the history itself shows the trend fading: a steady trend keeps
  its straight line, and a trend that steepens at the end of the history (a launch or hires
  ramping up) is still carried forward in full. The initial state is the classical one from
  the first two years: the level and trend from the two yearly means, the seasonal indices as
  the mean ratio of each month to that straight line, normalised to average 1.
* **12 to 23 months: seasonal naive with a linear trend.** Each plan month is the same calendar
  month of the last observed year, scaled linearly by the year-over-year growth measured on the
  months that have a year-ago value: ``last_same_month * (1 + growth * months_ahead / 12)``.
  With exactly 12 months there is no year-over-year growth to measure, so growth is zero.
* **Fewer than 12 months: run rate.** Every plan month is the mean of the months observed, so
  the year is the run rate times 12. No seasonality can be learnt from less than a year.

That chain is the rule by history length. Two simple benchmarks can be asked for by name
(``method=``), so that ``core.backtest`` can hold them against Holt-Winters on the last year
of history and pick the method by its error:

* **seasonal naive**: each plan month is the same calendar month of the last observed year.
* **year-on-year growth**: the same, times the growth of the last 12 months over the 12
  before them (needs 24 months).

Cleaning before fitting:

* **Missing months** (a period absent from the range, or a NaN value) are imputed: from the same
  month a year earlier (or later), scaled by how the neighbouring months compare with theirs a
  year apart; without a year-apart value, the mean of the neighbouring months. At most
  ``MAX_IMPUTED_MONTHS`` may be missing; more than that is an error, because a forecast built
  mostly on imputed values would look more certain than it is.
* **Outlier months** (24 months or more only) are damped: a classical multiplicative
  decomposition (centred 2x12 moving average for the trend, extended linearly to the ends;
  for the seasonal index, the mean ratio of the same month in the other years) gives a fitted
  value per month; if the month with the largest relative residual lies more than
  ``OUTLIER_MAD_LIMIT`` robust standard deviations (1.4826 x median absolute deviation) from
  the median residual, it is replaced by its fitted value and the search repeats, at most one
  month per year of history. With less than two years a one-off spike cannot be told apart
  from seasonality, so nothing is damped.

The fit error is the mean absolute percentage error (MAPE) over the cleaned history, as a
fraction (0.0523 = 5.23%): of the one-step-ahead forecasts for Holt-Winters, of the year-ago
value grown by the measured growth for the seasonal naive fallback, and ``None`` for the run
rate (nothing is fitted).

Money is exact at the output: each forecast month is rounded half-up to a multiple of the
caller's rounding unit, and the total is the sum of the rounded months.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.money import round_half_up, round_half_up_units

FloatArray = npt.NDArray[np.float64]

SEASON_LENGTH = 12
HOLT_WINTERS_MIN_MONTHS = 24
SEASONAL_NAIVE_MIN_MONTHS = 12
MAX_IMPUTED_MONTHS = 3
# Three years give few residuals, so the robust spread is itself noisy; at the usual 3.5 about
# one clean series in 20 lost a month. Simulated on three years with 2-10% monthly noise, 4.5
# flags about one clean series in 100 and still finds a +60% spike on 5% noise 98 times in 100.
OUTLIER_MAD_LIMIT = 4.5
# A perfectly regular series has a median absolute deviation near zero, which would make every
# rounding wobble an "outlier"; a relative deviation below this never counts as unusual.
OUTLIER_MIN_SCALE_SHARE = 0.01
# A handful of values per weight, spanning slow to fast adaptation: enough to fit monthly sales
# (a few years of data cannot distinguish finer steps) and small enough to search exhaustively.
ALPHA_GRID = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
BETA_GRID = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3)
GAMMA_GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
# Trend damping factors: 1.0 is the undamped (linear) trend; below 1 the monthly growth fades
# geometrically. 0.8 to 0.98 is the range found useful in practice (Gardner & McKenzie); at 0.8
# no forecast month carries more than 4 months of trend, at 0.98 the twelfth carries 10.5.
PHI_GRID = (0.8, 0.85, 0.9, 0.95, 0.98, 1.0)

_PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_RATIO_PLACES = Decimal("0.0001")


class ForecastMethod(StrEnum):
    """Which rung of the fallback chain produced a forecast."""

    HOLT_WINTERS = "holt_winters"
    SEASONAL_NAIVE_TREND = "seasonal_naive_trend"
    RUN_RATE = "run_rate"
    SEASONAL_NAIVE = "seasonal_naive"
    YOY_GROWTH = "yoy_growth"


METHOD_MIN_MONTHS: Final = MappingProxyType(
    {
        ForecastMethod.HOLT_WINTERS: HOLT_WINTERS_MIN_MONTHS,
        ForecastMethod.SEASONAL_NAIVE_TREND: SEASONAL_NAIVE_MIN_MONTHS,
        ForecastMethod.SEASONAL_NAIVE: SEASONAL_NAIVE_MIN_MONTHS,
        ForecastMethod.YOY_GROWTH: 2 * SEASON_LENGTH,
        ForecastMethod.RUN_RATE: 1,
    }
)
"""The months of history each method needs before it can forecast."""


@dataclass(frozen=True)
class Forecast:
    """A monthly forecast in whole currency units, rounded to ``rounding_unit``.

    ``monthly[i]`` is the forecast for ``periods[i]`` ('YYYY-MM'); ``total`` is their sum.
    ``parameters`` holds the fitted figures of the method (alpha/beta/gamma/phi, or the growth,
    or the run rate); ``notes`` explain fallbacks, imputed and damped months in plain English.
    """

    periods: tuple[str, ...]
    monthly: tuple[int, ...]
    total: int
    rounding_unit: int
    method: ForecastMethod
    parameters: Mapping[str, Decimal]
    fit_mape: Decimal | None
    history_months: int
    imputed_periods: tuple[str, ...]
    damped_periods: tuple[str, ...]
    notes: tuple[str, ...]

    def as_series(self) -> pd.Series:
        """The monthly forecast as an int64 series indexed by period."""
        return pd.Series(self.monthly, index=list(self.periods), dtype="int64", name="forecast")


def period_to_index(period: str) -> int:
    """Months since year 0 for a 'YYYY-MM' label, so consecutive months differ by one."""
    match = _PERIOD_PATTERN.match(period)
    if match is None:
        raise ProposalError(f"period must look like 'YYYY-MM' (got {period!r}).")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def index_to_period(index: int) -> str:
    """The 'YYYY-MM' label of a month index made by ``period_to_index``."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def monthly_actuals(history: pd.DataFrame) -> pd.Series:
    """Sum a long history frame (columns ``period`` and ``amount``) into one value per period."""
    missing = {"period", "amount"} - set(history.columns)
    if missing:
        raise ProposalError(
            f"history must have columns 'period' and 'amount' (missing {sorted(missing)})."
        )
    totals = history.groupby("period", sort=True)["amount"].sum()
    totals.index = totals.index.astype(str)
    return totals


def forecast_plan_year(
    monthly: pd.Series,
    *,
    horizon_months: int = 12,
    plan_start: str | None = None,
    rounding_unit: int = 1,
    damp_outliers: bool = True,
    method: ForecastMethod | None = None,
) -> Forecast:
    """Forecast ``horizon_months`` months from monthly actuals indexed by 'YYYY-MM'.

    The forecast starts at ``plan_start`` (default: the month after the last actual); months
    between the last actual and ``plan_start`` are forecast too but not returned. Values must be
    non-negative numbers (int, Decimal or float); NaN counts as missing. Pass
    ``damp_outliers=False`` when a spike is known to be real and expected to recur. ``method``
    asks for one method by name instead of the rule by history length; it must have the months
    it needs (``METHOD_MIN_MONTHS``).
    """
    if horizon_months < 1:
        raise ProposalError(f"horizon_months must be >= 1 (got {horizon_months}).")
    if rounding_unit < 1:
        raise ProposalError(f"rounding_unit must be a whole number >= 1 (got {rounding_unit}).")
    first_index, values = _validated_history(monthly)
    last_index = first_index + len(values) - 1
    start_index = last_index + 1 if plan_start is None else period_to_index(plan_start)
    if start_index <= last_index:
        raise ProposalError(
            f"the plan must start after the last month of history (got plan start "
            f"{index_to_period(start_index)}, history ends {index_to_period(last_index)}); "
            "leave plan-year actuals out of the history."
        )

    notes: list[str] = []
    filled, imputed = _impute_missing(values)
    imputed_periods = tuple(index_to_period(first_index + t) for t in imputed)
    if imputed_periods:
        notes.append(f"imputed missing months {', '.join(imputed_periods)} before fitting")
    if len(imputed) > MAX_IMPUTED_MONTHS:
        raise ProposalError(
            f"at most {MAX_IMPUTED_MONTHS} months of history may be missing "
            f"(got {len(imputed)}: {', '.join(imputed_periods)}); fill in the actuals."
        )

    steps_ahead = start_index - last_index - 1 + horizon_months
    months = len(filled)
    damped_periods: tuple[str, ...] = ()
    if method is not None and months < METHOD_MIN_MONTHS[method]:
        raise ProposalError(
            f"the {method.value} forecast needs {METHOD_MIN_MONTHS[method]} months of history "
            f"(got {months})."
        )
    if method is None:
        method = (
            ForecastMethod.HOLT_WINTERS
            if months >= HOLT_WINTERS_MIN_MONTHS
            else ForecastMethod.SEASONAL_NAIVE_TREND
            if months >= SEASONAL_NAIVE_MIN_MONTHS
            else ForecastMethod.RUN_RATE
        )
    parameters: dict[str, Decimal]
    mape: Decimal | None
    if not np.any(filled > 0):
        raw = np.zeros(steps_ahead)
        method = ForecastMethod.RUN_RATE
        parameters = {"monthly_run_rate": Decimal(0)}
        mape = None
        notes.append("history is all zero, so the forecast is zero")
    elif method in (
        ForecastMethod.HOLT_WINTERS,
        ForecastMethod.SEASONAL_NAIVE,
        ForecastMethod.YOY_GROWTH,
    ):
        cleaned = filled
        if months >= HOLT_WINTERS_MIN_MONTHS and damp_outliers:
            cleaned, damped = _damp_outliers(filled)
            damped_periods = tuple(index_to_period(first_index + t) for t in damped)
        if damped_periods:
            notes.append(
                f"damped outlier months {', '.join(damped_periods)} to their seasonal "
                "fitted value before fitting"
            )
        raw, parameters, mape = _fit_named(method, cleaned, steps_ahead, notes)
    elif method is ForecastMethod.SEASONAL_NAIVE_TREND:
        raw, growth, mape = _seasonal_naive_with_trend(filled, steps_ahead)
        parameters = {"yoy_growth": _decimal(growth, _RATIO_PLACES)}
        notes.append(
            f"only {months} months of history (Holt-Winters needs {HOLT_WINTERS_MIN_MONTHS}): "
            f"seasonal naive with a linear trend from year-over-year growth of {growth:.1%}"
        )
        if months == SEASONAL_NAIVE_MIN_MONTHS:
            notes.append("exactly 12 months: no year-over-year growth can be measured, so none")
        notes.append("with less than two years an outlier month cannot be detected or damped")
    else:
        run_rate = float(np.mean(filled))
        raw = np.full(steps_ahead, run_rate)
        parameters = {"monthly_run_rate": _decimal(run_rate, Decimal("0.01"))}
        mape = None
        notes.append(
            f"only {months} months of history (seasonality needs {SEASONAL_NAIVE_MIN_MONTHS}): "
            f"run rate of {run_rate:,.0f} a month times {horizon_months}"
        )

    if np.any(raw < 0):
        notes.append("the trend runs below zero within the horizon; those months are set to 0")
        raw = np.maximum(raw, 0.0)
    plan_values = raw[-horizon_months:]
    rounded = tuple(_round_to_unit(float(v), rounding_unit) for v in plan_values)
    return Forecast(
        periods=tuple(index_to_period(start_index + h) for h in range(horizon_months)),
        monthly=rounded,
        total=sum(rounded),
        rounding_unit=rounding_unit,
        method=method,
        parameters=MappingProxyType(parameters),
        fit_mape=mape,
        history_months=months,
        imputed_periods=imputed_periods,
        damped_periods=damped_periods,
        notes=tuple(notes),
    )


def _validated_history(monthly: pd.Series) -> tuple[int, FloatArray]:
    """The month index of the first period and the values on the full monthly range (NaN gaps).

    Collects every bad label and negative value into one error, so a person fixes them at once.
    """
    if len(monthly) == 0:
        raise ProposalError("history is empty: at least one month of actuals is needed.")
    problems: list[str] = []
    by_index: dict[int, float] = {}
    for label, raw_value in monthly.items():
        period = str(label)
        match = _PERIOD_PATTERN.match(period)
        if match is None:
            problems.append(f"period must look like 'YYYY-MM' (got {period!r})")
            continue
        index = int(match.group(1)) * 12 + int(match.group(2)) - 1
        if index in by_index:
            problems.append(f"period {period} appears more than once")
            continue
        value = _as_float(raw_value, period, problems)
        if value is not None and value < 0:
            problems.append(f"amount must be >= 0 (got {_plain(raw_value)} for {period})")
        by_index[index] = np.nan if value is None else value
    if problems:
        raise ProposalError("history has problems: " + "; ".join(problems) + ".")
    if all(np.isnan(v) for v in by_index.values()):
        raise ProposalError("history is empty: every month is blank.")
    first, last = min(by_index), max(by_index)
    values = np.full(last - first + 1, np.nan)
    for index, value in by_index.items():
        values[index - first] = value
    return first, values


def _as_float(raw_value: Any, period: str, problems: list[str]) -> float | None:
    """The value as a float for fitting, ``None`` for a blank, or a problem for anything else."""
    if raw_value is None or (isinstance(raw_value, float) and np.isnan(raw_value)):
        return None
    if pd.isna(raw_value):
        return None
    try:
        return float(raw_value)
    except (TypeError, ValueError):
        problems.append(f"amount must be a number (got {raw_value!r} for {period})")
        return None


def _plain(value: Any) -> str:
    """A number as a person typed it: 120 rather than 120.0 where it is whole."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _impute_missing(values: FloatArray) -> tuple[FloatArray, list[int]]:
    """Fill NaN months; see the module docstring for the rule."""
    missing = [int(t) for t in np.flatnonzero(np.isnan(values))]
    observed = ~np.isnan(values)
    filled = values.copy()
    n = len(values)
    for t in missing:
        neighbours = [u for u in (t - 1, t + 1) if 0 <= u < n and observed[u]]
        estimate: float | None = None
        for lag in (SEASON_LENGTH, -SEASON_LENGTH):
            analogue = t - lag
            if not (0 <= analogue < n and observed[analogue]):
                continue
            pairs = [(u, u - lag) for u in neighbours if 0 <= u - lag < n and observed[u - lag]]
            now = sum(values[u] for u, _ in pairs)
            then = sum(values[v] for _, v in pairs)
            scale = now / then if pairs and then > 0 else 1.0
            estimate = float(values[analogue] * scale)
            break
        if estimate is None:
            # No year-apart value: a straight line between the neighbours is the least-assuming
            # guess; with no observed neighbour at all, the series mean.
            pool = [values[u] for u in neighbours] or list(values[observed])
            estimate = float(np.mean(pool))
        filled[t] = estimate
    return filled, missing


def _seasonal_fit(values: FloatArray) -> FloatArray:
    """Classical multiplicative decomposition: trend (2x12 moving average) times seasonal index.

    Each month's seasonal index is the mean ratio of the *other* years' same month, so a month
    is never its own yardstick: with only three years, an index that included the month itself
    would leave it a residual near zero and make the noise look smaller than it is.
    Needs at least 24 months, so every calendar month has another year to compare with.
    """
    n = len(values)
    weights = np.r_[0.5, np.ones(SEASON_LENGTH - 1), 0.5] / SEASON_LENGTH
    centred = np.convolve(values, weights, mode="valid")
    half = SEASON_LENGTH // 2
    positions = np.arange(half, n - half)
    slope, intercept = np.polyfit(positions, centred, 1)
    trend = intercept + slope * np.arange(n)
    trend[half : n - half] = centred
    trend = np.maximum(trend, 1e-9)
    ratios = values / trend
    season = np.empty(n)
    for t in range(n):
        others = [u for u in range(t % SEASON_LENGTH, n, SEASON_LENGTH) if u != t]
        season[t] = ratios[others].mean()
    return np.asarray(trend * season, dtype=np.float64)


def _damp_outliers(values: FloatArray) -> tuple[FloatArray, list[int]]:
    """Replace months far from the seasonal fit by the fitted value; see the module docstring.

    The worst month is replaced first and the fit redone before looking again, because a spike
    also lifts the moving average and the other years' index around it and would otherwise
    drag innocent months over the limit. Residuals are relative, since a seasonal peak in a
    growing business swings by more units than a quiet month.
    """
    cleaned = values.copy()
    damped: list[int] = []
    for _ in range(len(values) // SEASON_LENGTH):
        fitted = _seasonal_fit(cleaned)
        relative = np.where(fitted > 0, cleaned / np.maximum(fitted, 1e-9) - 1, 0.0)
        relative[damped] = 0.0
        centre = float(np.median(relative))
        spread = np.abs(relative - centre)
        scale = max(1.4826 * float(np.median(spread)), OUTLIER_MIN_SCALE_SHARE)
        worst = int(np.argmax(spread))
        if spread[worst] <= OUTLIER_MAD_LIMIT * scale:
            break
        cleaned[worst] = fitted[worst]
        damped.append(worst)
    return cleaned, sorted(damped)


@dataclass(frozen=True)
class _HoltWintersFit:
    """The chosen weights and the state after the last actual, ready to project."""

    alpha: float
    beta: float
    gamma: float
    phi: float
    level: float
    trend: float
    season: FloatArray  # index i is the seasonal index of history position i mod 12
    months: int
    mape: Decimal | None

    def project(self, steps: int) -> FloatArray:
        """Forecasts for the ``steps`` months after the last actual.

        Month h carries the trend phi + phi^2 + ... + phi^h times (h times when phi = 1).
        """
        horizon = np.arange(1, steps + 1)
        positions = (self.months - 1 + horizon) % SEASON_LENGTH
        trend_months = np.cumsum(np.full(steps, self.phi) ** horizon)
        return np.asarray((self.level + trend_months * self.trend) * self.season[positions])


def _classical_initial_state(values: FloatArray) -> tuple[float, float, FloatArray]:
    """Level before the first month, trend per month and 12 seasonal indices from years 1-2."""
    year1 = float(values[:SEASON_LENGTH].mean())
    year2 = float(values[SEASON_LENGTH : 2 * SEASON_LENGTH].mean())
    trend = (year2 - year1) / SEASON_LENGTH
    # A yearly mean sits mid-year, at position 5.5; the line through both means gives each of
    # the first 24 months its deseasonalised level.
    line = year1 + (np.arange(2 * SEASON_LENGTH) - 5.5) * trend
    ratios = values[: 2 * SEASON_LENGTH] / np.maximum(line, 1e-9)
    season = ratios.reshape(2, SEASON_LENGTH).mean(axis=0)
    season = np.maximum(season / season.mean(), 1e-3)
    level_before_first = year1 - 6.5 * trend
    return level_before_first, trend, season


def _fit_holt_winters(values: FloatArray) -> _HoltWintersFit:
    """Run every grid point at once (one row per point) and keep the smallest squared error."""
    grid = np.array(list(itertools.product(ALPHA_GRID, BETA_GRID, GAMMA_GRID, PHI_GRID)))
    alpha, beta, gamma, phi = grid[:, 0], grid[:, 1], grid[:, 2], grid[:, 3]
    level0, trend0, season0 = _classical_initial_state(values)
    points = len(grid)
    level = np.full(points, level0)
    trend = np.full(points, trend0)
    season = np.tile(season0, (points, 1))
    floor = 1e-9 * max(float(values.mean()), 1.0)
    fitted = np.empty((points, len(values)))
    for t, actual in enumerate(values):
        slot = t % SEASON_LENGTH
        index = season[:, slot]
        damped_trend = phi * trend
        fitted[:, t] = (level + damped_trend) * index
        new_level = np.maximum(alpha * actual / index + (1 - alpha) * (level + damped_trend), floor)
        trend = beta * (new_level - level) + (1 - beta) * damped_trend
        season[:, slot] = np.maximum(gamma * actual / new_level + (1 - gamma) * index, 1e-3)
        level = new_level
    squared_error = ((fitted - values) ** 2).sum(axis=1)
    best = int(np.argmin(squared_error))
    return _HoltWintersFit(
        alpha=float(alpha[best]),
        beta=float(beta[best]),
        gamma=float(gamma[best]),
        phi=float(phi[best]),
        level=float(level[best]),
        trend=float(trend[best]),
        season=season[best].copy(),
        months=len(values),
        mape=_mape(values, fitted[best]),
    )


def _fit_named(
    method: ForecastMethod, values: FloatArray, steps: int, notes: list[str]
) -> tuple[FloatArray, dict[str, Decimal], Decimal | None]:
    """Forecast, parameters and in-sample MAPE of Holt-Winters or one of the two benchmarks."""
    months = len(values)
    if method is ForecastMethod.HOLT_WINTERS:
        fit = _fit_holt_winters(values)
        notes.append(
            f"Holt-Winters (damped additive trend, multiplicative seasonality) on {months} "
            f"months; alpha={fit.alpha:g}, beta={fit.beta:g}, gamma={fit.gamma:g}, "
            f"phi={fit.phi:g}"
        )
        parameters = {
            "alpha": _decimal(fit.alpha, _RATIO_PLACES),
            "beta": _decimal(fit.beta, _RATIO_PLACES),
            "gamma": _decimal(fit.gamma, _RATIO_PLACES),
            "phi": _decimal(fit.phi, _RATIO_PLACES),
        }
        return fit.project(steps), parameters, fit.mape
    horizon = np.arange(months, months + steps)
    # The latest observed month with the same position in the year, and how many years back.
    source = months - SEASON_LENGTH + (horizon - months) % SEASON_LENGTH
    years_ahead = (horizon - source) // SEASON_LENGTH
    last_year = values[months - SEASON_LENGTH :]
    if method is ForecastMethod.SEASONAL_NAIVE:
        notes.append(f"seasonal naive on {months} months: each month as the same month last year")
        fit_mape = _mape(values[SEASON_LENGTH:], values[: months - SEASON_LENGTH])
        return np.asarray(values[source], dtype=np.float64), {}, fit_mape
    year_before = values[months - 2 * SEASON_LENGTH : months - SEASON_LENGTH]
    previous = float(year_before.sum())
    growth = max(float(last_year.sum()) / previous - 1 if previous > 0 else 0.0, -1.0)
    notes.append(
        f"year-on-year growth on {months} months: each month as the same month last year "
        f"grown by {growth:.1%} (the last 12 months against the 12 before)"
    )
    raw = values[source] * (1 + growth) ** years_ahead
    parameters = {"yoy_growth": _decimal(growth, _RATIO_PLACES)}
    return (
        np.asarray(raw, dtype=np.float64),
        parameters,
        _mape(last_year, year_before * (1 + growth)),
    )


def _seasonal_naive_with_trend(
    values: FloatArray, steps: int
) -> tuple[FloatArray, float, Decimal | None]:
    """Forecast, year-over-year growth and MAPE of the seasonal naive fallback."""
    n = len(values)
    overlap = n - SEASON_LENGTH
    if overlap > 0:
        previous = float(values[:overlap].sum())
        recent = float(values[SEASON_LENGTH:].sum())
        growth = recent / previous - 1 if previous > 0 else 0.0
    else:
        growth = 0.0
    growth = max(growth, -1.0)
    horizon = np.arange(n, n + steps)
    # The latest observed month with the same position in the year.
    source = n - SEASON_LENGTH + (horizon - n) % SEASON_LENGTH
    months_ahead = horizon - source
    raw = values[source] * (1 + growth * months_ahead / SEASON_LENGTH)
    mape = _mape(values[SEASON_LENGTH:], values[:overlap] * (1 + growth)) if overlap > 0 else None
    return np.asarray(raw, dtype=np.float64), growth, mape


def _mape(actual: FloatArray, fitted: FloatArray) -> Decimal | None:
    """Mean absolute percentage error over months with positive actuals, as a fraction."""
    positive = actual > 0
    if not np.any(positive):
        return None
    error = float(np.mean(np.abs(actual[positive] - fitted[positive]) / actual[positive]))
    return _decimal(error, _RATIO_PLACES)


def _decimal(value: float, places: Decimal) -> Decimal:
    """A float estimate as a Decimal with a fixed number of places, for display and storage."""
    # Fraction(float) is the float's exact binary value, so halves fall as Decimal(float) did.
    return round_half_up(Fraction(value), places)


def _round_to_unit(value: float, unit: int) -> int:
    """Round half-up to a whole multiple of ``unit`` currency units."""
    return round_half_up_units(Fraction(value), unit) * unit
