"""Amounts of an export read exactly under either number convention, and its dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.workbook.source_values import (
    COMMA,
    DOT,
    Reading,
    amount,
    infer_convention,
    reading,
    source_day,
)

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)


def written(value: Decimal, decimal: str, *, group: str, currency: str) -> str:
    """`value` as an export writes it: grouped thousands, the given decimal mark, a symbol."""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    body = group.join([whole, *groups]) + decimal + cents
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{body}"


@given(
    amounts,
    st.sampled_from([(DOT, ","), (DOT, " "), (DOT, "'"), (COMMA, "."), (COMMA, "\u00a0")]),
    st.sampled_from(["", "$", "€ ", "USD "]),
)
def test_an_amount_reads_back_exactly_in_its_convention(
    value: Decimal, style: tuple[str, str], currency: str
) -> None:
    """Whatever the grouping and symbol, the amount read with its decimal mark is exact."""
    decimal, group = style
    text = written(value, decimal, group=group, currency=currency)
    assert amount(text, decimal) == value
    assert infer_convention([text, "12"]).decimal in (decimal, "")


@given(st.lists(amounts, min_size=1, max_size=30), st.sampled_from([DOT, COMMA]))
def test_a_file_with_cents_settles_its_convention(values: list[Decimal], decimal: str) -> None:
    """Amounts written with two decimals always show which mark the file uses."""
    group = "," if decimal == DOT else "."
    texts = [written(v, decimal, group=group, currency="") for v in values]
    assert infer_convention(texts).decimal == decimal


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1234", Reading.EITHER),
        ("1,234", Reading.AMBIGUOUS),
        ("1.234", Reading.AMBIGUOUS),
        ("0.500", Reading.DOT),
        ("1,234,567", Reading.DOT),
        ("1.234.567", Reading.COMMA),
        ("12,5", Reading.COMMA),
        ("(1,234.50)", Reading.DOT),
        ("1.234,56-", Reading.COMMA),
        ("1,23,4", Reading.BAD),
        ("abc", Reading.BAD),
        ("", Reading.BAD),
    ],
)
def test_what_one_amount_says_about_the_convention(text: str, kind: Reading) -> None:
    """Each shape of amount text is read as the conventions it allows."""
    assert reading(text) is kind


def test_negative_forms_and_contradictions() -> None:
    """Parentheses and a trailing minus are negative; a text of the other convention is None."""
    assert amount("(1,234.50)", DOT) == Decimal("-1234.50")
    assert amount("1.234,56-", COMMA) == Decimal("-1234.56")
    assert amount("1.234,56", DOT) is None
    assert amount("1,234", COMMA) == Decimal("1.234")


def test_dates_with_and_without_a_time() -> None:
    """ISO days with or without a time, real date cells, and compact days; else None."""
    assert source_day("2026-04-15") == dt.date(2026, 4, 15)
    assert source_day("2026-04-15T10:30:00Z") == dt.date(2026, 4, 15)
    assert source_day("2026-04-15 10:30") == dt.date(2026, 4, 15)
    assert source_day("20260415") == dt.date(2026, 4, 15)
    assert source_day(dt.datetime(2026, 4, 15, 9)) == dt.date(2026, 4, 15)
    assert source_day("2026-02-30") is None
    assert source_day("15/04/2026") is None
