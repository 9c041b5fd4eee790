"""The plan split on small hand-made plans whose answers can be worked out by hand."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pandas as pd
import pytest

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.hierarchy import NodeLock, split_hierarchy
from salesgoal_xl.core.money import max_cascade_units
from salesgoal_xl.core.problems import Source
from salesgoal_xl.core.split import LevelRule, Lock, SplitInfeasible, SplitRequest, split_plan


def _reps(**overrides: dict[str, object]) -> pd.DataFrame:
    rows = [
        {
            "rep_id": "A1",
            "rep_name": "Ann",
            "team": "TA",
            "region": "N",
            "start_date": None,
            "end_date": None,
            "capacity": 1.0,
            "potential": 100,
        },
        {
            "rep_id": "A2",
            "rep_name": "Bo",
            "team": "TA",
            "region": "N",
            "start_date": None,
            "end_date": None,
            "capacity": 1.0,
            "potential": 300,
        },
        {
            "rep_id": "B1",
            "rep_name": "Cy",
            "team": "TB",
            "region": "S",
            "start_date": None,
            "end_date": None,
            "capacity": 1.0,
            "potential": 200,
        },
    ]
    for row in rows:
        row.update(overrides.get(str(row["rep_id"]), {}))
    return pd.DataFrame(rows)


def _flat_history(amounts: dict[str, int], months: int = 12) -> pd.DataFrame:
    """Each rep sells a flat monthly amount in channel D, product P, over 2025."""
    rows = []
    for rep, amount in amounts.items():
        for m in range(1, months + 1):
            rows.append(
                {
                    "period": f"2025-{m:02d}",
                    "rep_id": rep,
                    "channel": "D",
                    "product": "P",
                    "amount": amount,
                }
            )
    return pd.DataFrame(rows)


def _request(**kw: object) -> SplitRequest:
    base: dict[str, object] = {
        "total": 1_200_000,
        "unit": 100,
        "fiscal_year": 2026,
        "first_month": 1,
        "reps": _reps(),
        "history": _flat_history({"A1": 1000, "A2": 1000, "B1": 2000}),
        "channels": ["D"],
        "products": ["P"],
        "rules": {
            "region": LevelRule("region", "history"),
            "team": LevelRule("team", "history"),
            "rep": LevelRule("rep", "history"),
            "time": LevelRule("time", "equal"),
        },
    }
    base.update(kw)
    return SplitRequest(**base)  # type: ignore[arg-type]


def test_history_split_follows_last_years_shares() -> None:
    """Regions and reps get the share of last year's sales they had (N 50%, S 50%)."""
    result = split_plan(_request())
    by_rep = result.leaves.groupby("rep_id")["target"].sum()
    assert by_rep.to_dict() == {"A1": 300_000, "A2": 300_000, "B1": 600_000}
    assert result.leaves["target"].sum() == 1_200_000


def test_equal_months_give_equal_monthly_targets() -> None:
    """With an equal time rule each of the 12 months gets a twelfth of every rep's target."""
    result = split_plan(_request())
    months = result.leaves[result.leaves["rep_id"] == "B1"]["target"].tolist()
    assert months == [50_000] * 12


def test_every_leaf_is_a_multiple_of_the_unit() -> None:
    """Leaves are rounded to the rounding unit and still add up to the total exactly."""
    result = split_plan(_request(total=1_000_000))
    assert (result.leaves["target"] % 100 == 0).all()
    assert result.leaves["target"].sum() == 1_000_000


def test_new_hire_gets_nothing_before_start_and_ramps() -> None:
    """A rep starting in July has no target before July, and the ramp holds July at zero."""
    reps = _reps(A2={"start_date": date(2026, 7, 1)})
    rules = {"rep": LevelRule("rep", "capacity"), "time": LevelRule("time", "equal")}
    result = split_plan(_request(reps=reps, rules=rules))
    a2 = result.leaves[result.leaves["rep_id"] == "A2"].set_index("period")["target"]
    assert set(a2.index) == {"2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}
    assert a2["2026-08"] < a2["2026-09"] < a2["2026-10"] < a2["2026-11"]


def test_leaver_gets_nothing_after_end_date() -> None:
    """A rep leaving in March has targets only up to March."""
    reps = _reps(B1={"end_date": date(2026, 3, 15)})
    rules = {"rep": LevelRule("rep", "capacity"), "time": LevelRule("time", "equal")}
    result = split_plan(_request(reps=reps, rules=rules))
    periods = set(result.leaves[result.leaves["rep_id"] == "B1"]["period"])
    assert periods == {"2026-01", "2026-02", "2026-03"}


def test_annual_lock_is_kept_and_the_rest_respread() -> None:
    """A rep locked at 500,000 keeps it; the team-mate gets the rest of the team total."""
    locks = [Lock("rep", "A1", None, 500_000, Source("Decomposition", "D5"))]
    result = split_plan(_request(locks=locks))
    by_rep = result.leaves.groupby("rep_id")["target"].sum()
    assert by_rep["A1"] == 500_000
    assert by_rep["A1"] + by_rep["A2"] == 600_000


def test_month_lock_is_kept() -> None:
    """A rep-month lock stays exactly as typed while the rep's year still adds up."""
    locks = [Lock("rep", "B1", "2026-02", 10_000, Source("Decomposition", "D6"))]
    result = split_plan(_request(locks=locks))
    b1 = result.leaves[result.leaves["rep_id"] == "B1"].set_index("period")["target"]
    assert b1["2026-02"] == 10_000
    assert b1.sum() == 600_000


def test_locks_above_the_total_fail_naming_the_lock() -> None:
    """Locks that add up to more than their parent make the split fail, naming the rule."""
    locks = [Lock("rep", "A1", None, 900_000, Source("Decomposition", "D5"))]
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(locks=locks))
    assert "reps under TA" in str(caught.value)


def test_zero_capacity_rep_with_equal_split_fails() -> None:
    """An equal split that gives a rep with zero capacity all year a target is refused."""
    reps = _reps(B1={"capacity": 0.0})
    rules = {"rep": LevelRule("rep", "equal", source=Source("Decomposition", "B7"))}
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(reps=reps, rules=rules))
    assert "B1" in str(caught.value)


def test_over_assignment_lifts_rep_totals() -> None:
    """With 10% over-assignment the reps' targets add up to 110% of the company target."""
    result = split_plan(_request(over_assignment=Fraction(1, 10)))
    assert result.leaves["target"].sum() == 1_320_000


def test_total_not_a_multiple_of_the_unit_is_an_error() -> None:
    """A final target between rounding units is refused with the target's cell."""
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(total=1_000_050, total_source=Source("Target setting", "J2")))
    assert caught.value.problems[0].source == Source("Target setting", "J2")


def test_split_is_deterministic() -> None:
    """The same request gives the very same leaves twice."""
    first = split_plan(_request()).leaves
    second = split_plan(_request()).leaves
    pd.testing.assert_frame_equal(first, second)


def test_mix_follows_each_reps_history() -> None:
    """A rep who sold 3:1 across two products gets targets in the same 3:1 mix."""
    history = pd.concat(
        [
            _flat_history({"A1": 3000, "A2": 1000, "B1": 2000}),
            _flat_history({"A1": 1000}).assign(product="Q"),
        ]
    )
    result = split_plan(_request(history=history, products=["P", "Q"]))
    a1 = result.leaves[result.leaves["rep_id"] == "A1"]
    for _period, month in a1.groupby("period"):
        by_product = month.set_index("product")["target"]
        # Each part is within one unit (100) of its exact share, so P - 3Q is within 4 units.
        assert abs(by_product["P"] - 3 * by_product["Q"]) <= 4 * 100


def test_matrix_mix_matches_company_product_totals() -> None:
    """The two-way mix split keeps each rep's month and the company's product split exact."""
    history = pd.concat(
        [
            _flat_history({"A1": 3000, "A2": 1000, "B1": 2000}),
            _flat_history({"A2": 1000, "B1": 2000}).assign(product="Q"),
        ]
    )
    rules = {"product": LevelRule("product", "matrix"), "time": LevelRule("time", "equal")}
    result = split_plan(_request(history=history, products=["P", "Q"], rules=rules))
    leaves = result.leaves
    for _period, month in leaves.groupby("period"):
        by_product = month.groupby("product")["target"].sum()
        # The company's history mix is P:Q = 6,000:3,000 a month; each month's product
        # totals are exactly that split of the month's total, in units of 100.
        expected = allocate(int(month["target"].sum()) // 100, [6_000, 3_000])
        assert [by_product["P"] // 100, by_product["Q"] // 100] == expected
    # ...while every rep's month keeps exactly the total it has without the two-way fit.
    plain_rules = {"time": LevelRule("time", "equal")}
    plain = split_plan(_request(history=history, products=["P", "Q"], rules=plain_rules))
    by_rep_month = leaves.groupby(["rep_id", "period"])["target"].sum()
    assert (
        by_rep_month.to_dict()
        == plain.leaves.groupby(["rep_id", "period"])["target"].sum().to_dict()
    )
    assert leaves["target"].sum() == 1_200_000


def test_weekly_split_keeps_every_month_exact() -> None:
    """With weekly granularity each month's weeks add up to that month's monthly target."""
    monthly = split_plan(_request()).leaves
    weekly = split_plan(_request(granularity="week", country="US")).leaves
    assert weekly["period"].str.fullmatch(r"2026-W\d\d").all()
    by_month_weekly = weekly.groupby(["rep_id", "month"])["target"].sum()
    by_month_monthly = monthly.groupby(["rep_id", "period"])["target"].sum()
    assert by_month_weekly.to_dict() == by_month_monthly.to_dict()


def test_a_week_crossing_months_is_shared_by_working_days() -> None:
    """2026-W14 (Mon 30 Mar - Sun 5 Apr) has 2 working days in March and 3 in April."""
    weekly = split_plan(_request(granularity="week", country="US")).leaves
    b1 = weekly[(weekly["rep_id"] == "B1") & (weekly["period"] == "2026-W14")]
    parts = b1.set_index("month")["target"]
    assert set(parts.index) == {"2026-03", "2026-04"}
    march_days = 22  # working days in March 2026, no US public holiday
    assert abs(parts["2026-03"] - 50_000 * 2 / march_days) <= 100


def test_unknown_holiday_country_names_the_setting() -> None:
    """A country code the holiday calendar does not know fails, naming the setting's cell."""
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(
            _request(granularity="week", country="XX", country_source=Source("Settings", "C9"))
        )
    assert caught.value.problems[0].source == Source("Settings", "C9")


def test_a_lock_on_an_unknown_rep_names_its_cell() -> None:
    """A lock for a rep that is not in the organisation fails, naming the lock's cell."""
    locks = [Lock("rep", "Z9", None, 1_000, Source("Decomposition", "R8"))]
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(locks=locks))
    assert caught.value.problems[0].source == Source("Decomposition", "R8")
    assert "'Z9'" in caught.value.problems[0].message


@pytest.mark.parametrize(("level", "method"), [("time", "capacity"), ("product", "potential")])
def test_a_method_the_level_cannot_use_names_its_rule(level: str, method: str) -> None:
    """A time or mix rule with a method that level cannot use fails at the rule's cell."""
    rules = {level: LevelRule(level, method, source=Source("Decomposition", "B9"))}
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(rules=rules))
    assert caught.value.problems[0].source == Source("Decomposition", "B9")
    assert repr(method) in caught.value.problems[0].message


def test_a_lock_above_its_team_names_the_locks_cell() -> None:
    """A rep locked above its team's total fails at the lock's own cell, with money amounts."""
    locks = [Lock("rep", "A1", None, 900_000, Source("Decomposition", "D5"))]
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(locks=locks))
    problem = caught.value.problems[0]
    assert problem.source == Source("Decomposition", "D5")
    assert "locked rep A1 (900,000) is above the 600,000 TA has to share" in problem.message


def test_a_region_lock_is_kept_and_the_other_region_gets_the_rest() -> None:
    """Region N locked at 500,000 of 1,200,000 leaves S 700,000; team TA, N's only team,
    locked at 700,000 is above N's 600,000 and fails at the lock's cell."""
    kept = split_plan(_request(locks=[Lock("region", "N", None, 500_000)]))
    by_region = kept.leaves.groupby("region")["target"].sum()
    assert by_region.to_dict() == {"N": 500_000, "S": 700_000}
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(locks=[Lock("team", "TA", None, 700_000, Source("D", "D7"))]))
    assert caught.value.problems[0].source == Source("D", "D7")


def test_a_negative_over_assignment_names_its_rule() -> None:
    """A rule's negative over-assignment is refused at the rule's cell instead of read as 0."""
    rule = LevelRule("rep", "history", over_assignment=Fraction(-1, 20), source=Source("D", "B5"))
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(rules={"rep": rule, "time": LevelRule("time", "equal")}))
    assert caught.value.problems[0].source == Source("D", "B5")
    assert "over-assignment must be >= 0" in caught.value.problems[0].message


def test_a_negative_over_assignment_setting_names_the_setting_cell() -> None:
    """Without a rep rule of its own, the plan setting applies and a bad one names its cell."""
    setting = Source("Settings", "B12", "tblSettings", "value")
    request = _request(over_assignment=Fraction(-1, 20), over_assignment_source=setting)
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(request)
    assert caught.value.problems[0].source == setting


def test_a_rep_listed_twice_is_refused() -> None:
    """The same rep id on two rows of the org would be given two targets; it is an error."""
    reps = pd.concat([_reps(), _reps().iloc[[0]]], ignore_index=True)
    with pytest.raises(SplitInfeasible) as caught:
        split_plan(_request(reps=reps))
    assert "rep A1 is listed more than once" in caught.value.problems[0].message


def test_org_totals_are_split_hierarchys() -> None:
    """The plan's region, team and rep totals are exactly what split_hierarchy gives."""
    rules = {
        "region": LevelRule("region", "potential"),
        "team": LevelRule("team", "equal", over_assignment=Fraction(3, 100)),
        "rep": LevelRule("rep", "history"),
        "time": LevelRule("time", "equal"),
    }
    locks = [Lock("rep", "A2", None, 200_000)]
    request = _request(rules=rules, locks=locks, over_assignment=Fraction(1, 10))
    result = split_plan(request)
    org = pd.DataFrame(
        {
            "region": ["N", "N", "S"],
            "team": ["TA", "TA", "TB"],
            "rep": ["A1", "A2", "B1"],
            "potential": [100, 300, 200],
            "history": [12_000, 12_000, 24_000],
        }
    )
    direct = split_hierarchy(
        1_200_000,
        org,
        ["region", "team", "rep"],
        {"region": "potential", "team": "equal", "rep": "history"},
        unit=100,
        over_assignment_pct={"team": 3, "rep": 10},
        locks=[NodeLock("rep", "A2", 200_000)],
    )
    assert result.level_totals["rep"]["target"].tolist() == direct["target"].tolist()
    teams = direct.drop_duplicates("team")["team_target"].tolist()
    assert result.level_totals["team"]["target"].tolist() == teams
    by_rep = result.leaves.groupby("rep_id", sort=False)["target"].sum()
    assert by_rep.tolist() == direct["target"].tolist()


def test_leaves_stay_under_the_cascade_ceiling() -> None:
    """With 3 % at team and 12.5 % at rep level the leaves land between the target and the
    ceiling max_cascade_units gives for 1 region parent, 2 team parents and 2 rep parents."""
    rules = {
        "team": LevelRule("team", "history", over_assignment=Fraction(3, 100)),
        "rep": LevelRule("rep", "history", over_assignment=Fraction(1, 8)),
        "time": LevelRule("time", "equal"),
    }
    result = split_plan(_request(total=1_000_100, rules=rules))
    leaf_units = int(result.leaves["target"].sum()) // 100
    ceiling = max_cascade_units(
        10_001, [(Fraction(0), 1), (Fraction(3, 100), 2), (Fraction(1, 8), 2)]
    )
    assert 10_001 <= leaf_units <= ceiling
