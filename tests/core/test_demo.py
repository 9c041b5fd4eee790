"""Tests for the demo company: determinism, shape, seasonality, outlier, hires and new product."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

import pandas as pd
import pytest

from salesgoal_xl.core.demo import DemoCompany, build_demo_company
from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.forecast import forecast_plan_year, monthly_actuals
from salesgoal_xl.core.proposal import (
    RegionFigures,
    build_proposal,
    build_region_proposals,
)


@cache
def demo() -> DemoCompany:
    """The default demo company, built once for the module."""
    return build_demo_company()


def test_same_seed_gives_identical_tables() -> None:
    """Two builds with the same arguments are equal table by table."""
    again = build_demo_company()
    for name in ("regions", "teams", "reps", "channels", "products", "history", "markets"):
        pd.testing.assert_frame_equal(getattr(demo(), name), getattr(again, name))
    assert again.strategic_input == demo().strategic_input


def test_another_seed_gives_another_company() -> None:
    """A different seed changes the history."""
    assert not build_demo_company(seed=7).history.equals(demo().history)


def test_sizes() -> None:
    """4 regions, 10 teams, 60 reps, 4 channels, 8 products and 36 months of 20-40k rows."""
    company = demo()
    assert len(company.regions) == 4
    assert len(company.teams) == 10 and set(company.teams["region"]) == set(
        company.regions["region"]
    )
    assert len(company.reps) == 60 and company.reps["rep_id"].is_unique
    assert list(company.reps["rep_id"][:2]) == ["R001", "R002"]
    assert len(company.channels) == 4
    assert len(company.products) == 8
    periods = sorted(company.history["period"].unique())
    assert len(periods) == 36 and (periods[0], periods[-1]) == ("2023-01", "2025-12")
    assert 20_000 <= len(company.history) <= 40_000
    assert company.plan_periods[0] == "2026-01" and len(company.plan_periods) == 12


def test_amounts_are_non_negative_ints_and_codes_are_known() -> None:
    """Amounts are non-negative integers and every code points into its table."""
    company = demo()
    history = company.history
    assert history["amount"].dtype == "int64" and (history["amount"] >= 0).all()
    assert set(history["rep_id"]) <= set(company.reps["rep_id"])
    assert set(history["channel"]) == set(company.channels["channel"])
    assert set(history["product"]) == set(company.products["product"])
    assert not history.duplicated(["period", "rep_id", "channel", "product"]).any()


def test_q4_share_is_higher_than_q3() -> None:
    """Each history year sells more in Q4 than in the summer quarter."""
    totals = monthly_actuals(demo().history)
    for year in ("2023", "2024", "2025"):
        q3 = sum(totals[f"{year}-{m:02d}"] for m in (7, 8, 9))
        q4 = sum(totals[f"{year}-{m:02d}"] for m in (10, 11, 12))
        assert q4 > 1.2 * q3, year


def test_history_grows_about_ten_percent_a_year() -> None:
    """The last history year is 6-15% above the one before."""
    totals = monthly_actuals(demo().history)
    growth = totals.iloc[24:].sum() / totals.iloc[12:24].sum() - 1
    assert 0.06 < growth < 0.15


def test_outlier_month_exists_and_the_forecast_damps_it() -> None:
    """The outlier region-month is far above its neighbours and the forecast names it."""
    company = demo()
    region_of = dict(zip(company.reps["rep_id"], company.reps["region"], strict=True))
    history = company.history.assign(region=company.history["rep_id"].map(region_of))
    east = monthly_actuals(history[history["region"] == company.outlier_region])
    spike = east[company.outlier_period]
    neighbours = east.loc["2024-03":"2024-07"].drop(company.outlier_period)
    assert spike > 2 * neighbours.max()
    forecast = forecast_plan_year(monthly_actuals(company.history))
    assert forecast.damped_periods == (company.outlier_period,)


def test_hires_have_no_history_before_their_start() -> None:
    """No rep sells before the month they start; four join and three leave in the plan year."""
    company = demo()
    reps = company.reps.set_index("rep_id")
    start_of = dict(zip(company.reps["rep_id"], company.reps["start_date"], strict=True))
    first_sale = company.history.groupby("rep_id")["period"].min()
    for rep_id, period in first_sale.items():
        start: dt.date = start_of[rep_id]
        assert period >= f"{start.year:04d}-{start.month:02d}", rep_id
    plan_start = dt.date(2026, 1, 1)
    joining = reps[[start >= plan_start for start in reps["start_date"]]]
    assert len(joining) == 4
    assert not set(joining.index) & set(company.history["rep_id"])
    hired_in_history = [start >= dt.date(2023, 2, 1) for start in reps["start_date"]]
    assert sum(hired_in_history) - len(joining) >= 3
    leaving = reps[reps["end_date"].notna()]
    assert len(leaving) == 3
    assert all(plan_start <= end <= dt.date(2026, 12, 31) for end in leaving["end_date"])


def test_new_product_has_short_history() -> None:
    """The new product line sells only in the last four months of history."""
    company = demo()
    periods = company.history.loc[company.history["product"] == company.new_product, "period"]
    assert sorted(periods.unique()) == ["2025-09", "2025-10", "2025-11", "2025-12"]
    launch = company.products.set_index("product").loc[company.new_product, "launch_date"]
    assert launch == dt.date(2025, 9, 1)


def test_reps_sell_a_few_channel_product_pairs() -> None:
    """Each selling rep has between 6 and 19 channel-product pairs, not the full 32."""
    pairs = (
        demo()
        .history.groupby("rep_id")[["channel", "product"]]
        .apply(lambda rows: len(rows.drop_duplicates()))
    )
    assert pairs.between(6, 19).all()


def test_rep_attributes_are_plausible() -> None:
    """Capacity is a Decimal from 0.80 to 1.20, potential a positive int, names plain ASCII."""
    reps = demo().reps
    assert all(
        isinstance(c, Decimal) and Decimal("0.8") <= c <= Decimal("1.2") for c in reps["capacity"]
    )
    assert all(isinstance(p, int) and p > 0 for p in reps["potential"])
    assert all(name.isascii() and " " in name for name in reps["rep_name"])
    assert reps["rep_name"].is_unique


def test_markets_and_settings_feed_a_proposal() -> None:
    """The demo's markets and settings build proposals; only the West region is far from market."""
    company = demo()
    settings = company.settings
    assert (settings.currency, settings.rounding_unit, settings.country) == ("USD", 100, "US")
    assert settings.stretch == Decimal("0.10") and settings.over_assignment == Decimal("0.05")
    assert set(settings.as_frame()["setting"]) >= {"fiscal_year", "first_month", "language"}
    markets = company.market_assumptions()
    totals = monthly_actuals(company.history)
    forecast = forecast_plan_year(totals, rounding_unit=settings.rounding_unit)
    proposal = build_proposal(
        baseline=int(totals.iloc[-12:].sum()),
        forecast=forecast,
        markets=markets,
        strategic_input=company.strategic_input,
        settings=settings.proposal_settings(),
    )
    assert proposal.recommended.conservative <= proposal.recommended.base
    assert proposal.recommended.stretch > proposal.recommended.base
    assert not proposal.far_from_market

    region_of = dict(zip(company.reps["rep_id"], company.reps["region"], strict=True))
    regions = company.history["rep_id"].map(region_of)
    rows = []
    for market in markets:
        actuals = monthly_actuals(company.history[regions == market.region])
        rows.append(
            RegionFigures(
                market.region,
                int(actuals.iloc[-12:].sum()),
                forecast_plan_year(actuals, rounding_unit=settings.rounding_unit),
                market,
            )
        )
    proposals = build_region_proposals(rows, settings.proposal_settings())
    assert [p.scope for p in proposals if p.far_from_market] == ["WEST"]


def test_fiscal_year_starting_in_april() -> None:
    """With an April start, FY2026 history runs 2022-04 to 2025-03 and Q4 is Jan-Mar."""
    company = build_demo_company(fiscal_year=2026, first_month=4)
    periods = sorted(company.history["period"].unique())
    assert (periods[0], periods[-1]) == ("2022-04", "2025-03")
    assert company.plan_periods[0] == "2025-04"


def test_bad_first_month_is_an_error() -> None:
    """A first month outside 1-12 is refused."""
    with pytest.raises(ProposalError, match="first_month must be 1 to 12"):
        build_demo_company(first_month=13)
