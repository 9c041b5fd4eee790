"""Cascading a target down an organisation (company -> region -> team -> rep), exactly.

`split_hierarchy` is the one org cascade: the plan split's org step calls it too. It keeps
locked nodes, reads custom weights by node code, over-assigns level by level and records
where it fell back to an equal split; locks it cannot keep are `SplitInfeasible` problems
at each lock's `Source`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import (
    Amount,
    Weight,
    from_units,
    is_int_amount,
    over_assigned_units,
    to_fraction,
    to_units,
    unit_fraction,
)
from salesgoal_xl.core.problems import (
    NOWHERE,
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Source,
    error,
)

SPLIT_METHODS = ("equal", "weights", "history", "potential", "capacity", "blend")
"""How a node's amount is shared among its children."""

BLEND_PARTS: tuple[str, str] = ("blend_history", "blend_potential")
"""What "blend" mixes (keys of the weight columns): each child's share of its siblings'
history and of their potential."""
DEFAULT_BLEND: Fraction = Fraction(7, 10)
"""The history part of a blend unless told otherwise (the rest is potential)."""


def blend_name(history_part: Fraction) -> str:
    """How a blend is named in the method column: 'blend 70% history / 30% potential'."""
    return f"blend {_percent(history_part)} history / {_percent(1 - history_part)} potential"


def _percent(part: Fraction) -> str:
    value = part * 100
    return f"{int(value)}%" if value.denominator == 1 else f"{float(value):.1f}%"


def blend_weights(
    history: Sequence[Fraction | int], potential: Sequence[Fraction | int], history_part: Fraction
) -> tuple[list[Fraction], str]:
    """Children's blended weights, exact: history_part x their share of the siblings' history
    plus the rest x their share of the siblings' potential. A part with nothing to go on (no
    sibling has history, or none has potential) gives its weight to the other; the second
    value names what was used."""
    total_h, total_p = sum(history), sum(potential)
    if total_h == 0 and total_p == 0:
        return [Fraction(0)] * len(history), ""
    if total_p == 0:
        return [Fraction(h) / total_h for h in history], "history (no potential)"
    if total_h == 0:
        return [Fraction(p) / total_p for p in potential], "potential (no history)"
    weights = [
        history_part * Fraction(h) / total_h + (1 - history_part) * Fraction(p) / total_p
        for h, p in zip(history, potential, strict=True)
    ]
    return weights, ""


DEFAULT_WEIGHT_COLUMNS: Mapping[str, str] = {
    "weights": "weight",
    "history": "history",
    "potential": "potential",
    "capacity": "capacity",
    "blend_history": "history",
    "blend_potential": "potential",
}
"""The leaf column each weighted method reads (a blend reads two), unless ``weight_columns``
says otherwise."""


def locked_units(
    amount: object,
    source: Source,
    unit: Fraction,
    what: str,
    shown_unit: object,
    problems: list[Problem],
) -> int | None:
    """A locked amount in whole units, or None with the reason added to `problems` (an
    amount between units, or below zero): the one reading of a lock, annual or monthly."""
    try:
        units = to_units(amount, unit, what, shown_unit=shown_unit)
    except AllocationError as exc:
        problems.append(infeasible(str(exc), source))
        return None
    if units < 0:
        problems.append(infeasible(f"a locked target must be >= 0 (got {amount})", source))
        return None
    return units


def infeasible(message: str, source: Source = NOWHERE) -> Problem:
    """One reason a split cannot be made, at the rule, lock or cell behind it."""
    return error(
        ProblemCode.SPLIT_INFEASIBLE,
        message,
        source=source,
        hint="change the rule, lock or data named here and run split again",
        category=Category.RULE,
    )


class SplitInfeasible(ProblemsFound):
    """The rules, locks and data cannot all be satisfied; carries every reason found."""

    def __init__(self, issues: Sequence[Problem]) -> None:
        super().__init__(issues)


@dataclass(frozen=True)
class NodeLock:
    """A node's amount fixed: the node whose ``level`` column reads ``code`` gets ``amount``.

    Its siblings share what is left of their parent; ``source`` is where the lock was typed.
    """

    level: str
    code: str
    amount: Amount
    source: Source = NOWHERE


def _methods_by_level(
    methods: str | Mapping[str, str] | Sequence[str], levels: Sequence[str]
) -> dict[str, str]:
    if isinstance(methods, str):
        chosen = dict.fromkeys(levels, methods)
    elif isinstance(methods, Mapping):
        missing = [level for level in levels if level not in methods]
        if missing:
            raise AllocationError(f"methods has no entry for level(s) {missing}.")
        chosen = {level: methods[level] for level in levels}
    else:
        if len(methods) != len(levels):
            raise AllocationError(
                f"methods has {len(methods)} entries but there are {len(levels)} levels."
            )
        chosen = dict(zip(levels, methods, strict=True))
    for level, method in chosen.items():
        if method not in SPLIT_METHODS:
            raise AllocationError(
                f"method for level {level!r} must be one of {', '.join(SPLIT_METHODS)} "
                f"(got {method!r})."
            )
    return chosen


def split_hierarchy(
    total: Amount,
    leaves: pd.DataFrame,
    levels: Sequence[str],
    methods: str | Mapping[str, str] | Sequence[str],
    *,
    unit: Amount = 1,
    over_assignment_pct: Mapping[str, Amount | Fraction] | None = None,
    weight_columns: Mapping[str, str] | None = None,
    node_weights: Mapping[str, Mapping[str, Weight]] | None = None,
    locks: Sequence[NodeLock] = (),
    blend: Fraction = DEFAULT_BLEND,
) -> pd.DataFrame:
    """Split ``total`` top-down through ``levels`` so every node adds up to its parent.

    ``leaves`` has one row per leaf (e.g. per rep) with the ``levels`` columns, top level
    first (e.g. ``["region", "team", "rep_id"]``), and the weight columns the methods read:
    ``weight`` (custom weights), ``history`` (past actuals), ``potential`` and ``capacity``
    by default (rename via ``weight_columns``, mapping method -> column). For a new hire,
    put capacity x ramp factor in the capacity column. A node's weight is the sum over its
    leaves; missing (NaN) values count as 0.

    ``node_weights`` maps a level to custom weights by node code (``{"region": {"N": 3}}``):
    a level split by "weights" that is listed there reads its nodes' own weights (a code
    not listed weighs 0) instead of summing the leaves' weight column.

    ``methods`` gives, per level, how a parent's amount is shared among its children at
    that level: one of ``SPLIT_METHODS`` ("equal", "weights", "history", "potential",
    "capacity"); a single string applies to every level, a mapping or a list goes level by
    level. When the children that share a parent's amount (those not locked) all have
    weight 0 they share equally instead; the method column records it, e.g.
    ``"equal (fallback: no history)"``, and ``<level>_fallback`` is True.

    ``over_assignment_pct`` maps a level to a percentage (10 means 10 %): the children at
    that level then add up to ``over_assigned_units(parent, 10/100)``, round(parent x 1.10)
    in whole units with halves up, rather than to the parent. Levels not listed add up
    exactly to their parent.

    ``locks`` fix nodes' amounts (a multiple of ``unit``, >= 0); their siblings share what
    is left of the parent's amount (after over-assignment). A lock above what its parent
    has to share, siblings' locks adding up to more than that, or every sibling locked to
    a different sum make the split impossible: ``SplitInfeasible`` is raised with one
    ``Problem`` per lock concerned, at the lock's ``source`` (so are locks that name no
    level, no node, or a code found under two parents). Malformed requests (levels,
    methods, columns, totals, weights) raise ``AllocationError``.

    Returns the leaves' level columns (same row order and index) plus, per level,
    ``<level>_target`` (the amount of the node the leaf belongs to), ``<level>_method``
    and ``<level>_fallback``, and ``target``, the leaf's own amount. Amounts are ints when
    ``total``, ``unit`` and every lock are ints, else Decimals; each split uses
    ``allocate`` (largest remainder, exact).
    """
    levels = list(levels)
    if not levels:
        raise AllocationError("levels must name at least one column of leaves.")
    missing_levels = [level for level in levels if level not in leaves.columns]
    if missing_levels:
        raise AllocationError(
            f"leaves has no column(s) {missing_levels} (columns: {list(leaves.columns)})."
        )
    method_of = _methods_by_level(methods, levels)
    columns = {**DEFAULT_WEIGHT_COLUMNS, **(weight_columns or {})}
    by_code = dict(node_weights or {})
    if not 0 <= blend <= 1:
        raise AllocationError(f"the history part of a blend must be 0-100% (got {blend}).")
    for level, method in method_of.items():
        reads_codes = method == "weights" and level in by_code
        if method == "blend":
            for mixed_in in BLEND_PARTS:
                if columns[mixed_in] not in leaves.columns:
                    raise AllocationError(
                        f"level {level!r} is split by blend but leaves has no "
                        f"{columns[mixed_in]!r} column."
                    )
            continue
        if method != "equal" and not reads_codes and columns[method] not in leaves.columns:
            raise AllocationError(
                f"level {level!r} is split by {method} but leaves has no {columns[method]!r} "
                "column."
            )
    unknown = [level for level in by_code if level not in levels]
    if unknown:
        raise AllocationError(f"node_weights names {unknown}, which are not levels.")
    if leaves[levels].isna().any().any():
        row = int(leaves[levels].isna().any(axis=1).to_numpy().argmax())
        raise AllocationError(f"leaves row {row} has an empty level value in {levels}.")
    if leaves.duplicated(subset=levels).any():
        row = int(leaves.duplicated(subset=levels).to_numpy().argmax())
        raise AllocationError(
            f"leaves row {row} repeats {leaves[levels].iloc[row].tolist()}; "
            "each leaf must appear once."
        )

    exact_unit = unit_fraction(unit)
    total_units = to_units(total, exact_unit, "total", shown_unit=unit)
    if total_units < 0:
        raise AllocationError(f"total must be >= 0 (got {total!r}).")
    as_int = (
        is_int_amount(total) and is_int_amount(unit) and all(is_int_amount(k.amount) for k in locks)
    )
    rates = _over_assignment_rates(over_assignment_pct, levels)
    key_rows = list(leaves[levels].itertuples(index=False, name=None))
    locked = _locked_nodes(locks, key_rows, levels, exact_unit, unit)

    def money(units: int) -> str:
        return f"{from_units(units, exact_unit, as_int=as_int):,}"

    result = leaves[levels].copy()
    amount_of: dict[tuple[object, ...], int] = {(): total_units}
    failed: set[tuple[object, ...]] = set()
    problems: list[Problem] = []
    leaf_weights: dict[str, list[int]] = {}
    for depth, level in enumerate(levels):
        method = method_of[level]

        def weights_of(column: str) -> list[int]:
            if column not in leaf_weights:
                # One common denominator for the column keeps every node sum an exact int.
                leaf_weights[column] = _leaf_weights(leaves[column], column)
            return leaf_weights[column]

        second: dict[tuple[object, ...], dict[tuple[object, ...], Fraction | int]] = {}
        if method == "blend":
            history_col, potential_col = (columns[mixed_in] for mixed_in in BLEND_PARTS)
            children_of = _children_of(key_rows, depth, method, weights_of(history_col), None)
            second = _children_of(key_rows, depth, method, weights_of(potential_col), None)
        elif method == "equal" or (method == "weights" and level in by_code):
            children_of = _children_of(key_rows, depth, method, None, by_code.get(level))
        else:
            children_of = _children_of(
                key_rows, depth, method, weights_of(columns[method]), by_code.get(level)
            )
        method_used: dict[tuple[object, ...], tuple[str, bool]] = {}
        for parent, children in children_of.items():
            target = over_assigned_units(amount_of[parent], rates.get(level, Fraction(0)))
            node_locks = [locked.get((level, str(child[-1]))) for child in children]
            fixed = [None if lock is None else lock[0] for lock in node_locks]
            weights: list[Fraction | int] = list(children.values())
            name = method
            if method == "blend":
                # Shares among the children still open: a locked sibling's figures do not
                # dilute the others'.
                free = [lock is None for lock in fixed]
                mixed, note = blend_weights(
                    [w if f else 0 for w, f in zip(weights, free, strict=True)],
                    [w if f else 0 for w, f in zip(second[parent].values(), free, strict=True)],
                    blend,
                )
                weights = list(mixed)
                name = note or blend_name(blend)
            free_weight = sum(w for w, lock in zip(weights, fixed, strict=True) if lock is None)
            # Nothing to go on (no history yet, no potential set): equal is the honest fallback.
            fallback = free_weight == 0 and None in fixed
            if fallback:
                weights = [1] * len(weights)
            what = "history or potential" if method == "blend" else method
            used = (f"equal (fallback: no {what})" if fallback else name, fallback)
            if parent in failed:
                trouble: list[Problem] = []
            else:
                trouble = _lock_trouble(level, parent, target, children, node_locks, money)
            if parent in failed or trouble:
                # Nothing below a node that could not be split can be judged; skip it.
                problems.extend(trouble)
                failed.update(children)
                parts = [0] * len(children)
            else:
                parts = [int(part) for part in allocate(target, weights, locked=fixed)]
            for child, part in zip(children, parts, strict=True):
                amount_of[child] = part
                method_used[child] = used
        nodes = [key[: depth + 1] for key in key_rows]
        shown = {
            node: from_units(amount_of[node], exact_unit, as_int=as_int) for node in method_used
        }
        result[f"{level}_target"] = pd.Series([shown[node] for node in nodes], index=result.index)
        result[f"{level}_method"] = [method_used[node][0] for node in nodes]
        result[f"{level}_fallback"] = [method_used[node][1] for node in nodes]
    if problems:
        raise SplitInfeasible(problems)
    result["target"] = result[f"{levels[-1]}_target"]
    return result


def _over_assignment_rates(
    percents: Mapping[str, Amount | Fraction] | None, levels: Sequence[str]
) -> dict[str, Fraction]:
    rates: dict[str, Fraction] = {}
    for level, value in (percents or {}).items():
        percent = to_fraction(value, f"over_assignment_pct[{level!r}]")
        if level not in levels:
            raise AllocationError(f"over_assignment_pct names {level!r}, which is not a level.")
        if percent < 0:
            raise AllocationError(f"over_assignment_pct[{level!r}] must be >= 0 (got {percent}).")
        rates[level] = percent / 100
    return rates


def _locked_nodes(
    locks: Sequence[NodeLock],
    key_rows: Sequence[tuple[object, ...]],
    levels: Sequence[str],
    unit: Fraction,
    shown_unit: Amount,
) -> dict[tuple[str, str], tuple[int, NodeLock]]:
    """Each lock in units by (level, code); raises SplitInfeasible for locks it cannot place."""
    parents_of: dict[str, dict[str, set[tuple[object, ...]]]] = {level: {} for level in levels}
    if locks:
        for key in key_rows:
            for depth, level in enumerate(levels):
                parents_of[level].setdefault(str(key[depth]), set()).add(key[:depth])
    locked: dict[tuple[str, str], tuple[int, NodeLock]] = {}
    problems: list[Problem] = []
    for lock in locks:
        where = f"locked {lock.level} {lock.code!r}"
        if lock.level not in parents_of:
            problems.append(
                infeasible(
                    f"{where}: {lock.level!r} is not a level (levels: {levels})", lock.source
                )
            )
            continue
        parents = parents_of[lock.level].get(lock.code)
        if parents is None:
            problems.append(infeasible(f"{where} is not in the organisation", lock.source))
            continue
        if len(parents) > 1:
            under = ", ".join(sorted(str(parent[-1]) for parent in parents))
            problems.append(
                infeasible(
                    f"{where} sits under more than one parent ({under}), so the lock is "
                    "ambiguous; lock the nodes below it instead",
                    lock.source,
                )
            )
            continue
        units = locked_units(lock.amount, lock.source, unit, where, shown_unit, problems)
        if units is None:
            continue
        if (lock.level, lock.code) in locked:
            problems.append(
                infeasible(f"{lock.level} {lock.code} is locked twice; keep one lock", lock.source)
            )
            continue
        locked[(lock.level, lock.code)] = (units, lock)
    if problems:
        raise SplitInfeasible(problems)
    return locked


def _lock_trouble(
    level: str,
    parent: tuple[object, ...],
    target: int,
    children: Mapping[tuple[object, ...], Fraction | int],
    node_locks: Sequence[tuple[int, NodeLock] | None],
    money: Callable[[int], str],
) -> list[Problem]:
    """Why the locks among one parent's children cannot be kept (one problem per lock)."""
    held = [lock for lock in node_locks if lock is not None]
    if not held:
        return []
    where = f"cannot split {level}s under {parent[-1]}" if parent else f"cannot split {level}s"
    owner = f"{parent[-1]} has" if parent else "there is"
    locked_sum = sum(units for units, _ in held)
    above = [(units, lock) for units, lock in held if units > target]
    if above:
        return [
            infeasible(
                f"{where}: locked {level} {lock.code} ({money(units)}) is above the "
                f"{money(target)} {owner} to share",
                lock.source,
            )
            for units, lock in above
        ]
    codes = ", ".join(lock.code for _, lock in held)
    if locked_sum > target:
        message = (
            f"{where}: the locked {level}s ({codes}) add up to {money(locked_sum)}, more than "
            f"the {money(target)} {owner} to share"
        )
    elif len(held) == len(children) and locked_sum != target:
        message = (
            f"{where}: every {level} is locked ({codes}) and the locks add up to "
            f"{money(locked_sum)}, not the {money(target)} {owner} to share; unlock one"
        )
    else:
        return []
    return [infeasible(message, lock.source) for _, lock in held]


def _children_of(
    key_rows: Sequence[tuple[object, ...]],
    depth: int,
    method: str,
    leaf_weights: Sequence[int] | None,
    code_weights: Mapping[str, Weight] | None,
) -> dict[tuple[object, ...], dict[tuple[object, ...], Fraction | int]]:
    """Per parent node, its children in order of first appearance with their weights."""
    children_of: dict[tuple[object, ...], dict[tuple[object, ...], Fraction | int]] = {}
    for position, key in enumerate(key_rows):
        children = children_of.setdefault(key[:depth], {})
        child = key[: depth + 1]
        if leaf_weights is not None:
            children[child] = children.get(child, 0) + leaf_weights[position]
        elif child not in children:
            # "equal" weighs each child node once, however many leaves sit under it.
            children[child] = (
                Fraction(1) if code_weights is None else _code_weight(code_weights, child[-1])
            )
    return children_of


def _code_weight(code_weights: Mapping[str, Weight], code: object) -> Fraction:
    value = code_weights.get(str(code), 0)
    weight = to_fraction(value, f"weight of {code}")
    if weight < 0:
        raise AllocationError(f"the weight of {code} must be >= 0 (got {value!r}).")
    return weight


def _leaf_weights(values: pd.Series, column: str) -> list[int]:
    """The column's weights, >= 0, scaled exactly to integers over one common denominator."""
    weights: list[Fraction] = []
    # Many leaves share a value (capacity 1.0); reading each distinct value once is faster.
    seen: dict[tuple[type, object], Fraction] = {}
    for position, value in enumerate(values.tolist()):
        if value is None or bool(pd.isna(value)):
            weights.append(Fraction(0))  # no figure recorded means nothing to weigh by
            continue
        weight = seen.get((type(value), value))
        if weight is None:
            weight = to_fraction(value, column, position)
            if weight < 0:
                raise AllocationError(f"{column}[{position}] must be >= 0 (got {value!r}).")
            seen[(type(value), value)] = weight
        weights.append(weight)
    common = math.lcm(*(weight.denominator for weight in weights)) if weights else 1
    return [weight.numerator * (common // weight.denominator) for weight in weights]
