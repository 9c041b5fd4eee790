"""Hypothesis strategies shared by the core's property tests: split requests that make sense."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import strategies as st

from salesgoal_xl.core.hierarchy import NodeLock, split_hierarchy
from salesgoal_xl.core.problems import Source

units = st.sampled_from([1, 5, 100, 1000])
"""Rounding units a plan might use, in minor units."""

weight_values = st.integers(min_value=0, max_value=1000)


@st.composite
def weight_lists(draw: st.DrawFn, min_size: int = 1, max_size: int = 20) -> list[int]:
    """Non-negative integer weights with at least one above zero."""
    weights = draw(st.lists(weight_values, min_size=min_size, max_size=max_size))
    if not any(weights):
        weights[draw(st.integers(0, len(weights) - 1))] = draw(st.integers(1, 1000))
    return weights


decimal_weight_lists = st.lists(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    min_size=1,
    max_size=15,
)
"""Positive two-place Decimal weights (e.g. shares typed into a sheet)."""

float_weight_lists = st.lists(
    st.integers(min_value=1, max_value=99_999).map(lambda n: n / 1000),
    min_size=1,
    max_size=15,
)
"""Positive floats with up to three decimals, as they come out of a spreadsheet."""


@st.composite
def totals_in_units(draw: st.DrawFn, unit: int, max_units: int = 10**7) -> int:
    """A non-negative total that is a multiple of ``unit``."""
    return draw(st.integers(min_value=0, max_value=max_units)) * unit


@dataclass(frozen=True)
class BoundedRequest:
    """A feasible ``allocate`` call with floors, caps and locks, all in the given unit."""

    total: int
    weights: list[int]
    unit: int
    floors: list[int | None]
    caps: list[int | None]
    locked: list[int | None]


@st.composite
def bounded_requests(draw: st.DrawFn) -> BoundedRequest:
    """Floors, caps and locks drawn first, then a total that they can all accept."""
    unit = draw(units)
    weights = draw(weight_lists(min_size=1, max_size=12))
    count = len(weights)
    floors: list[int | None] = []
    caps: list[int | None] = []
    locked: list[int | None] = []
    for _ in range(count):
        floor = draw(st.one_of(st.none(), st.integers(0, 500)))
        cap = draw(st.one_of(st.none(), st.integers(floor or 0, (floor or 0) + 1000)))
        floors.append(None if floor is None else floor * unit)
        caps.append(None if cap is None else cap * unit)
        lock = draw(
            st.one_of(st.none(), st.none(), st.integers(floor or 0, 2000 if cap is None else cap))
        )
        locked.append(None if lock is None else lock * unit)
    if all(lock is not None for lock in locked):
        locked[0] = None
    free = [i for i in range(count) if locked[i] is None]
    lock_sum = sum(lock or 0 for lock in locked)
    low = lock_sum + sum(floors[i] or 0 for i in free)
    # A zero-weight part never rises above its floor, so only weighted parts absorb the rest.
    weighted = [i for i in free if weights[i] > 0]
    if any(caps[i] is None for i in weighted):
        high = low + 10**6 * unit
    else:
        high = low + sum((caps[i] or 0) - (floors[i] or 0) for i in weighted)
    total = draw(st.integers(low // unit, high // unit)) * unit
    return BoundedRequest(total, weights, unit, floors, caps, locked)


@dataclass(frozen=True)
class GroupProblem:
    """Inputs for ``allocate_groups``: totals per group, and weights with their group."""

    totals: npt.NDArray[np.int64]
    weights: npt.NDArray[np.int64]
    groups: npt.NDArray[np.int64]
    unit: int


@st.composite
def group_problems(draw: st.DrawFn, max_members: int = 60) -> GroupProblem:
    """Groups in any order, some with equal weights (ties), each able to take its total."""
    unit = draw(units)
    group_count = draw(st.integers(1, 8))
    member_count = draw(st.integers(group_count, max_members))
    groups = draw(
        st.lists(st.integers(0, group_count - 1), min_size=member_count, max_size=member_count)
    )
    groups[:group_count] = range(group_count)  # every group has a member
    tie_heavy = draw(st.booleans())
    weight_pool = st.integers(1, 3) if tie_heavy else st.integers(0, 10**6)
    weights = draw(st.lists(weight_pool, min_size=member_count, max_size=member_count))
    group_array = np.array(groups, dtype=np.int64)
    weight_array = np.array(weights, dtype=np.int64)
    totals = []
    for group in range(group_count):
        has_weight = weight_array[group_array == group].sum() > 0
        totals.append(draw(totals_in_units(unit, 10**6)) if has_weight else 0)
    return GroupProblem(np.array(totals, dtype=np.int64), weight_array, group_array, unit)


@dataclass(frozen=True)
class MatrixProblem:
    """Margins that some integer matrix on the seed's non-zero cells meets exactly."""

    row_totals: list[int]
    col_totals: list[int]
    seed: npt.NDArray[np.float64]
    unit: int


@st.composite
def matrix_problems(draw: st.DrawFn, max_rows: int = 8, max_cols: int = 8) -> MatrixProblem:
    """A hidden feasible matrix on a random zero pattern gives margins known to be reachable."""
    unit = draw(units)
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(1, max_cols))
    cells = rows * cols
    allowed = draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    hidden = draw(st.lists(st.integers(0, 500), min_size=cells, max_size=cells))
    shape_weights = draw(st.lists(st.integers(1, 100), min_size=cells, max_size=cells))
    support = np.array(allowed, dtype=bool).reshape(rows, cols)
    matrix = np.where(support, np.array(hidden).reshape(rows, cols), 0)
    seed = np.where(support, np.array(shape_weights, dtype=float).reshape(rows, cols), 0.0)
    return MatrixProblem(
        row_totals=[int(v) * unit for v in matrix.sum(axis=1)],
        col_totals=[int(v) * unit for v in matrix.sum(axis=0)],
        seed=seed,
        unit=unit,
    )


CASCADE_LEVELS = ("region", "team", "rep")
"""The level columns of the org cascades drawn here, top level first."""


@dataclass(frozen=True)
class CascadeCase:
    """A `split_hierarchy` request over a small org, optionally with locks it can keep."""

    total: int
    unit: int
    leaves: pd.DataFrame
    methods: dict[str, str]
    percents: dict[str, Fraction]
    node_weights: dict[str, dict[str, int]]
    locks: list[NodeLock] = field(default_factory=list)

    def split(self, locks: list[NodeLock] | None = None) -> pd.DataFrame:
        """The cascade of this case (with `locks` instead of its own when given)."""
        return split_hierarchy(
            self.total,
            self.leaves,
            CASCADE_LEVELS,
            self.methods,
            unit=self.unit,
            over_assignment_pct=self.percents,
            node_weights=self.node_weights,
            locks=self.locks if locks is None else locks,
        )


@st.composite
def cascade_cases(draw: st.DrawFn) -> CascadeCase:
    """Regions, teams (codes unique across regions) and reps with history, capacity and
    custom weights (many zeros, so fallbacks happen), a method and over-assignment per level,
    and custom weights by node code for some "weights" levels."""
    unit = draw(units)
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["N", "S", "E"]),
                st.sampled_from(["a", "b", "c"]),
                st.integers(0, 1000) | st.just(0),
                st.integers(0, 5),
                st.integers(0, 9),
            ),
            min_size=1,
            max_size=20,
        )
    )
    leaves = pd.DataFrame(
        {
            "region": [region for region, *_ in rows],
            "team": [f"{region}{team}" for region, team, *_ in rows],
            "rep": [f"r{i}" for i in range(len(rows))],
            "history": [history for *_, history, _capacity, _weight in rows],
            "capacity": [capacity for *_, capacity, _weight in rows],
            "weight": [weight for *_, weight in rows],
        }
    )
    methods = {
        level: draw(st.sampled_from(["equal", "history", "capacity", "weights"]))
        for level in CASCADE_LEVELS
    }
    node_weights: dict[str, dict[str, int]] = {}
    for level in CASCADE_LEVELS:
        if methods[level] == "weights" and draw(st.booleans()):
            codes = sorted(set(leaves[level]))
            listed = draw(st.lists(st.sampled_from(codes), unique=True))
            node_weights[level] = {code: draw(st.integers(0, 5)) for code in listed}
    rates = st.sampled_from([Fraction(0), Fraction(3), Fraction(5), Fraction(25, 2)])
    percents = {level: draw(rates) for level in CASCADE_LEVELS if draw(st.booleans())}
    total = draw(totals_in_units(unit, 10**6))
    return CascadeCase(total, unit, leaves, methods, percents, node_weights)


@st.composite
def locked_cascade_cases(draw: st.DrawFn) -> CascadeCase:
    """A cascade case with locks it can keep, drawn level by level from the top.

    A lock moves only its siblings and the nodes below, so after fixing one level's locks
    the cascade gives every next-level parent its final amount; each parent's locks are then
    drawn within what it has to share, and add up to exactly that when all its children are
    locked.
    """
    case = draw(cascade_cases())
    locks: list[NodeLock] = []
    for depth, level in enumerate(CASCADE_LEVELS):
        nodes = case.split(locks).drop_duplicates(list(CASCADE_LEVELS[: depth + 1]))
        parents = list(CASCADE_LEVELS[:depth])
        groups = nodes.groupby(parents, sort=False) if parents else [((), nodes)]
        for _parent, children in groups:
            share = int(children[f"{level}_target"].sum()) // case.unit
            chosen = [draw(st.integers(0, 3)) == 0 for _ in range(len(children))]
            left = share
            for position, (code, locked) in enumerate(zip(children[level], chosen, strict=True)):
                if not locked:
                    continue
                takes_the_rest = all(chosen) and position == len(children) - 1
                amount = left if takes_the_rest else draw(st.integers(0, left))
                left -= amount
                source = Source("Decomposition", f"D{len(locks) + 2}", "tblOverrides", "target")
                locks.append(NodeLock(level, str(code), amount * case.unit, source))
    return CascadeCase(
        case.total,
        case.unit,
        case.leaves,
        case.methods,
        case.percents,
        case.node_weights,
        locks,
    )
