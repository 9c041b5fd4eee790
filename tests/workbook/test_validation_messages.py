"""Every setting says what it is for and what it allows; every list cell says what to pick
(issue 9.7), in each language, through Excel's own input and error messages."""

from __future__ import annotations

import pytest
from openpyxl.utils.cell import range_boundaries

from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.builder import build_workbook
from salesgoal_xl.workbook.cells import choice_text
from tests.workbook.plan_data import FIRST_MONTH, FISCAL_YEAR, sample_data


def _rules_by_cell(ws: object) -> dict[str, object]:
    return {
        rng.coord: dv
        for dv in ws.data_validations.dataValidation  # type: ignore[attr-defined]
        for rng in dv.sqref.ranges
    }


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_every_setting_has_a_description_and_says_what_it_allows(lang: str) -> None:
    """The value cell of each setting shows its description when selected (input message);
    one with a range or a list refuses anything else with the range or the list in words."""
    wb = build_workbook(lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH)
    for setting in schema.SETTINGS:
        assert setting.help.get(lang), setting.key
        sheet, cell = next(iter(wb.defined_names[setting.name].destinations))
        rule = _rules_by_cell(wb[sheet])[cell.replace("$", "")]
        assert rule.showInputMessage and rule.prompt == setting.help.get(lang), setting.key
        assert len(rule.prompt) <= 255 and len(rule.promptTitle) <= 32
        if setting.choices:
            shown = [choice_text(code, lang) for code in setting.choices]
            assert all(word in rule.error for word in shown), setting.key
        elif setting.minimum is not None and setting.maximum is not None:
            assert rule.showErrorMessage and len(rule.error) <= 255, setting.key
            low, high = setting.minimum, setting.maximum
            if setting.type is schema.ColumnType.PERCENT:
                bounds = (f"{low * 100:g}%", f"{high * 100:g}%")
            else:
                bounds = (f"{low:g}", f"{high:g}")
            assert all(b in rule.error for b in bounds), (setting.key, rule.error)
        else:
            assert rule.type is None or setting.minimum is not None, setting.key


def test_the_fiscal_month_setting_in_words() -> None:
    wb = build_workbook("en", fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH)
    sheet, cell = next(iter(wb.defined_names["FirstMonth"].destinations))
    rule = _rules_by_cell(wb[sheet])[cell.replace("$", "")]
    assert rule.error.startswith("Allowed: a whole number from 1 to 12. Calendar month")
    zh = build_workbook("zh-Hans", fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH)
    sheet, cell = next(iter(zh.defined_names["Granularity"].destinations))
    assert _rules_by_cell(zh[sheet])[cell.replace("$", "")].error.startswith("可选：月、周。")


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_list_cells_name_what_they_allow(lang: str) -> None:
    """A fixed list names its values in the workbook's language; a list from another table
    names that table."""
    wb = build_workbook(lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data())
    checked = 0
    for spec in schema.TABLES:
        ws = wb[schema.SHEETS_BY_KEY[spec.sheet].label.get(lang)]
        min_col, min_row, _, _ = range_boundaries(ws.tables[spec.name].ref)
        rules = {
            (rng.min_col, rng.min_row): dv
            for dv in ws.data_validations.dataValidation
            for rng in dv.sqref.ranges
        }
        for i, col in enumerate(spec.columns):
            if col.role is not schema.Role.INPUT or not (col.choices or col.list_from):
                continue
            rule = rules[(min_col + i, min_row + 1)]
            assert rule.showErrorMessage and len(rule.error) <= 255
            if col.list_from:
                source = schema.table(col.list_from.split(".")[0])
                assert source.title.get(lang) in rule.error, (spec.name, col.key)
            else:
                words = [choice_text(code, lang) for code in col.choices]
                assert all(w in rule.error for w in words), (spec.name, col.key)
            checked += 1
    assert checked >= 10
