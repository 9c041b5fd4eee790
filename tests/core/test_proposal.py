"""Tests for the target proposal: range, ratios, flags at their limits, SMART and languages."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pandas as pd
import pytest

from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.forecast import forecast_plan_year
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, Source
from salesgoal_xl.core.proposal import (
    CheckStatus,
    FlagCode,
    MarketAssumption,
    ProposalSettings,
    RegionFigures,
    SmartCriterion,
    build_proposal,
    build_region_proposals,
)
from salesgoal_xl.core.proposal_text import LANGUAGES, MESSAGES

SETTINGS = ProposalSettings(fiscal_year=2026)


def market(figure: int, region: str = "North") -> MarketAssumption:
    """A market whose figure is exactly ``figure`` (size ``figure`` x 100% share)."""
    return MarketAssumption(region, figure, Decimal(1))


def test_brief_example_reads_as_specified() -> None:
    """A target of 131% of forecast is too high and fails Achievable with the exact sentence."""
    proposal = build_proposal(
        baseline=1_000_000,
        forecast=1_000_000,
        final_target=1_310_000,
        markets=[market(1_200_000)],
        settings=SETTINGS,
    )
    assert proposal.challenge_ratio == Decimal("1.3100")
    assert proposal.too_high and not proposal.too_low
    achievable = proposal.check(SmartCriterion.ACHIEVABLE)
    assert achievable.status is CheckStatus.FAIL
    assert achievable.reason.text() == "target is 131% of forecast; above the 125% limit"


@pytest.mark.parametrize(
    ("target", "too_high", "too_low", "status"),
    [
        (1250, False, False, CheckStatus.PASS),
        (1251, True, False, CheckStatus.FAIL),
        (1000, False, False, CheckStatus.PASS),
        (999, False, True, CheckStatus.WARN),
    ],
)
def test_challenge_limits_are_inclusive(
    target: int, too_high: bool, too_low: bool, status: CheckStatus
) -> None:
    """Exactly 100% and 125% of forecast pass; one unit beyond either limit is flagged."""
    proposal = build_proposal(
        baseline=900, forecast=1000, final_target=target, markets=[market(1100)], settings=SETTINGS
    )
    assert (proposal.too_high, proposal.too_low) == (too_high, too_low)
    assert proposal.check(SmartCriterion.ACHIEVABLE).status is status


def test_too_low_reason_names_the_limit() -> None:
    """A target just below the forecast says by how much and which limit it missed."""
    proposal = build_proposal(baseline=900, forecast=1000, final_target=999, settings=SETTINGS)
    assert proposal.flag(FlagCode.TOO_LOW).reason.text() == (
        "target is 99.9% of forecast; below the 100% limit, so it asks for no stretch"
    )


@pytest.mark.parametrize(
    ("target", "far", "reason"),
    [
        (1150, False, "target is within 15% of the market-based figure 1,000"),
        (
            1151,
            True,
            "target is 15.1% above the market-based figure 1,000; beyond the 15% tolerance",
        ),
        (850, False, "target is within 15% of the market-based figure 1,000"),
        (
            849,
            True,
            "target is 15.1% below the market-based figure 1,000; beyond the 15% tolerance",
        ),
    ],
)
def test_market_tolerance_is_inclusive(target: int, far: bool, reason: str) -> None:
    """Exactly 15% from the market figure is fine; one unit further is far from market."""
    proposal = build_proposal(
        baseline=900, forecast=1000, final_target=target, markets=[market(1000)], settings=SETTINGS
    )
    assert proposal.far_from_market is far
    assert proposal.flag(FlagCode.FAR_FROM_MARKET).reason.text() == reason
    relevant = proposal.check(SmartCriterion.RELEVANT)
    assert relevant.status is (CheckStatus.WARN if far else CheckStatus.PASS)
    assert relevant.reason.text() == reason


def test_recommended_range_and_rounding() -> None:
    """Conservative is the lower of forecast and market, base the forecast, stretch base x 1.1."""
    settings = ProposalSettings(fiscal_year=2026, rounding_unit=100)
    proposal = build_proposal(
        baseline=1_100_000,
        forecast=1_234_567,
        markets=[
            MarketAssumption("North", 2_000_001, Decimal("0.25")),
            MarketAssumption("South", 1_200_000, Decimal("0.5")),
        ],
        settings=settings,
    )
    # 2,000,001 x 0.25 = 500,000.25 -> 500,000; plus 600,000.
    assert proposal.market_figure == 1_100_000
    assert proposal.recommended.conservative == 1_100_000
    assert proposal.recommended.base == 1_234_600
    assert proposal.recommended.stretch == 1_358_100  # 1,234,600 x 1.1 = 1,358,060
    assert proposal.final_target == 1_234_600 and not proposal.final_target_entered
    assert proposal.check(SmartCriterion.SPECIFIC).status is CheckStatus.WARN


def test_market_figure_rounds_half_up_like_excel() -> None:
    """A market figure of exactly half a unit rounds up, as ROUND(x, 0) does in the workbook."""
    assert MarketAssumption("North", 1_000_001, Decimal("0.5")).market_figure == 500_001


def test_without_market_conservative_equals_base_and_relevant_warns() -> None:
    """No market figures: the range starts at the forecast and Relevant asks for them."""
    proposal = build_proposal(baseline=900, forecast=1000, final_target=1100, settings=SETTINGS)
    assert proposal.market_figure is None and proposal.market_ratio is None
    assert proposal.recommended.conservative == proposal.recommended.base == 1000
    assert not proposal.far_from_market
    relevant = proposal.check(SmartCriterion.RELEVANT)
    assert relevant.status is CheckStatus.WARN
    assert "enter market size and target share" in relevant.reason.text()


def test_ratios_are_decimals_to_four_places() -> None:
    """Challenge ratio, growth and market ratio are Decimals rounded half-up to 4 places."""
    proposal = build_proposal(
        baseline=3000, forecast=3000, final_target=2000, markets=[market(3000)], settings=SETTINGS
    )
    assert proposal.challenge_ratio == Decimal("0.6667")
    assert proposal.growth_vs_baseline == Decimal("-0.3333")
    assert proposal.market_ratio == Decimal("0.6667")


def test_measurable_reports_growth_or_asks_for_history() -> None:
    """Growth against last year is stated; with no actual last year, Measurable warns."""
    with_baseline = build_proposal(
        baseline=1000, forecast=1000, final_target=1100, settings=SETTINGS
    )
    assert with_baseline.check(SmartCriterion.MEASURABLE).reason.text() == (
        "measured against last year's actual of 1,000 (+10%)"
    )
    without = build_proposal(baseline=0, forecast=1000, final_target=1100, settings=SETTINGS)
    assert without.growth_vs_baseline is None
    assert without.check(SmartCriterion.MEASURABLE).status is CheckStatus.WARN


def test_zero_target_fails_specific() -> None:
    """A final target of zero fails Specific and says what to do."""
    proposal = build_proposal(baseline=1000, forecast=1000, final_target=0, settings=SETTINGS)
    specific = proposal.check(SmartCriterion.SPECIFIC)
    assert specific.status is CheckStatus.FAIL
    assert specific.reason.text() == "the target must be above zero (got 0); enter a final target"


def test_zero_forecast_cannot_judge_the_challenge() -> None:
    """With a zero forecast there is no ratio, no challenge flag and Achievable warns."""
    proposal = build_proposal(baseline=0, forecast=0, final_target=500, settings=SETTINGS)
    assert proposal.challenge_ratio is None
    assert not proposal.too_high and not proposal.too_low
    assert proposal.check(SmartCriterion.ACHIEVABLE).status is CheckStatus.WARN


def test_strategic_input_far_from_target_warns_relevant() -> None:
    """A target 20% under the strategic input, though near the market, warns under Relevant."""
    proposal = build_proposal(
        baseline=900,
        forecast=1000,
        final_target=1000,
        strategic_input=1250,
        markets=[market(1000)],
        settings=SETTINGS,
    )
    relevant = proposal.check(SmartCriterion.RELEVANT)
    assert relevant.status is CheckStatus.WARN
    assert relevant.reason.text() == (
        "target is 20% below the strategic input 1,250; beyond the 15% tolerance"
    )


def test_time_bound_checks_the_forecast_covers_the_plan_year() -> None:
    """A forecast of the plan year passes Time-bound; one of another year warns."""
    history = pd.Series([100] * 6, index=[f"2025-{m:02d}" for m in range(7, 13)])
    on_time = forecast_plan_year(history)
    proposal = build_proposal(baseline=1200, forecast=on_time, settings=SETTINGS)
    check = proposal.check(SmartCriterion.TIME_BOUND)
    assert check.status is CheckStatus.PASS
    assert check.reason.text() == "covers FY2026, 2026-01 to 2026-12"
    assert proposal.forecast == 1200 and proposal.forecast_method == "run_rate"
    late = forecast_plan_year(history, plan_start="2026-04")
    mismatch = build_proposal(baseline=1200, forecast=late, settings=SETTINGS)
    assert mismatch.check(SmartCriterion.TIME_BOUND).status is CheckStatus.WARN


def test_fiscal_year_is_named_by_the_year_it_ends() -> None:
    """FY2026 starting in April runs from 2025-04 to 2026-03."""
    assert ProposalSettings(fiscal_year=2026, first_month=4).plan_periods == ("2025-04", "2026-03")
    assert ProposalSettings(fiscal_year=2026).plan_periods == ("2026-01", "2026-12")


def test_every_language_has_the_same_messages_and_placeholders() -> None:
    """Each message key exists in all three languages with the same placeholders."""
    english = MESSAGES["en"]
    for language in LANGUAGES:
        assert set(MESSAGES[language]) == set(english), language
        for key, text in english.items():
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            translated = MESSAGES[language][key]
            assert {n for _, n, _, _ in string.Formatter().parse(translated) if n} == fields


def test_reasons_and_names_render_in_chinese() -> None:
    """Reasons, criterion names, statuses and flags render in Traditional and Simplified Chinese."""
    proposal = build_proposal(
        baseline=1000, forecast=1000, final_target=1310, markets=[market(1000)], settings=SETTINGS
    )
    achievable = proposal.check(SmartCriterion.ACHIEVABLE)
    assert achievable.name("zh-Hant") == "可達成"
    assert achievable.status_label("zh-Hans") == "未通过"
    assert achievable.reason.text("zh-Hant") == "目標為預測的 131%；高於 125% 上限"
    assert proposal.flags_text("zh-Hans") == "目标过高；偏离市场"
    assert proposal.flags_text() == "too high; far from market"
    specific = build_proposal(
        baseline=1000, forecast=1000, final_target=1000, settings=SETTINGS
    ).check(SmartCriterion.SPECIFIC)
    assert specific.reason.text("zh-Hant").startswith("全公司 FY2026")
    assert not re.search(r"[{}]", specific.reason.text("zh-Hans"))


def test_bad_inputs_are_collected_in_one_error() -> None:
    """A negative baseline, a float target and a share above 100% are all named at once."""
    with pytest.raises(ProposalError) as raised:
        build_proposal(
            baseline=-5,
            forecast=1000,
            final_target=1.5,  # type: ignore[arg-type]
            markets=[
                MarketAssumption("North", 1000, Decimal("1.2"), share_source=Source("Market", "C3"))
            ],
            settings=SETTINGS,
            sources={"final target": Source("Target setting", "J2")},
        )
    text = str(raised.value)
    assert "baseline must be >= 0 (got -5)" in text
    assert "final target must be a whole number of currency units (got 1.5)" in text
    assert "target share of North must be from 0% to 100% (got 120%)" in text
    assert isinstance(raised.value, ProblemsFound)
    located = {(p.code, p.where) for p in raised.value.problems}
    assert (ProblemCode.NOT_WHOLE_UNITS, "Target setting!J2") in located
    assert (ProblemCode.OUT_OF_RANGE, "Market!C3") in located


def test_bad_settings_are_an_error() -> None:
    """A too-low limit above the too-high limit and a zero rounding unit are refused."""
    with pytest.raises(ProposalError, match="too_low_below must not exceed too_high_above"):
        ProposalSettings(fiscal_year=2026, too_low_below=Decimal(2))
    with pytest.raises(ProposalError, match="rounding_unit must be a whole number >= 1"):
        ProposalSettings(fiscal_year=2026, rounding_unit=0)


def test_region_proposals_judge_each_region_against_its_market() -> None:
    """Each region gets its own row, market figure and far-from-market flag, in input order."""
    rows = build_region_proposals(
        [
            RegionFigures("West", 900, 1000, MarketAssumption("West", 10_000, Decimal("0.13"))),
            RegionFigures("East", 800, 1000, MarketAssumption("East", 10_000, Decimal("0.10"))),
            RegionFigures("South", 0, 500),
        ],
        SETTINGS,
    )
    assert [row.scope for row in rows] == ["West", "East", "South"]
    assert [row.market_figure for row in rows] == [1300, 1000, None]
    assert [row.far_from_market for row in rows] == [True, False, False]
    assert rows[0].baseline == 900 and rows[0].forecast == 1000


def test_region_with_another_regions_market_is_an_error() -> None:
    """Passing the East market to the West row is refused."""
    with pytest.raises(ProposalError, match="'West' was given the market of 'East'"):
        build_region_proposals(
            [RegionFigures("West", 1, 1, MarketAssumption("East", 1, Decimal(1)))], SETTINGS
        )
