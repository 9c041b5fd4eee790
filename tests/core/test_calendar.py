"""Fiscal years, ISO weeks and working days, including holidays and month-crossing weeks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core import (
    CalendarError,
    FiscalCalendar,
    iso_week_label,
    split_month_into_weeks,
    split_months_into_weeks,
    working_days,
)
from salesgoal_xl.core.calendar import months_before


def test_fiscal_year_starting_in_april_is_named_by_its_end() -> None:
    """FY2026 with first month 4 runs 2025-04..2026-03."""
    fy = FiscalCalendar(2026, first_month=4)
    assert fy.label == "FY2026"
    assert fy.months[0] == "2025-04"
    assert fy.months[-1] == "2026-03"
    assert (fy.start, fy.end) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


def test_fiscal_year_starting_in_january_is_the_calendar_year() -> None:
    """FY2026 with first month 1 is January..December 2026."""
    fy = FiscalCalendar(2026, first_month=1)
    assert fy.months == tuple(f"2026-{m:02d}" for m in range(1, 13))
    assert (fy.start, fy.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_fiscal_quarters_count_from_the_first_month() -> None:
    """With first month 4, January is in Q4 and April..June make Q1."""
    fy = FiscalCalendar(2026, first_month=4)
    assert fy.quarter_of("2026-01") == "Q4"
    assert fy.quarter_of("2025-04") == "Q1"
    assert fy.quarters["Q1"] == ("2025-04", "2025-05", "2025-06")
    assert FiscalCalendar(2026).quarter_of(dt.date(2026, 7, 15)) == "Q3"


def test_month_outside_the_year_is_an_error() -> None:
    """Asking for the quarter of a month outside the fiscal year names the year's range."""
    with pytest.raises(CalendarError, match=r"2026-04 is not in FY2026 \(2025-04..2026-03\)"):
        FiscalCalendar(2026, first_month=4).quarter_of("2026-04")


@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), first=st.integers(1, 12))
@settings(max_examples=100)
def test_containing_year_holds_the_day(day: dt.date, first: int) -> None:
    """FiscalCalendar.containing returns the fiscal year whose span includes the day."""
    fy = FiscalCalendar.containing(day, first)
    assert fy.start <= day <= fy.end
    assert fy.first_month == first


def test_iso_week_53_year() -> None:
    """2026 has 53 ISO weeks, and 1 January 2027 still belongs to 2026-W53."""
    fy = FiscalCalendar(2026)
    assert fy.iso_weeks[0] == "2026-W01"
    assert fy.iso_weeks[-1] == "2026-W53"
    assert len(fy.iso_weeks) == 53
    assert iso_week_label(dt.date(2027, 1, 1)) == "2026-W53"


def test_iso_week_of_an_early_january_day_can_belong_to_the_previous_year() -> None:
    """1 January 2021 (a Friday) is in ISO week 2020-W53."""
    assert iso_week_label("2021-01-01") == "2020-W53"


def test_week_crossing_a_month_boundary_is_split_by_working_days() -> None:
    """2026-W14 (Mon 30 Mar..Sun 5 Apr) gives March 2 working days and April 3."""
    march = split_month_into_weeks("2026-03")
    april = split_month_into_weeks("2026-04")
    assert march["2026-W14"] == 2
    assert april["2026-W14"] == 3
    assert sum(march.values()) == 22


def test_us_independence_day_is_not_a_working_day() -> None:
    """In 2026, 4 July is a Saturday and the observed holiday Friday 3 July is not worked."""
    weeks = split_month_into_weeks("2026-07", "US")
    assert weeks["2026-W27"] == 2  # Wed 1, Thu 2; Fri 3 is the observed holiday
    assert working_days("2026-07-01", "2026-07-31", "US") == 22
    assert working_days("2026-07-01", "2026-07-31") == 23


def test_taiwan_new_year_holidays() -> None:
    """Taiwan's Lunar New Year days in February 2026 are not working days."""
    assert working_days("2026-02-16", "2026-02-20", "TW") == 0
    assert working_days("2026-02-16", "2026-02-20") == 5


def test_working_days_counts_both_ends_and_empty_ranges() -> None:
    """Both ends are counted, and an end before the start gives 0."""
    assert working_days("2026-03-02", "2026-03-02") == 1
    assert working_days("2026-03-02", "2026-03-01") == 0


def test_months_into_weeks_add_up_exactly() -> None:
    """Each month's amount is spread over its ISO weeks by working days and adds up exactly."""
    weeks = split_months_into_weeks({"2026-06": 1000, "2026-07": 1000}, country="US")
    assert weeks.groupby("month")["amount"].sum().tolist() == [1000, 1000]
    crossing = weeks[weeks["iso_week"] == "2026-W27"]
    assert crossing["month"].tolist() == ["2026-06", "2026-07"]
    assert crossing["working_days"].tolist() == [2, 2]
    june = weeks[weeks["month"] == "2026-06"]
    assert june["amount"].tolist() == [238, 238, 191, 238, 95]  # 5,5,4,5,2 of 21 days


@given(amount=st.integers(0, 10**9), month=st.integers(1, 12), year=st.integers(2020, 2030))
@settings(max_examples=40)
def test_any_month_splits_exactly_into_weeks(amount: int, month: int, year: int) -> None:
    """Any month's amount splits into weekly parts that add up exactly."""
    label = f"{year}-{month:02d}"
    weeks = split_months_into_weeks({label: amount}, country="US", unit=1)
    assert weeks["amount"].sum() == amount


def test_unknown_country_is_an_error() -> None:
    """A country without a holiday calendar is refused with a hint."""
    with pytest.raises(CalendarError, match="country 'XX' has no holiday calendar"):
        working_days("2026-01-01", "2026-01-31", "XX")


@pytest.mark.parametrize("month", ["2026-13", "April", "2026/04"])
def test_bad_month_labels_are_errors(month: str) -> None:
    """Month labels must look like 2026-04."""
    with pytest.raises(CalendarError):
        split_month_into_weeks(month)


def test_bad_first_month_is_an_error() -> None:
    """A fiscal first month outside 1..12 is refused."""
    with pytest.raises(CalendarError, match=r"first_month must be 1\.\.12"):
        FiscalCalendar(2026, first_month=13)


def test_months_before_crosses_the_new_year() -> None:
    """The lookback before 2026-02 starts with 2026-01, then 2025-12, most recent first."""
    assert months_before("2026-02", 3) == ["2026-01", "2025-12", "2025-11"]
    assert months_before("2026-01", 13)[-1] == "2024-12"
    assert months_before("2026-01", 0) == []
