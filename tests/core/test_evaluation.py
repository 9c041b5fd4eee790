"""core.evaluation: a unit's figures over its periods, streaks, re-targeting, KPI scores,
bands, ranks and fairness figures, each against a hand or independent computation."""

from __future__ import annotations

import itertools
import math
import statistics
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core.evaluation import (
    FairnessBands,
    Kpi,
    RetargetRule,
    TrackingRules,
    attainment_positions,
    band,
    behind_streak,
    correlation,
    fairness_figures,
    kpi_score,
    ranks,
    retarget_due,
    track_unit,
    weighted_score,
)
from salesgoal_xl.core.tracking import RiskLevel

RULES = TrackingRules(Fraction(9, 10), Fraction(3, 4), Fraction(3, 2), unit=Fraction(100))


def _f(values: list[int]) -> list[Fraction]:
    return [Fraction(v) for v in values]


def test_track_unit_hand_computed() -> None:
    """Targets 1,000 a month, 900 a month for four months: pace 90%, projection
    3,600 + 8,000 x 0.9 = 10,800, run rate (12,000 - 3,600) / 8 = 1,050 rounded up to 1,100."""
    figure = track_unit(_f([1000] * 12), _f([900] * 4 + [0] * 8), 3, RULES)
    assert (figure.actual_to_date, figure.expected_to_date, figure.annual_target) == (
        3600,
        4000,
        12000,
    )
    assert figure.projection == 10800
    assert figure.required_run_rate == 1100
    assert figure.periods_left == 8
    assert figure.best_period == 900
    assert figure.level is RiskLevel.GREEN


def test_out_of_reach_turns_a_flag_red() -> None:
    """A run rate above 1.5x the best month is red whatever the pace; 1.5x exactly is not."""
    # 6 months of 500 on a 500/1,500 phasing: pace 100%, needs 1,500 a month = 3x the best.
    figure = track_unit(_f([500] * 6 + [1500] * 6), _f([500] * 6 + [0] * 6), 5, RULES)
    assert figure.flag.pace == 1
    assert figure.out_of_reach and figure.level is RiskLevel.RED
    assert "out of reach" in figure.reason
    # 1,000 a month, 1,000 done for 6 months then best 1,000: 1,000 needed = 1.0x.
    within = track_unit(_f([1000] * 12), _f([1000] * 6 + [0] * 6), 5, RULES)
    assert not within.out_of_reach and within.level is RiskLevel.GREEN
    exactly = track_unit(_f([1000] * 12), _f([1000] * 5 + [0] * 7), 5, RULES)
    # 7,000 over 6 months = 1,166.67, up to 1,200 = 1.2x the best 1,000: within 1.5x.
    assert not exactly.out_of_reach


def test_a_leaver_tracked_after_the_last_day_is_closed_not_warned() -> None:
    """The demo's R021 left in March and was tracked in June as 'behind pace 6 months in a
    row' needing a run rate over months she no longer works. Her target ended with March: no
    run rate, no streak, red because the gap is final, and a reason that says so."""
    targets, actuals = _f([1000] * 3 + [0] * 9), _f([700] * 3 + [0] * 9)
    june = track_unit(targets, actuals, 5, RULES)
    assert (june.periods_left, june.required_run_rate, june.behind_periods) == (0, None, 0)
    assert june.level is RiskLevel.RED and june.projection == 2100
    assert june.reason == (
        "the target ended 3 months ago, closed at 70% of it (900 short); nothing is left to "
        "close the gap"
    )
    reached = track_unit(targets, _f([1100] * 3 + [0] * 9), 5, RULES)
    assert reached.level is RiskLevel.GREEN
    assert reached.reason == "the target ended 3 months ago, reached (110%)"
    # In the last month with a target nothing is left after it either, but it still counts.
    march = track_unit(targets, actuals, 2, RULES)
    assert (march.periods_left, march.required_run_rate, march.behind_periods) == (0, None, 3)
    assert "no months are left to close the gap" in march.reason
    # A month before: the one month left carries it all (it was spread to December before).
    february = track_unit(targets, actuals, 1, RULES)
    assert february.periods_left == 1 and february.required_run_rate == 1600


def test_a_new_hire_needs_the_run_rate_over_the_months_with_a_target() -> None:
    """Targets from April: in February nothing is expected, and the months left are the nine
    that carry a target."""
    figure = track_unit(_f([0] * 3 + [1000] * 9), _f([0] * 12), 1, RULES)
    assert figure.periods_left == 9 and figure.required_run_rate == 1000
    assert figure.level is RiskLevel.GREEN and figure.reason == "nothing is expected yet this year"


def test_a_gap_with_no_period_left_is_red_and_says_so() -> None:
    """At the last period a remaining gap cannot be closed."""
    figure = track_unit(_f([1000] * 12), _f([950] * 12), 11, RULES)
    assert figure.required_run_rate is None
    assert figure.level is RiskLevel.RED
    assert "no months are left" in figure.reason


def test_working_day_share_of_the_as_of_period() -> None:
    """Half of the as-of period elapsed: it counts half and stays among the periods left."""
    figure = track_unit(
        _f([1000] * 12), _f([1000] * 3 + [0] * 9), 3, RULES, expected_in_period=Fraction(1, 2)
    )
    assert figure.expected_to_date == 3500
    assert figure.target_to_date == 4000
    assert figure.periods_left == 9


def test_behind_streak_counts_trailing_periods_below_amber() -> None:
    """Cumulative pace 100%, 75%, 83%, 87.5% against amber 90%: three periods behind."""
    assert behind_streak(_f([100] * 4), _f([100, 50, 100, 100]), 3, Fraction(9, 10)) == 3
    assert behind_streak(_f([100] * 4), _f([100, 50, 100, 200]), 3, Fraction(9, 10)) == 0


def test_retarget_due_needs_more_than_the_share_after_the_point() -> None:
    """3 of 5 below 70% is 60%: not more than 60%; 4 of 5 is. Before mid-year nothing."""
    rule = RetargetRule(Fraction(3, 5), Fraction(7, 10), Fraction(1, 2))
    three = [Fraction(1, 2)] * 3 + [Fraction(1)] * 2
    four = [Fraction(1, 2)] * 4 + [Fraction(1)]
    assert retarget_due(three, Fraction(1, 2), rule) is None
    assert retarget_due(four, Fraction(1, 2), rule) == (4, 5)
    assert retarget_due(four, Fraction(5, 12), rule) is None


def test_kpi_score_direction_cap_goal_and_threshold() -> None:
    """higher: value / goal, capped; lower: goal / value; the wrong side of the threshold is 0."""
    higher = Kpi("attainment", Fraction(1), "higher", cap=Fraction(3, 2), threshold=Fraction(1, 2))
    assert kpi_score(Fraction(9, 10), higher) == Fraction(9, 10)
    assert kpi_score(Fraction(2), higher) == Fraction(3, 2)
    assert kpi_score(Fraction(2, 5), higher) == 0
    lower = Kpi("days", Fraction(1), "lower", goal=Fraction(30), threshold=Fraction(60))
    assert kpi_score(Fraction(20), lower) == Fraction(3, 2)
    assert kpi_score(Fraction(61), lower) == 0
    assert kpi_score(None, higher) == 0


def test_weighted_score_and_band_by_hand() -> None:
    """0.7 x 0.9 + 0.3 x 1.2 = 0.99: band B (from 0.95), A from 1.1."""
    kpis = [Kpi("attainment", Fraction(7, 10)), Kpi("growth", Fraction(3, 10))]
    score = weighted_score({"attainment": Fraction(9, 10), "growth": Fraction(6, 5)}, kpis)
    assert score == Fraction(99, 100)
    limits = (Fraction(11, 10), Fraction(19, 20), Fraction(4, 5))
    assert band(score, limits) == "B"
    assert [band(Fraction(x, 100), limits) for x in (110, 80, 79)] == ["A", "C", "D"]


def test_ranks_share_ties() -> None:
    """Equal scores share the better rank."""
    assert ranks([Fraction(1), Fraction(2), Fraction(2), Fraction(0)]) == [3, 1, 1, 4]


def _direct_gini(values: list[float]) -> float:
    n, total = len(values), sum(values)
    if total == 0:
        return 0.0
    return sum(abs(a - b) for a in values for b in values) / (2 * n * total)


@given(st.lists(st.integers(1, 300), min_size=2, max_size=30), st.data())
def test_fairness_figures_match_direct_computations(
    attainment_pct: list[int], data: st.DataObject
) -> None:
    """Share at quota, median, IQR, Gini (the O(n^2) formula) and Pearson's correlation agree
    with independent computations."""
    attainments = [Fraction(a, 100) for a in attainment_pct]
    targets = [
        Fraction(t) for t in data.draw(st.lists(st.integers(1, 10_000), min_size=len(attainments),
                                         max_size=len(attainments)))
    ]  # fmt: skip
    figures = {f.metric: f for f in fairness_figures(targets, attainments, [], FairnessBands())}
    floats = [float(a) for a in attainments]
    assert figures["share_at_quota"].value == sum(a >= 100 for a in attainment_pct) / len(floats)
    assert figures["median_attainment"].value == pytest.approx(statistics.median(floats))
    q = statistics.quantiles(floats, n=4, method="inclusive")
    assert figures["attainment_spread"].value == pytest.approx(q[2] - q[0], abs=1e-9)
    assert figures["gini_attainment"].value == pytest.approx(_direct_gini(floats), abs=1e-9)
    size = figures["size_correlation"].value
    try:
        expected = statistics.correlation([float(t) for t in targets], floats)
    except statistics.StatisticsError:  # a constant series has no correlation
        assert size is None
    else:
        assert size is not None and size == pytest.approx(expected, abs=1e-9)
    assert figures["target_difficulty"].value is None


def test_verdicts_name_the_band_and_the_advice() -> None:
    """80% of reps at quota is above the 55-70% rule of thumb: targets look too easy."""
    attainments = [Fraction(11, 10)] * 4 + [Fraction(1, 2)]
    figures = {
        f.metric: f
        for f in fairness_figures([Fraction(1)] * 5, attainments, [Fraction(2)], FairnessBands())
    }
    verdict = figures["share_at_quota"].verdict
    assert verdict.startswith("above the healthy band") and "too easy" in verdict
    assert "55% to 70%" in verdict
    assert figures["target_difficulty"].verdict.startswith("above the healthy band")
    assert figures["size_correlation"].value is None  # equal targets: no correlation


def test_correlation_of_a_perfect_line() -> None:
    """y = 2x + 1 correlates 1; reversed, -1."""
    assert correlation([1, 2, 3], [3, 5, 7]) == pytest.approx(1.0)
    assert correlation([1, 2, 3], [7, 5, 3]) == pytest.approx(-1.0)
    assert correlation([1], [1]) is None
    assert not math.isnan(correlation([1, 2], [2, 1]) or 0)


def test_attainment_positions_take_each_place_once_ties_by_code() -> None:
    """Highest attainment is place 1, equal attainments are ordered by code, each place is
    taken once, and a unit without an attainment gets none."""
    places = attainment_positions(
        {"R3": Fraction(9, 10), "R1": Fraction(9, 10), "R2": Fraction(6, 5), "R4": None}
    )
    assert places == {"R2": 1, "R1": 2, "R3": 3}


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.fractions(0, 3), max_size=30))
def test_attainment_positions_are_a_permutation_in_order(values: dict[str, Fraction]) -> None:
    """Places are 1..n, and a better place never has a lower attainment."""
    places = attainment_positions(values)
    assert sorted(places.values()) == list(range(1, len(values) + 1))
    by_place = sorted(places, key=places.__getitem__)
    assert all(values[a] >= values[b] for a, b in itertools.pairwise(by_place))
