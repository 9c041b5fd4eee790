"""What the plan split takes and gives: the request, its rules and locks, the result, and the
levels and methods each step knows; plus how a split reports that it cannot be made."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from salesgoal_xl.core.hierarchy import DEFAULT_BLEND, SplitInfeasible, infeasible
from salesgoal_xl.core.money import Amount, Money
from salesgoal_xl.core.problems import NOWHERE, Problem, Source
from salesgoal_xl.core.ramp import DEFAULT_RAMP

ORG_LEVELS = ("region", "team", "rep")
ORG_METHODS = ("history", "equal", "weights", "potential", "capacity", "blend", "forecast")
FORECAST_LEVELS = ("region",)
"""The levels "forecast" can split: the ones propose forecasts (tblProposal's region rows)."""
TIME_METHODS = ("seasonal", "history", "equal", "weights")
MIX_METHODS = ("history", "equal", "matrix")

Progress = Callable[[float, str], None]

DEFAULT_RULES: tuple[tuple[str, str, int], ...] = (
    # (level, method, lookback months): what a new plan starts with.
    ("time", "seasonal", 36),
    ("region", "history", 12),
    ("team", "history", 12),
    ("rep", "history", 12),
    ("channel", "history", 12),
    ("product", "matrix", 12),
)
"""Seasonal months; regions, teams and reps by last year's share (reps at their usual monthly
rate over the months they are active, new hires at their team's rate through the ramp);
channels and products by each rep's mix, matched to the company's product totals."""


@dataclass(frozen=True)
class LevelRule:
    """How one level is split; `source` says where the rule lives (e.g. 'Decomposition!B5')."""

    level: str
    method: str
    lookback: int = 12
    over_assignment: Fraction | None = None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Lock:
    """A locked amount: `level`/`code` (e.g. rep R007), for a `period` or the whole year."""

    level: str
    code: str
    period: str | None
    amount: Amount
    source: Source = NOWHERE


@dataclass(frozen=True)
class SplitRequest:
    """Everything the split needs, as plain data.

    `reps` has columns rep_id, rep_name, team, region, start_date, end_date, capacity,
    potential (one row per rep, in the order the output should follow). `history` has
    period ('YYYY-MM'), rep_id, channel, product, amount. `weights` has level, code, weight.
    """

    total: Amount
    unit: Amount
    fiscal_year: int
    first_month: int
    reps: pd.DataFrame
    history: pd.DataFrame
    channels: Sequence[str]
    products: Sequence[str]
    rules: Mapping[str, LevelRule] = field(default_factory=dict)
    locks: Sequence[Lock] = ()
    weights: pd.DataFrame | None = None
    over_assignment: Fraction = Fraction(0)
    over_assignment_source: Source = NOWHERE  # the setting's cell
    max_rise: Fraction | None = None  # rep guard rails vs last year (None: no rail)
    max_cut: Fraction | None = None
    blend_history: Fraction = DEFAULT_BLEND  # a blend's history part; the rest is potential
    ramp: Sequence[float] = DEFAULT_RAMP
    total_source: Source = NOWHERE
    granularity: str = "month"
    country: str | None = None
    country_source: Source = NOWHERE
    region_forecasts: Mapping[str, Amount] = field(default_factory=dict)
    """Each region's Trend forecast from tblProposal (what the "forecast" rule weighs)."""
    region_forecasts_source: Source = NOWHERE  # tblProposal, where they are read


@dataclass(frozen=True)
class SplitResult:
    """Leaf targets (tblTargets columns) and the totals of each level."""

    leaves: pd.DataFrame
    level_totals: Mapping[str, pd.DataFrame]
    total: Money
    method_by_level: Mapping[str, str]
    over_assignment: Mapping[str, Fraction] = field(default_factory=dict)
    """The over-assignment rate each org level applied (levels without one are absent): the
    leaf total is the final target lifted by these, level after level."""
    rep_plan: pd.DataFrame | None = None
    """One row per rep (tblRepPlan columns): last year, months active, target, change, share
    of team, method and the reason in words (core.split.guard)."""


def rule_for(request: SplitRequest, level: str, default: str) -> LevelRule:
    """The rule for `level`, or a default one when the workbook has none."""
    return request.rules.get(level, LevelRule(level, default))


def method_known(rule: LevelRule, allowed: Sequence[str], issues: list[Problem]) -> bool:
    """Whether the rule's method can split its level; if not, say so at the rule's cell."""
    if rule.method in allowed:
        return True
    issues.append(
        infeasible(
            f"method {rule.method!r} cannot split the {rule.level} level; use one of "
            f"{', '.join(allowed)}",
            rule.source,
        )
    )
    return False


__all__ = [
    "DEFAULT_RULES",
    "FORECAST_LEVELS",
    "MIX_METHODS",
    "ORG_LEVELS",
    "ORG_METHODS",
    "TIME_METHODS",
    "LevelRule",
    "Lock",
    "Progress",
    "SplitInfeasible",
    "SplitRequest",
    "SplitResult",
    "infeasible",
    "method_known",
    "rule_for",
]
