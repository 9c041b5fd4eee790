"""Target adjustments: re-spreading one unit's new yearly target over the periods still open,
and the chain hash that makes the adjustment log tamper-evident.

The rule, in whole rounding units so every level still adds up to the unit:

- Leaves (tblTargets rows) before the from-period are never touched.
- The scope's remainder (its new yearly target minus what those earlier periods fix) is spread
  over the scope's open leaves in proportion to their current targets, so the shape the split
  gave them (seasonality, ramp, each rep's channel and product mix) is kept, only scaled.
- Leaves a lock covers (tblOverrides) keep their targets, unless the lock holds the whole scope;
  then the lock's total must not move (keep the parent total inside it), or the request is
  refused.
- With "keep parent total", the siblings under the same parent absorb the change over their
  open leaves, again in proportion; otherwise every parent's total moves with the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.allocation import largest_remainder
from salesgoal_xl.core.problems import NOWHERE, Source

ADJUSTMENT_LEVELS = ("company", "region", "team", "rep", "channel", "product")
LEVEL_COLUMNS: Mapping[str, str] = {
    "region": "region",
    "team": "team",
    "rep": "rep_id",
    "channel": "channel",
    "product": "product",
}
"""The tblTargets column that holds each level's code (the company holds every leaf)."""

PARENT_LEVEL: Mapping[str, str] = {
    "rep": "team",
    "team": "region",
    "region": "company",
    "channel": "company",
    "product": "company",
}
"""Whose total "keep parent total" keeps: the level above in the organisation; channels and
product lines sit directly under the company."""

CHAIN_VERSION = "salesgoal-adjustment-log-v1"


@dataclass(frozen=True)
class Adjustment:
    """One approved request, parsed: the scope (`level`, `code`), the first period it changes,
    the scope's new yearly target in rounding units, and whether the parent keeps its total."""

    adj_id: str
    level: str
    code: str
    from_period: str
    new_units: int
    keep_parent_total: bool
    source: Source = NOWHERE  # the request's New target cell
    unit: Fraction = Fraction(1)  # the rounding unit, so messages show money, not units


@dataclass(frozen=True)
class LockGroup:
    """A lock as the leaves it covers: `level`/`code` (level 'time' is the company) and a
    period, or None for the whole year."""

    level: str
    code: str
    period: str | None
    source: Source = NOWHERE


@dataclass(frozen=True)
class Applied:
    """What one adjustment did: the scope's yearly total before and after, and the new
    target units of every leaf (same order as the input)."""

    adjustment: Adjustment
    old_units: int
    units: npt.NDArray[np.int64]


class AdjustmentRefused(Exception):  # noqa: N818 -- reads as a sentence at raise sites
    """The request cannot be applied; `message` says why and `where` points at the cause."""

    def __init__(self, message: str, where: Source = NOWHERE, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint


def scope_mask(leaves: pd.DataFrame, level: str, code: str) -> npt.NDArray[np.bool_]:
    """Which leaves belong to `level`/`code` (every leaf for the company)."""
    if level == "company":
        return np.ones(len(leaves), dtype=bool)
    column = LEVEL_COLUMNS[level]
    return np.asarray(leaves[column].astype(str).str.strip().to_numpy() == code, dtype=bool)


def open_mask(leaves: pd.DataFrame, from_period: str) -> npt.NDArray[np.bool_]:
    """Leaves in or after `from_period`: a month ('2026-07') compares with each leaf's month,
    an ISO week ('2026-W27') with its period, so a weekly plan can start mid-month."""
    column = "period" if "-W" in from_period else "month"
    labels = leaves[column].astype(str).str.strip().to_numpy()
    return np.asarray(labels >= from_period, dtype=bool)


def lock_mask(leaves: pd.DataFrame, lock: LockGroup) -> npt.NDArray[np.bool_]:
    """The leaves a lock holds."""
    if lock.level == "time":
        mask = np.ones(len(leaves), dtype=bool)
    else:
        mask = scope_mask(leaves, lock.level, lock.code)
    if lock.period is not None:
        column = "period" if "-W" in lock.period else "month"
        mask &= leaves[column].astype(str).str.strip().to_numpy() == lock.period
    return mask


def parent_code(leaves: pd.DataFrame, scope: npt.NDArray[np.bool_], level: str) -> str:
    """The code of the scope's parent (a rep's team, a team's region); '' for the company."""
    parent = PARENT_LEVEL[level]
    if parent == "company" or not scope.any():
        return ""
    codes = set(leaves.loc[scope, LEVEL_COLUMNS[parent]].astype(str).str.strip())
    if len(codes) != 1:
        raise AdjustmentRefused(
            f"{level} leaves sit under {len(codes)} {parent}s ({', '.join(sorted(codes))}), so "
            f"there is no one parent total to keep"
        )
    return codes.pop()


def apply_adjustment(
    leaves: pd.DataFrame,
    units: npt.NDArray[np.int64],
    adjustment: Adjustment,
    locks: Sequence[LockGroup] = (),
) -> Applied:
    """Re-spread `adjustment` over `units` (one per leaf of `leaves`; see module docstring).

    Raises AdjustmentRefused when the new target is below what earlier periods fix, when
    there is nothing open to spread over, when the siblings cannot absorb a kept parent
    total, or when a lock's total would move.
    """
    a = adjustment
    scope = scope_mask(leaves, a.level, a.code)
    later = open_mask(leaves, a.from_period)
    old = int(units[scope].sum())
    fixed = int(units[scope & ~later].sum())
    if a.new_units < fixed:
        raise AdjustmentRefused(
            f"the new target is below the {_money_text(fixed, a.unit)} already set before "
            f"{a.from_period}",
            a.source,
            "raise the new target, or choose an earlier from-period",
        )
    masks = [(lock, lock_mask(leaves, lock)) for lock in locks]
    # A lock that holds the whole open scope keeps its total instead (checked at the end).
    frozen = np.zeros(len(leaves), dtype=bool)
    for _lock, held in masks:
        if (scope & later & ~held).any():
            frozen |= held
    new = units.copy()
    scope_open = scope & later
    locked = int(units[scope_open & frozen].sum())
    if a.new_units - fixed < locked:
        raise AdjustmentRefused(
            f"locks in Overrides hold {_money_text(locked, a.unit)} of the open periods, more "
            f"than the {_money_text(a.new_units - fixed, a.unit)} the new target leaves to spread",
            a.source,
            "raise the new target, or change the locks in Overrides",
        )
    if not _spread(new, scope_open & ~frozen, a.new_units - fixed - locked):
        raise AdjustmentRefused(
            f"the scope has no open targets from {a.from_period} to spread the new target over",
            a.source,
            "choose an earlier from-period, or adjust the level above",
        )
    if a.keep_parent_total:
        parent = PARENT_LEVEL[a.level]
        siblings = scope_mask(leaves, parent, parent_code(leaves, scope, a.level)) & ~scope
        free = siblings & later & ~frozen
        available = int(units[free].sum())
        rise = a.new_units - old
        if rise > available:
            raise AdjustmentRefused(
                f"keeping the {parent}'s total, the other units under it would have to give up "
                f"{_money_text(rise, a.unit)}, but their open, unlocked targets hold only "
                f"{_money_text(available, a.unit)}",
                a.source,
                "lower the new target, choose an earlier from-period, or do not keep the parent "
                "total",
            )
        if not _spread(new, free, available - rise):
            raise AdjustmentRefused(
                f"keeping the {parent}'s total needs other units under it with open targets "
                f"from {a.from_period}, and there are none",
                a.source,
                "do not keep the parent total, or adjust the level above",
            )
    for lock, held in masks:
        if int(new[held].sum()) != int(units[held].sum()):
            raise AdjustmentRefused(
                f"{a.adj_id} would move the total locked at {lock.source or 'a lock'} "
                f"({_lock_text(lock)})",
                a.source,
                "keep the parent total, change the lock, or remove it first",
            )
    return Applied(a, old, new)


def _spread(units: npt.NDArray[np.int64], where: npt.NDArray[np.bool_], total: int) -> bool:
    """Spread `total` over the leaves `where`, in proportion to their units; False when there
    is something to spread but nothing to spread it over."""
    weights = units[where]
    if total == 0:
        units[where] = 0
        return True
    if int(weights.sum()) == 0:
        return False
    units[where] = np.asarray(largest_remainder(total, [int(w) for w in weights]), dtype=np.int64)
    return True


def _money_text(count: int, unit: Fraction) -> str:
    amount = count * unit
    if amount.denominator == 1:
        return f"{amount.numerator:,}"
    return f"{float(amount):,.2f}"


def _lock_text(lock: LockGroup) -> str:
    who = "the company" if lock.level == "time" else f"{lock.level} {lock.code}"
    return f"{who}, {lock.period or 'the whole year'}"


def company_change(logged: Sequence[Mapping[str, object]]) -> Fraction:
    """How far applied adjustments moved the company's total away from the split's: each
    applied row's new minus old yearly target, unless its parent kept its total (then the
    siblings absorbed it and the company total stayed). Rows with unreadable figures count 0:
    the log's own checks name them."""
    moved = Fraction(0)
    for row in logged:
        if str(row.get("status") or "").strip() != "applied":
            continue
        if str(row.get("keep_parent_total") or "").strip().casefold() == "yes":
            continue
        try:
            moved += Fraction(canonical_value(row.get("new_target")) or "0")
            moved -= Fraction(canonical_value(row.get("old_target")) or "0")
        except ValueError:
            continue
    return moved


# --- the log's chain hash ----------------------------------------------------------------

CHAIN_FIELDS = (
    "adj_id",
    "date",
    "level",
    "code",
    "from_period",
    "new_target",
    "keep_parent_total",
    "reason_category",
    "description",
    "requested_by",
    "approved_by",
    "status",
    "applied_on",
    "old_target",
)
"""The logged fields a chain hash covers: every input of the request and what adjust wrote."""


def canonical_value(value: object) -> str:
    """One text per value whichever reader read it: numbers exact (1200000, 1200000.0 and
    '1200000' agree), dates ISO, text trimmed; blank is ''."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return _decimal_text(Decimal(repr(float(value))))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, Fraction):
        return _decimal_text(Decimal(value.numerator) / Decimal(value.denominator))
    return str(value).strip()


def _decimal_text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def chain_hash(previous: str, fields: Mapping[str, object]) -> str:
    """SHA-256 (hex) over the previous row's hash and this row's canonical logged fields."""
    content = "\x1f".join(canonical_value(fields.get(key)) for key in CHAIN_FIELDS)
    digest = hashlib.sha256(f"{CHAIN_VERSION}\n{previous}\n{content}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where the log stops matching its hashes, and what most likely happened there."""

    row: int  # position among the logged rows (0-based), or the count when rows are missing
    kind: str  # 'edited', 'moved', 'missing', 'unsealed'


def verify_chain(
    rows: Sequence[Mapping[str, object]],
    hashes: Sequence[str],
    sealed_count: int | None,
    sealed_head: str,
) -> ChainBreak | None:
    """The first break in the chain of logged rows (in log order), or None if it holds.

    Each row's hash must follow from the row above and its own fields. A row whose fields hash
    correctly from some other logged row's hash was moved (or a row above it was deleted); one
    that matches no hash was edited. The seal (count and last hash, kept outside the log)
    catches rows deleted from the end.
    """
    previous = ""
    known = {"", *hashes}
    for i, (fields, stored) in enumerate(zip(rows, hashes, strict=True)):
        if chain_hash(previous, fields) == stored:
            previous = stored
            continue
        moved = any(chain_hash(h, fields) == stored for h in known)
        # A hash from a row still in the log: the rows were reordered. Otherwise a field was
        # edited, or the row above was deleted (its hash is gone with it): not told apart.
        return ChainBreak(i, "moved" if moved else "edited")
    if sealed_count is None:
        return ChainBreak(len(rows), "unsealed") if rows else None
    if sealed_count != len(rows) or sealed_head != previous:
        return ChainBreak(len(rows), "missing")
    return None


__all__ = [
    "ADJUSTMENT_LEVELS",
    "CHAIN_FIELDS",
    "LEVEL_COLUMNS",
    "PARENT_LEVEL",
    "Adjustment",
    "AdjustmentRefused",
    "Applied",
    "ChainBreak",
    "LockGroup",
    "apply_adjustment",
    "canonical_value",
    "chain_hash",
    "company_change",
    "open_mask",
    "parent_code",
    "scope_mask",
    "verify_chain",
]
