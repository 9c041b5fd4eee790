"""The split's inputs read once: history in a clean frame, each rep's lookback sales, when
each rep can sell (ramp x capacity per month), and custom weights by level and code."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.calendar import as_date, months_before
from salesgoal_xl.core.ramp import ramp_factors


def history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Positive sales rows only, amounts as numbers and periods as text."""
    frame = history.loc[:, ["period", "rep_id", "channel", "product", "amount"]].copy()
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").fillna(0.0)
    frame = frame[frame["amount"] > 0]
    frame["period"] = frame["period"].astype(str)
    return frame


def lookback_window(first_month: str, lookback: int) -> set[str]:
    """The months a rule with `lookback` reads (12 when the rule leaves it blank or 0)."""
    return set(months_before(first_month, lookback or 12))


def recent_totals(
    history: pd.DataFrame, first_month: str, rep_ids: Sequence[str], lookback: int
) -> pd.Series:
    """Each rep's sales over the lookback window before the plan (the history weights)."""
    recent = history[history["period"].isin(lookback_window(first_month, lookback))]
    sums = recent.groupby("rep_id")["amount"].sum()
    return sums.reindex(pd.Index(list(rep_ids)), fill_value=0.0)


def activity(
    reps: pd.DataFrame, months: Sequence[str], ramp: Sequence[float]
) -> npt.NDArray[np.float64]:
    """Per rep and plan month, the share of a full quota the rep can carry (ramp x capacity)."""
    rows = []
    for start, end, capacity in zip(
        reps["start_date"], reps["end_date"], reps["capacity"], strict=True
    ):
        factors = ramp_factors(as_day(start), months, schedule=tuple(ramp), end_date=as_day(end))
        cap = as_float(capacity, 1.0)
        rows.append([float(f) * cap for f in factors])
    return np.array(rows, dtype=float).reshape(len(reps), len(months))


def as_day(value: object) -> date | None:
    """A start or end date cell; blank (None, NaN, NaT) means none."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return as_date(value)  # type: ignore[arg-type]  # as_date names anything it cannot read


def as_float(value: object, default: float) -> float:
    """A weight-like cell as a float; blank or unreadable means `default`."""
    if value is None:
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) else number


def custom_weights(custom: pd.DataFrame | None, level: str) -> dict[str, float]:
    """tblWeights rows of one level, by code (a later row for the same code wins)."""
    if custom is None:
        return {}
    rows = zip(custom["level"], custom["code"], custom["weight"], strict=True)
    return {str(code): as_float(w, 0.0) for lvl, code, w in rows if lvl == level}
