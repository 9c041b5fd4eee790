"""The plan's calendar: fiscal years and quarters, ISO weeks, and working days by country.

Months are "YYYY-MM" strings and ISO weeks "YYYY-Www" strings, so periods stay readable in
a workbook and sort correctly as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import holidays
import pandas as pd

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.errors import CalendarError
from salesgoal_xl.core.money import Amount

DateLike = dt.date | str | pd.Timestamp
"""A day as callers pass it: a date, a datetime/Timestamp (time ignored) or "YYYY-MM-DD"."""


def as_date(value: DateLike, what: str = "date") -> dt.date:
    """Read a day from a date, datetime, Timestamp or ISO "YYYY-MM-DD" string."""
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            raise CalendarError(f"{what} is missing (got NaT).")
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise CalendarError(f"{what} must be a date like 2026-04-01 (got {value!r}).") from None
    raise CalendarError(f"{what} must be a date (got {type(value).__name__} {value!r}).")


def parse_month(month: str | DateLike) -> tuple[int, int]:
    """(year, month) from "YYYY-MM", or from any day in that month."""
    if isinstance(month, str) and len(month.strip()) == 7:
        text = month.strip()
        try:
            year, number = int(text[:4]), int(text[5:7])
        except ValueError:
            raise CalendarError(f"month must look like 2026-04 (got {month!r}).") from None
        if text[4] != "-" or not 1 <= number <= 12:
            raise CalendarError(f"month must look like 2026-04 (got {month!r}).")
        return year, number
    day = as_date(month, "month")
    return day.year, day.month


def month_label(year: int, month: int) -> str:
    """The "YYYY-MM" label of a calendar month."""
    return f"{year:04d}-{month:02d}"


def months_before(month: str | DateLike, count: int) -> list[str]:
    """The ``count`` months before ``month`` ("YYYY-MM"), most recent first: a lookback window."""
    year, number = parse_month(month)
    index = year * 12 + number - 1
    labels = []
    for back in range(1, count + 1):
        earlier_year, month0 = divmod(index - back, 12)
        labels.append(month_label(earlier_year, month0 + 1))
    return labels


def iso_week_label(day: DateLike) -> str:
    """The ISO 8601 week of a day as "YYYY-Www" (the ISO year, which may differ near New Year)."""
    iso = as_date(day).isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def month_days(month: str | DateLike) -> tuple[dt.date, dt.date]:
    """First and last day of a month."""
    year, number = parse_month(month)
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


@dataclass(frozen=True)
class FiscalCalendar:
    """A fiscal year of twelve calendar months starting in ``first_month``.

    A fiscal year is named by the calendar year in which it ends: with ``first_month=4``,
    FY2026 runs from 2025-04 to 2026-03; with ``first_month=1`` it is calendar 2026.
    Fiscal quarters are consecutive three-month blocks from the first month: Q1..Q4.
    """

    fiscal_year: int
    first_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.first_month <= 12:
            raise CalendarError(f"first_month must be 1..12 (got {self.first_month!r}).")
        if not 1901 <= self.fiscal_year <= 9998:
            raise CalendarError(f"fiscal_year must be a year like 2026 (got {self.fiscal_year!r}).")

    @classmethod
    def containing(cls, day: DateLike, first_month: int = 1) -> FiscalCalendar:
        """The fiscal year that a given day falls in."""
        date = as_date(day)
        ends_next_year = first_month != 1 and date.month >= first_month
        return cls(date.year + 1 if ends_next_year else date.year, first_month)

    @property
    def label(self) -> str:
        """The year's name, e.g. "FY2026"."""
        return f"FY{self.fiscal_year}"

    @property
    def start(self) -> dt.date:
        """The first day of the fiscal year."""
        start_year = self.fiscal_year if self.first_month == 1 else self.fiscal_year - 1
        return dt.date(start_year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the fiscal year."""
        return month_days(self.months[-1])[1]

    @property
    def months(self) -> tuple[str, ...]:
        """The twelve months in fiscal order, as "YYYY-MM"."""
        start = self.start
        labels = []
        for offset in range(12):
            index = start.month - 1 + offset
            labels.append(month_label(start.year + index // 12, index % 12 + 1))
        return tuple(labels)

    def month_number(self, month: str | DateLike) -> int:
        """The fiscal month number 1..12 of a month in this year."""
        label = month_label(*parse_month(month))
        try:
            return self.months.index(label) + 1
        except ValueError:
            raise CalendarError(
                f"{label} is not in {self.label} ({self.months[0]}..{self.months[-1]})."
            ) from None

    def quarter_of(self, month: str | DateLike) -> str:
        """The fiscal quarter ("Q1".."Q4") that a month of this year falls in."""
        return f"Q{(self.month_number(month) - 1) // 3 + 1}"

    @property
    def quarters(self) -> dict[str, tuple[str, ...]]:
        """Each fiscal quarter with its three months."""
        months = self.months
        return {f"Q{q + 1}": months[3 * q : 3 * q + 3] for q in range(4)}

    @property
    def iso_weeks(self) -> tuple[str, ...]:
        """ISO weeks holding at least one day of the fiscal year, in order."""
        weeks: list[str] = []
        day = self.start
        while day <= self.end:
            label = iso_week_label(day)
            if not weeks or weeks[-1] != label:
                weeks.append(label)
            day += dt.timedelta(days=1)
        return tuple(weeks)


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        raise CalendarError(
            f"country {country!r} has no holiday calendar; use an ISO code such as 'US' or 'TW'."
        ) from None
    except Exception as error:  # the holidays package signals a bad subdivision this way
        raise CalendarError(
            f"subdivision {subdivision!r} of {country!r} is not known ({error})."
        ) from None
    return frozenset(calendar.keys())


def is_working_day(
    day: DateLike, country: str | None = None, subdivision: str | None = None
) -> bool:
    """Monday to Friday, and not a public holiday of ``country`` (ISO code) if one is given."""
    date = as_date(day)
    if date.weekday() >= 5:
        return False
    return country is None or date not in _public_holidays(country, subdivision, date.year)


def working_days(
    start: DateLike,
    end: DateLike,
    country: str | None = None,
    subdivision: str | None = None,
) -> int:
    """Working days from ``start`` to ``end``, both included (0 when end is before start).

    Weekends are Saturday and Sunday; with a ``country`` (ISO code, e.g. "US", "TW") its
    public holidays (from the ``holidays`` package, optionally for a ``subdivision``) are
    not working days either.
    """
    first, last = as_date(start, "start"), as_date(end, "end")
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day, country, subdivision)
        day += dt.timedelta(days=1)
    return count


def split_month_into_weeks(
    month: str | DateLike, country: str | None = None, subdivision: str | None = None
) -> dict[str, int]:
    """Working days of ``month`` in each ISO week touching it, keyed "YYYY-Www", in order.

    A week that crosses a month boundary counts only this month's days here; the next
    month counts the rest, so each month keeps its own days. Weeks with no working day in
    the month are listed with 0. If the month has no working day at all, calendar days are
    counted instead so the month can still be split.
    """
    first, last = month_days(month)
    working: dict[str, int] = {}
    calendar_days: dict[str, int] = {}
    day = first
    while day <= last:
        label = iso_week_label(day)
        working[label] = working.get(label, 0) + is_working_day(day, country, subdivision)
        calendar_days[label] = calendar_days.get(label, 0) + 1
        day += dt.timedelta(days=1)
    return working if any(working.values()) else calendar_days


def split_months_into_weeks(
    monthly_amounts: Mapping[str, Amount],
    *,
    country: str | None = None,
    subdivision: str | None = None,
    unit: Amount = 1,
) -> pd.DataFrame:
    """Split each month's amount over its ISO weeks by working days, exactly.

    Returns one row per (month, ISO week) with columns ``month``, ``iso_week``,
    ``working_days`` and ``amount``; the amounts of a month add up exactly to its amount
    (largest remainder, see ``allocate``). A week crossing a month boundary appears once
    under each month with that month's share of it.
    """
    rows: list[dict[str, object]] = []
    for month, amount in monthly_amounts.items():
        label = month_label(*parse_month(month))
        weights = split_month_into_weeks(label, country, subdivision)
        parts = allocate(amount, list(weights.values()), unit=unit)
        for (week, days), part in zip(weights.items(), parts, strict=True):
            rows.append({"month": label, "iso_week": week, "working_days": days, "amount": part})
    return pd.DataFrame(rows, columns=["month", "iso_week", "working_days", "amount"])


def period_text(value: object) -> str:
    """A period cell as its label: a first-of-month date reads as its month ('2026-07'), text
    trimmed, blank (None, NaN, '') as ''; whether the label is a valid period is the caller's
    check. Excel turns a typed '2026-07' into such a date, so both spellings agree."""
    if isinstance(value, dt.datetime | dt.date) and value.day == 1:
        return f"{value.year:04d}-{value.month:02d}"
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()
