"""Rep guard rails and the per-rep plan, on hand-made plans whose answers are worked out here."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core.split import LevelRule, Lock, split_plan
from tests.core.test_split import _flat_history, _reps, _request


def _plan(result: object) -> dict[str, dict[str, object]]:
    frame = result.rep_plan  # type: ignore[attr-defined]
    assert isinstance(frame, pd.DataFrame)
    return {str(row["rep_id"]): row for row in frame.to_dict("records")}


def test_a_leaver_gets_the_months_they_stay_at_their_usual_rate() -> None:
    """A2 sold what A1 sold last year but leaves at the end of March: a quarter of A1's year,
    not a whole year packed into three months."""
    reps = _reps(A2={"end_date": date(2026, 3, 31)})
    history = _flat_history({"A1": 100_000, "A2": 100_000, "B1": 200_000})
    result = split_plan(_request(reps=reps, history=history, total=5_000_000))
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    assert by_rep["A2"] * 4 == pytest.approx(by_rep["A1"], abs=400)
    a2_months = result.leaves[result.leaves["rep_id"] == "A2"]
    assert set(a2_months[a2_months["target"] > 0]["period"]) == {"2026-01", "2026-02", "2026-03"}
    row = _plan(result)["A2"]
    assert row["months_this_year"] == 3 and row["months_last_year"] == 12
    assert "leaves 2026-03: 3 months at the usual rate" in str(row["reason"])
    # the change is against the same three months of last year, not against a whole year
    assert float(row["change"]) == pytest.approx(float(_plan(result)["A1"]["change"]), abs=0.002)


def test_a_new_hire_gets_the_teams_rate_through_the_ramp() -> None:
    """With history, a new hire with no sales is not given nothing: the team's average monthly
    rate over their ramped months, and the reason names the start and the ramp."""
    reps = _reps(A2={"start_date": date(2026, 7, 1)})
    history = _flat_history({"A1": 1000, "B1": 2000})
    result = split_plan(_request(reps=reps, history=history, ramp=(0.5, 1.0)))
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    # A1: 12 months at 1000; A2: 5.5 months (0.5 + 5 x 1.0) at the team's 1000 a month
    assert by_rep["A2"] / by_rep["A1"] == pytest.approx(5.5 / 12, abs=0.002)
    reason = str(_plan(result)["A2"]["reason"])
    assert reason.startswith("new hire from 2026-07, ramp 50/100%")


def test_a_cap_keeps_the_rep_at_the_largest_rise_and_re_spreads_the_rest_exactly() -> None:
    """A1 last year 12,000, A2 120,000, B1 120,000; team TA gets 132/252 of 528,000: by
    equal shares A1 would get 138,300 (+1,052%); capped at +200% it gets 36,000 and A2 the
    rest of the team's total."""
    history = _flat_history({"A1": 1000, "A2": 10_000, "B1": 10_000})
    rules = {
        "region": LevelRule("region", "history"),
        "team": LevelRule("team", "history"),
        "rep": LevelRule("rep", "equal"),
        "time": LevelRule("time", "equal"),
    }
    request = _request(
        history=history, rules=rules, total=528_000, max_rise=Fraction(2), max_cut=None
    )
    result = split_plan(request)
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    assert by_rep["A1"] == 36_000
    assert by_rep["A1"] + by_rep["A2"] == sum(
        result.leaves[result.leaves["team"] == "TA"]["target"]
    )
    assert sum(by_rep.values()) == 528_000
    row = _plan(result)["A1"]
    assert row["reason"].startswith("capped at +200% vs last year")
    assert float(row["change"]) == pytest.approx(2.0)
    assert "part of what the rails moved" in str(_plan(result)["A2"]["reason"])


def test_a_floor_holds_the_largest_cut() -> None:
    """Team TA gets its 132,000 of last year; equal shares would cut A2 from 120,000 to 66,000
    (-45%); with a 30% floor A2 keeps 84,000 and A1 takes the other 48,000."""
    history = _flat_history({"A1": 1000, "A2": 10_000, "B1": 11_000})
    rules = {
        "region": LevelRule("region", "history"),
        "team": LevelRule("team", "history"),
        "rep": LevelRule("rep", "equal"),
        "time": LevelRule("time", "equal"),
    }
    result = split_plan(
        _request(history=history, rules=rules, total=264_000, max_cut=Fraction(3, 10))
    )
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    assert by_rep["A2"] == 84_000 and by_rep["A1"] == 132_000 - 84_000
    assert str(_plan(result)["A2"]["reason"]).startswith("held at -30% vs last year")


def test_a_team_that_cannot_hold_the_rails_says_so() -> None:
    """Both reps capped at +10% cannot carry a team total 50% above last year: the rails are
    not applied there and the reasons say why."""
    result = split_plan(_request(total=1_800_000, max_rise=Fraction(1, 10)))
    reasons = {rep: str(row["reason"]) for rep, row in _plan(result).items()}
    assert all("cannot hold the guard rails" in reasons[rep] for rep in ("A1", "A2", "B1"))
    assert result.leaves["target"].sum() == 1_800_000


def test_a_locked_rep_is_kept_and_not_capped() -> None:
    """An annual rep lock is the rep's target whatever the rails say."""
    locks = [Lock("rep", "A1", None, 500_000)]
    result = split_plan(_request(locks=locks, max_rise=Fraction(1, 10)))
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    assert by_rep["A1"] == 500_000
    assert str(_plan(result)["A1"]["reason"]).startswith("locked in Overrides")


def test_a_target_above_potential_is_flagged_not_cut() -> None:
    """A1's Potential is 100 (the test plan's), far below its target: flagged in the reason."""
    row = _plan(split_plan(_request()))["A1"]
    assert "above Potential (100)" in str(row["reason"])
    assert row["target"] == 300_000


def test_the_plan_rows_add_up_to_the_leaves_and_shares_to_one() -> None:
    """tblRepPlan targets are the reps' leaf sums; each team's shares add up to 100%."""
    result = split_plan(_request(max_rise=Fraction(1, 2), max_cut=Fraction(3, 10)))
    plan = result.rep_plan
    assert plan is not None
    by_rep = result.leaves.groupby("rep_id")["target"].sum().to_dict()
    assert dict(zip(plan["rep_id"], plan["target"], strict=True)) == by_rep
    for _team, shares in plan.groupby("team")["team_share"]:
        assert float(sum(shares)) == pytest.approx(1.0, abs=0.0003)


@settings(max_examples=40, deadline=None)
@given(
    # monthly sales of 1,000 or more (or none), so a unit of 100 is under 1% of any base
    amounts=st.lists(st.one_of(st.just(0), st.integers(1_000, 50_000)), min_size=3, max_size=3),
    total=st.integers(0, 40_000).map(lambda n: n * 100),
    rise=st.sampled_from([None, Fraction(1, 10), Fraction(1, 2), Fraction(2)]),
    cut=st.sampled_from([None, Fraction(1, 10), Fraction(3, 10)]),
)
def test_rails_never_change_a_team_total_and_hold_when_they_can(
    amounts: list[int], total: int, rise: Fraction | None, cut: Fraction | None
) -> None:
    """Whatever the history and rails: every team keeps its total to the unit, and where the
    reason says capped or held, the rep is inside the rails."""
    history = _flat_history(dict(zip(("A1", "A2", "B1"), amounts, strict=True)))
    if history["amount"].sum() == 0:
        return
    plain = split_plan(_request(history=history, total=total))
    railed = split_plan(_request(history=history, total=total, max_rise=rise, max_cut=cut))
    for team in ("TA", "TB"):
        assert (
            plain.leaves[plain.leaves["team"] == team]["target"].sum()
            == railed.leaves[railed.leaves["team"] == team]["target"].sum()
        )
    assert railed.rep_plan is not None
    for row in railed.rep_plan.to_dict("records"):
        if row["change"] is None or "cannot hold" in str(row["reason"]):
            continue
        if rise is not None:
            assert float(row["change"]) <= float(rise) + 0.01, row
        if cut is not None:
            assert float(row["change"]) >= -float(cut) - 0.01, row
