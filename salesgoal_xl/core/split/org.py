"""The split's org step: region -> team -> rep, annually, by `split_hierarchy` (the one org
cascade), with each level's rule, over-assignment and custom weights, and the annual locks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.hierarchy import blend_name, split_hierarchy
from salesgoal_xl.core.money import Amount, to_units, unit_fraction
from salesgoal_xl.core.problems import Problem
from salesgoal_xl.core.split.guard import usual_rate_weights
from salesgoal_xl.core.split.inputs import as_float, custom_weights
from salesgoal_xl.core.split.locks import annual_org_locks
from salesgoal_xl.core.split.request import (
    FORECAST_LEVELS,
    ORG_LEVELS,
    ORG_METHODS,
    LevelRule,
    SplitInfeasible,
    SplitRequest,
    infeasible,
    method_known,
    rule_for,
)

_WEIGHT_COLUMNS = ("history", "capacity", "potential")


@dataclass(frozen=True)
class OrgSplit:
    """Units per rep (in the reps' order), the method used per level, and each level's
    totals (columns code, target in units)."""

    rep_units: npt.NDArray[np.int64]
    methods: dict[str, str]
    level_totals: dict[str, pd.DataFrame]
    over_assignment: dict[str, Fraction]  # the rate applied per org level (1/20 is 5%)


def org_rules(request: SplitRequest) -> dict[str, LevelRule]:
    """Each org level's rule: history by default (for reps, last year's usual monthly rate
    over this year's active months, new hires at their team's rate through the ramp)."""
    return {level: rule_for(request, level, "history") for level in ORG_LEVELS}


def over_assignment_rates(
    request: SplitRequest, rules: dict[str, LevelRule], issues: list[Problem]
) -> dict[str, Fraction]:
    """Each level's over-assignment: its rule's, else the plan setting for reps, else none."""
    rates: dict[str, Fraction] = {}
    for level, rule in rules.items():
        rate = rule.over_assignment
        source = rule.source
        if rate is None and level == "rep":
            rate, source = request.over_assignment, request.over_assignment_source
        if rate is None:
            continue
        if rate < 0:
            issues.append(
                infeasible(f"over-assignment must be >= 0 (got {float(rate):.2%})", source)
            )
        rates[level] = rate
    return rates


def split_org(
    request: SplitRequest,
    reps: pd.DataFrame,
    rep_history: pd.Series,
    active: npt.NDArray[np.float64],
    issues: list[Problem],
    months: Sequence[str] = (),
) -> OrgSplit | None:
    """Split the final target over regions, teams and reps; None (with issues) if impossible."""
    rules = org_rules(request)
    if not all(method_known(rules[level], ORG_METHODS, issues) for level in ORG_LEVELS):
        return None
    rates = over_assignment_rates(request, rules, issues)
    leaves = pd.DataFrame(
        {
            "region": reps["region"].to_numpy(),
            "team": reps["team"].to_numpy(),
            "rep": reps["rep_id"].to_numpy(),
            # last year's sales at the usual monthly rate over this year's active months
            "history": usual_rate_weights(
                rep_history.tolist(),
                reps,
                months,
                rule_for(request, "rep", "history").lookback,
                active,
            )
            if months
            else rep_history.to_numpy(),
            "capacity": active.mean(axis=1),
            "potential": [as_float(v, 0.0) for v in reps["potential"]],
        }
    )
    # Potential is a yearly figure: a blend counts it for the months the rep is active, so a
    # leaver's or a new hire's year is never packed into fewer months.
    leaves["potential_active"] = leaves["potential"] * leaves["capacity"]
    _check_org(leaves, rules, issues)
    if issues:
        return None
    methods = {level: rules[level].method for level in ORG_LEVELS}
    by_code: dict[str, dict[str, float]] = {
        level: custom_weights(request.weights, level)
        for level in ORG_LEVELS
        if methods[level] == "weights"
    }
    for level in [level for level in ORG_LEVELS if methods[level] == "forecast"]:
        # The forecasts are node weights by code: the cascade's "weights" reads them.
        by_code[level] = forecast_weights(request, leaves[level], rules[level], issues)
        methods[level] = "weights"
    if issues:
        return None
    try:
        cascade = split_hierarchy(
            request.total,
            leaves,
            ORG_LEVELS,
            methods,
            unit=request.unit,
            over_assignment_pct={level: rate * 100 for level, rate in rates.items()},
            node_weights=by_code,
            locks=annual_org_locks(request.locks),
            blend=request.blend_history,
            weight_columns={"blend_potential": "potential_active"},
        )
    except SplitInfeasible as exc:
        issues.extend(exc.problems)
        return None
    except AllocationError as exc:
        issues.append(infeasible(f"cannot split the organisation: {exc}"))
        return None
    return _org_result(cascade, rules, request.unit, rates, request.blend_history)


def forecast_weights(
    request: SplitRequest, codes: pd.Series, rule: LevelRule, issues: list[Problem]
) -> dict[str, float]:
    """The "forecast" rule's weights: each region's Trend forecast in tblProposal (so regions
    share the final target as they share the forecast); a level propose does not forecast,
    or a region without a forecast, is an issue at the rule or at tblProposal."""
    if rule.level not in FORECAST_LEVELS:
        issues.append(
            infeasible(
                f"method 'forecast' splits regions only (propose forecasts each region); "
                f"the {rule.level} level needs another method",
                rule.source,
            )
        )
        return {}
    weights: dict[str, float] = {}
    for code in dict.fromkeys(str(c) for c in codes):
        amount = request.region_forecasts.get(code)
        if amount is None:
            issues.append(
                infeasible(
                    f"regions are split by forecast, but region {code} has no Trend forecast "
                    "in tblProposal; run propose",
                    request.region_forecasts_source,
                )
            )
            continue
        weights[code] = float(amount)
    return weights


def _check_org(leaves: pd.DataFrame, rules: dict[str, LevelRule], issues: list[Problem]) -> None:
    """Every rep once, with a team and a region, and no negative figure the rules weigh by."""
    for what in ("region", "team"):
        for rep in leaves["rep"][leaves[what].isna()]:
            issues.append(infeasible(f"rep {rep} has no {what}; give every rep one"))
    for rep in leaves["rep"][leaves["rep"].duplicated()].unique():
        issues.append(infeasible(f"rep {rep} is listed more than once in the organisation"))
    for level, rule in rules.items():
        read = ("history", "potential") if rule.method == "blend" else (rule.method,)
        for column in (c for c in read if c in _WEIGHT_COLUMNS):
            negative = leaves[leaves[column] < 0]
            for rep, value in zip(negative["rep"], negative[column], strict=True):
                issues.append(
                    infeasible(
                        f"{level}s are split by {rule.method}, but rep {rep} has a negative "
                        f"{column} ({value:g})",
                        rule.source,
                    )
                )


def _org_result(
    cascade: pd.DataFrame,
    rules: dict[str, LevelRule],
    unit: Amount,
    rates: dict[str, Fraction],
    blend: Fraction,
) -> OrgSplit:
    exact_unit = unit_fraction(unit)

    def units(values: Sequence[object]) -> list[int]:
        return [to_units(value, exact_unit, "target") for value in values]

    methods: dict[str, str] = {}
    totals: dict[str, pd.DataFrame] = {}
    for depth, level in enumerate(ORG_LEVELS):
        method = rules[level].method
        if method == "blend":
            method = blend_name(blend)
        used = {
            f"{method}->equal" if fallback else method for fallback in cascade[f"{level}_fallback"]
        }
        methods[level] = "/".join(sorted(used)) if used else method
        nodes = cascade.drop_duplicates(subset=list(ORG_LEVELS[: depth + 1]))
        # A code found under two parents is one row here, as the level's totals are by code.
        by_code: dict[str, int] = {}
        for code, amount in zip(
            nodes[level], units(nodes[f"{level}_target"].tolist()), strict=True
        ):
            by_code[str(code)] = by_code.get(str(code), 0) + amount
        totals[level] = pd.DataFrame({"code": list(by_code), "target": list(by_code.values())})
    rep_units = np.array(units(cascade["target"].tolist()), dtype=np.int64)
    return OrgSplit(rep_units, methods, totals, {k: v for k, v in rates.items() if v})
