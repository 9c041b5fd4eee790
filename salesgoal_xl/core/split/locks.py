"""Locked overrides: each lock read into whole units and checked against the plan (known
codes, months of the year, levels that can be locked) before any step uses it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import pandas as pd

from salesgoal_xl.core.hierarchy import NodeLock, locked_units
from salesgoal_xl.core.money import Amount
from salesgoal_xl.core.problems import NOWHERE, Problem, Source
from salesgoal_xl.core.split.request import ORG_LEVELS, Lock, infeasible

LockKey = tuple[str, str, str | None]
"""(level, code, period): period None for a whole-year lock; a time lock has code ''."""


def lock_key(lock: Lock) -> LockKey:
    """Locks are keyed (level, code, period); a time lock's month may sit in code or period."""
    if lock.level == "time":
        return ("time", "", lock.period or lock.code or None)
    return (lock.level, lock.code, lock.period or None)


def lock_units(
    locks: Sequence[Lock], unit: Fraction, shown: Amount, issues: list[Problem]
) -> dict[LockKey, int]:
    """Each readable lock in whole units; bad amounts and locks given twice are issues."""
    units: dict[LockKey, int] = {}
    first: dict[LockKey, Source] = {}
    for lock in locks:
        key = lock_key(lock)
        what = f"locked {lock.level} {lock.code}"
        amount = locked_units(lock.amount, lock.source, unit, what, shown, issues)
        if amount is None:
            continue
        if key in units:
            # A region's final target typed in tblProposal is a lock too (commands.split).
            where = f" (also at {first[key]})" if first[key] else ""
            issues.append(
                infeasible(
                    f"{' '.join(filter(None, (lock.level, lock.code, lock.period)))} is locked "
                    f"twice{where}; keep one lock",
                    lock.source,
                )
            )
        units[key] = amount
        first.setdefault(key, lock.source)
    return units


def check_lock_targets(
    locks: Mapping[LockKey, int],
    sources: Mapping[LockKey, Source],
    reps: pd.DataFrame,
    months: Sequence[str],
    issues: list[Problem],
) -> None:
    """Locks must name a known region, team or rep (or a plan month) at a lockable level."""
    known = {
        "region": set(reps["region"]),
        "team": set(reps["team"]),
        "rep": set(reps["rep_id"]),
    }
    for key in locks:
        level, code, period = key
        source = sources.get(key, NOWHERE)
        if level in ("channel", "product"):
            issues.append(
                infeasible(
                    f"locks at the {level} level are not supported; lock a rep, team, region or "
                    "month instead",
                    source,
                )
            )
        elif level in known and code not in known[level]:
            issues.append(infeasible(f"locked {level} {code!r} is not in the organisation", source))
        if period is not None and period not in months:
            issues.append(
                infeasible(
                    f"locked period {period!r} is not a month of the plan year "
                    f"({months[0]}..{months[-1]})",
                    source,
                )
            )
        if period is not None and level in ("region", "team"):
            issues.append(
                infeasible(
                    f"month locks are supported for reps and the company month (level time), not "
                    f"for {level} {code}",
                    source,
                )
            )


def annual_org_locks(locks: Sequence[Lock]) -> list[NodeLock]:
    """The whole-year region, team and rep locks, as the org cascade takes them."""
    return [
        NodeLock(lock.level, lock.code, lock.amount, lock.source)
        for lock in locks
        if lock.level in ORG_LEVELS and lock_key(lock)[2] is None
    ]
