"""The blend method: each child weighs history_part x its share of the siblings' history plus
the rest x its share of their potential, exactly, with the usual fallbacks and exact sums."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.hierarchy import blend_name, blend_weights, split_hierarchy


def _reps(history: list[int], potential: list[int], teams: list[str] | None = None) -> pd.DataFrame:
    n = len(history)
    return pd.DataFrame(
        {
            "team": teams or ["T1"] * n,
            "rep": [f"R{i}" for i in range(n)],
            "history": history,
            "potential": potential,
        }
    )


def test_weights_mix_the_two_shares_exactly() -> None:
    """70/30: a rep with half the history and a quarter of the potential weighs 0.7/2 + 0.3/4."""
    weights, note = blend_weights([50, 30, 20], [25, 25, 50], Fraction(7, 10))
    assert weights == [
        Fraction(7, 10) * Fraction(1, 2) + Fraction(3, 10) * Fraction(1, 4),
        Fraction(7, 10) * Fraction(3, 10) + Fraction(3, 10) * Fraction(1, 4),
        Fraction(7, 10) * Fraction(1, 5) + Fraction(3, 10) * Fraction(1, 2),
    ]
    assert sum(weights) == 1 and note == ""


def test_a_missing_part_gives_its_weight_to_the_other_and_says_so() -> None:
    """No potential at all: history shares alone; no history: potential alone; neither: zeros."""
    assert blend_weights([1, 3], [0, 0], Fraction(1, 2)) == (
        [Fraction(1, 4), Fraction(3, 4)],
        "history (no potential)",
    )
    assert blend_weights([0, 0], [2, 2], Fraction(1, 2))[1] == "potential (no history)"
    assert blend_weights([0, 0], [0, 0], Fraction(1, 2))[0] == [0, 0]


def test_the_split_by_blend_matches_the_hand_computed_shares() -> None:
    """1,000,000 over three reps at 70/30 gives the exact largest-remainder split of the blended
    weights, named in the method column."""
    reps = _reps([50, 30, 20], [25, 25, 50])
    out = split_hierarchy(1_000_000, reps, ["team", "rep"], {"team": "equal", "rep": "blend"})
    assert out["target"].tolist() == [425_000, 285_000, 290_000]
    assert set(out["rep_method"]) == {blend_name(Fraction(7, 10))}
    assert blend_name(Fraction(7, 10)) == "blend 70% history / 30% potential"


@given(
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=8),
    st.data(),
    st.fractions(min_value=0, max_value=1, max_denominator=100),
    st.integers(min_value=0, max_value=10**9),
)
def test_blended_children_add_up_to_their_parent(
    history: list[int], data: st.DataObject, part: Fraction, total: int
) -> None:
    """Whatever the figures and the mix, each team's reps add up exactly to the team."""
    potential = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=10**7), min_size=len(history), max_size=len(history)
        )
    )
    teams = [f"T{i % 2}" for i in range(len(history))]
    reps = _reps(history, potential, teams)
    out = split_hierarchy(
        total, reps, ["team", "rep"], {"team": "equal", "rep": "blend"}, blend=part
    )
    assert sum(out["target"]) == total
    for _, rows in out.groupby("team"):
        assert sum(rows["target"]) == rows["team_target"].iloc[0]


def test_a_mix_outside_0_to_100_percent_is_refused() -> None:
    """The history part is a share: 120% is refused."""
    with pytest.raises(AllocationError, match="0-100%"):
        split_hierarchy(100, _reps([1], [1]), ["team", "rep"], "blend", blend=Fraction(6, 5))


def test_the_demo_split_by_blend_keeps_teams_and_names_the_mix() -> None:
    """On the demo with reps split by blend: team totals are the history split's, every team's
    reps add up to it, and the Rep plan names the mix for every rep but the new hires (whose
    reason is their ramp)."""
    from salesgoal_xl.commands.split import run_split
    from salesgoal_xl.workbook.port import MemoryPort
    from tests.commands.test_evaluate import _split_demo

    base = _split_demo()
    tables = dict(base)
    rules = tables["tblSplitRules"].copy()
    rules.loc[rules["level"] == "rep", "method"] = "blend"
    tables["tblSplitRules"] = rules
    port = MemoryPort(tables)
    summary = run_split(port)
    assert summary.methods["rep"] == "blend 70% history / 30% potential"
    before, after = base["tblTargets"], port.tables["tblTargets"]
    assert before.groupby("team")["target"].sum().equals(after.groupby("team")["target"].sum())
    assert sum(after["target"]) == sum(before["target"])
    plan = port.tables["tblRepPlan"]
    assert all(
        "history and potential" in str(r) or str(r).startswith("new hire") for r in plan["reason"]
    )
    assert (plan["target"] != base["tblRepPlan"]["target"]).any()
