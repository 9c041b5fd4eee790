"""Top-down against bottom-up: the leaf targets of each rep, team and region per month set
beside the commits their reps returned, exactly (the rule behind tblReconciliation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

import pandas as pd

from salesgoal_xl.core.adjustment import canonical_value
from salesgoal_xl.core.money import fraction_to_decimal, to_fraction

LEVELS: Final = ("region", "team", "rep")
"""The units a reconciliation row is about, widest first (the order rows are written in)."""
COLUMNS: Final = ("level", "code", "name", "period", "target", "commit", "gap", "committed_by")


def exact_money(value: Fraction) -> int | Decimal:
    """A sum as money: an int when whole, else the exact Decimal."""
    return value.numerator if value.denominator == 1 else fraction_to_decimal(value)


def reconciliation(
    leaves: pd.DataFrame,
    commits: pd.DataFrame,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per unit (region, team, rep) and month with a target or a commit.

    `leaves` has rep_id, team, region, target and month (or period, when every period is a
    month); `commits` has rep_id, period (a month), commit (blank when not given) and
    committed_by. A commit counts for the team and region its rep's leaves have in that
    month. `names` maps a level to {code: display name}. Target is the exact sum of the
    unit's leaves, commit the exact sum of its reps' commits (None when nobody committed),
    committed_by the distinct names in first-seen order; gap is left None (the workbook
    computes it from target and commit).
    """
    names = names or {}
    month_column = "month" if "month" in leaves.columns else "period"
    reps = leaves["rep_id"].map(canonical_value).tolist()
    teams = leaves["team"].map(canonical_value).tolist()
    regions = leaves["region"].map(canonical_value).tolist()
    months = leaves[month_column].map(canonical_value).tolist()
    targets: dict[tuple[str, str, str], Fraction] = defaultdict(Fraction)
    home: dict[tuple[str, str], tuple[str, str]] = {}
    any_home: dict[str, tuple[str, str]] = {}
    for rep, team, region, month, value in zip(
        reps, teams, regions, months, leaves["target"].tolist(), strict=True
    ):
        amount = Fraction(0) if canonical_value(value) == "" else to_fraction(value, "target")
        for unit in (("region", region), ("team", team), ("rep", rep)):
            targets[(*unit, month)] += amount
        home.setdefault((rep, month), (team, region))
        any_home.setdefault(rep, (team, region))

    committed: dict[tuple[str, str, str], Fraction] = {}
    who: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for rep_raw, period_raw, value, by in zip(
        commits["rep_id"].tolist(),
        commits["period"].tolist(),
        commits["commit"].tolist(),
        commits["committed_by"].tolist(),
        strict=True,
    ):
        rep, month = canonical_value(rep_raw), canonical_value(period_raw)[:7]
        team, region = home.get((rep, month), any_home.get(rep, ("", "")))
        person = canonical_value(by)
        for unit in (("region", region), ("team", team), ("rep", rep)):
            if not unit[1]:
                continue
            key = (*unit, month)
            if canonical_value(value) != "":
                committed[key] = committed.get(key, Fraction(0)) + to_fraction(value, "commit")
            if person and person not in who[key]:
                who[key].append(person)

    keys = sorted(
        {*targets, *committed, *(k for k, v in who.items() if v)},
        key=lambda k: (LEVELS.index(k[0]), k[1], k[2]),
    )
    rows = [
        {
            "level": level,
            "code": code,
            "name": names.get(level, {}).get(code, ""),
            "period": month,
            "target": exact_money(targets.get((level, code, month), Fraction(0))),
            "commit": (
                exact_money(committed[(level, code, month)])
                if (level, code, month) in committed
                else None
            ),
            "gap": None,
            "committed_by": ", ".join(who.get((level, code, month), [])),
        }
        for level, code, month in keys
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


def rep_month_targets(leaves: pd.DataFrame) -> dict[tuple[str, str], int | Decimal]:
    """Each (rep, month)'s exact target: what tblCommits shows beside a commit."""
    month_column = "month" if "month" in leaves.columns else "period"
    sums: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for rep, month, value in zip(
        leaves["rep_id"].map(canonical_value).tolist(),
        leaves[month_column].map(canonical_value).tolist(),
        leaves["target"].tolist(),
        strict=True,
    ):
        if canonical_value(value) != "":
            sums[(rep, month)] += to_fraction(value, "target")
        else:
            sums.setdefault((rep, month), Fraction(0))
    return {key: exact_money(total) for key, total in sums.items()}


__all__ = ["COLUMNS", "LEVELS", "exact_money", "reconciliation", "rep_month_targets"]
