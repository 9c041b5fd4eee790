"""The Dashboard's evaluation blocks and charts after a real `evaluate`, and after a door save."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from salesgoal_xl.cli import app
from salesgoal_xl.workbook.package_port import PackagePort
from tests.workbook.evaluated_plan import evaluated_demo, runner


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plan after demo, propose, split, import-actuals and evaluate."""
    return evaluated_demo(tmp_path_factory.mktemp("board"))


def chart_references(path: Path) -> set[str]:
    """Every cell range the package's charts draw from."""
    with zipfile.ZipFile(path) as archive:
        return {
            ref
            for name in archive.namelist()
            if name.startswith("xl/charts/chart")
            for ref in re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", archive.read(name).decode())
        }


def test_charts_draw_from_the_blocks_and_survive_a_door_save(plan: Path, tmp_path: Path) -> None:
    """The distribution, top/bottom and pace charts name the Dashboard's blocks, and a later
    command saving through the door (check) keeps every one of them."""
    refs = chart_references(plan)
    for wanted in ("'Dashboard'!$C$38:$C$42", "'Dashboard'!$D$38:$D$42", "'Dashboard'!$L$38:$L$47"):
        assert wanted in refs
    assert any(r.startswith("'Dashboard'!$N$5:") for r in refs)  # pace by region
    # check writes its findings to the Checks sheet through the door whatever it finds.
    runner.invoke(app, ["check", str(plan)], catch_exceptions=False)
    assert chart_references(plan) == refs


def test_blocks_show_the_figures_of_the_written_tracking(plan: Path) -> None:
    """Bucket counts and the top and bottom reps, as cached, are what tblTracking holds."""
    tracking = PackagePort(plan).read_table("tblTracking").frame
    ratios = {
        rep: actual / target
        for rep, actual, target in zip(
            tracking["rep_id"], tracking["actual_to_date"], tracking["target_to_date"], strict=True
        )
        if target
    }
    bounds = [0.70, 0.85, 1.00, 1.15]
    counts = [
        sum(
            1
            for x in ratios.values()
            if (i == 0 or x >= bounds[i - 1]) and (i == 4 or x < bounds[i])
        )
        for i in range(5)
    ]
    board = openpyxl.load_workbook(plan, data_only=True)["Dashboard"]
    assert [board[f"D{r}"].value for r in range(38, 43)] == counts
    ordered = sorted(ratios, key=lambda rep: (-ratios[rep], rep))
    assert [board[f"J{r}"].value for r in range(38, 43)] == ordered[:5]
    assert [board[f"J{r}"].value for r in range(43, 48)] == ordered[-5:]
    assert board["L38"].value == pytest.approx(float(ratios[ordered[0]]))
