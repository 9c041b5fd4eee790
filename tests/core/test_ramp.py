"""ramp_factors(): a new hire's share of a full quota month by month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesgoal_xl.core import CalendarError, FiscalCalendar, ramp_factors

MONTHS = FiscalCalendar(2026, first_month=1).months


def test_default_schedule_from_the_start_month() -> None:
    """Starting in March: nothing before, 0 in March, then 25/50/75 % and full from July."""
    factors = ramp_factors(dt.date(2026, 3, 1), MONTHS)
    assert factors == [0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1]


def test_partial_start_month_counts_as_the_first_step() -> None:
    """Joining on 28 March puts March on the first step, just like joining on the 1st."""
    assert ramp_factors("2026-03-28", MONTHS) == ramp_factors("2026-03-01", MONTHS)


def test_custom_schedule() -> None:
    """A custom schedule (50 % then full) replaces the default steps."""
    factors = ramp_factors("2026-11-10", MONTHS, schedule=(Decimal("0.5"),))
    assert factors[-3:] == [0, 0.5, 1]


def test_leaver_gets_nothing_after_the_end_month() -> None:
    """The end month still counts (a partial last month); the months after it are 0."""
    factors = ramp_factors(None, MONTHS, end_date="2026-09-15")
    assert factors == [1] * 9 + [0] * 3


def test_existing_rep_is_fully_ramped() -> None:
    """No start date means an existing rep at full capacity."""
    assert ramp_factors(None, MONTHS) == [1.0] * 12


def test_start_before_the_plan_year_continues_the_ramp() -> None:
    """A rep who joined in November 2025 is at 50 % in January 2026."""
    assert ramp_factors("2025-11-03", MONTHS)[:3] == [0.5, 0.75, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": (0, 1.5)}, r"schedule\[1\] must be a factor from 0 to 1"),
        ({"end_date": "2026-01-01"}, "end_date 2026-01-01 is before start_date 2026-03-01"),
    ],
)
def test_bad_ramp_inputs(kwargs: dict[str, object], message: str) -> None:
    """Impossible schedules and ends before starts are refused."""
    with pytest.raises(CalendarError, match=message):
        ramp_factors("2026-03-01", MONTHS, **kwargs)  # type: ignore[arg-type]
