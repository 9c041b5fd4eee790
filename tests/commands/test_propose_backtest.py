"""propose writes the forecast back-test to tblBacktest, prints it, and copes with short history."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.core.backtest import Backtest, choose_forecast, method_name
from salesgoal_xl.core.demo import build_demo_company
from salesgoal_xl.core.forecast import ForecastMethod, monthly_actuals
from salesgoal_xl.core.proposal_text import message
from salesgoal_xl.workbook import schema
from tests.commands.test_propose_split import _demo_frames, demo_port

runner = CliRunner()


def _company_backtest() -> Backtest:
    """The company back-test computed straight from the demo company's history, in the core."""
    company = build_demo_company()
    settings = company.settings
    return choose_forecast(
        monthly_actuals(company.history),
        plan_start=f"{settings.fiscal_year}-{settings.first_month:02d}",
        rounding_unit=int(settings.rounding_unit),
    )


def test_propose_writes_each_scope_s_candidates_and_marks_the_choice() -> None:
    """Every scope gets one row per candidate with its MAPE, and exactly one chosen row."""
    port = demo_port()
    summary = run_propose(port)
    table = port.tables["tblBacktest"]
    assert list(table.columns) == list(schema.table("tblBacktest").keys)
    assert list(dict.fromkeys(table["scope"])) == ["Company", "EAST", "NORTH", "SOUTH", "WEST"]
    for scope, rows in table.groupby("scope", sort=False):
        assert len(rows) == 3, scope
        chosen = rows[rows["chosen"] == "yes"]
        assert len(chosen) == 1
        assert chosen["mape"].iloc[0] == rows["mape"].min()
    company = table[(table["scope"] == "Company") & (table["chosen"] == "yes")].iloc[0]
    assert company["forecast"] == summary.company.forecast


def test_short_history_gives_a_stated_fallback_row_not_a_crash() -> None:
    """With 18 months of history propose still runs and its back-test row says why none was made."""
    history = _demo_frames()["tblHistory"]
    recent = history[history["period"].astype(str) >= "2024-07"]
    port = demo_port(tblHistory=recent)
    summary = run_propose(port)
    assert summary.company.forecast_method == ForecastMethod.SEASONAL_NAIVE_TREND.value
    table = port.tables["tblBacktest"]
    company = table[table["scope"] == "Company"]
    assert len(company) == 1
    row = company.iloc[0]
    assert pd.isna(row["mape"])
    assert row["chosen"] == "yes"
    assert row["reason"].startswith("no back-test: it needs 24 months of history")
    assert "got 18" in row["reason"]


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_the_back_test_table_is_written_in_each_language(tmp_path: Path, lang: str) -> None:
    """In every language the Target setting sheet holds tblBacktest with that language's
    headers and words, and the MAPE figures the core computes from the demo history."""
    path = tmp_path / f"demo-{lang}.xlsx"
    for args in (("demo", str(path), "--lang", lang), ("propose", str(path))):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    sheet_name = schema.SHEETS_BY_KEY["setting"].label.get(lang)
    sheet = book[sheet_name]
    cells = [[c.value for c in row] for row in sheet[sheet.tables["tblBacktest"].ref]]
    spec = schema.table("tblBacktest")
    assert cells[0] == [col.label.get(lang) for col in spec.columns]
    rows = [dict(zip(spec.keys, row, strict=True)) for row in cells[1:]]
    expected = _company_backtest()
    company = [r for r in rows if r["scope"] == "Company"]
    assert [r["method"] for r in company] == [
        method_name(c.method, lang) for c in expected.candidates
    ]
    assert [r["mape"] for r in company] == [float(c.mape) for c in expected.candidates]
    chosen = [r for r in company if r["chosen"] == message("backtest.yes", lang)]
    assert [r["reason"] for r in chosen] == [expected.reason(lang)]


def test_propose_json_lists_the_back_test(tmp_path: Path) -> None:
    """--json gives each scope's chosen method, reason and every candidate's MAPE."""
    path = tmp_path / "demo.xlsx"
    runner.invoke(app, ["demo", str(path)], catch_exceptions=False)
    result = runner.invoke(app, ["propose", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    company = data["backtests"][0]
    expected = _company_backtest()
    assert company["scope"] == "company"
    assert company["chosen"] == expected.chosen.value
    assert [c["mape"] for c in company["candidates"]] == [str(c.mape) for c in expected.candidates]
