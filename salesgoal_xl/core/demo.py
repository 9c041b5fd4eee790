"""The demo company: a made-up, realistic sales organisation generated deterministically in code.

It feeds the README's main job (demo -> propose -> split): four regions, ten teams, sixty reps
(some hired during the history, four joining and three leaving during the plan year), four
channels, eight product lines (one launched a few months before the plan year) and three fiscal
years of monthly history with trend, seasonality, noise and one outlier month, plus market
assumptions per region and the plan settings. Frame columns use the workbook schema's keys.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.forecast import index_to_period
from salesgoal_xl.core.money import round_half_up_units
from salesgoal_xl.core.proposal import MarketAssumption, ProposalSettings

DEFAULT_SEED: Final = 20260101
HISTORY_YEARS: Final = 3
REPS_PER_TEAM: Final = 6

# (code, name, team count, yearly growth of existing business): growth differs so regions do
# not move in lockstep; hires ramping up and the new product add a few points, so the company
# grows about 10% a year.
_REGIONS: Final = (
    ("NORTH", "North", 3, 0.07),
    ("SOUTH", "South", 2, 0.05),
    ("EAST", "East", 3, 0.09),
    ("WEST", "West", 2, 0.06),
)
# (code, name, weight): how much a rep typically sells through the channel.
_CHANNELS: Final = (
    ("DIR", "Direct", 1.0),
    ("PTN", "Partner", 0.8),
    ("ONL", "Online", 0.5),
    ("RET", "Retail", 0.6),
)
# (code, name, weight); the last one is the new product line.
_PRODUCTS: Final = (
    ("PRN", "Printers", 1.0),
    ("CPY", "Copiers", 1.4),
    ("SCN", "Scanners", 0.5),
    ("SUP", "Supplies", 0.9),
    ("SVC", "Service Plans", 1.1),
    ("SFT", "Document Software", 0.7),
    ("DSP", "Displays", 0.8),
    ("SMB", "Smart Boards", 0.9),
)
NEW_PRODUCT_MONTHS: Final = 4
# Market figure / expected plan-year sales per region: West's market is well above what its
# trend promises, so the demo shows a "far from market" region.
_MARKET_VS_TREND: Final = {"NORTH": 1.03, "SOUTH": 0.96, "EAST": 1.06, "WEST": 1.35}
_TARGET_SHARE: Final = {
    "NORTH": Decimal("0.18"),
    "SOUTH": Decimal("0.15"),
    "EAST": Decimal("0.21"),
    "WEST": Decimal("0.12"),
}
OUTLIER_REGION: Final = "EAST"
# History month (0-based) of the one-off spike: mid-year in the middle year, away from Q4 so
# it does not blur the seasonal peak.
_OUTLIER_MONTH: Final = 16
_OUTLIER_FACTOR: Final = 2.6
_HIRES_DURING_HISTORY: Final = 6
_HIRES_DURING_PLAN: Final = 4
_LEAVERS_DURING_PLAN: Final = 3
_RAMP_MONTHS: Final = 6

_FIRST_NAMES: Final = (
    "Aaron", "Alice", "Ben", "Carla", "Daniel", "Diana", "Ethan", "Fiona", "George", "Grace",
    "Henry", "Irene", "Jack", "Julia", "Kevin", "Laura", "Liam", "Maria", "Nathan", "Nora",
    "Oscar", "Paula", "Peter", "Rachel", "Ryan", "Sara", "Simon", "Tara", "Victor", "Wendy",
    "Adam", "Chloe", "David", "Emma", "Frank", "Hannah", "Ivan", "Karen", "Marcus", "Olivia",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Adams", "Baker", "Brooks", "Carter", "Clark", "Collins", "Cooper", "Davis", "Evans",
    "Fisher", "Foster", "Garcia", "Gray", "Harris", "Hughes", "Jenkins", "Kelly", "Lee",
    "Lewis", "Martin", "Miller", "Moore", "Morgan", "Murphy", "Nelson", "Parker", "Perry",
    "Price", "Reed", "Rivera", "Ross", "Russell", "Sanders", "Shaw", "Stewart", "Turner",
    "Walker", "Ward", "Watson", "Young",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSettings:
    """Plan settings under the workbook's setting keys; percentages are fractions."""

    plan_name: str
    fiscal_year: int
    first_month: int
    currency: str = "USD"
    rounding_unit: int = 100
    granularity: str = "month"
    country: str = "US"
    over_assignment: Decimal = Decimal("0.05")
    stretch: Decimal = Decimal("0.10")
    challenge_low: Decimal = Decimal("1.00")
    challenge_high: Decimal = Decimal("1.25")
    market_tolerance: Decimal = Decimal("0.15")
    amber_threshold: Decimal = Decimal("0.90")
    red_threshold: Decimal = Decimal("0.75")
    language: str = "en"

    def as_frame(self) -> pd.DataFrame:
        """The settings as a two-column frame (setting, value), one row per setting."""
        return pd.DataFrame(
            {
                "setting": [f.name for f in fields(self)],
                "value": pd.Series([getattr(self, f.name) for f in fields(self)], dtype=object),
            }
        )

    def proposal_settings(self) -> ProposalSettings:
        """The subset a target proposal reads."""
        return ProposalSettings(
            fiscal_year=self.fiscal_year,
            first_month=self.first_month,
            stretch=self.stretch,
            too_low_below=self.challenge_low,
            too_high_above=self.challenge_high,
            market_tolerance=self.market_tolerance,
            rounding_unit=self.rounding_unit,
        )


@dataclass(frozen=True)
class DemoCompany:
    """The demo company's tables, with the columns of the workbook tables they fill.

    * ``regions``: region, region_name
    * ``teams``: team, team_name, region, manager
    * ``reps``: rep_id, rep_name, team, region, manager, start_date, end_date (``None`` unless
      leaving), capacity (Decimal), potential (int, yearly)
    * ``channels``: channel, channel_name
    * ``products``: product, product_name, launch_date
    * ``history``: period ('YYYY-MM'), rep_id, channel, product, amount (int, >= 0)
    * ``markets``: region, market_size (int), target_share (Decimal fraction)
    """

    settings: DemoSettings
    regions: pd.DataFrame
    teams: pd.DataFrame
    reps: pd.DataFrame
    channels: pd.DataFrame
    products: pd.DataFrame
    history: pd.DataFrame
    markets: pd.DataFrame
    strategic_input: int
    outlier_period: str
    outlier_region: str
    new_product: str
    plan_periods: tuple[str, ...]

    def market_assumptions(self) -> tuple[MarketAssumption, ...]:
        """The ``markets`` frame as the proposal's typed inputs."""
        return tuple(
            MarketAssumption(str(region), int(size), Decimal(share))
            for region, size, share in zip(
                self.markets["region"].tolist(),
                self.markets["market_size"].tolist(),
                self.markets["target_share"].tolist(),
                strict=True,
            )
        )


def build_demo_company(
    fiscal_year: int = 2026, first_month: int = 1, seed: int = DEFAULT_SEED
) -> DemoCompany:
    """Generate the demo company; the same arguments always give the same tables."""
    if not 1 <= first_month <= 12:
        raise ProposalError(f"first_month must be 1 to 12 (got {first_month}).")
    rng = np.random.default_rng(seed)
    settings = DemoSettings(
        plan_name=f"Demo Office Systems FY{fiscal_year}",
        fiscal_year=fiscal_year,
        first_month=first_month,
    )
    plan_start = _plan_start_index(fiscal_year, first_month)
    history_start = plan_start - HISTORY_YEARS * 12
    names = _unique_names(rng, len(_REGIONS) + 10 + 60)
    name_iter = iter(names)

    regions = pd.DataFrame(
        {"region": [r[0] for r in _REGIONS], "region_name": [r[1] for r in _REGIONS]}
    )
    team_rows = []
    for code, region_name, team_count, _growth in _REGIONS:
        for number in range(1, team_count + 1):
            team_rows.append(
                {
                    "team": f"{code[0]}{number}",
                    "team_name": f"{region_name} {number}",
                    "region": code,
                    "manager": next(name_iter),
                }
            )
    teams = pd.DataFrame(team_rows)

    reps = _build_reps(rng, teams, name_iter, plan_start, history_start)
    channels = pd.DataFrame(
        {"channel": [c[0] for c in _CHANNELS], "channel_name": [c[1] for c in _CHANNELS]}
    )
    launch_index = plan_start - NEW_PRODUCT_MONTHS
    products = pd.DataFrame(
        {
            "product": [p[0] for p in _PRODUCTS],
            "product_name": [p[1] for p in _PRODUCTS],
            "launch_date": pd.Series(
                [_month_start(history_start - 60)] * (len(_PRODUCTS) - 1)
                + [_month_start(launch_index)],
                dtype=object,
            ),
        }
    )
    history, rep_yearly = _build_history(rng, reps, history_start, plan_start, first_month)
    reps = reps.assign(
        potential=[_potential(rng, rep_yearly.get(rep_id), rep_yearly) for rep_id in reps["rep_id"]]
    )
    markets = _build_markets(history, reps, plan_start)
    last_year = int(
        history.loc[history["period"] >= index_to_period(plan_start - 12), "amount"].sum()
    )
    return DemoCompany(
        settings=settings,
        regions=regions,
        teams=teams,
        reps=reps,
        channels=channels,
        products=products,
        history=history,
        markets=markets,
        strategic_input=_round_to(last_year * 1.12, 100_000),
        outlier_period=index_to_period(history_start + _OUTLIER_MONTH),
        outlier_region=OUTLIER_REGION,
        new_product=_PRODUCTS[-1][0],
        plan_periods=tuple(index_to_period(plan_start + m) for m in range(12)),
    )


def _plan_start_index(fiscal_year: int, first_month: int) -> int:
    """Month index of the plan's first month; a fiscal year is named by the year it ends."""
    start_year = fiscal_year if first_month == 1 else fiscal_year - 1
    return start_year * 12 + first_month - 1


def _month_start(index: int) -> dt.date:
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, 1)


def _month_end(index: int) -> dt.date:
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def _date_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _unique_names(rng: np.random.Generator, count: int) -> list[str]:
    pairs = [f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES]
    order = rng.permutation(len(pairs))[:count]
    return [pairs[i] for i in order]


def _build_reps(
    rng: np.random.Generator,
    teams: pd.DataFrame,
    names: Iterator[str],
    plan_start: int,
    history_start: int,
) -> pd.DataFrame:
    """Sixty reps, six per team; which of them join or leave is drawn, not hand-picked."""
    count = len(teams) * REPS_PER_TEAM
    roles = rng.permutation(count)
    hired_in_history = set(roles[:_HIRES_DURING_HISTORY].tolist())
    hired_in_plan = roles[_HIRES_DURING_HISTORY : _HIRES_DURING_HISTORY + _HIRES_DURING_PLAN]
    leaving = roles[
        _HIRES_DURING_HISTORY + _HIRES_DURING_PLAN : _HIRES_DURING_HISTORY
        + _HIRES_DURING_PLAN
        + _LEAVERS_DURING_PLAN
    ]
    plan_hire_month = dict(zip(hired_in_plan.tolist(), (1, 3, 5, 8), strict=True))
    leave_month = dict(zip(leaving.tolist(), (2, 6, 9), strict=True))
    veteran_span = (history_start - _date_index(dt.date(2012, 1, 1))) * 30

    rows = []
    for i in range(count):
        team = teams.iloc[i // REPS_PER_TEAM]
        if i in hired_in_history:
            start = _month_start(history_start + int(rng.integers(3, HISTORY_YEARS * 12 - 3)))
            start += dt.timedelta(days=int(rng.integers(0, 27)))
        elif i in plan_hire_month:
            start = _month_start(plan_start + plan_hire_month[i])
        else:
            days_before = int(rng.integers(30, veteran_span))
            start = _month_start(history_start) - dt.timedelta(days=days_before)
        end = _month_end(plan_start + leave_month[i]) if i in leave_month else None
        rows.append(
            {
                "rep_id": f"R{i + 1:03d}",
                "rep_name": next(names),
                "team": team["team"],
                "region": team["region"],
                "manager": team["manager"],
                "start_date": start,
                "end_date": end,
                "capacity": Decimal(int(rng.integers(80, 121))) / 100,
            }
        )
    frame = pd.DataFrame(rows)
    frame["end_date"] = pd.Series(list(frame["end_date"]), dtype=object)
    frame["start_date"] = pd.Series(list(frame["start_date"]), dtype=object)
    return frame


def _seasonal_factors(first_month: int) -> npt.NDArray[np.float64]:
    """Seasonal factor per calendar month (index 0 = January).

    Two forces: the fiscal year-end push (quarter ends a little up, Q4 well up) and the
    calendar summer holidays (July and August down) plus a slow January.
    """
    calendar_factor = np.ones(12)
    calendar_factor[[0, 6, 7]] = (0.92, 0.85, 0.80)
    fiscal_factor = np.array([1.0, 1.0, 1.08, 1.0, 1.0, 1.08, 1.0, 1.0, 1.08, 1.12, 1.22, 1.40])
    by_calendar = np.empty(12)
    for position in range(12):
        month0 = (first_month - 1 + position) % 12
        by_calendar[month0] = fiscal_factor[position] * calendar_factor[month0]
    return np.asarray(by_calendar / by_calendar.mean(), dtype=np.float64)


def _build_history(
    rng: np.random.Generator,
    reps: pd.DataFrame,
    history_start: int,
    plan_start: int,
    first_month: int,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Monthly actuals per rep, channel and product, and each rep's last-year total."""
    months = np.arange(history_start, plan_start)
    season = _seasonal_factors(first_month)[months % 12]
    growth_by_region = {code: growth for code, _, _, growth in _REGIONS}
    outlier_index = history_start + _OUTLIER_MONTH
    launch_index = plan_start - NEW_PRODUCT_MONTHS
    established = len(_PRODUCTS) - 1

    periods: list[np.ndarray] = []
    rep_ids: list[np.ndarray] = []
    channel_codes: list[np.ndarray] = []
    product_codes: list[np.ndarray] = []
    amounts: list[np.ndarray] = []
    for rep_id, region, start_date in zip(
        reps["rep_id"].tolist(), reps["region"].tolist(), reps["start_date"].tolist(), strict=True
    ):
        rep_level = float(rng.lognormal(np.log(11_000), 0.3))
        channel_picks = rng.choice(len(_CHANNELS), size=int(rng.integers(2, 4)), replace=False)
        product_picks = rng.choice(established, size=int(rng.integers(3, 7)), replace=False)
        sells_new_product = bool(rng.random() < 0.5)
        start_index = max(_date_index(start_date), history_start)
        active = months >= start_index
        ramp = np.clip((months - start_index + 1) / _RAMP_MONTHS, 0.0, 1.0)
        if _date_index(start_date) <= history_start:
            ramp = np.ones(len(months))
        years = (months - plan_start) / 12
        trend = (1 + growth_by_region[region]) ** years
        spike = np.where(
            (months == outlier_index) & (region == OUTLIER_REGION), _OUTLIER_FACTOR, 1.0
        )
        combos = [(c, p) for c in sorted(channel_picks) for p in sorted(product_picks)]
        if sells_new_product:
            combos.append((int(channel_picks[0]), established))
        for channel, product in combos:
            weight = _CHANNELS[channel][2] * _PRODUCTS[product][2]
            noise = rng.lognormal(0.0, 0.12, len(months))
            mask = active.copy()
            scale = np.ones(len(months))
            if product == established:
                mask &= months >= launch_index
                scale = np.clip((months - launch_index + 1) / NEW_PRODUCT_MONTHS, 0.0, 1.0)
            value = rep_level * weight * season * trend * ramp * spike * noise * scale
            count = int(mask.sum())
            if count == 0:
                continue
            periods.append(months[mask])
            rep_ids.append(np.full(count, rep_id, dtype=object))
            channel_codes.append(np.full(count, _CHANNELS[channel][0], dtype=object))
            product_codes.append(np.full(count, _PRODUCTS[product][0], dtype=object))
            amounts.append(np.rint(value[mask]).astype(np.int64))

    all_months = np.concatenate(periods)
    history = pd.DataFrame(
        {
            "period": [index_to_period(int(m)) for m in all_months],
            "rep_id": np.concatenate(rep_ids),
            "channel": np.concatenate(channel_codes),
            "product": np.concatenate(product_codes),
            "amount": np.concatenate(amounts),
        }
    )
    history = history.sort_values(["period", "rep_id", "channel", "product"], ignore_index=True)
    last_year = history[history["period"] >= index_to_period(plan_start - 12)]
    rep_yearly = {str(k): int(v) for k, v in last_year.groupby("rep_id")["amount"].sum().items()}
    return history, rep_yearly


def _potential(rng: np.random.Generator, yearly: int | None, all_yearly: dict[str, int]) -> int:
    """A rep's yearly potential: somewhat above what they sell; typical for newcomers."""
    reference = yearly if yearly else int(np.median(list(all_yearly.values())))
    return _round_to(reference * float(rng.uniform(1.1, 1.5)), 1_000)


def _build_markets(history: pd.DataFrame, reps: pd.DataFrame, plan_start: int) -> pd.DataFrame:
    """Market size per region, set so the market figure sits a known distance from the trend."""
    region_of = dict(zip(reps["rep_id"], reps["region"], strict=True))
    last_year = history[history["period"] >= index_to_period(plan_start - 12)]
    by_region = last_year.groupby(last_year["rep_id"].map(region_of))["amount"].sum()
    rows = []
    for code, _name, _teams, growth in _REGIONS:
        expected = float(by_region[code]) * (1 + growth)
        share = _TARGET_SHARE[code]
        size = _round_to(expected * _MARKET_VS_TREND[code] / float(share), 100_000)
        rows.append({"region": code, "market_size": size, "target_share": share})
    frame = pd.DataFrame(rows)
    frame["target_share"] = pd.Series(list(frame["target_share"]), dtype=object)
    return frame


def _round_to(value: float, unit: int) -> int:
    """A generated figure as a round whole number of `unit`s, halves up like every rounding."""
    return round_half_up_units(Fraction(value), unit) * unit
