"""The split over weeks (weekly granularity): each monthly leaf over the ISO weeks touching
its month by working days (`split_month_into_weeks`); a week crossing months gets a row in each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesgoal_xl.core.allocation import allocate_groups
from salesgoal_xl.core.calendar import split_month_into_weeks


def split_weeks(leaves: pd.DataFrame, months: Sequence[str], country: str | None) -> pd.DataFrame:
    """Each monthly leaf spread over the ISO weeks touching its month, by working days.

    A week that crosses a month boundary gets one row in each month, each carrying the
    working days of its own month, so every month keeps exactly its total.
    """
    per_month = [split_month_into_weeks(month, country) for month in months]
    leaves = leaves[leaves["units"] > 0].reset_index(drop=True)
    counts = np.array([len(per_month[m]) for m in leaves["month"]], dtype=np.int64)
    groups = np.repeat(np.arange(len(leaves)), counts)
    labels = [list(weeks) for weeks in per_month]
    days = [list(weeks.values()) for weeks in per_month]
    week_labels = [w for m in leaves["month"] for w in labels[m]]
    weights = np.array([d for m in leaves["month"] for d in days[m]], dtype=np.int64)
    units = allocate_groups(leaves["units"].to_numpy(dtype=np.int64), weights, groups)
    expanded = leaves.loc[groups].reset_index(drop=True)
    expanded["units"] = units
    expanded["week"] = week_labels
    return expanded
