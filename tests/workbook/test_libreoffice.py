"""The templates and a filled plan, recalculated in LibreOffice: no errors, Python's numbers.

One soffice run recalculates every workbook of the session (see tests/libreoffice.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from salesgoal_xl.commands.new import template_path
from salesgoal_xl.workbook import layout as lay
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.builder import build_workbook, fiscal_months, save_workbook
from tests import libreoffice
from tests.workbook.plan_data import (
    FIRST_MONTH,
    FISCAL_YEAR,
    HOSTILE_TEXT,
    REGIONS,
    REPS,
    sample_data,
)

pytestmark = pytest.mark.libreoffice
TEMPLATES = Path(__file__).resolve().parents[2] / "workbook_templates"
FILLED_LANGS = ("en", "zh-Hant")
PROBES = {  # cells added to the filled copies: do the list names resolve in LibreOffice?
    "Z1": "=ROWS(lstReps)",
    "Z2": "=ROWS(lstRegions)",
    "Z3": '=INDEX(lstProducts,2)&""',
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every template and the filled plan (two languages), recalculated in one soffice run."""
    folder = tmp_path_factory.mktemp("lo-in")
    inputs = {f"template-{lang}": template_path(TEMPLATES, lang) for lang in schema.LANGUAGES}
    for lang in FILLED_LANGS:
        wb = build_workbook(
            lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data()
        )
        probe = wb.worksheets[0]
        for cell, formula in PROBES.items():
            probe[cell] = formula
        inputs[f"filled-{lang}"] = save_workbook(wb, folder / f"filled-{lang}.xlsx")
    outputs = libreoffice.recalculate(inputs.values(), tmp_path_factory.mktemp("lo-out"))
    return dict(zip(inputs, outputs, strict=True))


@pytest.fixture(scope="module")
def filled(recalculated: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Computed values of the English filled plan: sheet -> cell -> value."""
    return libreoffice.computed_values(recalculated["filled-en"])


def table_frame(path: Path, name: str, lang: str = "en") -> pd.DataFrame:
    """A recalculated table as a frame with schema keys as columns."""
    wb = openpyxl.load_workbook(path, data_only=True)
    spec = schema.table(name)
    ws = wb[schema.SHEETS_BY_KEY[spec.sheet].label.get(lang)]
    rows = list(ws[ws.tables[name].ref])
    lookup = schema.header_lookup(spec)
    keys = [lookup[schema.normalise_header(str(c.value))] for c in rows[0]]
    return pd.DataFrame([[c.value for c in row] for row in rows[1:]], columns=keys)


@pytest.mark.parametrize("name", [f"template-{lang}" for lang in schema.LANGUAGES])
def test_templates_open_with_zero_errors(recalculated: dict[str, Path], name: str) -> None:
    """An empty template recalculates with no #REF!, #NAME?, #DIV/0!, #VALUE! or Err: cell."""
    assert libreoffice.error_cells(recalculated[name]) == []


@pytest.mark.parametrize("lang", FILLED_LANGS)
def test_filled_plan_has_zero_errors(recalculated: dict[str, Path], lang: str) -> None:
    """With a year of targets, actuals and tracking, no cell shows an error value."""
    assert libreoffice.error_cells(recalculated[f"filled-{lang}"]) == []


def test_list_names_resolve_in_libreoffice(filled: dict[str, dict[str, Any]]) -> None:
    """lstReps, lstRegions and lstProducts (names over table columns) evaluate to the lists."""
    guide = filled["Guide"]
    assert (guide["Z1"], guide["Z2"], guide["Z3"]) == (len(REPS), len(REGIONS), "SW")


def test_tracking_and_scorecard_formulas_match_python(recalculated: dict[str, Path]) -> None:
    """Attainment, pace and gap equal what Python computes from the same rows."""
    data = sample_data()["tblTracking"]
    got = table_frame(recalculated["filled-en"], "tblTracking")
    for i, row in data.iterrows():
        assert got["attainment"][i] == pytest.approx(row.actual_to_date / row.target_to_date)
        assert got["pace"][i] == pytest.approx(row.actual_to_date / row.expected_to_date)
        assert got["gap"][i] == row.annual_target - row.actual_to_date
    card = table_frame(recalculated["filled-en"], "tblScorecard")
    assert list(card["attainment"]) == pytest.approx(
        list(data.actual_to_date / data.target_to_date)
    )


def test_proposal_market_and_adjustment_formulas_match_python(
    recalculated: dict[str, Path],
) -> None:
    """Challenge ratio, growth, market figure and adjustment delta are the Python figures."""
    data = sample_data()
    proposal = table_frame(recalculated["filled-en"], "tblProposal")
    company = data["tblProposal"].iloc[0]
    assert proposal["challenge"][0] == pytest.approx(company.final_target / company.forecast)
    assert proposal["growth"][0] == pytest.approx(company.final_target / company.baseline - 1)
    blank = proposal["challenge"][1]
    assert blank == "" or pd.isna(blank)  # no forecast: blank, not #DIV/0!
    market = table_frame(recalculated["filled-en"], "tblMarket")
    expected = [
        round(s * t)
        for s, t in zip(data["tblMarket"].market_size, data["tblMarket"].target_share, strict=True)
    ]
    assert list(market["market_figure"]) == expected
    adjustments = table_frame(recalculated["filled-en"], "tblAdjustments")
    # No old figure logged yet (adjust writes it): the change stays blank, not the new target.
    assert adjustments["delta"][0] == 200
    assert adjustments["delta"][1] == "" or pd.isna(adjustments["delta"][1])
    assert adjustments["description"][0] == HOSTILE_TEXT  # text stayed text


def test_matrix_matches_the_leaf_targets(filled: dict[str, dict[str, Any]]) -> None:
    """Every Rep x Month cell, row total and column total equals a pandas pivot of tblTargets."""
    targets = sample_data()["tblTargets"]
    pivot = targets.pivot_table(index="rep_id", columns="period", values="target", aggfunc="sum")
    months = fiscal_months(FISCAL_YEAR, FIRST_MONTH)
    matrix = filled["Rep x Month"]
    letters = "DEFGHIJKLMNO"
    assert [matrix[f"{c}4"] for c in letters] == months
    for i, (rep, name, _, _) in enumerate(REPS):
        row = 6 + i
        assert (matrix[f"B{row}"], matrix[f"C{row}"]) == (rep, name)
        assert [matrix[f"{c}{row}"] for c in letters] == [pivot.loc[rep, m] for m in months]
        assert matrix[f"P{row}"] == pivot.loc[rep].sum()
    assert [matrix[f"{c}5"] for c in letters] == [pivot[m].sum() for m in months]
    assert matrix["P5"] == targets["target"].sum()
    assert matrix.get(f"B{6 + len(REPS)}") in ("", None)


def test_check_cells_say_ok(filled: dict[str, dict[str, Any]]) -> None:
    """Total vs final target, matrix vs table and row order all check out."""
    checks = filled["Targets"]
    total = sample_data()["tblTargets"]["target"].sum()
    # The check block sits beside tblTargets: labels one gap column to its right, then values.
    value_col = get_column_letter(len(schema.table("tblTargets").columns) + 2 + lay.GAP_COLUMNS)
    values = [checks[f"{value_col}{r}"] for r in range(4, 13)]
    # total, final, difference, allowed uplift, over-assignment %, then the three verdicts
    assert values == [total, total, 0, 0, 0, "OK", total, "OK", "OK"]


def test_dashboard_matches_python(filled: dict[str, dict[str, Any]]) -> None:
    """Monthly actuals, cumulative figures and attainment by region are Python's numbers."""
    data = sample_data()
    months = fiscal_months(FISCAL_YEAR, FIRST_MONTH)
    actual = data["tblActuals"].groupby("period")["amount"].sum()
    target = data["tblTargets"].groupby("period")["target"].sum()
    board = filled["Dashboard"]
    cumulative_actual = 0
    for m, period in enumerate(months):
        row = 5 + m
        assert board[f"B{row}"] == period
        assert board[f"C{row}"] == target[period]
        assert board[f"D{row}"] == actual.get(period, 0)
        cumulative_actual += actual.get(period, 0)
        expected = cumulative_actual if period in actual.index else None
        assert board.get(f"F{row}") in ((expected,) if expected else ("", None))
    tracking = data["tblTracking"].groupby("region")[["target_to_date", "actual_to_date"]].sum()
    for i, region in enumerate(REGIONS):
        row = 5 + i
        assert board[f"I{row}"] == region
        expected_ratio = (
            tracking.loc[region, "actual_to_date"] / tracking.loc[region, "target_to_date"]
        )
        assert board[f"L{row}"] == pytest.approx(expected_ratio)


def test_a_filled_page_renders(recalculated: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice prints the filled plan to PDF and the dashboard page to a non-blank PNG."""
    png = libreoffice.render_png(recalculated["filled-en"], tmp_path, page=1, resolution=40)
    assert png.stat().st_size > 5_000
