"""Settings read through the port are typed exactly and bad ones name their cell."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from salesgoal_xl.commands.inputs import load_settings, to_decimal
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook.port import MemoryPort


def _port(rows: list[tuple[str, object]]) -> MemoryPort:
    frame = pd.DataFrame(rows, columns=["setting", "value"])
    return MemoryPort({"tblSettings": frame}, label="plan.xlsx")


def test_percent_and_money_settings_are_exact() -> None:
    """'1.1%' is exactly 11/1000 and a cent rounding unit is Decimal('0.01'), never a float."""
    settings = load_settings(
        _port([("Over-assignment", "1.1%"), ("Rounding unit", 0.01), ("會計年度", 2027.0)])
    )
    assert settings["over_assignment"] == Fraction(11, 1000)
    assert settings["rounding_unit"] == Decimal("0.01")
    assert settings["fiscal_year"] == 2027 and isinstance(settings["fiscal_year"], int)


def test_bad_settings_are_all_reported_at_their_cells() -> None:
    """Every bad value is reported with its cell; the command does not stop at the first."""
    with pytest.raises(ProblemsFound) as caught:
        load_settings(_port([("First month of fiscal year", 13), ("Granularity", "day")]))
    problems = caught.value.problems
    assert [p.code for p in problems] == [ProblemCode.BAD_SETTING] * 2
    assert [p.cell for p in problems] == ["B2", "B3"]


@pytest.mark.parametrize("text", ["1,000", "1.000,50", "$100", "12 345"])
def test_locale_formatted_text_is_not_guessed(text: str) -> None:
    """A final target typed as '1,000' is refused (it could mean 1 or 1,000), not read."""
    with pytest.raises(ValueError, match="expected a number"):
        to_decimal(text)


def test_plain_number_text_is_read_exactly() -> None:
    """Text with one reading, including full-width digits, becomes that exact Decimal."""
    assert to_decimal(" 1234.50 ") == Decimal("1234.50")
    assert to_decimal("１２３") == Decimal(123)
