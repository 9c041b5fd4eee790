"""Exact proportional splits: one total over weighted parts, and many groups at once.

Both entry points apply one rule, largest remainder in whole units, so a figure split by
``allocate`` and the same figure split inside ``allocate_groups`` always agree to the unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import (
    Amount,
    Money,
    Weight,
    from_units,
    is_int_amount,
    to_fraction,
    to_units,
    unit_fraction,
)

# Products of unit counts and integer weights must stay below this to be exact in int64;
# a margin of one bit keeps sums of such products safe too.
_INT64_SAFE = 2**62
_FLOAT64_EXACT = 2**53


def weights_as_integers(weights: Sequence[object], what: str = "weights") -> list[int]:
    """Scale non-negative exact weights to integers with the same proportions."""
    exact: list[Fraction] = []
    for index, weight in enumerate(weights):
        value = to_fraction(weight, what, index)
        if value < 0:
            raise AllocationError(f"{what}[{index}] must be >= 0 (got {weight!r}).")
        exact.append(value)
    common = math.lcm(*(value.denominator for value in exact)) if exact else 1
    return [value.numerator * (common // value.denominator) for value in exact]


def largest_remainder(total_units: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_units`` over integer ``weights`` (sum > 0) by largest remainder.

    Each part first gets the floor of its exact share; the units left over go one each to
    the parts with the largest remainders, ties going to the larger weight, then to the
    lower index.
    """
    weight_sum = sum(weights)
    shares = [total_units * weight for weight in weights]
    parts = [share // weight_sum for share in shares]
    remainders = [share - part * weight_sum for share, part in zip(shares, parts, strict=True)]
    leftover = total_units - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for index in ranked[:leftover]:
        parts[index] += 1
    return parts


def _optional_amounts(
    values: Sequence[Amount | None] | None,
    what: str,
    count: int,
    unit: Fraction,
    unit_shown: object,
) -> list[int | None]:
    if values is None:
        return [None] * count
    if len(values) != count:
        raise AllocationError(
            f"{what} has {len(values)} values but weights has {count}; give one per weight."
        )
    units: list[int | None] = []
    for index, value in enumerate(values):
        if _is_blank(value):
            units.append(None)
            continue
        amount = to_units(value, unit, what, index, shown_unit=unit_shown)
        if amount < 0:
            raise AllocationError(f"{what}[{index}] must be >= 0 (got {value!r}).")
        units.append(amount)
    return units


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _all_int_amounts(*groups: Sequence[object] | None) -> bool:
    return all(
        is_int_amount(value)
        for group in groups
        if group is not None
        for value in group
        if not _is_blank(value)
    )


def allocate(
    total: Amount,
    weights: Sequence[Weight],
    *,
    unit: Amount = 1,
    floors: Sequence[Amount | None] | None = None,
    caps: Sequence[Amount | None] | None = None,
    locked: Sequence[Amount | None] | None = None,
) -> list[Money]:
    """Split ``total`` over ``weights`` exactly, in multiples of ``unit``.

    Rule: every free part gets the floor of its exact proportional share (counted in whole
    units); the units left over go one each to the parts with the largest remainders. Ties
    go to the larger weight, then to the lower index, so the result is deterministic.

    ``locked`` holds an amount (kept exactly) or None (free) per part; only what the locks
    leave is spread. ``floors``/``caps`` (None for no bound) are honoured by water filling:
    parts whose share falls below their floor, or above their cap, are fixed there and the
    rest re-spread, repeatedly until stable (each round fixes the side whose violations are
    larger, so the result is the proportional split clamped to the bounds). Parts then stay
    within one unit of that clamped share.

    Amounts (total, unit, floors, caps, locks) may be int, Decimal or float; a float means
    the decimal it prints as (0.1 is one tenth). Weights may be the same types. The result
    holds Python ints when every amount given is an int, otherwise exact Decimals.

    ``total`` must be >= 0: to spread a reduction, spread its size and negate the parts.

    Raises AllocationError (saying which input, index and value) for: negative, NaN or
    infinite weights; length mismatches; amounts that are not multiples of ``unit``;
    ``unit`` <= 0; negative amounts; a floor above its cap; a lock outside its own bounds;
    floors plus locks above the total; caps plus locks below it; and a positive amount left
    to spread over parts whose weights are all zero.
    """
    count = len(weights)
    unit_exact = unit_fraction(unit)
    total_units = to_units(total, unit_exact, "total", shown_unit=unit)
    if total_units < 0:
        raise AllocationError(
            f"total must be >= 0 (got {total!r}); spread the size of a reduction and negate it."
        )
    weight_units = weights_as_integers(weights)
    floor_units = _optional_amounts(floors, "floors", count, unit_exact, unit)
    cap_units = _optional_amounts(caps, "caps", count, unit_exact, unit)
    lock_units = _optional_amounts(locked, "locked", count, unit_exact, unit)
    as_int = is_int_amount(total) and is_int_amount(unit) and _all_int_amounts(floors, caps, locked)

    def shown(units: int) -> str:
        return str(from_units(units, unit_exact, as_int=as_int))

    for index in range(count):
        low, high, lock = floor_units[index], cap_units[index], lock_units[index]
        if low is not None and high is not None and low > high:
            raise AllocationError(
                f"floors[{index}] ({shown(low)}) is above caps[{index}] ({shown(high)})."
            )
        if lock is not None and low is not None and lock < low:
            raise AllocationError(
                f"locked[{index}] ({shown(lock)}) is below floors[{index}] ({shown(low)})."
            )
        if lock is not None and high is not None and lock > high:
            raise AllocationError(
                f"locked[{index}] ({shown(lock)}) is above caps[{index}] ({shown(high)})."
            )

    if count == 0 and total_units != 0:
        raise AllocationError(f"weights is empty, so there are no parts to take total {total!r}.")
    free = [index for index in range(count) if lock_units[index] is None]
    locked_sum = sum(lock for lock in lock_units if lock is not None)
    remaining = total_units - locked_sum
    floor_sum = sum(floor_units[index] or 0 for index in free)
    if floor_sum + locked_sum > total_units:
        raise AllocationError(
            f"floors ({shown(floor_sum)}) plus locked amounts ({shown(locked_sum)}) add up to "
            f"more than the total {shown(total_units)}."
        )
    if not free and remaining != 0:
        raise AllocationError(
            f"locked amounts add up to {shown(locked_sum)} but the total is "
            f"{shown(total_units)}, and no part is free to take the difference."
        )
    free_caps = [cap_units[index] for index in free]
    if free and all(cap is not None for cap in free_caps):
        cap_sum = sum(cap for cap in free_caps if cap is not None)
        if cap_sum + locked_sum < total_units:
            raise AllocationError(
                f"caps ({shown(cap_sum)}) plus locked amounts ({shown(locked_sum)}) add up to "
                f"less than the total {shown(total_units)}."
            )

    parts = [lock if lock is not None else 0 for lock in lock_units]
    for index, amount in _water_fill(remaining, free, weight_units, floor_units, cap_units, shown):
        parts[index] = amount
    return [from_units(part, unit_exact, as_int=as_int) for part in parts]


def _water_fill(
    remaining: int,
    free: list[int],
    weights: list[int],
    floors: list[int | None],
    caps: list[int | None],
    shown: Callable[[int], str],
) -> list[tuple[int, int]]:
    """Spread ``remaining`` units over the ``free`` parts, clamping shares to their bounds."""
    active = list(free)
    fixed: dict[int, int] = {}
    while True:
        spread = remaining - sum(fixed.values())
        weight_sum = sum(weights[index] for index in active)
        # A share is numerator / denominator; with no weight every share is zero.
        denominator = weight_sum if weight_sum > 0 else 1
        numerators = {i: (spread * weights[i] if weight_sum > 0 else 0) for i in active}
        below = [i for i in active if numerators[i] < (floors[i] or 0) * denominator]
        above = [
            i for i in active if (cap := caps[i]) is not None and numerators[i] > cap * denominator
        ]
        if not below and not above:
            break
        shortfall = sum((floors[i] or 0) * denominator - numerators[i] for i in below)
        excess = sum(numerators[i] - (caps[i] or 0) * denominator for i in above)
        # Fixing the larger side moves the common scale in a known direction, so those parts
        # stay fixed in the final answer too.
        if shortfall >= excess:
            fixed.update({i: floors[i] or 0 for i in below})
        if excess >= shortfall:
            fixed.update({i: caps[i] or 0 for i in above})
        active = [i for i in active if i not in fixed]

    spread = remaining - sum(fixed.values())
    if spread < 0 or (spread > 0 and not active):
        raise AllocationError(
            f"floors, caps and locks leave {shown(spread)} that cannot be placed; "
            "loosen a bound or a lock."
        )
    active_weights = [weights[i] for i in active]
    if spread > 0 and sum(active_weights) == 0:
        raise AllocationError(
            f"weights of the free parts (indexes {active}) add up to 0, so there is nothing "
            f"to spread {shown(spread)} by; give a weight > 0 or lock the amounts."
        )
    amounts = largest_remainder(spread, active_weights) if spread > 0 else [0] * len(active)
    return [*fixed.items(), *zip(active, amounts, strict=True)]


def _float_weights_as_integers(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.int64] | None:
    """Scale float weights by one power of ten to the integers they print as, if that is exact.

    With every scaled weight below 1e15 the decimal grid is coarser than a float's spacing,
    so the one round-tripping decimal found here is the one ``repr`` prints.
    """
    largest = float(np.max(np.abs(weights))) if weights.size else 0.0
    for digits in range(16):
        scale = 10.0**digits
        if largest * scale >= 1e15:
            return None
        scaled = np.round(weights * scale)
        if np.array_equal(scaled / scale, weights):
            return scaled.astype(np.int64)
    return None


def allocate_groups(
    group_totals: npt.ArrayLike,
    weights: npt.ArrayLike,
    groups: npt.ArrayLike,
    *,
    unit: int = 1,
) -> npt.NDArray[np.int64]:
    """Split many group totals at once, each over its own members' weights.

    ``group_totals[g]`` is an integer amount in minor units (e.g. cents) for group ``g``;
    ``weights[i]`` belongs to group ``groups[i]`` (an int in ``0..len(group_totals)-1``);
    ``unit`` (an int in the same minor units) is the rounding step. Returns one int64
    amount per weight, in minor units, each a multiple of ``unit``, summing exactly to its
    group total. The result is identical, element for element, to
    ``allocate(int(group_totals[g]), weights[groups == g], unit=unit)`` for every group.

    Integer weights use int64 arithmetic throughout (floor, remainder, then a within-group
    ranking by remainder, weight and index: one packed int64 sort, checked exactly and
    re-sorted by lexsort only where near-equal remainders tie); float weights are first
    scaled to the integers they print as. When that is not possible, products could
    overflow int64, or weights are Decimals, the groups are split one by one with
    ``allocate`` (exact, slower).
    """
    totals = np.asarray(group_totals)
    if totals.ndim != 1 or not np.issubdtype(totals.dtype, np.integer):
        raise AllocationError(
            "group_totals must be a 1-D array of integers in minor units "
            f"(got dtype {totals.dtype}, shape {totals.shape})."
        )
    if not is_int_amount(unit) or unit <= 0:
        raise AllocationError(f"unit must be an int > 0 in minor units (got {unit!r}).")
    member_groups = np.asarray(groups)
    weight_array = np.asarray(weights)
    if member_groups.ndim != 1 or not np.issubdtype(member_groups.dtype, np.integer):
        raise AllocationError(
            f"groups must be a 1-D array of group indexes (got dtype {member_groups.dtype})."
        )
    if weight_array.shape != member_groups.shape:
        raise AllocationError(
            f"weights has {weight_array.size} values but groups has {member_groups.size}; "
            "give one group index per weight."
        )
    group_count = totals.size
    if member_groups.size and (member_groups.min() < 0 or member_groups.max() >= group_count):
        bad = int(np.flatnonzero((member_groups < 0) | (member_groups >= group_count))[0])
        raise AllocationError(
            f"groups[{bad}] must be a group index in 0..{group_count - 1} "
            f"(got {member_groups[bad]})."
        )
    if (totals < 0).any():
        bad = int(np.flatnonzero(totals < 0)[0])
        raise AllocationError(f"group_totals[{bad}] must be >= 0 (got {totals[bad]}).")
    if (totals % unit != 0).any():
        bad = int(np.flatnonzero(totals % unit != 0)[0])
        raise AllocationError(
            f"group_totals[{bad}] must be a multiple of the unit {unit} (got {totals[bad]})."
        )

    integer_weights = _weights_as_int64(weight_array)
    total_units = (totals // unit).astype(np.int64)
    if integer_weights is None or not _products_fit_int64(total_units, integer_weights):
        return _allocate_groups_one_by_one(totals, weight_array, member_groups, unit)
    return _allocate_groups_vectorised(total_units, integer_weights, member_groups) * unit


def _weights_as_int64(weights: npt.NDArray[np.generic]) -> npt.NDArray[np.int64] | None:
    if np.issubdtype(weights.dtype, np.bool_) or not np.issubdtype(weights.dtype, np.number):
        if weights.dtype == object:
            return None  # Decimals and mixed values take the exact one-by-one path
        raise AllocationError(f"weights must be numbers (got dtype {weights.dtype}).")
    if np.issubdtype(weights.dtype, np.floating):
        floats = weights.astype(np.float64)
        if not np.isfinite(floats).all():
            bad = int(np.flatnonzero(~np.isfinite(floats))[0])
            raise AllocationError(f"weights[{bad}] must be a finite number (got {floats[bad]}).")
        _check_non_negative(floats)
        return _float_weights_as_integers(floats)
    unsigned = np.issubdtype(weights.dtype, np.unsignedinteger)
    if unsigned and weights.size and int(weights.max()) >= _INT64_SAFE:
        return None
    integers = weights.astype(np.int64)
    _check_non_negative(integers)
    return integers


def _check_non_negative(weights: npt.NDArray[np.float64] | npt.NDArray[np.int64]) -> None:
    if (weights < 0).any():
        bad = int(np.flatnonzero(weights < 0)[0])
        raise AllocationError(f"weights[{bad}] must be >= 0 (got {weights[bad]}).")


def _products_fit_int64(totals: npt.NDArray[np.int64], weights: npt.NDArray[np.int64]) -> bool:
    """True when every share product, and every per-group sum, is exact in int64 and float64."""
    if not weights.size:
        return True
    largest_total = float(totals.max()) if totals.size else 0.0
    largest_weight = float(weights.max())
    weight_sum = float(weights.sum(dtype=np.float64))
    # bincount sums in float64, which is exact while every partial sum stays below 2**53.
    return (
        largest_total * largest_weight < _INT64_SAFE
        and weight_sum < _FLOAT64_EXACT
        and largest_total < _FLOAT64_EXACT
    )


def _group_sums(
    groups: npt.NDArray[np.intp], values: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    return np.bincount(groups, weights=values, minlength=size).astype(np.int64)


def _allocate_groups_vectorised(
    total_units: npt.NDArray[np.int64],
    weights: npt.NDArray[np.int64],
    groups: npt.NDArray[np.integer],
) -> npt.NDArray[np.int64]:
    member_count = weights.size
    group_count = total_units.size
    member_groups = groups.astype(np.intp)
    sizes = np.bincount(member_groups, minlength=group_count)
    group_weights = _group_sums(member_groups, weights, group_count)
    unfillable = (group_weights == 0) & (total_units > 0)
    if unfillable.any():
        bad = int(np.flatnonzero(unfillable)[0])
        what = "has no members" if sizes[bad] == 0 else "has weights adding up to 0"
        raise AllocationError(
            f"group {bad} {what}, so there is nothing to spread its total "
            f"({total_units[bad]} units) by."
        )
    safe_group_weights = np.where(group_weights == 0, 1, group_weights)
    member_totals = total_units[member_groups]
    member_group_weights = safe_group_weights[member_groups]
    shares = member_totals * weights
    parts = shares // member_group_weights
    remainders = shares - parts * member_group_weights
    leftovers = total_units - _group_sums(member_groups, parts, group_count)

    ranked = _rank_within_groups(member_groups, remainders, member_group_weights, weights)
    ranked_groups = member_groups[ranked]
    starts = np.cumsum(sizes) - sizes
    rank_in_group = np.arange(member_count) - starts[ranked_groups]
    parts[ranked[rank_in_group < leftovers[ranked_groups]]] += 1
    return parts


def _rank_within_groups(
    groups: npt.NDArray[np.intp],
    remainders: npt.NDArray[np.int64],
    group_weights: npt.NDArray[np.int64],
    weights: npt.NDArray[np.int64],
) -> npt.NDArray[np.intp]:
    """Member indexes ordered by group, then remainder, weight (both descending) and index.

    A four-key lexsort is slow, so one int64 key packs the group, a quantised remainder
    fraction and the index, and a plain value sort orders it. Quantising can only merge
    nearly equal remainders, never reverse them, so checking neighbours exactly finds every
    misplaced member; only those groups are re-sorted exactly.
    """
    count = remainders.size
    index_bits = max(int(count - 1).bit_length(), 1)
    group_bits = max(int(groups.max()).bit_length(), 1) if count else 1
    fraction_bits = 63 - index_bits - group_bits
    if count == 0 or fraction_bits < 8:
        return np.lexsort((-weights, -remainders, groups))
    top = (1 << fraction_bits) - 1
    fractions = remainders.astype(np.float64) / group_weights.astype(np.float64)
    quantised = np.minimum((fractions * float(1 << fraction_bits)).astype(np.int64), top)
    keys = (
        (groups.astype(np.int64) << (fraction_bits + index_bits))
        | ((top - quantised) << index_bits)
        | np.arange(count, dtype=np.int64)
    )
    ordered_keys = np.sort(keys)
    ranked = (ordered_keys & ((1 << index_bits) - 1)).astype(np.intp)

    # Only neighbours sharing group and quantised fraction can be out of exact order.
    prefixes = ordered_keys >> index_bits
    tied = np.flatnonzero(prefixes[1:] == prefixes[:-1])
    if tied.size:
        first, second = ranked[tied], ranked[tied + 1]
        first_remainders, second_remainders = remainders[first], remainders[second]
        first_weights, second_weights = weights[first], weights[second]
        in_order = (first_remainders > second_remainders) | (
            (first_remainders == second_remainders)
            & (
                (first_weights > second_weights)
                | ((first_weights == second_weights) & (first < second))
            )
        )
        misplaced = ~in_order
        if misplaced.any():
            ranked_groups = groups[ranked]
            to_fix = np.isin(ranked_groups, np.unique(groups[first[misplaced]]))
            members = np.sort(ranked[to_fix])
            exact = np.lexsort((-weights[members], -remainders[members], groups[members]))
            ranked[to_fix] = members[exact]
    return ranked


def _allocate_groups_one_by_one(
    totals: npt.NDArray[np.integer],
    weights: npt.NDArray[np.generic],
    groups: npt.NDArray[np.integer],
    unit: int,
) -> npt.NDArray[np.int64]:
    amounts = np.zeros(weights.size, dtype=np.int64)
    members_by_group = np.argsort(groups, kind="stable")
    boundaries = np.searchsorted(groups[members_by_group], np.arange(totals.size + 1))
    weight_list = weights.tolist()
    for group in range(totals.size):
        members = members_by_group[boundaries[group] : boundaries[group + 1]]
        member_weights = [weight_list[i] for i in members]
        try:
            parts = allocate(int(totals[group]), member_weights, unit=unit)
        except AllocationError as error:
            raise AllocationError(f"group {group}: {error}") from None
        amounts[members] = [int(part) for part in parts]
    return amounts
