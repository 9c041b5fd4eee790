"""split_hierarchy(): company -> region -> team -> rep cascades that add up at every node."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import AllocationError, split_hierarchy
from salesgoal_xl.core.hierarchy import NodeLock, SplitInfeasible
from salesgoal_xl.core.money import max_cascade_units
from salesgoal_xl.core.problems import ProblemCode, Source
from tests.core.strategies import (
    CASCADE_LEVELS,
    CascadeCase,
    cascade_cases,
    locked_cascade_cases,
)

LEVELS = ["region", "team", "rep_id"]


def _org() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["N", "N", "N", "S", "S"],
            "team": ["a", "a", "b", "c", "c"],
            "rep_id": ["r1", "r2", "r3", "r4", "r5"],
            "history": [100, 300, 200, 0, 0],
            "potential": [1, 1, 1, 3, 1],
            "capacity": [1.0, 1.0, 0.5, 1.0, 0.25],
            "weight": [1, 2, 3, 4, 5],
        }
    )


def test_history_split_follows_past_shares() -> None:
    """Each level shares its parent's amount in proportion to the history under each child."""
    org = _org()
    org.loc[3, "history"] = 400
    result = split_hierarchy(1000, org, LEVELS, "history")
    assert result["region_target"].tolist() == [600, 600, 600, 400, 400]
    assert result["team_target"].tolist() == [400, 400, 200, 400, 400]
    assert result["target"].tolist() == [100, 300, 200, 400, 0]


def test_mixed_methods_per_level() -> None:
    """Regions by potential (3:4), teams equally, reps by capacity: worked by hand."""
    result = split_hierarchy(
        700, _org(), LEVELS, {"region": "potential", "team": "equal", "rep_id": "capacity"}
    )
    assert result["region_target"].tolist() == [300, 300, 300, 400, 400]
    assert result["team_target"].tolist() == [150, 150, 150, 400, 400]
    assert result["target"].tolist() == [75, 75, 150, 320, 80]
    assert result["rep_id_method"].tolist() == ["capacity"] * 5


def test_custom_weights_listed_per_level() -> None:
    """Methods given as a list apply level by level; 'weights' reads the weight column."""
    result = split_hierarchy(150, _org(), LEVELS, ["equal", "equal", "weights"])
    assert result["target"].tolist() == [13, 25, 37, 33, 42]


def test_zero_history_falls_back_to_equal_and_says_so() -> None:
    """A region whose reps have no history is split equally, and the method column records it."""
    result = split_hierarchy(
        1000, _org(), LEVELS, {"region": "equal", "team": "history", "rep_id": "history"}
    )
    assert result["region_target"].tolist() == [500] * 5
    assert result["team_target"].tolist() == [333, 333, 167, 500, 500]
    assert result["target"].tolist() == [83, 250, 167, 250, 250]
    assert result["rep_id_method"].tolist()[3:] == ["equal (fallback: no history)"] * 2
    assert result["team_method"].tolist()[3] == "equal (fallback: no history)"
    assert result["rep_id_method"].tolist()[0] == "history"


def test_over_assignment_inflates_the_children_of_a_level() -> None:
    """10 % over-assignment at rep level: each team's 500 becomes 550 spread over its reps."""
    result = split_hierarchy(
        1000,
        _org(),
        LEVELS,
        {"region": "history", "team": "equal", "rep_id": "capacity"},
        over_assignment_pct={"rep_id": 10},
    )
    assert result["team_target"].tolist() == [500, 500, 500, 0, 0]
    assert result["target"].tolist() == [275, 275, 550, 0, 0]


def test_over_assignment_rounds_halves_up() -> None:
    """round(parent x 1.05) rounds a half up: 10 x 1.05 = 10.5 becomes 11."""
    org = pd.DataFrame({"team": ["a"], "rep_id": ["r1"]})
    result = split_hierarchy(
        10, org, ["team", "rep_id"], "equal", over_assignment_pct={"rep_id": 5}
    )
    assert result["target"].tolist() == [11]


def test_decimal_total_in_cents() -> None:
    """A Decimal total in cents gives Decimals on the cent scale; the odd cent goes first."""
    result = split_hierarchy(Decimal("100.01"), _org(), LEVELS, "equal", unit=Decimal("0.01"))
    assert result["region_target"].tolist()[::3] == [Decimal("50.01"), Decimal("50.00")]
    assert result["target"].tolist() == [
        Decimal("12.51"),
        Decimal("12.50"),
        Decimal("25.00"),
        Decimal("25.00"),
        Decimal("25.00"),
    ]


def test_rows_keep_their_order_and_index() -> None:
    """The result lines up with the input leaves row by row, index included."""
    org = _org().iloc[::-1].set_index(pd.Index([10, 11, 12, 13, 14]))
    result = split_hierarchy(100, org, LEVELS, "equal")
    assert result.index.tolist() == [10, 11, 12, 13, 14]
    assert result["rep_id"].tolist() == ["r5", "r4", "r3", "r2", "r1"]


leaf_rows = st.lists(
    st.tuples(
        st.sampled_from(["N", "S", "E"]),
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 1000),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=25,
)


@given(
    rows=leaf_rows,
    total=st.integers(0, 10**6),
    unit=st.sampled_from([1, 10, 1000]),
    pct=st.sampled_from([0, 5, 12.5]),
    methods=st.lists(st.sampled_from(["equal", "history", "capacity"]), min_size=3, max_size=3),
)
@settings(max_examples=80)
def test_every_node_adds_up_to_its_parent(
    rows: list[tuple[str, str, int, int]], total: int, unit: int, pct: float, methods: list[str]
) -> None:
    """Children sum to their parent (times 1 + over-assignment, rounded) at every level."""
    org = pd.DataFrame(
        [
            {"region": r, "team": t, "rep_id": i, "history": h, "capacity": c}
            for i, (r, t, h, c) in enumerate(rows)
        ]
    )
    total *= unit
    result = split_hierarchy(
        total, org, LEVELS, methods, unit=unit, over_assignment_pct={"team": pct}
    )
    regions = result.drop_duplicates("region")
    assert regions["region_target"].sum() == total
    teams = result.drop_duplicates(["region", "team"])
    for region, team_rows in teams.groupby("region"):
        parent = int(team_rows["region_target"].iloc[0])
        expected = int(Decimal(parent) * (100 + Decimal(repr(pct))) / 100 / unit + Decimal("0.5"))
        assert team_rows["team_target"].sum() == expected * unit, region
    for _, rep_rows in result.groupby(["region", "team"]):
        assert rep_rows["target"].sum() == rep_rows["team_target"].iloc[0]
    assert (result["target"] % unit == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"methods": "seniority"}, "method for level 'region' must be one of"),
        ({"methods": {"region": "equal"}}, "methods has no entry for level(s) ['team', 'rep_id']"),
        ({"methods": ["equal"]}, "methods has 1 entries but there are 3 levels"),
        ({"levels": ["region", "district"]}, "leaves has no column(s) ['district']"),
        ({"levels": []}, "levels must name at least one column"),
        ({"methods": "potential", "drop": "potential"}, "no 'potential' column"),
        ({"total": -5}, "total must be >= 0"),
        ({"total": 15, "unit": 10}, "total must be a multiple of the unit 10"),
        ({"over_assignment_pct": {"team": -1}}, "over_assignment_pct['team'] must be >= 0"),
        ({"over_assignment_pct": {"zone": 5}}, "names 'zone', which is not a level"),
        ({"negative": True, "methods": "history"}, "history[1] must be >= 0 (got -3)"),
        ({"duplicate": True}, "repeats ['N', 'a', 'r1']"),
    ],
)
def test_bad_requests_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    """Malformed cascade requests raise AllocationError naming the level, column or value."""
    org = _org()
    if kwargs.pop("negative", False):
        org.loc[1, "history"] = -3
    if kwargs.pop("duplicate", False):
        org.loc[1, "rep_id"] = "r1"
    dropped = kwargs.pop("drop", None)
    if dropped:
        org = org.drop(columns=[str(dropped)])
    total = kwargs.pop("total", 100)
    levels = kwargs.pop("levels", LEVELS)
    methods = kwargs.pop("methods", "equal")
    with pytest.raises(AllocationError) as caught:
        split_hierarchy(total, org, levels, methods, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


# --- locks, custom weights by node code, and the invariants that hold with them ----------


def _lock(level: str, code: str, amount: int, cell: str = "D2") -> NodeLock:
    return NodeLock(level, code, amount, Source("Decomposition", cell, "tblOverrides", "target"))


def test_a_locked_rep_keeps_its_amount_and_its_team_mate_takes_the_rest() -> None:
    """Equal split of 1000: N 500, team a 250; r1 locked at 100 leaves r2 the other 150."""
    result = split_hierarchy(1000, _org(), LEVELS, "equal", locks=[_lock("rep_id", "r1", 100)])
    assert result["team_target"].tolist()[:3] == [250, 250, 250]
    assert result["target"].tolist() == [100, 150, 250, 250, 250]


def test_a_locked_region_leaves_the_rest_to_the_other_region() -> None:
    """N locked at 700 of 1000 leaves S 300; N's two teams then share 700 equally."""
    result = split_hierarchy(1000, _org(), LEVELS, "equal", locks=[_lock("region", "N", 700)])
    assert result["region_target"].tolist() == [700, 700, 700, 300, 300]
    assert result["team_target"].tolist() == [350, 350, 350, 300, 300]
    assert result["target"].tolist() == [175, 175, 350, 150, 150]


def test_a_lock_shares_an_over_assigned_parent() -> None:
    """Team a's 250 at 5 % rep over-assignment is 262.5, so 263; r1 locked at 100 leaves 163."""
    result = split_hierarchy(
        1000,
        _org(),
        LEVELS,
        "equal",
        over_assignment_pct={"rep_id": 5},
        locks=[_lock("rep_id", "r1", 100)],
    )
    assert result["target"].tolist()[:2] == [100, 163]
    # r3: 250 x 1.05 = 262.5 -> 263; team c: 500 x 1.05 = 525, split 263 + 262 (tie to the first).
    assert result["target"].tolist()[2:] == [263, 263, 262]


def test_locks_of_every_child_that_add_up_are_kept() -> None:
    """Both reps of team c locked at 200 + 300, exactly S's 500: the locks are kept as typed."""
    locks = [_lock("rep_id", "r4", 200), _lock("rep_id", "r5", 300, "D3")]
    result = split_hierarchy(1000, _org(), LEVELS, "equal", locks=locks)
    assert result["target"].tolist()[3:] == [200, 300]


def test_free_siblings_without_weight_share_what_a_lock_leaves_equally() -> None:
    """r1 locked at 100 of team a's 400 by history; r2 has no history, so it takes the 300."""
    org = _org()
    org.loc[1, "history"] = 0
    result = split_hierarchy(
        1000,
        org,
        LEVELS,
        {"region": "equal", "team": "equal", "rep_id": "history"},
        locks=[_lock("rep_id", "r1", 100)],
    )
    assert result["target"].tolist()[:2] == [100, 150]
    assert result["rep_id_method"].tolist()[:2] == ["equal (fallback: no history)"] * 2
    assert result["rep_id_fallback"].tolist() == [True, True, False, True, True]


def test_custom_weights_by_node_code() -> None:
    """Regions weighted N 1 : S 3 by code split 1000 as 250 : 750; a code not listed weighs 0."""
    result = split_hierarchy(
        1000,
        _org(),
        LEVELS,
        {"region": "weights", "team": "weights", "rep_id": "equal"},
        node_weights={"region": {"N": 1, "S": 3}, "team": {"a": 1}},
    )
    assert result["region_target"].tolist() == [250, 250, 250, 750, 750]
    assert result["team_target"].tolist() == [250, 250, 0, 750, 750]
    assert (
        result["team_method"].tolist()
        == ["weights", "weights", "weights"] + ["equal (fallback: no weights)"] * 2
    )


def test_bad_node_weights_are_refused() -> None:
    """A negative weight by code, or weights for a level that does not exist, is an error."""
    with pytest.raises(AllocationError, match="the weight of S must be >= 0"):
        split_hierarchy(100, _org(), LEVELS, "weights", node_weights={"region": {"S": -1}})
    with pytest.raises(AllocationError, match=r"node_weights names \['zone'\]"):
        split_hierarchy(100, _org(), LEVELS, "equal", node_weights={"zone": {"N": 1}})


@pytest.mark.parametrize(
    ("locks", "words"),
    [
        ([_lock("rep_id", "r1", 600)], "locked rep_id r1 (600) is above the 250 a has to share"),
        (
            [_lock("rep_id", "r1", 200), _lock("rep_id", "r2", 100, "D3")],
            "the locked rep_ids (r1, r2) add up to 300, more than the 250 a has to share",
        ),
        ([_lock("rep_id", "r3", 100)], "every rep_id is locked (r3) and the locks add up to 100"),
        ([_lock("region", "N", 1200)], "cannot split regions: locked region N (1,200) is above"),
        ([_lock("team", "z", 10)], "locked team 'z' is not in the organisation"),
        ([_lock("district", "N", 10)], "'district' is not a level"),
        ([_lock("rep_id", "r1", 15)], "must be a multiple of the unit 10"),
        ([_lock("rep_id", "r1", -10)], "a locked target must be >= 0 (got -10)"),
        ([_lock("rep_id", "r1", 10), _lock("rep_id", "r1", 20, "D3")], "locked twice"),
    ],
)
def test_locks_that_cannot_be_kept_name_each_locks_source(
    locks: list[NodeLock], words: str
) -> None:
    """Every lock behind an impossible split gets a SPLIT_INFEASIBLE problem at its own cell."""
    with pytest.raises(SplitInfeasible) as caught:
        split_hierarchy(1000, _org(), LEVELS, "equal", unit=10, locks=locks)
    problems = caught.value.problems
    assert all(p.code is ProblemCode.SPLIT_INFEASIBLE for p in problems)
    assert any(words in p.message for p in problems), [p.message for p in problems]
    named = {p.source for p in problems}
    assert named <= {lock.source for lock in locks} and named


def test_every_failing_parent_is_reported_at_once() -> None:
    """Locks too big under two different teams give two problems, one per lock's cell."""
    locks = [_lock("rep_id", "r1", 600, "D2"), _lock("rep_id", "r4", 900, "D3")]
    with pytest.raises(SplitInfeasible) as caught:
        split_hierarchy(1000, _org(), LEVELS, "equal", locks=locks)
    assert [p.source.cell for p in caught.value.problems] == ["D2", "D3"]


def test_a_lock_on_a_code_under_two_parents_is_ambiguous() -> None:
    """Team 'a' under both N and S cannot be locked as one node; the lock's cell says so."""
    org = _org()
    org.loc[3, "team"] = "a"
    with pytest.raises(SplitInfeasible) as caught:
        split_hierarchy(1000, org, LEVELS, "equal", locks=[_lock("team", "a", 100, "D9")])
    problem = caught.value.problems[0]
    assert problem.source.cell == "D9"
    assert "more than one parent (N, S)" in problem.message


def _node_weights(case: CascadeCase, depth: int, children: pd.DataFrame) -> list[Fraction]:
    """Each child's weight worked out from the case directly (not by the code under test)."""
    level = CASCADE_LEVELS[depth]
    method = case.methods[level]
    codes = list(children[level])
    if method == "equal":
        return [Fraction(1)] * len(codes)
    if method == "weights" and level in case.node_weights:
        return [Fraction(case.node_weights[level].get(code, 0)) for code in codes]
    column = "weight" if method == "weights" else method
    sums = case.leaves.groupby(level, sort=False)[column].sum()
    return [Fraction(int(sums[code])) for code in codes]


def _check_invariants(case: CascadeCase, result: pd.DataFrame) -> None:
    unit = case.unit
    locked = {(lock.level, lock.code): int(lock.amount) // unit for lock in case.locks}
    assert (result["target"] >= 0).all()
    assert (result["target"] % unit == 0).all()
    for depth, level in enumerate(CASCADE_LEVELS):
        nodes = result.drop_duplicates(list(CASCADE_LEVELS[: depth + 1]))
        parents = list(CASCADE_LEVELS[:depth])
        groups = nodes.groupby(parents, sort=False) if parents else [((), nodes)]
        for _parent, children in groups:
            parent_units = (
                case.total // unit
                if depth == 0
                else int(children[f"{CASCADE_LEVELS[depth - 1]}_target"].iloc[0]) // unit
            )
            # Worked out here rather than by over_assigned_units: parent x (1 + pct), halves up.
            percent = case.percents.get(level, Fraction(0))
            share = math.floor(parent_units * (100 + percent) / 100 + Fraction(1, 2))
            parts = [int(v) // unit for v in children[f"{level}_target"]]
            assert sum(parts) == share  # adds up to the parent after over-assignment
            weights = _node_weights(case, depth, children)
            fixed = [locked.get((level, str(code))) for code in children[level]]
            for part, lock in zip(parts, fixed, strict=True):
                assert lock is None or part == lock  # locks kept exactly
            free = [i for i, lock in enumerate(fixed) if lock is None]
            free_weight = sum(weights[i] for i in free)
            assert children[f"{level}_fallback"].all() == (bool(free) and free_weight == 0)
            if free_weight == 0:
                weights, free_weight = [Fraction(1)] * len(weights), Fraction(len(free))
            spread = share - sum(lock for lock in fixed if lock is not None)
            for i in free:
                assert abs(parts[i] - spread * weights[i] / free_weight) < 1  # within a unit


@given(case=cascade_cases())
@settings(max_examples=60, deadline=None)
def test_unlocked_cascades_add_up_and_stay_within_a_unit(case: CascadeCase) -> None:
    """Without locks every level adds up to its over-assigned parent, each part within a unit."""
    _check_invariants(case, case.split())


@given(case=locked_cascade_cases())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_locked_cascades_keep_locks_add_up_and_stay_within_a_unit(case: CascadeCase) -> None:
    """Feasible locks are kept exactly; every level still adds up to its over-assigned parent,
    nothing is negative, and each free part is within one unit of its share of the rest."""
    _check_invariants(case, case.split())


@given(case=locked_cascade_cases())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_leaves_never_pass_the_cascade_ceiling(case: CascadeCase) -> None:
    """The leaves add up to at least the total and at most max_cascade_units for the tree."""
    result = case.split()
    levels = []
    for depth, level in enumerate(CASCADE_LEVELS):
        parent_count = len(result.drop_duplicates(list(CASCADE_LEVELS[:depth]))) if depth else 1
        levels.append((case.percents.get(level, Fraction(0)) / 100, parent_count))
    leaf_units = int(result["target"].sum()) // case.unit
    assert (
        case.total // case.unit <= leaf_units <= max_cascade_units(case.total // case.unit, levels)
    )
