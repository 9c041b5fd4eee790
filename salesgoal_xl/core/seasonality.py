"""Seasonality: monthly indices from past actuals, and exact seasonal splits of a target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.calendar import month_label, parse_month, split_months_into_weeks
from salesgoal_xl.core.errors import CalendarError
from salesgoal_xl.core.money import Amount, Money

FLAT = "flat"
MEDIAN_RATIO = "median ratio to yearly level"


def _year_month(value: object) -> tuple[int, int]:
    if isinstance(value, pd.Period):
        return int(value.year), int(value.month)
    if isinstance(value, str | dt.date | pd.Timestamp):
        return parse_month(value)
    raise CalendarError(f"period must be a month like 2026-04 or a date (got {value!r}).")


def monthly_history(
    history: pd.DataFrame | pd.Series,
    *,
    period_col: str = "period",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Actuals summed per calendar month: one row per year, columns 1..12, NaN where missing.

    ``history`` is a long frame with a period and an amount column, or a Series of amounts
    indexed by period.
    """
    if isinstance(history, pd.Series):
        history = pd.DataFrame({period_col: history.index, amount_col: history.to_numpy()})
    for column in (period_col, amount_col):
        if column not in history.columns:
            raise CalendarError(
                f"history has no column {column!r} (columns: {list(history.columns)})."
            )
    if history.empty:
        return pd.DataFrame(columns=range(1, 13), dtype=float)
    keys = [_year_month(value) for value in history[period_col].tolist()]
    amounts = pd.to_numeric(history[amount_col], errors="coerce").astype(float)
    frame = pd.DataFrame(
        {
            "year": [year for year, _ in keys],
            "month": [month for _, month in keys],
            "amount": amounts.to_numpy(),
        }
    ).dropna(subset=["amount"])
    table = frame.pivot_table(index="year", columns="month", values="amount", aggfunc="sum")
    return table.reindex(columns=range(1, 13))


def seasonal_indices(
    history: pd.DataFrame | pd.Series,
    *,
    period_col: str = "period",
    amount_col: str = "amount",
    min_months: int = 12,
    rounds: int = 10,
) -> pd.Series:
    """Twelve monthly seasonal indices (index 1..12 = January..December) averaging 1.0.

    ``history`` holds actuals in long form (``period_col``: "YYYY-MM", a date or a Period;
    ``amount_col``: the amount), or is a Series of amounts indexed by period.

    Method (ratio to a robust yearly level, iterated): history is summed per calendar
    month; each year's level is the median of its months after dividing out the current
    indices; each month's index is the median, over years, of that month's ratio to its
    year's level; indices are rescaled to average 1.0, and the steps repeat ``rounds``
    times. Medians make one outlier month harmless with three or more years of history
    (with two years it is averaged, so halved; with one year it cannot be told apart from
    seasonality). Yearly levels absorb growth between years.

    A month missing from one year is estimated from the other years; a month missing from
    every year is interpolated from its neighbouring months (December wraps to January).

    With fewer than ``min_months`` months of history, or no positive level, the indices
    are flat (all 1.0). ``result.attrs["method"]`` says which rule was used.
    """
    table = monthly_history(history, period_col=period_col, amount_col=amount_col)
    values = table.to_numpy(dtype=float)
    months_known = int(np.isfinite(values).sum())
    if months_known < min_months:
        return _as_series(np.ones(12), f"{FLAT} (only {months_known} months of history)")

    indices = np.ones(12)
    for _ in range(rounds):
        with np.errstate(invalid="ignore", divide="ignore"):
            levels = _nan_median(values / indices, axis=1)
        levels = np.where(levels > 0, levels, np.nan)
        if not np.isfinite(levels).any():
            return _as_series(np.ones(12), f"{FLAT} (history has no positive level)")
        ratios = values / levels[:, None]
        estimate = _fill_circular(_nan_median(ratios, axis=0))
        estimate = np.clip(estimate, 0.0, None)
        if estimate.sum() <= 0:
            return _as_series(np.ones(12), f"{FLAT} (history has no positive level)")
        indices = estimate * 12.0 / estimate.sum()
    return _as_series(indices, MEDIAN_RATIO)


def _nan_median(values: npt.NDArray[np.float64], axis: int) -> npt.NDArray[np.float64]:
    result = np.full(values.shape[1 - axis], np.nan)
    present = np.isfinite(values).any(axis=axis)
    if present.any():
        picked = values[present, :] if axis == 1 else values[:, present]
        result[present] = np.nanmedian(picked, axis=axis)
    return result


def _fill_circular(indices: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    known = np.flatnonzero(np.isfinite(indices))
    if known.size == 12 or known.size == 0:
        return indices
    # Three copies of the year let December's neighbours include January and vice versa.
    positions = np.concatenate((known - 12, known, known + 12))
    return np.interp(np.arange(12), positions, np.tile(indices[known], 3))


def _as_series(indices: npt.NDArray[np.float64], method: str) -> pd.Series:
    series = pd.Series(indices, index=pd.Index(range(1, 13), name="month"), name="seasonal_index")
    series.attrs["method"] = method
    return series


def split_by_seasonality(
    total: Amount,
    indices: pd.Series | Sequence[float],
    months: Sequence[str],
    *,
    unit: Amount = 1,
) -> dict[str, Money]:
    """Split ``total`` over plan ``months`` ("YYYY-MM") in proportion to their seasonal index.

    ``indices`` are per calendar month (1..12, as from ``seasonal_indices``, or a list of
    twelve for January..December). The parts add up exactly to ``total`` (see ``allocate``).
    """
    profile = (
        [float(indices[m]) for m in range(1, 13)]
        if isinstance(indices, pd.Series)
        else [float(v) for v in indices]
    )
    if len(profile) != 12:
        raise CalendarError(f"indices must hold 12 monthly values (got {len(profile)}).")
    weights = [profile[parse_month(month)[1] - 1] for month in months]
    return dict(zip(months, allocate(total, weights, unit=unit), strict=True))


def split_by_season_and_week(
    total: Amount,
    indices: pd.Series | Sequence[float],
    months: Sequence[str],
    *,
    country: str | None = None,
    subdivision: str | None = None,
    unit: Amount = 1,
) -> pd.DataFrame:
    """Split ``total`` over months by seasonal index, then each month over ISO weeks.

    Weeks follow working days (weekends and ``country``'s public holidays are off), and a
    week crossing a month boundary keeps one row per month. Columns: ``month``,
    ``iso_week``, ``working_days``, ``amount``; every month adds up exactly to its
    seasonal share and the whole to ``total``.
    """
    monthly = split_by_seasonality(
        total, indices, [month_label(*parse_month(m)) for m in months], unit=unit
    )
    return split_months_into_weeks(monthly, country=country, subdivision=subdivision, unit=unit)
