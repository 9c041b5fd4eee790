"""Cascading a target down an organisation (company -> region -> team -> rep), exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import (
    Amount,
    from_units,
    is_int_amount,
    to_fraction,
    to_units,
    unit_fraction,
)

SPLIT_METHODS = ("equal", "weights", "history", "potential", "capacity")
"""How a node's amount is shared among its children."""

DEFAULT_WEIGHT_COLUMNS: Mapping[str, str] = {
    "weights": "weight",
    "history": "history",
    "potential": "potential",
    "capacity": "capacity",
}
"""The leaf column each weighted method reads, unless ``weight_columns`` says otherwise."""


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


def _inflated(parent_units: int, percent: Fraction) -> int:
    """round(parent x (1 + percent/100)) in whole units, halves rounded up."""
    exact = parent_units * (100 + percent) / 100
    return int((exact + Fraction(1, 2)) // 1)


def split_hierarchy(
    total: Amount,
    leaves: pd.DataFrame,
    levels: Sequence[str],
    methods: str | Mapping[str, str] | Sequence[str],
    *,
    unit: Amount = 1,
    over_assignment_pct: Mapping[str, Amount] | None = None,
    weight_columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Split ``total`` top-down through ``levels`` so every node adds up to its parent.

    ``leaves`` has one row per leaf (e.g. per rep) with the ``levels`` columns, top level
    first (e.g. ``["region", "team", "rep_id"]``), and the weight columns the methods read:
    ``weight`` (custom weights), ``history`` (past actuals), ``potential`` and ``capacity``
    by default (rename via ``weight_columns``, mapping method -> column). For a new hire,
    put capacity x ramp factor in the capacity column. A node's weight is the sum over its
    leaves; missing (NaN) values count as 0.

    ``methods`` gives, per level, how a parent's amount is shared among its children at
    that level: one of ``SPLIT_METHODS`` ("equal", "weights", "history", "potential",
    "capacity"); a single string applies to every level, a mapping or a list goes level by
    level. When a parent's children all have weight 0 they share equally instead, and the
    method column records it, e.g. ``"equal (fallback: no history)"``.

    ``over_assignment_pct`` maps a level to a percentage (10 means 10 %): the children at
    that level then add up to round(parent x 1.10) in whole units (halves up) rather than
    to the parent. Levels not listed add up exactly to their parent.

    Returns the leaves' level columns (same row order and index) plus, per level,
    ``<level>_target`` (the amount of the node the leaf belongs to) and ``<level>_method``,
    and ``target``, the leaf's own amount. Amounts are ints when ``total`` and ``unit`` are
    ints, else Decimals; each split uses ``allocate`` (largest remainder, exact).
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
    for level, method in method_of.items():
        if method != "equal" and columns[method] not in leaves.columns:
            raise AllocationError(
                f"level {level!r} is split by {method} but leaves has no {columns[method]!r} "
                "column."
            )
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
    as_int = is_int_amount(total) and is_int_amount(unit)
    percents = {
        level: to_fraction(value, f"over_assignment_pct[{level!r}]")
        for level, value in (over_assignment_pct or {}).items()
    }
    for level, percent in percents.items():
        if level not in levels:
            raise AllocationError(f"over_assignment_pct names {level!r}, which is not a level.")
        if percent < 0:
            raise AllocationError(f"over_assignment_pct[{level!r}] must be >= 0 (got {percent}).")

    key_rows = list(leaves[levels].itertuples(index=False, name=None))
    result = leaves[levels].copy()
    amount_of: dict[tuple[object, ...], int] = {(): total_units}
    for depth, level in enumerate(levels):
        method = method_of[level]
        weight_values = (
            [Fraction(1)] * len(key_rows)
            if method == "equal"
            else _leaf_weights(leaves[columns[method]], columns[method])
        )
        children_of: dict[tuple[object, ...], dict[tuple[object, ...], Fraction]] = {}
        for key, weight in zip(key_rows, weight_values, strict=True):
            children = children_of.setdefault(key[:depth], {})
            child = key[: depth + 1]
            # "equal" weighs each child node once, however many leaves sit under it.
            children[child] = weight if method == "equal" else children.get(child, 0) + weight
        method_used: dict[tuple[object, ...], str] = {}
        for parent, children in children_of.items():
            target = _inflated(amount_of[parent], percents.get(level, Fraction(0)))
            weights = list(children.values())
            used = method
            if target > 0 and sum(weights) == 0:
                weights = [Fraction(1)] * len(weights)
                used = f"equal (fallback: no {method})"
            parts = allocate(target, weights)
            for child, part in zip(children, parts, strict=True):
                amount_of[child] = int(part)
                method_used[child] = used
        result[f"{level}_target"] = pd.Series(
            [
                from_units(amount_of[key[: depth + 1]], exact_unit, as_int=as_int)
                for key in key_rows
            ],
            index=result.index,
        )
        result[f"{level}_method"] = [method_used[key[: depth + 1]] for key in key_rows]
    result["target"] = result[f"{levels[-1]}_target"]
    return result


def _leaf_weights(values: pd.Series, column: str) -> list[Fraction]:
    weights: list[Fraction] = []
    for position, value in enumerate(values.tolist()):
        if value is None or bool(pd.isna(value)):
            weights.append(Fraction(0))  # no figure recorded means nothing to weigh by
            continue
        weight = to_fraction(value, column, position)
        if weight < 0:
            raise AllocationError(f"{column}[{position}] must be >= 0 (got {value!r}).")
        weights.append(weight)
    return weights
