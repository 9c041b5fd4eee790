"""New-hire ramp: how much of a full quota each plan month a rep can carry."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from salesgoal_xl.core.calendar import DateLike, as_date, parse_month
from salesgoal_xl.core.errors import CalendarError

DEFAULT_RAMP = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Start month at 0 (hiring and training), then a quarter more each month to full quota."""


def ramp_factors(
    start_date: DateLike | None,
    months: Sequence[str],
    schedule: Sequence[float | Decimal] = DEFAULT_RAMP,
    end_date: DateLike | None = None,
) -> list[float]:
    """Capacity factor (0..1) per plan month for a rep starting on ``start_date``.

    The month containing ``start_date`` takes ``schedule[0]``, whatever the day: a partial
    start month counts as a full first step (a rep joining on the 28th is still in month
    one of the ramp). Each later month takes the next step; after the schedule runs out
    the factor is 1.0. Months before the start month are 0. With ``end_date`` the month
    containing it still takes its factor (a partial last month counts) and later months
    are 0. ``start_date`` None means an existing, fully ramped rep (1.0 everywhere unless
    ended). ``months`` are "YYYY-MM" labels, e.g. ``FiscalCalendar.months``.

    The factors are weights for capacity splits (multiply them into the capacity column),
    not money, so floats are fine here.
    """
    steps = [_step_value(value, index) for index, value in enumerate(schedule)]
    start = None if start_date is None else as_date(start_date, "start_date")
    end = None if end_date is None else as_date(end_date, "end_date")
    if start is not None and end is not None and end < start:
        raise CalendarError(f"end_date {end} is before start_date {start}.")
    start_index = None if start is None else start.year * 12 + start.month - 1
    end_index = None if end is None else end.year * 12 + end.month - 1
    factors: list[float] = []
    for month in months:
        year, number = parse_month(month)
        index = year * 12 + number - 1
        if end_index is not None and index > end_index:
            factors.append(0.0)
        elif start_index is None:
            factors.append(1.0)
        elif index < start_index:
            factors.append(0.0)
        else:
            step = index - start_index
            factors.append(steps[step] if step < len(steps) else 1.0)
    return factors


def _step_value(value: float | Decimal, index: int) -> float:
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise CalendarError(f"schedule[{index}] must be a factor from 0 to 1 (got {value!r}).")
    return number
