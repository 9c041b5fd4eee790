"""The builder lays out the workbook of DESIGN section 3 from the schema, in each language."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from functools import cache
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries

from salesgoal_xl.commands.new import NewWorkbookError, new_workbook
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.builder import (
    build_workbook,
    default_fiscal_year,
    fiscal_months,
    list_name,
)
from tests.workbook.plan_data import FIRST_MONTH, FISCAL_YEAR, sample_data

# Every function a default cell may call: built into Excel 2007+ and LibreOffice, no UDFs.
BUILT_IN = {
    "AND", "ABS", "COUNT", "COUNTIF", "DATE", "IF", "IFERROR", "INDEX", "INT", "MATCH", "MID",
    "MOD", "MONTH", "N", "OR", "RIGHT", "LEFT", "ROUND", "ROWS", "SUM", "SUMIFS", "SUMPRODUCT",
    "VALUE", "WEEKDAY", "YEAR", "ISNUMBER", "MAX",
}  # fmt: skip


@cache
def built(lang: str) -> Workbook:
    """The filled workbook in `lang` (built once per language)."""
    return build_workbook(
        lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data()
    )


def saved_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file."""
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_sheets_follow_the_schema_in_the_chosen_language(lang: str) -> None:
    """Sheets come in schema order with their localised names."""
    assert built(lang).sheetnames == [s.label.get(lang) for s in schema.SHEETS]


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_every_table_is_a_real_excel_table_with_localised_headers(lang: str) -> None:
    """Each schema table exists by its stable name on its sheet, headers in `lang`."""
    wb = built(lang)
    for spec in schema.TABLES:
        ws = wb[schema.SHEETS_BY_KEY[spec.sheet].label.get(lang)]
        tbl = ws.tables[spec.name]
        min_col, min_row, max_col, _ = range_boundaries(tbl.ref)
        headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
        assert headers == [c.label.get(lang) for c in spec.columns], spec.name
        assert [c.name for c in tbl.tableColumns] == headers


def test_tables_on_one_sheet_sit_side_by_side_with_a_gap() -> None:
    """Tables sharing a sheet start on the same row and leave an empty column between them."""
    for ws in built("en").worksheets:
        bounds = sorted(range_boundaries(t.ref) for t in ws.tables.values())
        for left, right in itertools.pairwise(bounds):
            assert left[1] == right[1]
            assert right[0] == left[2] + 2, ws.title


def test_settings_have_names_pointing_at_typed_values() -> None:
    """Each setting's workbook name points at its value cell, which holds a typed value."""
    wb = built("en")
    for setting in schema.SETTINGS:
        sheet, cell = next(iter(wb.defined_names[setting.name].destinations))
        value = wb[sheet][cell.replace("$", "")].value
        if setting.key == "fiscal_year":
            assert value == FISCAL_YEAR
        elif setting.key == "first_month":
            assert value == FIRST_MONTH
        elif setting.type is schema.ColumnType.PERCENT:
            assert isinstance(value, float)
        else:
            assert value is not None, setting.key


def test_code_columns_validate_against_growing_lists() -> None:
    """Input code columns get a list: a workbook name over the source table, or fixed values
    in the workbook's language."""
    wb = built("zh-Hant")
    assert wb.defined_names["lstReps"].attr_text == "tblReps[業務代號]"
    for spec in schema.TABLES:
        ws = wb[schema.SHEETS_BY_KEY[spec.sheet].label.get("zh-Hant")]
        rules = {
            rng.bounds: dv.formula1
            for dv in ws.data_validations.dataValidation
            for rng in dv.sqref.ranges
        }
        min_col, min_row, _, max_row = range_boundaries(ws.tables[spec.name].ref)
        for i, col in enumerate(spec.columns):
            if col.role is not schema.Role.INPUT or not (col.choices or col.list_from):
                continue
            formula = rules[(min_col + i, min_row + 1, min_col + i, max_row)]
            if col.list_from:
                assert formula == list_name(col.list_from.split(".")[0])
            else:
                shown = [schema.choice_label(code).get("zh-Hant") for code in col.choices]
                assert formula == '"' + ",".join(shown) + '"'
                assert not set(col.choices) & set(shown) or spec.name == "tblSettings"


def test_formula_columns_and_views_use_only_built_in_functions() -> None:
    """No formula anywhere calls a user-defined function."""
    for ws in built("en").worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", str(cell.value)))
                    assert used <= BUILT_IN, (ws.title, cell.coordinate, used - BUILT_IN)


def test_no_cached_values_are_written() -> None:
    """Formula cells carry no stored result that a reader could trust."""
    formulas = 0
    with zipfile.ZipFile(BytesIO(saved_bytes(built("en")))) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode()
                formulas += xml.count("<f>")
                assert not re.search(r"</f>\s*<v>", xml), name
    assert formulas > 500


def test_risk_and_attainment_are_conditionally_formatted() -> None:
    """Tracking colours risk green/amber/red and scales attainment."""
    ws = built("en")["Tracking"]
    rules = [
        (str(cf.sqref), r.type, r.formula) for cf in ws.conditional_formatting for r in cf.rules
    ]
    risk = [f for _, kind, f in rules if kind == "cellIs"]
    assert ['"green"'] in risk and ['"amber"'] in risk and ['"red"'] in risk
    assert any(kind == "colorScale" for _, kind, _ in rules)


def test_matrix_has_twelve_live_fiscal_months_and_a_total() -> None:
    """The Rep x Month header names the plan's fiscal months by formula; cells use MATCH slices."""
    ws = built("en")["Rep x Month"]
    assert ws["D4"].value.startswith("=YEAR(DATE(FiscalYear")
    assert ws["P4"].value == "Total"
    assert "MATCH(($A6*100+1)+0.5,tblTargets[Matrix key],1)" in ws["D6"].value
    assert "SUMIFS" not in ws["D6"].value  # one SUMIFS per cell would be quadratic
    assert ws.freeze_panes == "D6"


def test_dashboard_and_evaluation_have_their_charts_and_targets_has_checks() -> None:
    """Five native charts on the dashboard (actual vs target by month, attainment and pace by
    region, attainment distribution, top and bottom reps), the last three again on the
    Evaluation sheet; check cells beside tblTargets have names."""
    wb = built("en")
    assert len(wb["Dashboard"]._charts) == 5
    assert len(wb["Evaluation"]._charts) == 3
    for name in ("LeafTargetsTotal", "CheckTargetsAddUp", "CheckMatrixMatches", "MatrixTotal"):
        assert name in wb.defined_names


def test_identity_is_in_document_properties_and_on_the_guide() -> None:
    """Plan id, version and template version are custom document properties and Guide cells."""
    wb = build_workbook("zh-Hans", fiscal_year=2027, plan_id="abc123", plan_version=3)
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["PlanId"] == "abc123" and props["PlanVersion"] == 3
    assert props["TemplateVersion"]
    sheet, cell = next(iter(wb.defined_names["PlanId"].destinations))
    assert wb[sheet][cell.replace("$", "")].value == "abc123"
    assert wb.sheetnames[0] == "说明"


def test_guide_explains_every_button_in_the_language() -> None:
    """The Guide lists every command once, with text in the chosen language."""
    ws = built("zh-Hant")["說明"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for command in ("salesgoal split", "salesgoal evaluate", "salesgoal approve"):
        assert texts.count(command) == 1
    assert "分解目標" in texts


def test_headers_are_frozen_on_table_sheets() -> None:
    """Every sheet with tables freezes the title and header rows."""
    wb = built("en")
    for sheet in schema.SHEETS:
        if sheet.tables:
            assert wb[sheet.label.get("en")].freeze_panes == "A5"


def test_fiscal_years_are_named_by_the_year_they_end() -> None:
    """FY2026 starting in April runs 2025-04 .. 2026-03; the default year is the one running."""
    assert fiscal_months(2026, 4)[0] == "2025-04"
    assert fiscal_months(2026, 4)[-1] == "2026-03"
    assert fiscal_months(2026, 1) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert default_fiscal_year(4, dt.date(2025, 5, 1)) == 2026
    assert default_fiscal_year(4, dt.date(2025, 3, 1)) == 2025
    assert default_fiscal_year(1, dt.date(2025, 12, 31)) == 2025


def test_bad_options_are_clear_errors(tmp_path: Path) -> None:
    """Unknown language, month 13, or an existing file: an error saying what was expected."""
    with pytest.raises(NewWorkbookError, match="zh-Hans"):
        new_workbook(tmp_path / "a.xlsx", lang="fr")
    with pytest.raises(NewWorkbookError, match="1-12"):
        new_workbook(tmp_path / "a.xlsx", first_month=13)
    existing = tmp_path / "b.xlsx"
    existing.write_bytes(b"mine")
    with pytest.raises(NewWorkbookError, match="--force"):
        new_workbook(existing)
    assert existing.read_bytes() == b"mine"
    new_workbook(existing, force=True, year=2030)
    assert openpyxl.load_workbook(existing).sheetnames[0] == "Guide"
