"""The rep guard rails and the per-rep plan: every rep's year compared with their last one.

After the org cascade gives each rep a year, each team's reps are checked against what they
sold last year, at their usual monthly rate over the months they are active this year (a
leaver's three months are three months of their usual rate, not a year packed into three):

* a rep **comparable** across the two years (active in both, with sales last year) may rise
  at most `max_rise` and fall at most `max_cut` against that base;
* what a cap removes (or a floor adds) is re-spread exactly over the team's other reps, so
  the team keeps its total to the unit; annual rep locks are kept as they are;
* when a team cannot hold the rails (every rep capped and still short), its rails are not
  applied and each rep's reason says so;
* a target above the rep's Potential is flagged in the reason (never silently cut).

`rep_plan` gives one row per rep with the figures and a reason in words that a sales-ops
lead can read out: "capped at +50% vs last year", "leaves 2026-03: 3 months at the usual
rate", "new hire from 2026-03, ramp 25/50/75/100%".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.calendar import months_before
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import round_half_up
from salesgoal_xl.core.ramp import ramp_factors
from salesgoal_xl.core.split.inputs import as_day, as_float

YEAR = 12
_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class GuardRails:
    """The largest rise and cut against last year (None: no rail on that side)."""

    max_rise: Fraction | None = None
    max_cut: Fraction | None = None


@dataclass(frozen=True)
class RepYears:
    """Per rep (in the reps' order): last year's sales, months active last year and this year,
    and the base: last year's monthly rate over this year's active months."""

    last_year: list[Fraction]
    months_last_year: list[int]
    months_this_year: list[int]
    base: list[Fraction | None]  # None: not comparable (new, or nothing sold last year)


def rep_years(reps: pd.DataFrame, history: pd.DataFrame, months: Sequence[str]) -> RepYears:
    """What each rep did in the twelve months before the plan, and how long they are active."""
    last_months = sorted(months_before(months[0], YEAR))
    recent = history[history["period"].isin(set(last_months))]
    sums = recent.groupby("rep_id")["amount"].sum()
    last: list[Fraction] = []
    active_last: list[int] = []
    active_now: list[int] = []
    base: list[Fraction | None] = []
    for rep, start, end in zip(reps["rep_id"], reps["start_date"], reps["end_date"], strict=True):
        sold = _exact(float(sums.get(rep, 0.0)))
        before = _active_months(start, end, last_months)
        now = _active_months(start, end, months)
        last.append(sold)
        active_last.append(before)
        active_now.append(now)
        base.append(sold / before * now if sold > 0 and before and now else None)
    return RepYears(last, active_last, active_now, base)


def usual_rate_weights(
    history_totals: Sequence[float],
    reps: pd.DataFrame,
    months: Sequence[str],
    lookback: int,
    active: npt.NDArray[np.float64],
) -> list[float]:
    """History weights as the usual monthly rate over this year's active months: a rep who
    leaves in March weighs three months of their usual sales, not a whole year. A rep with
    no month in the lookback (a new hire) weighs the team's average monthly rate over their
    ramped months (`active`, rep x plan month), so history never gives a new hire nothing."""
    window = sorted(months_before(months[0], lookback or YEAR))
    rates: list[float | None] = []
    for total, start, end in zip(history_totals, reps["start_date"], reps["end_date"], strict=True):
        before = _active_months(start, end, window)
        rates.append(float(total) / before if before else None)
    by_team: dict[str, list[float]] = {}
    for team, rate in zip(reps["team"], rates, strict=True):
        if rate is not None:
            by_team.setdefault(str(team), []).append(rate)
    weights = []
    for i, (team, rate) in enumerate(zip(reps["team"], rates, strict=True)):
        start, end = reps["start_date"][i], reps["end_date"][i]
        if rate is not None:
            weights.append(rate * _active_months(start, end, months))
            continue
        known = by_team.get(str(team), [])
        average = sum(known) / len(known) if known else 0.0
        weights.append(average * float(active[i].sum()))
    return weights


@dataclass(frozen=True)
class Guarded:
    """The reps' units after the rails, and the reason for each rep."""

    units: npt.NDArray[np.int64]
    reasons: list[str]


def apply_guard_rails(
    reps: pd.DataFrame,
    units: npt.NDArray[np.int64],
    years: RepYears,
    rails: GuardRails,
    unit: Fraction,
    months: Sequence[str],
    ramp: Sequence[float],
    locked: Mapping[str, int],
    method: str,
) -> Guarded:
    """Clamp each comparable rep into [base x (1 - cut), base x (1 + rise)] and re-spread the
    difference exactly over the team; `locked` maps rep id -> locked units (kept)."""
    result = units.astype(np.int64).copy()
    reasons = [""] * len(units)
    for _team, rows in reps.groupby("team", sort=False).groups.items():
        index = [int(i) for i in rows]
        floors, caps = _bounds(index, years, rails, unit)
        keep = [locked.get(str(reps["rep_id"][i])) for i in index]
        total = int(sum(int(units[i]) for i in index))
        weights = [max(int(units[i]), 0) for i in index]
        try:
            spread = allocate(total, weights, floors=floors, caps=caps, locked=keep)
            held = True
        except AllocationError:
            spread, held = [int(units[i]) for i in index], False
        for position, row in enumerate(index):
            result[row] = int(spread[position])
        team_reasons = _team_reasons(
            reps,
            index,
            result,
            units,
            years,
            rails,
            (floors, caps),
            unit,
            months,
            ramp,
            keep,
            held,
            method,
        )
        for row, reason in zip(index, team_reasons, strict=True):
            reasons[row] = reason
    return Guarded(result, reasons)


def rep_plan(
    reps: pd.DataFrame,
    units: npt.NDArray[np.int64],
    years: RepYears,
    reasons: Sequence[str],
    unit: Fraction,
    method: str,
) -> pd.DataFrame:
    """One row per rep: last year, months active, target, change, share of team, reason."""
    targets = [Fraction(int(u)) * unit for u in units]
    team_totals: dict[str, Fraction] = {}
    for team, target in zip(reps["team"], targets, strict=True):
        team_totals[str(team)] = team_totals.get(str(team), Fraction(0)) + target
    rows = []
    for i, rep in enumerate(reps["rep_id"]):
        team = str(reps["team"][i])
        last, base = years.last_year[i], years.base[i]
        # against last year at the usual rate over the same number of months this year
        change = round_half_up(targets[i] / base - 1, _PLACES) if base else None
        share = team_totals[team]
        rows.append(
            {
                "rep_id": rep,
                "rep_name": reps["rep_name"][i] if "rep_name" in reps else None,
                "team": team,
                "region": reps["region"][i],
                "last_year": _money(last),
                "months_last_year": years.months_last_year[i],
                "months_this_year": years.months_this_year[i],
                "target": _money(targets[i]),
                "change": change,
                "team_share": round_half_up(targets[i] / share, _PLACES) if share else None,
                "method": method,
                "reason": reasons[i],
            }
        )
    return pd.DataFrame(rows, dtype=object)


def _bounds(
    index: Sequence[int], years: RepYears, rails: GuardRails, unit: Fraction
) -> tuple[list[int | None], list[int | None]]:
    floors: list[int | None] = []
    caps: list[int | None] = []
    for i in index:
        base = years.base[i]
        if base is None:
            floors.append(None)
            caps.append(None)
            continue
        low = None if rails.max_cut is None else ceil(base * (1 - rails.max_cut) / unit)
        high = None if rails.max_rise is None else floor(base * (1 + rails.max_rise) / unit)
        if low is not None and high is not None and low > high:
            low = high
        floors.append(low)
        caps.append(high)
    return floors, caps


def _team_reasons(
    reps: pd.DataFrame,
    index: Sequence[int],
    result: npt.NDArray[np.int64],
    before: npt.NDArray[np.int64],
    years: RepYears,
    rails: GuardRails,
    bounds: tuple[list[int | None], list[int | None]],
    unit: Fraction,
    months: Sequence[str],
    ramp: Sequence[float],
    keep: Sequence[int | None],
    held: bool,
    method: str,
) -> list[str]:
    """Each team rep's reason; `bounds` are the team's floors and caps in units, as
    `apply_guard_rails` gave them to the re-spread."""
    floors, caps = bounds
    reasons = []
    for position, i in enumerate(index):
        cap, low = caps[position], floors[position]
        got, had = int(result[i]), int(before[i])
        parts: list[str] = []
        start, end = as_day(reps["start_date"][i]), as_day(reps["end_date"][i])
        now = years.months_this_year[i]
        if keep[position] is not None:
            parts.append("locked in Overrides")
        elif years.base[i] is None:
            if start is not None and start.strftime("%Y-%m") >= months[0]:
                steps = "/".join(f"{round(step * 100)}" for step in ramp)
                parts.append(f"new hire from {start:%Y-%m}, ramp {steps}%")
            elif years.last_year[i] <= 0:
                parts.append("no sales last year; " + _said(method))
            else:
                parts.append(_said(method))
        elif not held and (cap is not None or low is not None):
            parts.append("the team cannot hold the guard rails; " + _said(method))
        elif cap is not None and got >= cap and had > got:
            parts.append(f"capped at +{_pct(rails.max_rise)} vs last year")
        elif low is not None and got <= low and had < got:
            parts.append(f"held at -{_pct(rails.max_cut)} vs last year")
        else:
            parts.append(_said(method))
            if got != had:
                parts.append("takes part of what the rails moved")
        before_months = years.months_last_year[i]
        if years.base[i] is not None and before_months < YEAR:
            parts.append(f"{before_months} months last year, taken at their monthly rate")
        if end is not None and now < len(months) and years.base[i] is not None:
            parts.append(f"leaves {end:%Y-%m}: {now} months at the usual rate")
        potential = as_float(reps["potential"][i], 0.0) if "potential" in reps else 0.0
        if potential > 0 and Fraction(int(result[i])) * unit > _exact(potential):
            parts.append(f"above Potential ({potential:,.0f})")
        reasons.append("; ".join(parts))
    return reasons


_METHOD_WORDS = {
    "history": "last year's sales at the usual monthly rate",
    "capacity": "share of the team's capacity",
    "potential": "share of the team's potential",
    "equal": "equal share of the team",
    "weights": "custom weights",
    "blend": "share of the team's history and potential, for the months active",
}


def _said(method: str) -> str:
    """The rep method in words ('history (fallback...)' keeps its note)."""
    name = method.split("->")[0].split(" ")[0]
    return _METHOD_WORDS.get(name, method) + ("" if name == method else f" ({method})")


def _active_months(start: object, end: object, months: Sequence[str]) -> int:
    factors = ramp_factors(as_day(start), months, schedule=(1.0,), end_date=as_day(end))
    return sum(1 for factor in factors if factor > 0)


def _exact(value: float) -> Fraction:
    """A float sum of history amounts as the exact cents it prints as."""
    return Fraction(str(round(value, 2)))


def _money(amount: Fraction) -> int | float:
    return amount.numerator if amount.denominator == 1 else float(amount)


def _pct(rate: Fraction | None) -> str:
    if rate is None:
        return ""
    text = f"{round_half_up(rate * 100, _PLACES):f}".rstrip("0").rstrip(".")
    return text + "%"
