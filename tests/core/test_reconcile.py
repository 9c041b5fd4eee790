"""The reconciliation rule: exact target and commit sums per rep, team and region and month,
blank commits where nobody committed, and who committed."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from salesgoal_xl.core.reconcile import reconciliation, rep_month_targets

LEAVES = pd.DataFrame(
    {
        "period": ["2026-01", "2026-01", "2026-01", "2026-02", "2026-01"],
        "month": ["2026-01", "2026-01", "2026-01", "2026-02", "2026-01"],
        "region": ["N", "N", "N", "N", "S"],
        "team": ["N1", "N1", "N2", "N1", "S1"],
        "rep_id": ["R1", "R1", "R2", "R1", "R3"],
        "target": [Decimal("0.1"), Decimal("0.2"), 100, 50, 7],
    },
    dtype=object,
)


def _row(table: pd.DataFrame, level: str, code: str, period: str) -> dict[str, object]:
    found = table[(table["level"] == level) & (table["code"] == code) & (table["period"] == period)]
    assert len(found) == 1, (level, code, period)
    return dict(found.iloc[0])


def test_targets_add_up_exactly_per_unit_and_month() -> None:
    """0.1 + 0.2 is 0.3 exactly for the rep and its team, and the region adds its teams."""
    table = reconciliation(
        LEAVES, pd.DataFrame(columns=["rep_id", "period", "commit", "committed_by"])
    )
    assert _row(table, "rep", "R1", "2026-01")["target"] == Decimal("0.3")
    assert _row(table, "team", "N1", "2026-01")["target"] == Decimal("0.3")
    assert _row(table, "region", "N", "2026-01")["target"] == Decimal("100.3")
    assert _row(table, "region", "N", "2026-02")["target"] == 50
    assert table["commit"].isna().all() and set(table["committed_by"]) == {""}
    assert list(dict.fromkeys(table["level"])) == ["region", "team", "rep"]


def test_commits_roll_up_and_name_who_committed() -> None:
    """Two reps' commits add up in their region; a team with no commit keeps a blank commit;
    names are listed once each, in the order seen."""
    commits = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3"],
            "period": ["2026-01", "2026-01", "2026-01"],
            "commit": [40, Decimal("60.5"), None],
            "committed_by": ["Ann", "Bo", "Cy"],
        },
        dtype=object,
    )
    names = {"team": {"N1": "North 1"}}
    table = reconciliation(LEAVES, commits, names)
    region = _row(table, "region", "N", "2026-01")
    assert region["commit"] == Decimal("100.5") and region["committed_by"] == "Ann, Bo"
    team = _row(table, "team", "N1", "2026-01")
    assert (team["commit"], team["name"]) == (40, "North 1")
    south = _row(table, "team", "S1", "2026-01")
    assert south["commit"] is None and south["committed_by"] == "Cy"
    assert _row(table, "rep", "R1", "2026-02")["commit"] is None
    assert table["gap"].isna().all()


def test_rep_month_targets_are_exact_sums() -> None:
    """Each rep and month's target is the exact sum of its leaves."""
    sums = rep_month_targets(LEAVES)
    assert sums[("R1", "2026-01")] == Decimal("0.3")
    assert sums[("R2", "2026-01")] == 100 and sums[("R1", "2026-02")] == 50
