"""demo -> propose -> split through the CLI on a real file, then recalculated in LibreOffice; and
the rest of the cycle: demo-actuals -> import-actuals -> evaluate."""

from __future__ import annotations

import hashlib
import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.evaluate import leaf_targets
from salesgoal_xl.core.demo_actuals import generate_demo_deals
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.file_port import FilePort
from tests import libreoffice

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _targets(path: Path) -> pd.DataFrame:
    return FilePort(path).read_table("tblTargets").frame


@pytest.fixture(scope="module")
def split_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's workbook after demo, propose --final base and split."""
    path = tmp_path_factory.mktemp("e2e") / "demo.xlsx"
    assert _run("demo", str(path)).exit_code == 0
    assert _run("propose", str(path), "--final", "base").exit_code == 0
    result = _run("split", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def recalculated(split_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The split demo workbook recalculated by LibreOffice."""
    return libreoffice.recalculate([split_plan], tmp_path_factory.mktemp("e2e-lo"))[0]


def test_split_file_adds_up_and_checks_clean(split_plan: Path) -> None:
    """The written leaf targets are exact multiples of the unit and `check` finds nothing."""
    targets = _targets(split_plan)
    assert len(targets) > 5_000
    assert all(int(t) % 100 == 0 for t in targets["target"])
    result = _run("check", str(split_plan), "--no-write")
    assert result.exit_code == 0, result.output


def test_split_again_changes_no_target(split_plan: Path) -> None:
    """A second split on the same file writes the very same leaf targets."""
    before = _targets(split_plan)
    result = _run("split", str(split_plan), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["changed_rows"] == 0
    pd.testing.assert_frame_equal(before, _targets(split_plan))


def test_dry_run_leaves_the_file_byte_identical(split_plan: Path) -> None:
    """split --dry-run reports what it would do and does not touch the file."""
    digest = _digest(split_plan)
    result = _run("split", str(split_plan), "--dry-run")
    assert result.exit_code == 0
    assert "dry run" in result.stdout
    assert _digest(split_plan) == digest


def test_failed_split_writes_nothing(tmp_path: Path) -> None:
    """Without a final target split exits 1 naming the cell, and the file is unchanged."""
    path = tmp_path / "plan.xlsx"
    assert _run("demo", str(path)).exit_code == 0
    digest = _digest(path)
    result = _run("split", str(path))
    assert result.exit_code == 1
    assert "NO_TARGET" in result.output
    assert "Target setting!" in result.output
    assert _digest(path) == digest


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    """A file that is not a workbook gives exit code 2 and a one-line reason."""
    path = tmp_path / "plan.xlsx"
    path.write_text("period,amount\n2026-01,5\n")
    result = _run("split", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_libreoffice_shows_no_error_cells(recalculated: Path) -> None:
    """After a full recalculation in LibreOffice, no cell of the split plan holds an error."""
    assert libreoffice.error_cells(recalculated) == []


def test_matrix_formulas_agree_with_the_leaf_targets(recalculated: Path, split_plan: Path) -> None:
    """Every Rep x Month cell computed by LibreOffice equals the pivot of tblTargets."""
    targets = _targets(split_plan)
    targets["target"] = targets["target"].astype(int)
    pivot = targets.pivot_table(
        index="rep_id", columns="period", values="target", aggfunc="sum", fill_value=0
    )
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    matrix = wb[schema.SHEETS_BY_KEY["matrix"].label.en]
    header_row = next(
        r for r in range(1, 12) if str(matrix.cell(r, 4).value or "").startswith("2026-")
    )
    months = [matrix.cell(header_row, c).value for c in range(4, 16)]
    assert months == [f"2026-{m:02d}" for m in range(1, 13)]
    seen = 0
    for row in range(header_row + 2, matrix.max_row + 1):
        rep = matrix.cell(row, 2).value
        if not rep:
            continue
        values = [matrix.cell(row, c).value or 0 for c in range(4, 16)]
        expected = [int(pivot.loc[rep, m]) if m in pivot.columns else 0 for m in months]
        assert values == expected, rep
        seen += 1
    assert seen == targets["rep_id"].nunique()


def test_challenge_and_growth_are_blank_without_a_final_target(recalculated: Path) -> None:
    """Region rows with no final target show no challenge ratio or growth (not 0% / -100%)."""
    frame = FilePort(recalculated).read_table("tblProposal").frame
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    ws = wb[schema.SHEETS_BY_KEY["setting"].label.en]
    data = FilePort(recalculated).read_table("tblProposal")
    for row, scope in enumerate(frame["scope"]):
        challenge = ws[data.cell(row, "challenge")].value
        growth = ws[data.cell(row, "growth")].value
        if scope == "Company":
            final = int(frame["final_target"][row])
            assert challenge == pytest.approx(final / int(frame["forecast"][row]))
            assert growth == pytest.approx(final / int(frame["baseline"][row]) - 1)
        else:
            assert challenge in ("", None) and growth in ("", None), scope


# --- the whole cycle: demo-actuals, import-actuals, evaluate ---------------------------------


@pytest.fixture(scope="module")
def cycle(split_plan: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the split demo after demo-actuals, import-actuals --json and evaluate."""
    folder = tmp_path_factory.mktemp("cycle")
    plan, export = folder / "demo.xlsx", folder / "deals.csv"
    shutil.copyfile(split_plan, plan)
    made = _run("demo-actuals", str(plan), str(export), "--months", "6")
    assert made.exit_code == 0, made.output
    imported = _run("import-actuals", str(plan), str(export), "--json")
    assert imported.exit_code == 0, imported.output
    evaluated = _run("evaluate", str(plan))
    assert evaluated.exit_code == 0, evaluated.output
    targets = leaf_targets(FilePort(split_plan).read_table("tblTargets"), [])
    return {
        "plan": plan,
        "export": export,
        "made": made.output,
        "import": json.loads(imported.stdout),
        "intended": generate_demo_deals(targets),
    }


def test_demo_actuals_leaves_the_plan_unchanged_and_says_where_the_export_is(
    cycle: dict[str, Any], split_plan: Path, tmp_path: Path
) -> None:
    """demo-actuals only reads the plan; it names the export and refuses to overwrite it."""
    copy = tmp_path / "demo.xlsx"
    shutil.copyfile(split_plan, copy)
    digest = _digest(copy)
    assert _run("demo-actuals", str(copy), str(tmp_path / "d.csv")).exit_code == 0
    assert _digest(copy) == digest
    assert str(cycle["export"]) in cycle["made"] and "SOUTH" in cycle["made"]
    again = _run("demo-actuals", str(copy), str(tmp_path / "d.csv"))
    assert again.exit_code == 2 and "--force" in again.output


def test_demo_actuals_twice_gives_identical_bytes(cycle: dict[str, Any], tmp_path: Path) -> None:
    """Running the generator again on the same plan writes the very same file."""
    again = tmp_path / "again.csv"
    assert _run("demo-actuals", str(cycle["plan"]), str(again)).exit_code == 0
    assert again.read_bytes() == cycle["export"].read_bytes()


def test_demo_actuals_before_split_is_not_split(tmp_path: Path) -> None:
    """On a plan that has not been split, demo-actuals exits 1 with NOT_SPLIT."""
    path = tmp_path / "plan.xlsx"
    assert _run("demo", str(path)).exit_code == 0
    result = _run("demo-actuals", str(path), str(tmp_path / "d.csv"))
    assert result.exit_code == 1 and "NOT_SPLIT" in result.output
    assert not (tmp_path / "d.csv").exists()


def test_the_export_reads_like_a_crm_report_and_imports_with_no_bad_row(
    cycle: dict[str, Any],
) -> None:
    """CRM headers matched by aliases, thousands separators, several deals per leaf, a deal
    count, and every one of its rows imported."""
    text = cycle["export"].read_text(encoding="utf-8")
    header = text.split("\r\n", 1)[0]
    assert header.startswith("Opportunity ID,Account Name,Stage,Close Date,Opportunity Owner")
    assert '"1,' in text or '"2,' in text
    summary = cycle["import"]
    deals = cycle["intended"].deals
    assert summary["bad_rows"] == 0 and summary["problems"] == []
    assert summary["source_rows"] == summary["good_rows"] == len(deals)
    assert summary["columns"]["amount"] == "Revenue"
    assert summary["columns"]["deals"] == "Deal Count"
    assert summary["rows"] * 2 < len(deals)
    actuals = FilePort(cycle["plan"]).read_table("tblActuals").frame
    assert sum(int(d) for d in actuals["deals"]) == int(deals["deal_count"].sum())
    assert sum(Fraction(str(a)) for a in actuals["amount"]) == Fraction(
        int(deals["cents"].sum()), 100
    )


def test_evaluate_shows_what_the_generator_intends(cycle: dict[str, Any]) -> None:
    """Each rep's pace is its intended pace, its risk the colour of its profile, behind reps
    (with three months of targets) get early warnings, and the troubled region a re-targeting
    suggestion."""
    port = FilePort(cycle["plan"])
    tracking = port.read_table("tblTracking").frame
    intents = cycle["intended"].intents
    reps = port.read_table("tblReps").frame
    leavers = set(reps.loc[reps["end_date"].notna(), "rep_id"])
    colours, out_of_reach = set(), set()
    for rep, actual, target, risk, run_rate, best in zip(
        tracking["rep_id"],
        tracking["actual_to_date"],
        tracking["target_to_date"],
        tracking["risk"],
        tracking["required_run_rate"],
        tracking["best_period"],
        strict=True,
    ):
        if rep not in intents:
            assert int(target or 0) == 0, rep
            continue
        intent = intents[rep]
        pace = Fraction(str(actual)) / Fraction(str(target))
        assert abs(pace - intent.pace) < Fraction(1, 10_000), rep
        # The pace's colour, unless what is left needs more than 1.5x the best month: a leaver
        # behind pace has only the months to the last day to close the gap (R005 leaves in
        # July: 285,689 in one month, 2.1x her best).
        if pd.notna(run_rate) and Fraction(str(run_rate)) > Fraction(3, 2) * Fraction(str(best)):
            out_of_reach.add(rep)
        assert risk == ("red" if rep in out_of_reach else intent.profile.risk), (rep, intent)
        colours.add(risk)
    assert colours == {"green", "amber", "red"}
    # Reps behind by design are red anyway; the others out of reach are leavers.
    assert {r for r in out_of_reach if intents[r].profile.risk != "red"} <= leavers
    warnings = port.read_table("tblWarnings").frame
    warned = set(warnings.loc[warnings["kind"] == "early_warning", "code"])
    deals = cycle["intended"].deals
    months_sold = deals.groupby("rep_id")["close_date"].agg(lambda d: {x.month for x in d})
    # A warning needs three periods behind in a row (WarnPeriods): a rep hired in month five
    # has only two.
    behind = {
        r for r, i in intents.items() if i.profile.risk != "green" and {4, 5, 6} <= months_sold[r]
    }
    assert len(behind) > 10 and behind <= warned
    assert not warned & {r for r, i in intents.items() if i.profile.risk == "green"}
    retarget = warnings.loc[warnings["kind"] == "retarget"]
    assert list(retarget["code"]) == [cycle["intended"].troubled_region] == ["SOUTH"]


def test_the_cycle_checks_clean(cycle: dict[str, Any]) -> None:
    """After the whole cycle `check` finds no problem."""
    result = _run("check", str(cycle["plan"]), "--no-write")
    assert result.exit_code == 0, result.output


def test_every_value_but_sentences_fits_its_column(cycle: dict[str, Any]) -> None:
    """Issue 9.7, no value spills out of its cell: after split, import and evaluate, every
    number, code, date, label and short text a table holds fits its column's width (a
    CJK character counts two), found wanting before for setting labels, the demo's plan
    name, back-test parameters and Targets' method; sentence columns wrap instead
    (test_printing's test_sentences_wrap_inside_their_own_rows_when_printed), and every row
    of theirs is as tall as its text needs."""
    import datetime as dt

    import openpyxl
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    from salesgoal_xl.workbook import schema
    from salesgoal_xl.workbook.layout import cell_lines, display_width

    wb = openpyxl.load_workbook(cycle["plan"], data_only=True)
    too_wide, too_short = [], []
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if table.name not in schema.TABLES_BY_NAME:
                continue
            spec = schema.TABLES_BY_NAME[table.name]
            first_col, header, _, last = range_boundaries(table.ref)
            for offset, column in enumerate(spec.columns):
                width = ws.column_dimensions[get_column_letter(first_col + offset)].width
                if column.wrap:  # sentences wrap onto the lines their row is given
                    for row in range(header + 1, last + 1):
                        value = ws.cell(row, first_col + offset).value
                        lines = cell_lines(str(value), width) if value else 1
                        if lines > 1 and (ws.row_dimensions[row].height or 0) < lines * 13:
                            too_short.append(f"{ws.title}!{table.name}.{column.key} row {row}")
                    continue
                for row in range(header + 1, min(last, header + 2_000) + 1):
                    value = ws.cell(row, first_col + offset).value
                    if value is None or isinstance(value, dt.date | dt.datetime | float):
                        continue  # dates show as yyyy-mm-dd; floats as percentages or shares
                    text = f"{value:,}" if isinstance(value, int) else str(value)
                    if display_width(text) > (width or 8.43) - 1:
                        too_wide.append(f"{ws.title}!{table.name}.{column.key}: {text!r}")
                        break
    assert too_wide == [] and too_short == []
