"""The final target and the quota sum shown apart: the Targets checks and the Dashboard give
the over-assignment between them, cached before any recalculation."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from salesgoal_xl.workbook import texts
from salesgoal_xl.workbook.builder import BASIS_COL, build_workbook, save_workbook
from tests.commands.test_evaluate import _split_demo


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_the_dashboard_and_the_checks_show_final_target_quota_sum_and_over_assignment(
    lang: str, tmp_path: Path
) -> None:
    """On the split demo, the Dashboard's block holds the company's final target, the sum of
    tblTargets and their ratio minus one, and the Targets checks the same percentage, as the
    cached values a viewer sees without recalculating."""
    tables = _split_demo()
    proposal = tables["tblProposal"]
    final = int(proposal.loc[proposal["scope"] == "Company", "final_target"].iloc[0])
    quota = sum(int(v) for v in tables["tblTargets"]["target"])
    assert quota > final  # the demo over-assigns to reps
    path = save_workbook(build_workbook(lang, fiscal_year=2026, data=tables), tmp_path / "p.xlsx")
    wb = load_workbook(path, data_only=True)
    board = wb[_title("dashboard", lang)]
    values = [board.cell(5 + i, BASIS_COL + 1).value for i in range(3)]
    assert values == [final, quota, pytest.approx(quota / final - 1, abs=1e-12)]
    assert board.cell(7, BASIS_COL).value == texts.OVER_SHARE.get(lang)
    targets = wb[_title("targets", lang)]
    labels = {c.value: c.offset(0, 1).value for row in targets.iter_rows() for c in row if c.value}
    assert labels[texts.OVER_SHARE.get(lang)] == pytest.approx(quota / final - 1)


def _title(key: str, lang: str) -> str:
    from salesgoal_xl.workbook.schema import SHEETS_BY_KEY

    return SHEETS_BY_KEY[key].label.get(lang)
