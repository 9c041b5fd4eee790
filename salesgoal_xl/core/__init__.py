"""See docs.md in this folder for what belongs here."""

from salesgoal_xl.core.allocation import allocate, allocate_groups
from salesgoal_xl.core.calendar import (
    FiscalCalendar,
    iso_week_label,
    split_month_into_weeks,
    split_months_into_weeks,
    working_days,
)
from salesgoal_xl.core.errors import AllocationError, CalendarError, SalesgoalError
from salesgoal_xl.core.hierarchy import SPLIT_METHODS, NodeLock, split_hierarchy
from salesgoal_xl.core.matrix import allocate_matrix
from salesgoal_xl.core.money import (
    Amount,
    Money,
    max_cascade_units,
    over_assigned_units,
    round_half_up_units,
)
from salesgoal_xl.core.ramp import DEFAULT_RAMP, ramp_factors
from salesgoal_xl.core.seasonality import (
    seasonal_indices,
    split_by_season_and_week,
    split_by_seasonality,
)

__all__ = [
    "DEFAULT_RAMP",
    "SPLIT_METHODS",
    "AllocationError",
    "Amount",
    "CalendarError",
    "FiscalCalendar",
    "Money",
    "NodeLock",
    "SalesgoalError",
    "allocate",
    "allocate_groups",
    "allocate_matrix",
    "iso_week_label",
    "max_cascade_units",
    "over_assigned_units",
    "ramp_factors",
    "round_half_up_units",
    "seasonal_indices",
    "split_by_season_and_week",
    "split_by_seasonality",
    "split_hierarchy",
    "split_month_into_weeks",
    "split_months_into_weeks",
    "working_days",
]
