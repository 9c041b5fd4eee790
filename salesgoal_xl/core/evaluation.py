"""Evaluation: a unit's tracking figures over its periods, early warnings, re-targeting
suggestions, KPI scores and bands, and fairness figures with verdicts.

Money is exact (Fractions in, ints or Decimals out); ratios (pace, scores, fairness figures) are
Fractions or floats. Pace, projection, required run rate and the pace-based risk flag come from
``core.tracking``; this module adds what needs a unit's whole series: the best period so far,
the "out of reach" rule, the run of periods behind pace, and the figures over many units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from salesgoal_xl.core.fairness import gini
from salesgoal_xl.core.money import Money, fraction_to_decimal, round_half_up_ratio
from salesgoal_xl.core.tracking import (
    RiskFlag,
    RiskLevel,
    projected_landing,
    required_run_rate,
    risk_flag,
    whole_percent,
)


@dataclass(frozen=True)
class TrackingRules:
    """The thresholds a unit is judged by (the workbook's settings)."""

    amber_below: Fraction
    red_below: Fraction
    reach_limit: Fraction  # red when the run rate needed is above this multiple of the best
    unit: Fraction = Fraction(1)
    period_word: str = "month"


@dataclass(frozen=True)
class UnitTracking:
    """One unit's figures as of a period; money exact, ``flag`` from core.tracking."""

    target_to_date: Fraction
    actual_to_date: Fraction
    expected_to_date: Fraction
    annual_target: Fraction
    projection: Money | None
    required_run_rate: Money | None
    best_period: Fraction | None
    behind_periods: int
    periods_left: int
    flag: RiskFlag
    out_of_reach: bool
    reach_limit: Fraction = Fraction(3, 2)
    # Periods since the last one with a target, when that is before the as-of period (a leaver
    # tracked after the last day): the target is closed and what it missed is final.
    ended_periods_ago: int = 0
    period_word: str = "month"

    @property
    def level(self) -> RiskLevel:
        """Green, amber or red: the pace rule, then red when the run rate is out of reach."""
        return self.flag.level

    @property
    def reason(self) -> str:
        """What a manager can act on, e.g. 'behind seasonal pace by 18%; needs 1.4x ...'."""
        if self.ended_periods_ago:
            n, word = self.ended_periods_ago, self.period_word
            ago = f"{n} {word}{'s' if n > 1 else ''} ago"
            attained = self.flag.attainment
            if attained is None:
                return f"the target ended {ago}"
            if self.actual_to_date >= self.annual_target:
                return f"the target ended {ago}, reached ({whole_percent(attained)})"
            short = money(self.annual_target - self.actual_to_date)
            return (
                f"the target ended {ago}, closed at {whole_percent(attained)} of it "
                f"({short:,} short); nothing is left to close the gap"
            )
        text = self.flag.reason
        if self.out_of_reach and self.flag.required_run_rate is not None:
            text += f" (out of reach: more than {_times(self.reach_limit)} the best so far)"
        elif self.out_of_reach:
            text += " (the target can no longer be reached)"
        return text


def track_unit(
    targets: Sequence[Fraction],
    actuals: Sequence[Fraction],
    as_of: int,
    rules: TrackingRules,
    *,
    expected_in_period: Fraction | None = None,
) -> UnitTracking:
    """A unit's tracking figures from its per-period targets and actuals (same order).

    ``as_of`` is the 0-based index of the last period counted. The seasonal expectation to date
    is the target of the periods up to and including it (the target's own phasing); when
    ``expected_in_period`` is given (the share of the as-of period elapsed, by working days), the
    as-of period counts by that share instead and stays among the periods left.
    """
    done_targets = targets[: as_of + 1]
    target_to_date = sum(done_targets, Fraction(0))
    annual = sum(targets, Fraction(0))
    actual = sum(actuals[: as_of + 1], Fraction(0))
    expected = target_to_date
    # The periods left are those that still carry a target: a leaver's months after the last
    # day, or a product's after it is withdrawn, bring nothing and close no gap.
    left = sum(1 for t in targets[as_of + 1 :] if t > 0)
    with_target = [i for i, t in enumerate(targets) if t > 0]
    ended = as_of - with_target[-1] if with_target and with_target[-1] < as_of else 0
    if expected_in_period is not None and done_targets:
        # Working-day shares are not decimals: the expectation is rounded half-up to whole
        # currency units, so every money figure stays an exact decimal.
        share = target_to_date - done_targets[-1] * (1 - expected_in_period)
        expected = Fraction(round_half_up_ratio(share.numerator, share.denominator))
        left += 1 if expected_in_period < 1 and done_targets[-1] > 0 else 0
    played = [a for a in actuals[: as_of + 1]]
    best = max(played) if played else None
    best = best if best is not None and best > 0 else None
    unit = money(rules.unit)
    flag = risk_flag(
        actual_to_date=money(actual),
        expected_to_date=money(expected),
        annual_target=money(annual),
        periods_left=left,
        amber_below=rules.amber_below,
        red_below=rules.red_below,
        best_period=None if best is None else money(best),
        unit=unit,
        period_word=rules.period_word,
    )
    out_of_reach = _out_of_reach(flag, rules.reach_limit)
    if out_of_reach:
        flag = replace(flag, level=RiskLevel.RED)
    projection = projected_landing(money(actual), money(expected), money(annual), unit=unit)
    return UnitTracking(
        target_to_date=target_to_date,
        actual_to_date=actual,
        expected_to_date=expected,
        annual_target=annual,
        projection=projection,
        required_run_rate=required_run_rate(money(annual), money(actual), left, unit=unit),
        best_period=best,
        # An ended target is a closed account, not a warning to act on.
        behind_periods=0 if ended else behind_streak(targets, actuals, as_of, rules.amber_below),
        periods_left=left,
        flag=flag,
        out_of_reach=out_of_reach,
        reach_limit=rules.reach_limit,
        ended_periods_ago=ended,
        period_word=rules.period_word,
    )


def _times(limit: Fraction) -> str:
    """1.5 as '1.5x', 2 as '2x'."""
    text = f"{float(limit):.2f}".rstrip("0").rstrip(".")
    return f"{text}x"


def _out_of_reach(flag: RiskFlag, limit: Fraction) -> bool:
    """A gap that no period is left for, or a run rate above ``limit`` x the best period."""
    if flag.actual_to_date >= flag.annual_target or flag.expected_to_date == 0:
        return False
    if flag.required_run_rate is None:
        return True
    times = flag.times_best
    return times is not None and times > limit


def behind_streak(
    targets: Sequence[Fraction], actuals: Sequence[Fraction], as_of: int, amber_below: Fraction
) -> int:
    """How many periods in a row, ending at ``as_of``, the cumulative pace was below amber."""
    cumulative_target, cumulative_actual = Fraction(0), Fraction(0)
    behind: list[bool] = []
    for target, actual in zip(targets[: as_of + 1], actuals[: as_of + 1], strict=True):
        cumulative_target += target
        cumulative_actual += actual
        behind.append(cumulative_target > 0 and cumulative_actual < amber_below * cumulative_target)
    streak = 0
    for is_behind in reversed(behind):
        if not is_behind:
            break
        streak += 1
    return streak


@dataclass(frozen=True)
class RetargetRule:
    """Suggest re-targeting a group when, once ``after`` of the year has passed, more than
    ``share`` of its members are below ``attainment`` (actual over target to date)."""

    share: Fraction
    attainment: Fraction
    after: Fraction


def retarget_due(
    attainments: Sequence[Fraction | None], elapsed: Fraction, rule: RetargetRule
) -> tuple[int, int] | None:
    """(members below, members counted) when the group meets the rule, else None."""
    counted = [a for a in attainments if a is not None]
    if elapsed < rule.after or not counted:
        return None
    below = sum(1 for a in counted if a < rule.attainment)
    return (below, len(counted)) if Fraction(below, len(counted)) > rule.share else None


# --- KPI scores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    """A KPI definition: what it measures, its weight, direction, cap, goal and threshold.

    The score of a measured value is value / goal ("higher") or goal / value ("lower"), capped
    at ``cap``; a value on the wrong side of ``threshold`` scores 0.
    """

    code: str
    weight: Fraction
    direction: str = "higher"
    cap: Fraction | None = None
    goal: Fraction = Fraction(1)
    threshold: Fraction | None = None


def kpi_score(value: Fraction | None, kpi: Kpi) -> Fraction:
    """The KPI's score for one measured value (0 for no value)."""
    if value is None or kpi.goal <= 0:
        return Fraction(0)
    if kpi.direction == "lower":
        if kpi.threshold is not None and value > kpi.threshold:
            return Fraction(0)
        score = kpi.goal / value if value > 0 else (kpi.cap or Fraction(0))
    else:
        if kpi.threshold is not None and value < kpi.threshold:
            return Fraction(0)
        score = value / kpi.goal
    score = max(score, Fraction(0))
    return min(score, kpi.cap) if kpi.cap is not None else score


def weighted_score(values: dict[str, Fraction | None], kpis: Sequence[Kpi]) -> Fraction:
    """Sum of weight x score over the KPIs, the weights rescaled to total 1."""
    total = sum((k.weight for k in kpis), Fraction(0))
    if total <= 0:
        return Fraction(0)
    return sum((k.weight * kpi_score(values.get(k.code), k) for k in kpis), Fraction(0)) / total


def band(score: Fraction, limits: Sequence[Fraction]) -> str:
    """'A' at or above the first limit, 'B' the second, 'C' the third, else 'D'."""
    for letter, limit in zip("ABC", limits, strict=False):
        if score >= limit:
            return letter
    return "D"


def ranks(scores: Sequence[Fraction]) -> list[int]:
    """1 for the best score; equal scores share the better rank (1, 2, 2, 4)."""
    ordered = sorted(scores, reverse=True)
    first: dict[Fraction, int] = {}
    for position, score in enumerate(ordered, start=1):
        first.setdefault(score, position)
    return [first[s] for s in scores]


def attainment_positions(attainments: Mapping[str, Fraction | None]) -> dict[str, int]:
    """Each unit's place by attainment, 1 for the highest; equal attainments go by code.

    Unlike `ranks` every place is taken once, so a sheet can look up "the 3rd best" with one
    exact MATCH. Units without an attainment (nothing expected yet) get no place.
    """
    ordered = sorted(
        ((value, code) for code, value in attainments.items() if value is not None),
        key=lambda item: (-item[0], item[1]),
    )
    return {code: place for place, (_value, code) in enumerate(ordered, start=1)}


# --- fairness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FairnessFigure:
    """One fairness figure, its healthy band (either end may be open) and a verdict."""

    metric: str
    value: float | None
    low: float | None
    high: float | None
    verdict: str


@dataclass(frozen=True)
class FairnessBands:
    """Healthy bands; 55-70% of reps at quota is a common rule of thumb for sales plans."""

    quota_share: tuple[float, float] = (0.55, 0.70)
    median: tuple[float, float] = (0.90, 1.10)
    spread_max: float = 0.30
    gini_max: float = 0.15
    correlation_max: float = 0.30
    difficulty: tuple[float, float] = (0.95, 1.25)


def correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's correlation; None for fewer than two pairs or a constant series."""
    if len(x) < 2:
        return None
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    dx, dy = xs - xs.mean(), ys - ys.mean()
    norm = math.sqrt(float(np.dot(dx, dx)) * float(np.dot(dy, dy)))
    return None if norm == 0 else float(np.dot(dx, dy)) / norm


def fairness_figures(
    targets: Sequence[Fraction],
    attainments: Sequence[Fraction],
    difficulties: Sequence[Fraction],
    bands: FairnessBands,
) -> list[FairnessFigure]:
    """The fairness figures over the reps' targets to date and attainments (same order), and
    the target difficulty (annual target / the rep's own last year) of reps with a history.

    Spread is the interquartile range (75th minus 25th percentile, linear interpolation)."""
    att = [float(a) for a in attainments]
    figures: list[FairnessFigure] = []
    if att:
        share = sum(1 for a in attainments if a >= 1) / len(att)
        median = float(np.median(att))
        spread = float(np.percentile(att, 75) - np.percentile(att, 25))
        gini_value = gini(np.clip(att, 0, None))
    else:
        share = median = spread = gini_value = math.nan
    size = correlation([float(t) for t in targets], att)
    difficulty = float(np.median([float(d) for d in difficulties])) if difficulties else None
    figures.append(
        _judge(
            "share_at_quota",
            share,
            *bands.quota_share,
            "the share of reps at or above 100%",
            pct=True,
        )
    )
    figures.append(
        _judge("median_attainment", median, *bands.median, "the median attainment", True)
    )
    figures.append(
        _judge(
            "attainment_spread",
            spread,
            None,
            bands.spread_max,
            "the interquartile range of attainment",
            True,
        )
    )
    figures.append(
        _judge("gini_attainment", gini_value, None, bands.gini_max, "the Gini of attainment", False)
    )
    figures.append(
        _judge(
            "size_correlation",
            size,
            -bands.correlation_max,
            bands.correlation_max,
            "the correlation of target size and attainment",
            False,
        )
    )
    figures.append(
        _judge(
            "target_difficulty",
            difficulty,
            *bands.difficulty,
            "the median of target / own last year",
            False,
        )
    )
    return figures


_ADVICE = {
    ("share_at_quota", "low"): "targets look too hard for most reps",
    ("share_at_quota", "high"): "targets look too easy",
    ("median_attainment", "low"): "the typical rep is behind",
    ("median_attainment", "high"): "the typical rep is well ahead: targets may be soft",
    ("attainment_spread", "high"): "attainment is very uneven across reps",
    ("gini_attainment", "high"): "a few reps carry most of the attainment",
    ("size_correlation", "low"): "bigger targets are missed more: they may be set too high",
    ("size_correlation", "high"): "smaller targets are missed more: they may be set too high",
    ("target_difficulty", "low"): "targets ask less than last year",
    ("target_difficulty", "high"): "targets ask much more than reps did last year",
}


def _judge(
    metric: str,
    value: float | None,
    low: float | None,
    high: float | None,
    what: str,
    pct: bool,
) -> FairnessFigure:
    def show(number: float) -> str:
        return f"{number:.0%}" if pct else f"{number:.3f}"

    if value is None or math.isnan(value):
        return FairnessFigure(metric, None, low, high, f"no figure: not enough data for {what}")
    band_text = (
        f"{show(low)} to {show(high)}"
        if low is not None and high is not None
        else (f"at most {show(high)}" if high is not None else f"at least {show(low or 0)}")
    )
    side = (
        "low"
        if low is not None and value < low
        else "high"
        if high is not None and value > high
        else ""
    )
    if not side:
        return FairnessFigure(
            metric, value, low, high, f"healthy: {what} is {show(value)} (healthy {band_text})"
        )
    advice = _ADVICE.get((metric, side), "outside the healthy band")
    return FairnessFigure(
        metric,
        value,
        low,
        high,
        f"{'below' if side == 'low' else 'above'} the healthy band: {what} is {show(value)} "
        f"(healthy {band_text}); {advice}",
    )


def money(value: Fraction) -> Money:
    """An exact amount as the tables hold it: an int when whole, else a Decimal."""
    if value.denominator == 1:
        return value.numerator
    return fraction_to_decimal(value)
