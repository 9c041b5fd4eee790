"""seasonal_indices() and split_by_seasonality(): robust monthly shapes and exact splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import (
    FiscalCalendar,
    seasonal_indices,
    split_by_season_and_week,
    split_by_seasonality,
)

TRUE_SHAPE = np.array([0.8, 0.7, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3])
TRUE_SHAPE = TRUE_SHAPE * 12 / TRUE_SHAPE.sum()


def _history(levels: dict[int, float]) -> pd.DataFrame:
    rows = [
        {"period": f"{year}-{month:02d}", "amount": level * TRUE_SHAPE[month - 1]}
        for year, level in levels.items()
        for month in range(1, 13)
    ]
    return pd.DataFrame(rows)


def test_recovers_the_shape_despite_growth() -> None:
    """Three years growing 10 % a year give back the true monthly shape."""
    indices = seasonal_indices(_history({2023: 100, 2024: 110, 2025: 121}))
    assert np.allclose(indices.to_numpy(), TRUE_SHAPE)
    assert indices.index.tolist() == list(range(1, 13))
    assert indices.attrs["method"] == "median ratio to yearly level"


def test_one_outlier_month_is_ignored() -> None:
    """A single month five times too big, in one of three years, leaves the indices unchanged."""
    history = _history({2023: 100, 2024: 110, 2025: 121})
    amounts = history["amount"].to_numpy(copy=True)
    amounts[17] *= 5  # 2024-06
    history["amount"] = amounts
    assert np.allclose(seasonal_indices(history).to_numpy(), TRUE_SHAPE)


def test_a_month_missing_from_one_year_is_estimated_from_the_others() -> None:
    """Dropping 2024-09 changes nothing: the other years supply September."""
    history = _history({2023: 100, 2024: 110, 2025: 121}).drop(index=20)
    assert np.allclose(seasonal_indices(history).to_numpy(), TRUE_SHAPE)


def test_a_month_missing_from_every_year_is_interpolated() -> None:
    """With April never recorded, its index is the mean of March and May (before rescaling)."""
    history = _history({2024: 100, 2025: 100})
    history = history[~history["period"].str.endswith("-04")]
    indices = seasonal_indices(history, min_months=12).to_numpy()
    assert indices[3] == pytest.approx((indices[2] + indices[4]) / 2)
    assert indices.mean() == pytest.approx(1.0)


def test_less_than_a_year_of_history_is_flat() -> None:
    """Eleven months of history give flat indices, and the method says why."""
    indices = seasonal_indices(_history({2025: 100}).iloc[:11])
    assert indices.tolist() == [1.0] * 12
    assert indices.attrs["method"] == "flat (only 11 months of history)"


def test_no_history_is_flat() -> None:
    """An empty history gives flat indices."""
    empty = pd.DataFrame({"period": [], "amount": []})
    assert seasonal_indices(empty).tolist() == [1.0] * 12


def test_periods_may_be_dates_and_are_summed_per_month() -> None:
    """Several rows in a month (dates, other reps) are summed before indexing."""
    history = _history({2025: 120})
    doubled = pd.concat([history, history]).assign(period=lambda f: f["period"] + "-15")
    assert np.allclose(seasonal_indices(doubled).to_numpy(), TRUE_SHAPE)


@given(
    amounts=st.lists(st.floats(1, 1e6), min_size=24, max_size=24),
    drop=st.lists(st.integers(0, 23), max_size=3),
)
@settings(max_examples=40)
def test_indices_average_one(amounts: list[float], drop: list[int]) -> None:
    """Whatever the (positive) history, the twelve indices are non-negative and average 1.0."""
    history = pd.DataFrame(
        {"period": [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(24)], "amount": amounts}
    ).drop(index=sorted(set(drop)))
    indices = seasonal_indices(history)
    assert indices.mean() == pytest.approx(1.0)
    assert (indices >= 0).all()


def test_split_by_seasonality_follows_the_indices_exactly() -> None:
    """A 1200 target over a fiscal year follows the indices and adds up exactly."""
    indices = pd.Series([2.0] + [1.0] * 10 + [0.0], index=range(1, 13))
    months = FiscalCalendar(2026, first_month=4).months
    parts = split_by_seasonality(1200, indices, months)
    assert list(parts) == list(months)
    assert parts["2026-01"] == 200
    assert parts["2025-12"] == 0
    assert parts["2025-04"] == 100
    assert sum(parts.values()) == 1200


def test_season_then_weeks_adds_up_at_every_level() -> None:
    """A yearly total goes to months by season, then to weeks by working days, exactly."""
    months = FiscalCalendar(2026, first_month=4).months
    weeks = split_by_season_and_week(
        12_000, [1.2] + [1.0] * 10 + [0.8], months, country="US", unit=10
    )
    assert weeks["amount"].sum() == 12_000
    by_month = weeks.groupby("month", sort=False)["amount"].sum()
    assert by_month.index.tolist() == list(months)
    assert by_month["2026-01"] == 1_200
    assert (weeks["amount"] % 10 == 0).all()


def test_a_series_indexed_by_period_is_accepted() -> None:
    """Monthly amounts as a Series indexed by period give the same indices as the long frame."""
    history = _history({2024: 100, 2025: 110})
    series = history.set_index("period")["amount"]
    assert np.allclose(seasonal_indices(series).to_numpy(), seasonal_indices(history).to_numpy())
