"""split_hierarchy(): company -> region -> team -> rep cascades that add up at every node."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import AllocationError, split_hierarchy

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
