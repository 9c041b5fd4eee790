"""allocate(): exact largest-remainder splits with floors, caps, locks and units."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import AllocationError, allocate
from tests.core.strategies import (
    BoundedRequest,
    bounded_requests,
    decimal_weight_lists,
    float_weight_lists,
    totals_in_units,
    units,
    weight_lists,
)

# ---------------------------------------------------------------- properties


@given(data=st.data(), weights=weight_lists(), unit=units)
def test_parts_add_up_exactly_in_multiples_of_the_unit(
    data: st.DataObject, weights: list[int], unit: int
) -> None:
    """Parts are whole multiples of the unit and add up exactly to the total."""
    total = data.draw(totals_in_units(unit))
    parts = allocate(total, weights, unit=unit)
    assert sum(parts) == total
    assert all(isinstance(part, int) and part % unit == 0 and part >= 0 for part in parts)


@given(data=st.data(), weights=weight_lists(), unit=units)
def test_each_part_is_within_one_unit_of_its_exact_share(
    data: st.DataObject, weights: list[int], unit: int
) -> None:
    """Without bounds, every part is the floor or the ceiling of its exact share, in units."""
    total = data.draw(totals_in_units(unit))
    parts = allocate(total, weights, unit=unit)
    for part, weight in zip(parts, weights, strict=True):
        share = Fraction(total, unit) * weight / sum(weights)
        assert share - 1 < Fraction(int(part), unit) < share + 1


@given(data=st.data(), weights=weight_lists(min_size=2), unit=units)
def test_larger_weight_never_gets_less(data: st.DataObject, weights: list[int], unit: int) -> None:
    """A part with a strictly larger weight never receives less than one with a smaller weight."""
    total = data.draw(totals_in_units(unit))
    parts = allocate(total, weights, unit=unit)
    for i, j in zip(range(len(weights)), range(1, len(weights)), strict=False):
        if weights[i] > weights[j]:
            assert parts[i] >= parts[j]


@given(request=bounded_requests())
@settings(max_examples=200)
def test_floors_caps_and_locks_are_respected(request: BoundedRequest) -> None:
    """Locked parts are kept, free parts stay within their floor and cap, and the sum is exact."""
    parts = allocate(
        request.total,
        request.weights,
        unit=request.unit,
        floors=request.floors,
        caps=request.caps,
        locked=request.locked,
    )
    assert sum(parts) == request.total
    for index, part in enumerate(parts):
        assert part % request.unit == 0
        lock, floor, cap = request.locked[index], request.floors[index], request.caps[index]
        if lock is not None:
            assert part == lock
        if floor is not None:
            assert part >= floor
        if cap is not None:
            assert part <= cap


@given(request=bounded_requests())
@settings(max_examples=50)
def test_same_request_gives_the_same_answer(request: BoundedRequest) -> None:
    """allocate is deterministic: repeating a request repeats the answer."""
    first = allocate(
        request.total,
        request.weights,
        unit=request.unit,
        floors=request.floors,
        caps=request.caps,
        locked=request.locked,
    )
    again = allocate(
        request.total,
        list(request.weights),
        unit=request.unit,
        floors=list(request.floors),
        caps=list(request.caps),
        locked=list(request.locked),
    )
    assert first == again


@given(weights=decimal_weight_lists, cents=st.integers(0, 10**9))
def test_decimal_cents_stay_exact_decimals(weights: list[Decimal], cents: int) -> None:
    """Decimal totals in cents give Decimal parts on the cent scale that add up exactly."""
    total = Decimal(cents).scaleb(-2)
    parts = allocate(total, weights, unit=Decimal("0.01"))
    assert sum(parts) == total
    for part in parts:
        assert isinstance(part, Decimal)
        assert part == part.quantize(Decimal("0.01"))


@given(weights=float_weight_lists, tenths=st.integers(0, 10**6))
def test_floats_mean_the_decimal_they_print_as(weights: list[float], tenths: int) -> None:
    """A float total or weight is read as the decimal it prints as, never as a binary float."""
    total = tenths / 10
    parts = allocate(total, weights, unit=0.1)
    decimal_parts = allocate(
        Decimal(repr(total)), [Decimal(repr(w)) for w in weights], unit=Decimal("0.1")
    )
    assert parts == decimal_parts
    assert all(isinstance(part, Decimal) for part in parts)
    assert sum(parts) == Decimal(repr(total))


# ---------------------------------------------------------------- worked examples


def test_three_equal_parts_of_100() -> None:
    """The left-over unit of 100 over three equal weights goes to the first part."""
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]


def test_tie_goes_to_the_larger_weight() -> None:
    """Equal remainders (0.5 and 0.5) favour the larger weight: 2 over [1, 3] is [0, 2]."""
    assert allocate(2, [1, 3]) == [0, 2]


def test_tie_between_equal_weights_goes_to_the_lower_index() -> None:
    """With equal remainders and equal weights, the earlier part gets the unit."""
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_proportional_split_by_largest_remainder() -> None:
    """10 over [1, 2, 1, 2]: floors 1,3,1,3 then the two .67 remainders get a unit each."""
    assert allocate(10, [1, 2, 1, 2]) == [2, 3, 2, 3]


def test_cap_forces_two_rounds_of_re_spreading() -> None:
    """Capping 50 at 30 lifts part 1 to 35, over its cap too; the rest is spread again."""
    assert allocate(100, [10, 5, 3, 2], caps=[30, 30, None, None]) == [30, 30, 24, 16]


def test_floor_takes_from_the_others_proportionally() -> None:
    """A floor of 200 above a 125 share leaves 800 spread 5:1:1 (571.4, 114.3, 114.3)."""
    assert allocate(1000, [5, 1, 1, 1], floors=[None, 200, None, None]) == [572, 200, 114, 114]


def test_locked_part_is_kept_and_the_rest_spread() -> None:
    """A locked 50 is kept exactly and the other 50 is split between the free parts."""
    assert allocate(100, [1, 1, 1], locked=[None, 50, None]) == [25, 50, 25]


def test_thousands_unit() -> None:
    """With unit 1000, 10,000 over three equal parts is 4000, 3000, 3000."""
    assert allocate(10_000, [1, 1, 1], unit=1000) == [4000, 3000, 3000]


def test_cents_unit_with_decimals() -> None:
    """100.00 over three equal parts in cents is 33.34, 33.33, 33.33, as Decimals."""
    assert allocate(Decimal("100.00"), [1, 1, 1], unit=Decimal("0.01")) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_float_tenths_are_exact() -> None:
    """0.3 in units of 0.1 splits into three exact Decimal tenths, not 0.30000000000000004."""
    assert allocate(0.3, [1, 1, 1], unit=0.1) == [Decimal("0.1")] * 3


def test_any_decimal_amount_makes_the_result_decimal() -> None:
    """An int total with a Decimal floor returns Decimals, so types never mix within a result."""
    parts = allocate(10, [1, 1], floors=[Decimal("6"), None])
    assert parts == [Decimal("6"), Decimal("4")]
    assert all(isinstance(part, Decimal) for part in parts)


def test_numpy_integers_give_python_ints() -> None:
    """numpy integer inputs give plain Python ints back."""
    parts = allocate(np.int64(7), [np.int64(1), np.int64(1)])
    assert parts == [4, 3]
    assert all(type(part) is int for part in parts)


def test_zero_total_with_zero_weights_is_all_zero() -> None:
    """Nothing to spread and nothing to spread by is fine: every part is 0."""
    assert allocate(0, [0, 0, 0]) == [0, 0, 0]


def test_zero_weights_still_get_their_floors() -> None:
    """Zero-weight parts get exactly their floors when the floors use up the total."""
    assert allocate(10, [0, 0], floors=[3, 7]) == [3, 7]


def test_zero_weight_part_gets_nothing_beyond_its_floor() -> None:
    """A zero-weight part takes no share of the rest, only its floor."""
    assert allocate(10, [0, 1], floors=[4, None]) == [4, 6]


def test_empty_request() -> None:
    """No parts and a zero total gives an empty list."""
    assert allocate(0, []) == []


def test_fully_locked_request_that_matches() -> None:
    """When every part is locked and the locks match the total, the locks are the answer."""
    assert allocate(9, [1, 1], locked=[4, 5]) == [4, 5]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": 10, "weights": [0, 0]}, "add up to 0"),
        ({"total": 10, "weights": [1, -1]}, "weights[1] must be >= 0 (got -1)"),
        ({"total": 10, "weights": [float("nan"), 1]}, "weights[0] must be a finite number"),
        ({"total": 10, "weights": [1, "a"]}, "weights[1] must be a number (got 'a')"),
        ({"total": 10, "weights": [1, 1, 1], "floors": [1, 2]}, "floors has 2 values"),
        ({"total": 10, "weights": [1, 1], "caps": [1, 2, 3]}, "caps has 3 values"),
        ({"total": 10, "weights": [1, 1], "locked": [1]}, "locked has 1 values"),
        (
            {"total": 10, "weights": [1, 1], "floors": [5, None], "caps": [3, None]},
            "floors[0] (5) is above caps[0] (3)",
        ),
        (
            {"total": 10, "weights": [1, 1], "floors": [6, None], "locked": [None, 5]},
            "floors (6) plus locked amounts (5) add up to more than the total 10",
        ),
        (
            {"total": 10, "weights": [1, 1], "caps": [2, 3]},
            "caps (5) plus locked amounts (0) add up to less than the total 10",
        ),
        (
            {"total": 1000, "weights": [1, 1], "floors": [None, 150], "unit": 100},
            "floors[1] must be a multiple of the unit 100 (got 150)",
        ),
        (
            {"total": 1000, "weights": [1, 1], "locked": [Decimal("0.5"), None]},
            "locked[0] must be a multiple of the unit 1 (got 0.5)",
        ),
        ({"total": 10.5, "weights": [1]}, "total must be a multiple of the unit 1 (got 10.5)"),
        ({"total": -5, "weights": [1]}, "total must be >= 0 (got -5)"),
        ({"total": 5, "weights": [1], "unit": 0}, "unit must be > 0 (got 0)"),
        ({"total": 5, "weights": [1], "unit": -1}, "unit must be > 0 (got -1)"),
        ({"total": 5, "weights": [1], "floors": [-1]}, "floors[0] must be >= 0 (got -1)"),
        ({"total": 9, "weights": [1, 1], "locked": [4, 4]}, "no part is free"),
        (
            {"total": 9, "weights": [1, 1], "locked": [2, None], "floors": [3, None]},
            "locked[0] (2) is below floors[0] (3)",
        ),
        (
            {"total": 9, "weights": [1, 1], "locked": [5, None], "caps": [3, None]},
            "locked[0] (5) is above caps[0] (3)",
        ),
        ({"total": 5, "weights": []}, "weights is empty"),
        (
            {"total": 10, "weights": [0, 1], "caps": [None, 4]},
            "add up to 0, so there is nothing to spread 6 by",
        ),
    ],
)
def test_bad_requests_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    """Each impossible or malformed request raises AllocationError naming the input and value."""
    total = kwargs.pop("total")
    weights = kwargs.pop("weights")
    with pytest.raises(AllocationError) as caught:
        allocate(total, weights, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_allocation_error_is_a_value_error() -> None:
    """Callers that catch ValueError also catch allocation problems."""
    with pytest.raises(ValueError, match="add up to 0"):
        allocate(1, [0])


def test_nan_bounds_mean_no_bound_and_keep_ints() -> None:
    """NaN in floors or caps (a blank spreadsheet cell) means no bound, and ints stay ints."""
    parts = allocate(10, [1, 1], floors=[float("nan"), 6], caps=[np.nan, None])
    assert parts == [4, 6]
    assert all(type(part) is int for part in parts)


def _clamped_shares(request: BoundedRequest) -> dict[int, Fraction]:
    """Reference water-filling: the exact x_i = clamp(scale * w_i, floor_i, cap_i) summing to R."""
    unit = request.unit
    free = [i for i, lock in enumerate(request.locked) if lock is None]
    remaining = Fraction(request.total - sum(lock or 0 for lock in request.locked), unit)
    low = {i: Fraction(request.floors[i] or 0, unit) for i in free}
    high = {
        i: None if request.caps[i] is None else Fraction(request.caps[i] or 0, unit) for i in free
    }

    def spread(scale: Fraction) -> dict[int, Fraction]:
        shares = {}
        for i in free:
            share = max(scale * request.weights[i], low[i])
            cap = high[i]
            shares[i] = share if cap is None else min(share, cap)
        return shares

    breaks = sorted(
        {Fraction(0)}
        | {low[i] / request.weights[i] for i in free if request.weights[i]}
        | {cap / request.weights[i] for i in free if request.weights[i] and (cap := high[i])}
    )
    previous = breaks[0]
    for point in breaks:
        if sum(spread(point).values()) >= remaining:
            break
        previous = point
    else:
        point = breaks[-1] + remaining  # beyond every bound only uncapped parts still grow
    # The total is linear between two breakpoints, so interpolate exactly.
    at_previous, at_point = sum(spread(previous).values()), sum(spread(point).values())
    if at_point == at_previous:
        return spread(point)
    scale = previous + (point - previous) * (remaining - at_previous) / (at_point - at_previous)
    return spread(scale)


@given(request=bounded_requests())
@settings(max_examples=150)
def test_bounded_parts_are_within_one_unit_of_the_clamped_share(request: BoundedRequest) -> None:
    """With bounds, each free part is within one unit of its proportional share clamped to them."""
    parts = allocate(
        request.total,
        request.weights,
        unit=request.unit,
        floors=request.floors,
        caps=request.caps,
        locked=request.locked,
    )
    for index, share in _clamped_shares(request).items():
        assert abs(Fraction(int(parts[index]), request.unit) - share) < 1, index
