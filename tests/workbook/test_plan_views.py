"""The Plan views sheet and the quarter, team and region columns of Rep x Month, read from a
split demo as every viewer shows them before recalculating (the engine's cached values)
against pandas pivots of tblTargets. (LibreOffice's own readings of the same cells, stock and
recalculated, are compared in test_cached_values, which covers every formula cell.)"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.package_port import PackagePort

runner = CliRunner()
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def _run(*args: str) -> None:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def split_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("views") / "demo.xlsx"
    _run("demo", str(path))
    _run("propose", str(path), "--final", "base")
    _run("split", str(path))
    return path


@pytest.fixture(scope="module")
def targets(split_demo: Path) -> pd.DataFrame:
    frame = PackagePort(split_demo).read_table("tblTargets").frame
    return frame.assign(target=[int(t) for t in frame["target"]])


def _blocks(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Each block of Plan views by its first header, as rows of cached values: the header row,
    then the data rows down to (and with) the Total row."""
    sheet = openpyxl.load_workbook(path, data_only=True)["Plan views"]
    rows = list(sheet.iter_rows(values_only=True))
    blocks: dict[str, list[tuple[object, ...]]] = {}
    current: str | None = None
    for row in rows[3:]:
        if current is None and row[0] in ("Region", "Team", "Channel"):
            current = str(row[0])
            blocks[current] = [row]
        elif current is not None:
            blocks[current].append(row)
            if row[0] == "Total":
                current = None
    return blocks


def _by_month(block: list[tuple[object, ...]]) -> tuple[list[str], dict[str, list[object]]]:
    header, *rows, total = block
    months = [str(m) for m in header[1:13]]
    assert list(header[13:18]) == [*QUARTERS, "Total"]
    assert total[0] == "Total"
    return months, {str(r[0]): list(r[1:]) for r in rows if r[0]} | {"Total": list(total[1:])}


@pytest.mark.parametrize("level, column", [("Region", "region"), ("Team", "team")])
def test_region_and_team_by_month_and_quarter_equal_the_leaf_targets(
    split_demo: Path, targets: pd.DataFrame, level: str, column: str
) -> None:
    """Every month, quarter and year cell of a unit equals the pivot of tblTargets; the total
    row is the leaf total; every unit of the org has its row."""
    months, rows = _by_month(_blocks(split_demo)[level])
    pivot = targets.pivot_table("target", column, "month", aggfunc="sum", fill_value=0)
    assert months == sorted(targets["month"].unique())
    assert set(rows) - {"Total"} == set(pivot.index)
    for unit, values in rows.items():
        expected = pivot.sum() if unit == "Total" else pivot.loc[unit]
        monthly = [int(expected[m]) for m in months]
        assert values[:12] == monthly, unit
        quarters = [sum(monthly[3 * q : 3 * q + 3]) for q in range(4)]
        assert values[12:16] == quarters, unit
        assert values[16] == sum(monthly), unit
    assert rows["Total"][16] == int(targets["target"].sum())


def test_the_team_block_names_each_teams_region(split_demo: Path, targets: pd.DataFrame) -> None:
    header, *rows, _total = _blocks(split_demo)["Team"]
    assert header[18] == "Region"
    region_of = dict(zip(targets["team"], targets["region"], strict=True))
    named = {str(r[0]): r[18] for r in rows if r[0]}
    assert named == {team: region_of[team] for team in named}


def test_channel_by_product_equals_the_leaf_targets(
    split_demo: Path, targets: pd.DataFrame
) -> None:
    header, *rows, total = _blocks(split_demo)["Channel"]
    products = [p for p in header[1:] if p not in (None, "", "Total")]
    total_col = list(header).index("Total")
    pivot = targets.pivot_table("target", "channel", "product", aggfunc="sum", fill_value=0)
    assert sorted(products) == sorted(pivot.columns)
    filled = [r for r in rows if r[0]]
    assert sorted(str(r[0]) for r in filled) == sorted(pivot.index)
    for row in filled:
        assert [row[1 + i] for i in range(len(products))] == [
            int(pivot.loc[row[0], p]) for p in products
        ]
        assert row[total_col] == int(pivot.loc[row[0]].sum())
    assert total[total_col] == int(targets["target"].sum())


def test_rep_x_month_has_quarters_team_and_region(split_demo: Path, targets: pd.DataFrame) -> None:
    """Q1-Q4 after the year total are the sums of their three fiscal months; Team and Region
    come from the rep's leaf targets."""
    sheet = openpyxl.load_workbook(split_demo, data_only=True)["Rep x Month"]
    header = [c.value for c in sheet[4]]
    assert header[15:22] == ["Total", *QUARTERS, "Team", "Region"]
    pivot = targets.pivot_table("target", "rep_id", "month", aggfunc="sum", fill_value=0)
    home = targets.drop_duplicates("rep_id").set_index("rep_id")
    for row in sheet.iter_rows(min_row=6, max_row=5 + len(pivot), values_only=True):
        rep = str(row[1])
        monthly = [int(v) for v in pivot.loc[rep]]
        assert list(row[16:20]) == [sum(monthly[3 * q : 3 * q + 3]) for q in range(4)], rep
        assert (row[20], row[21]) == (home.loc[rep, "team"], home.loc[rep, "region"]), rep
    totals = [c.value for c in sheet[5]]
    assert sum(totals[16:20]) == totals[15] == int(targets["target"].sum())


def test_each_block_prints_on_its_own_page(split_demo: Path) -> None:
    sheet = openpyxl.load_workbook(split_demo)["Plan views"]
    titles = [
        r
        for r in range(1, sheet.max_row + 1)
        if str(sheet.cell(r, 1).value or "").startswith("Target by")
    ]
    breaks = sorted(b.id for b in sheet.row_breaks.brk)
    assert len(titles) == 3 and len(breaks) == 2
    assert titles[0] <= breaks[0] < titles[1] <= breaks[1] < titles[2]
    assert sheet.print_area is not None


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_the_views_sheet_is_in_every_language(tmp_path: Path, lang: str) -> None:
    """The template in each language has the sheet under its own name, every block headed in
    that language, and no formula outside what the engine and Excel both know (the builder
    refuses those: SALESGOAL_STRICT_FORMULAS)."""
    path = tmp_path / f"plan-{lang}.xlsx"
    _run("new", str(path), "--lang", lang, "--year", "2026")
    views = next(s for s in schema.SHEETS if s.key == "views")
    sheet = openpyxl.load_workbook(path)[views.label.get(lang)]
    header_row = 5
    assert sheet.cell(header_row, 1).value == schema.table("tblRegions").column("region").label.get(
        lang
    )
    assert str(sheet.cell(header_row + 1, 2).value).startswith('=IF($A6="","",SUMIFS(')
