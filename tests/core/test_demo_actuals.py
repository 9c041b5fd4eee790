"""Tests for the demo's generated deals: exact rep-months, the intended profiles, determinism."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import pandas as pd
import pytest

from salesgoal_xl.core.demo_actuals import DemoDeals, Profile, generate_demo_deals
from salesgoal_xl.core.errors import ProposalError

REGIONS = {"NORTH": 20, "SOUTH": 12, "EAST": 16}


@cache
def targets() -> pd.DataFrame:
    """Leaf targets for 48 reps in three regions, two channels, two products, twelve months;
    the last rep only starts in month eight (no target before)."""
    rows = []
    rep = 0
    for region, count in REGIONS.items():
        for _ in range(count):
            rep += 1
            for month in range(1, 13):
                for channel, product, base in (
                    ("DIR", "A", 3000),
                    ("DIR", "B", 1700),
                    ("PTN", "A", 900),
                ):
                    late = rep == 48 and month < 8
                    rows.append(
                        {
                            "period": f"2026-{month:02d}",
                            "month": f"2026-{month:02d}",
                            "rep_id": f"R{rep:03d}",
                            "rep_name": f"Rep {rep}",
                            "region": region,
                            "channel": channel,
                            "product": product,
                            "target": 0 if late else base + 37 * rep + 100 * month,
                        }
                    )
    return pd.DataFrame(rows)


@cache
def deals() -> DemoDeals:
    """Six months of deals for `targets()` with the default seed."""
    return generate_demo_deals(targets())


def test_each_rep_month_is_its_target_times_the_intended_pace_to_the_cent() -> None:
    """Summing the deals of a rep and month gives round(target x pace) in cents exactly."""
    frame = deals().deals
    frame = frame.assign(period=[d.strftime("%Y-%m") for d in frame["close_date"]])
    sold = frame.groupby(["rep_id", "period"])["cents"].sum()
    planned = targets().groupby(["rep_id", "period"])["target"].sum()
    checked = 0
    for (rep, period), cents in sold.items():
        pace = deals().intents[str(rep)].pace
        exact = Fraction(int(planned[(rep, period)]) * 100) * pace
        assert abs(Fraction(int(cents)) - exact) <= Fraction(1, 2), (rep, period)
        checked += 1
    assert checked == 47 * 6
    assert deals().periods == tuple(f"2026-{m:02d}" for m in range(1, 7))


def test_several_positive_deals_per_leaf_on_weekdays_of_their_month() -> None:
    """Deals are positive, fall on Monday to Friday, and a leaf usually has several."""
    frame = deals().deals
    assert (frame["cents"] > 0).all()
    assert all(d.weekday() < 5 for d in frame["close_date"])
    per_leaf = frame.groupby(
        [
            frame["rep_id"],
            frame["channel"],
            frame["product"],
            frame["close_date"].map(lambda d: d.month),
        ]
    ).size()
    assert per_leaf.median() >= 2
    assert set(frame["deal_count"]) <= {1, 2, 3}
    assert list(frame["deal_id"]) == [f"OPP-{n:06d}" for n in range(1, len(frame) + 1)]


def test_profiles_come_in_the_documented_shares() -> None:
    """Outside the troubled region 15% are ahead, 8% far behind, 12% behind; inside it three in
    four are far behind; a rep with no target in those months gets no deals and no intent."""
    intents = deals().intents
    assert deals().troubled_region == "SOUTH"
    assert "R048" not in intents and "R048" not in set(deals().deals["rep_id"])
    south = [i for i in intents.values() if i.region == "SOUTH"]
    assert sum(i.profile is Profile.FAR_BEHIND for i in south) == 9
    assert all(i.profile in (Profile.FAR_BEHIND, Profile.BEHIND) for i in south)
    others = [i for i in intents.values() if i.region != "SOUTH"]
    counts = {p: sum(i.profile is p for i in others) for p in Profile}
    assert counts == {
        Profile.AHEAD: 5,
        Profile.FAR_BEHIND: 3,
        Profile.BEHIND: 4,
        Profile.ON_PACE: 23,
    }


def test_paces_sit_inside_their_risk_colour() -> None:
    """Red profiles are below 75%, amber ones between 75% and 90%, green ones at 95% or more."""
    for intent in deals().intents.values():
        if intent.profile.risk == "red":
            assert intent.pace < Fraction(3, 4)
        elif intent.profile.risk == "amber":
            assert Fraction(3, 4) < intent.pace < Fraction(9, 10)
        else:
            assert intent.pace >= Fraction(95, 100)


def test_the_same_seed_gives_the_same_deals_and_another_seed_others() -> None:
    """Generation is deterministic in its seed."""
    pd.testing.assert_frame_equal(generate_demo_deals(targets()).deals, deals().deals)
    assert not generate_demo_deals(targets(), seed=5).deals.equals(deals().deals)


def test_without_the_troubled_region_every_rep_follows_the_shares() -> None:
    """A plan without the troubled region has no region in trouble."""
    other = generate_demo_deals(targets(), months=3, troubled_region="WEST")
    assert other.troubled_region is None
    assert other.periods == ("2026-01", "2026-02", "2026-03")


def test_months_outside_the_plan_are_refused() -> None:
    """Asking for more months than the plan has says how many it has."""
    with pytest.raises(ProposalError, match="1 to 12"):
        generate_demo_deals(targets(), months=13)
