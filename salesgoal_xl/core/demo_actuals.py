"""The demo company's CRM deals for the first months of the plan year, generated from its leaf
targets with a seed: the same targets and seed always give the same deals.

Each rep gets an intended pace (actual / seasonal expectation): most near pace, some well ahead,
some behind (amber) or far behind (red), and one region in trouble, so that evaluate shows every
risk colour, early warnings and a re-targeting suggestion. Every rep-period adds up exactly (to
the cent) to its target times that pace; the channel and product mix inside it and the deals
are drawn, so the mix differs from the plan as real sales do.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Final

import numpy as np
import pandas as pd

from salesgoal_xl.core.allocation import largest_remainder
from salesgoal_xl.core.calendar import month_days
from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.money import round_half_up_units, to_fraction

DEFAULT_SEED: Final = 20260701
DEFAULT_MONTHS: Final = 6
TROUBLED_REGION: Final = "SOUTH"
"""The demo's region in trouble (its market softened): most of its reps far behind."""

CENTS: Final = 100


class Profile(Enum):
    """How a rep is meant to be doing, and the risk colour evaluate should give it."""

    AHEAD = "ahead"
    ON_PACE = "on_pace"
    BEHIND = "behind"
    FAR_BEHIND = "far_behind"

    @property
    def risk(self) -> str:
        """The risk evaluate gives this profile under the default thresholds (90% / 75%)."""
        return {"ahead": "green", "on_pace": "green", "behind": "amber"}.get(self.value, "red")


# (profile, share of the reps outside the troubled region, pace range in whole percent):
# amber sits well inside 75-90% (and high enough that the run rate still needed stays within
# 1.5x the best month, which would make it red) and red well below 75%.
_MIX: Final = (
    (Profile.AHEAD, Fraction(15, 100), (115, 135)),
    (Profile.FAR_BEHIND, Fraction(8, 100), (55, 68)),
    (Profile.BEHIND, Fraction(12, 100), (83, 88)),
)
_ON_PACE: Final = (95, 112)
# In the troubled region three in four reps are far behind (the re-targeting rule fires above
# 60% below 70% attainment); the others are behind.
_TROUBLED_SHARE: Final = Fraction(3, 4)
_MIN_DEAL_CENTS: Final = 250 * CENTS
_MIX_NOISE: Final = 0.3
_BUNDLED_SHARE: Final = 0.06

_ACCOUNT_FIRST: Final = (
    "Apex", "Birch", "Blue River", "Cedar", "Crescent", "Delta", "Evergreen", "Falcon",
    "Granite", "Harbor", "Iron Bridge", "Juniper", "Keystone", "Lakeside", "Maple", "Northgate",
    "Oakwood", "Pioneer", "Quarry", "Redwood", "Summit", "Tidewater", "Union", "Valley",
)  # fmt: skip
_ACCOUNT_LAST: Final = (
    "Logistics", "Dental", "Legal", "Credit Union", "Academy", "Clinic", "Engineering",
    "Insurance", "Hotels", "Printing", "Realty", "Foods", "Architects", "Pharmacy", "Motors",
)  # fmt: skip


@dataclass(frozen=True)
class RepIntent:
    """What the generator means a rep's actuals to show."""

    rep_id: str
    region: str
    profile: Profile
    pace: Fraction


@dataclass(frozen=True)
class DemoDeals:
    """Generated deals and what they are meant to show.

    ``deals`` columns: deal_id, account, close_date (date), rep_id, rep_name, channel,
    product, cents (int, > 0), deal_count (int, >= 1); sorted by close date. ``periods`` are
    the plan periods covered; ``intents`` hold every rep with a target in them.
    """

    deals: pd.DataFrame
    periods: tuple[str, ...]
    intents: dict[str, RepIntent]
    troubled_region: str | None


def generate_demo_deals(
    targets: pd.DataFrame,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    troubled_region: str | None = TROUBLED_REGION,
) -> DemoDeals:
    """Deals for the first `months` fiscal months of the plan whose leaf targets are `targets`.

    `targets` has tblTargets' keys: period, month (the period's fiscal month; for a monthly
    plan the period itself), rep_id, rep_name, region, channel, product and target (exact
    numbers). `troubled_region` is ignored when the plan has no such region.
    """
    plan_months = sorted(set(targets["month"]))
    if not 1 <= months <= len(plan_months):
        raise ProposalError(
            f"months must be 1 to {len(plan_months)}, the plan's months (got {months})."
        )
    chosen = set(plan_months[:months])
    leaves = targets.loc[targets["month"].isin(chosen)].copy()
    leaves["target_cents"] = [
        round_half_up_units(to_fraction(t, "target") * CENTS) for t in leaves["target"]
    ]
    leaves = leaves.sort_values(["period", "rep_id", "channel", "product"], kind="stable")
    rng = np.random.default_rng(seed)
    by_rep = leaves.groupby("rep_id", sort=True)["target_cents"].sum()
    regions = leaves.drop_duplicates("rep_id").set_index("rep_id")["region"]
    active = [str(rep) for rep, cents in by_rep.items() if cents > 0]
    trouble = troubled_region if troubled_region in set(regions) else None
    intents = _intents(rng, active, {r: str(regions[r]) for r in active}, trouble)
    deals = _deals(rng, leaves, intents)
    return DemoDeals(deals, tuple(sorted(set(leaves["period"]))), intents, trouble)


def _intents(
    rng: np.random.Generator, reps: list[str], region_of: dict[str, str], trouble: str | None
) -> dict[str, RepIntent]:
    """Each rep's profile and pace: drawn, not hand-picked, but always in the same shares."""
    intents: dict[str, RepIntent] = {}

    def assign(rep: str, profile: Profile, low: int, high: int) -> None:
        pace = Fraction(int(rng.integers(low, high + 1)), 100)
        intents[rep] = RepIntent(rep, region_of[rep], profile, pace)

    troubled = [r for r in reps if region_of[r] == trouble]
    others = [r for r in reps if region_of[r] != trouble]
    troubled = [troubled[i] for i in rng.permutation(len(troubled))]
    far = math.ceil(len(troubled) * _TROUBLED_SHARE)
    for index, rep in enumerate(troubled):
        if index < far:
            assign(rep, Profile.FAR_BEHIND, *_pace_range(Profile.FAR_BEHIND))
        else:
            assign(rep, Profile.BEHIND, *_pace_range(Profile.BEHIND))
    order = [others[i] for i in rng.permutation(len(others))]
    start = 0
    for profile, share, (low, high) in _MIX:
        count = round_half_up_units(share * len(order))
        for rep in order[start : start + count]:
            assign(rep, profile, low, high)
        start += count
    for rep in order[start:]:
        assign(rep, Profile.ON_PACE, *_ON_PACE)
    return dict(sorted(intents.items()))


def _pace_range(profile: Profile) -> tuple[int, int]:
    return next(bounds for p, _share, bounds in _MIX if p is profile)


def _deals(
    rng: np.random.Generator, leaves: pd.DataFrame, intents: dict[str, RepIntent]
) -> pd.DataFrame:
    """Each rep-period's actual (target x pace, to the cent) over its leaves, then deals."""
    rows: list[tuple[object, ...]] = []
    accounts = [f"{a} {b}" for a in _ACCOUNT_FIRST for b in _ACCOUNT_LAST]
    for (period, rep_id), group in leaves.groupby(["period", "rep_id"], sort=True):
        intent = intents.get(str(rep_id))
        target_cents = [int(c) for c in group["target_cents"]]
        if intent is None or sum(target_cents) <= 0:
            continue
        actual = round_half_up_units(sum(target_cents) * intent.pace)
        noise = rng.lognormal(0.0, _MIX_NOISE, len(target_cents))
        weights = [
            round(c * float(n)) if c > 0 else 0 for c, n in zip(target_cents, noise, strict=True)
        ]
        if sum(weights) <= 0:
            weights = target_cents
        days = _selling_days(str(period))
        rep_name = str(group["rep_name"].iloc[0])
        for (channel, product), leaf_cents in zip(
            zip(group["channel"], group["product"], strict=True),
            largest_remainder(actual, weights),
            strict=True,
        ):
            if leaf_cents <= 0:
                continue
            count = max(1, min(int(rng.integers(2, 7)), leaf_cents // _MIN_DEAL_CENTS))
            shares = [1 + round(float(g) * 1000) for g in rng.gamma(2.0, size=count)]
            for cents in largest_remainder(leaf_cents, shares):
                if cents <= 0:
                    continue
                bundled = rng.random() < _BUNDLED_SHARE
                rows.append(
                    (
                        accounts[int(rng.integers(len(accounts)))],
                        days[int(rng.integers(len(days)))],
                        str(rep_id),
                        rep_name,
                        str(channel),
                        str(product),
                        cents,
                        int(rng.integers(2, 4)) if bundled else 1,
                    )
                )
    columns = ["account", "close_date", "rep_id", "rep_name", "channel", "product", "cents"]
    frame = pd.DataFrame(rows, columns=[*columns, "deal_count"])
    frame = frame.sort_values(["close_date", "rep_id", "channel", "product"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "deal_id", [f"OPP-{n:06d}" for n in range(1, len(frame) + 1)])
    return frame


def _selling_days(period: str) -> list[dt.date]:
    """Monday to Friday of a month ('2026-04') or an ISO week ('2026-W15')."""
    if "-W" in period:
        year, week = period.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
        return [monday + dt.timedelta(days=d) for d in range(5)]
    first, last = month_days(period)
    days = [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]
