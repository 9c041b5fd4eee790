"""The xlwings live workbook against a recording double that follows xlwings' conventions:
split and check write what the CLI writes, one bulk read and write per table, Excel's state
given back on errors, and the ribbon's message box as the CLI prints problems."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl.utils.cell import range_boundaries

from salesgoal_xl.addin.excel import ExcelHost
from salesgoal_xl.addin.live_xlwings import TITLE, XlwingsWorkbook
from salesgoal_xl.addin.ribbon import Status, on_action
from salesgoal_xl.commands.check import run_check
from salesgoal_xl.commands.demo import write_demo_workbook
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import ProblemsFound
from salesgoal_xl.workbook.live import LiveBlock, LivePort, run_live
from salesgoal_xl.workbook.package_port import PackagePort
from tests.addin.live_plans import broken_plan
from tests.addin.xlwings_double import (
    FakeBook,
    FakeSheet,
    FakeTable,
    book_from_file,
    typed_input,
)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo plan before propose ('demo') and with a final target ('proposed')."""
    folder = tmp_path_factory.mktemp("plans")
    demo = write_demo_workbook(folder / "demo.xlsx", "en", force=True)
    proposed = folder / "proposed.xlsx"
    shutil.copy(demo, proposed)
    run_propose(PackagePort(proposed), final="base")
    return {"demo": Path(demo), "proposed": proposed}


@pytest.fixture(scope="module")
def cli_split(plans: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The proposed plan split by the file adapter, as `salesgoal split` does."""
    copy = tmp_path_factory.mktemp("cli") / "proposed.xlsx"
    shutil.copy(plans["proposed"], copy)
    run_split(PackagePort(copy))
    return copy


def _numbers_equal(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells compared as a spreadsheet holds them: every number as a float."""
    return frame.map(lambda v: float(v) if isinstance(v, int | float) and v is not True else v)


def test_split_through_xlwings_writes_the_rows_and_formulas_the_cli_writes(
    plans: dict[str, Path], cli_split: Path
) -> None:
    """tblTargets written live has the file adapter's rows, values and formulas."""
    book = book_from_file(plans["proposed"])
    summary = run_live(XlwingsWorkbook(book), run_split)
    live = LivePort(XlwingsWorkbook(book)).read_table("tblTargets").frame
    on_file = PackagePort(cli_split).read_table("tblTargets").frame
    assert summary.leaf_rows == len(on_file) > 1000
    pd.testing.assert_frame_equal(_numbers_equal(live), _numbers_equal(on_file))
    written = book_from_file(cli_split)
    sheet, expected = book.sheet("Targets"), written.sheet("Targets")
    assert sheet.formulas == expected.formulas  # the matrix key formula on every row
    assert {k: v for k, v in sheet.values.items()} == {
        k: (float(v) if isinstance(v, int) else v) for k, v in expected.values.items()
    }


def test_each_table_is_one_bulk_read_and_the_write_one_bulk_write(
    plans: dict[str, Path],
) -> None:
    """Split reads each table it needs once (values and formulas) and writes each of its
    tables (tblTargets, tblRepPlan) once, whatever their rows."""
    book = book_from_file(plans["proposed"])
    run_live(XlwingsWorkbook(book), run_split)
    calls = book.recorder.calls
    formulas = [c for c in calls if c.startswith("formula ")]
    reads = [c for c in calls if c.startswith("read ")]
    writes = [c for c in calls if c.startswith("write ")]
    assert len(formulas) == len(set(formulas)) <= 12  # one per table, whatever its rows
    assert any(c.startswith("write Targets!A5:L") for c in writes)
    assert len(writes) == len(set(writes)) <= 2
    # Each table's values once, and once the rows a written table grows into (empty?).
    below = [c for c in reads if c.replace("read", "formula") not in formulas]
    assert any(c.startswith("read Targets!A6:L") for c in below) and len(below) <= len(writes)
    assert len(reads) == len(formulas) + len(below)
    kinds = [c.split()[0] for c in calls if c.startswith(("write", "resize", "clear"))]
    assert kinds == ["resize", "write"] * len(writes)
    assert len(calls) < 80
    # The rows of tblRepPlan (reasons wrap) get Excel's row AutoFit, whole rows, once;
    # tblTargets (no sentences) keeps whatever heights its rows have.
    [(sheet, rep_plan)] = [(s, t) for s in book.sheets for t in s.tables if t.name == "tblRepPlan"]
    assert [c for c in calls if c.startswith("autofit ")] == [
        f"autofit {sheet.name}!{rep_plan.top + 1}:{rep_plan.bottom}"
    ]
    # Rows a table grows into get its first data row's formats first: one copy per table.
    [targets] = [t for s in book.sheets for t in s.tables if t.name == "tblTargets"]
    copies = [c for c in calls if c.startswith("copy ")]
    assert f"copy Targets!A5:L5 A6:L{targets.bottom}" in copies and len(copies) <= len(writes)
    assert calls.index(copies[0]) < calls.index(next(c for c in writes if "Targets" in c))


def test_text_goes_in_as_text_and_dates_as_dates() -> None:
    """Periods and codes that Excel would turn into dates or numbers keep their text."""
    assert typed_input("2026-01")[0] == dt.datetime(2026, 1, 1)  # what Excel would do
    book = FakeBook("plan.xlsx")
    sheet = FakeSheet(book, "Targets")
    book.sheets.append(sheet)
    sheet.values.update({(1, 1): "Period", (1, 2): "Rep ID", (1, 3): "Start"})
    sheet.tables.items.append(FakeTable(sheet, "tblX", "A1:C2"))
    block = LiveBlock([["2026-01", "0101", dt.date(2026, 3, 1)], [None, "=1", None]], {})
    XlwingsWorkbook(book).write_table("tblX", block)
    assert sheet.values[(2, 1)] == "2026-01" and sheet.values[(2, 2)] == "0101"
    assert sheet.values[(2, 3)] == dt.datetime(2026, 3, 1)
    assert sheet.values[(3, 2)] == "=1" and not sheet.formulas  # text, not a formula
    assert sheet.tables["tblX"].bottom == 3


def test_check_live_finds_what_check_on_the_file_finds(plans: dict[str, Path]) -> None:
    """Check through xlwings reports the file check's problems (the demo before propose)."""
    book = book_from_file(plans["demo"])
    live = run_live(XlwingsWorkbook(book), lambda port: run_check(port, write=False))
    on_file = run_check(plans["demo"], write=False)
    rows = [(p.severity, p.code, p.sheet, p.cell, p.message) for p in live.problems]
    assert rows == [(p.severity, p.code, p.sheet, p.cell, p.message) for p in on_file.problems]
    assert rows  # the demo still lacks its final target


def test_a_refused_write_gives_excel_back_as_it_was(plans: dict[str, Path]) -> None:
    """When Excel refuses the write, the old rows come back and the state is restored."""
    book = book_from_file(plans["proposed"])
    before = dict(book.sheet("Targets").values), dict(book.sheet("Targets").formulas)
    book.app._calculation = "semiautomatic"
    book.recorder.fail_on = "write Targets"
    with pytest.raises(RuntimeError, match="Excel refused write"):
        run_live(XlwingsWorkbook(book), run_split)
    assert (book.sheet("Targets").values, book.sheet("Targets").formulas) == before
    assert book.sheet("Targets").tables["tblTargets"].bottom == 5
    assert book.app.calculation == "semiautomatic" and book.app.screen_updating is True
    assert book.app.status_bar is False


def test_split_button_shows_progress_then_one_message_box(plans: dict[str, Path]) -> None:
    """In Excel, Split reports progress in the status bar, then says what it wrote."""
    book = book_from_file(plans["proposed"])
    outcome = on_action("split", ExcelHost(XlwingsWorkbook(book)))
    assert outcome.status is Status.DONE
    assert [a["prompt"] for a in book.app.alerts] == [outcome.message]
    assert book.app.alerts[0]["title"] == TITLE and book.app.alerts[0]["mode"] == "info"
    assert "Sales Goals: writing leaf targets (90%)" in book.app.status_texts
    assert book.app.status_bar is False and book.app.calculation == "automatic"


def test_problems_in_the_message_box_read_as_the_cli_prints_them(
    plans: dict[str, Path], tmp_path: Path
) -> None:
    """Check's message box holds the very lines `salesgoal check` prints (up to 20)."""
    broken = broken_plan(plans["proposed"], tmp_path)
    book = book_from_file(broken)  # before the CLI logs its problems into the file
    cli = subprocess.run(
        [sys.executable, "-m", "salesgoal_xl.cli", "check", broken.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 1, cli.stderr
    outcome = on_action("check", ExcelHost(XlwingsWorkbook(book)))
    assert outcome.status is Status.PROBLEMS
    assert outcome.message == "Check:\n" + cli.stdout.rstrip("\n")
    assert book.app.alerts[0]["mode"] == "critical"


def test_split_refused_names_the_cell_and_writes_nothing(plans: dict[str, Path]) -> None:
    """Without a final target, split names the cell to fill and leaves Excel untouched."""
    book = book_from_file(plans["demo"])
    with pytest.raises(ProblemsFound) as refused:
        run_live(XlwingsWorkbook(book), run_split)
    assert any(p.cell and p.sheet == "Target setting" for p in refused.value.problems)
    assert not [c for c in book.recorder.calls if c.startswith(("write", "resize"))]
    assert book.app.screen_updating is True and book.app.status_bar is False


def test_confirm_and_alert_are_excel_message_boxes() -> None:
    """A question is a yes/no box; an error is a critical box; both titled Sales Goals."""
    book = FakeBook("plan.xlsx")
    excel = XlwingsWorkbook(book)
    book.app.answer = "no"
    assert excel.confirm("Replace the targets?") is False
    excel.alert("broken", "error")
    assert [(a["buttons"], a["mode"], a["title"]) for a in book.app.alerts] == [
        ("yes_no", None, TITLE),
        ("ok", "critical", TITLE),
    ]


def test_a_column_of_the_users_in_targets_keeps_its_cells_on_the_rows_that_stay(
    plans: dict[str, Path],
) -> None:
    """Split rewrites tblTargets as a block but keeps a user's own column on the kept rows."""
    book = book_from_file(plans["proposed"])
    sheet = book.sheet("Targets")
    targets = sheet.tables["tblTargets"]
    note = targets.right + 1
    targets.right = note
    sheet.values[(targets.top, note)] = "My note"
    sheet.values[(targets.top + 1, note)] = "keep me"
    sheet.formulas[(targets.top + 2, note)] = "=1+1"
    targets.bottom = targets.top + 2
    run_live(XlwingsWorkbook(book), run_split)
    assert sheet.values[(targets.top + 1, note)] == "keep me"
    assert sheet.formulas[(targets.top + 2, note)] == "=1+1"
    assert (targets.top + 3, note) not in sheet.values
    assert targets.bottom > 1000 and targets.right == note


def test_split_refuses_to_grow_over_what_is_typed_below_the_table(
    plans: dict[str, Path],
) -> None:
    """A value below tblTargets stops the write before anything changes, naming its cell."""
    book = book_from_file(plans["proposed"])
    sheet = book.sheet("Targets")
    sheet.values[(100, 3)] = "my own note"
    before = dict(sheet.values), dict(sheet.formulas)
    with pytest.raises(ProblemsFound) as refused:
        run_live(XlwingsWorkbook(book), run_split)
    (problem,) = refused.value.problems
    assert (problem.code.value, problem.sheet, problem.cell) == (
        "ROWS_OUTSIDE_TABLE",
        "Targets",
        "C100",
    )
    assert (sheet.values, sheet.formulas) == before
    assert not [c for c in book.recorder.calls if c.startswith(("write", "resize"))]
    assert book.app.screen_updating is True and book.app.status_bar is False


def test_a_button_in_excel_works_on_book_caller(
    plans: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no host given, a button runs on `xw.Book.caller()` and answers in its app."""
    import xlwings as xw

    from salesgoal_xl.addin import excel

    book = book_from_file(plans["proposed"])
    monkeypatch.setattr(excel, "_active_app", lambda: book.app)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    outcome = on_action("split")
    assert outcome.status is Status.DONE, outcome.message
    assert [a["prompt"] for a in book.app.alerts] == [outcome.message]
    assert book.sheet("Targets").tables["tblTargets"].bottom > 1000


class _BookHost:
    """The ribbon's host over the double: buttons run live on it."""

    def __init__(self, book: FakeBook) -> None:
        self.book = XlwingsWorkbook(book)

    def run_on_workbook(self, command: object) -> object:
        return run_live(self.book, command)  # type: ignore[arg-type]

    def ask_new_plan(self) -> None:
        return None

    def open_workbook(self, path: Path) -> None:
        raise AssertionError(path)

    def alert(self, text: str, level: str) -> None:
        raise AssertionError((level, text))


def test_verify_reads_excels_custom_document_properties(cli_split: Path, tmp_path: Path) -> None:
    """Through Workbook.CustomDocumentProperties the live port reads the properties the file
    adapter reads, and the Verify button finds the file's approval standing."""
    from salesgoal_xl.addin.ribbon import run_action
    from salesgoal_xl.commands.approvals import run_approve

    plan = tmp_path / "approved.xlsx"
    shutil.copy(cli_split, plan)
    run_approve(PackagePort(plan), "team:N1", "Ann Lee")
    on_file = PackagePort(plan).properties()
    book = book_from_file(plan)
    assert LivePort(XlwingsWorkbook(book)).properties() == on_file
    outcome = run_action("verify", _BookHost(book))
    assert outcome.status is Status.DONE, outcome.message
    assert "APR-001 team:N1 by Ann Lee" in outcome.message and "holds" in outcome.message


def test_approve_button_writes_excels_custom_document_properties(
    cli_split: Path, tmp_path: Path
) -> None:
    """An approver and scope typed into tblApprovals in the double, the Approve button run:
    the fingerprint `salesgoal approve` gives the same scope on file lands in the row, in a new
    CustomDocumentProperties item (added as Excel's Add takes it) and in the Guide's
    PlanFingerprint cell (through the defined name)."""
    from salesgoal_xl.addin.ribbon import run_action
    from salesgoal_xl.commands.approvals import run_approve

    cli_copy = tmp_path / "cli.xlsx"
    shutil.copy(cli_split, cli_copy)
    run_approve(PackagePort(cli_copy), "team:N1", "Ann Lee")
    on_file = PackagePort(cli_copy).properties()["Approval APR-001"]
    book = book_from_file(cli_split)
    sheet = next(s for s in book.sheets if "tblApprovals" in {t.name for t in s.tables})
    log = sheet.tables["tblApprovals"]
    headers = [sheet.values.get((log.top, c)) for c in range(log.left, log.right + 1)]
    sheet.values[(log.top + 1, log.left + headers.index("Approver"))] = "Ann Lee"
    sheet.values[(log.top + 1, log.left + headers.index("Scope"))] = "team:N1"
    outcome = run_action("approve", _BookHost(book))
    assert outcome.status is Status.DONE, outcome.message
    assert outcome.message.startswith("APR-001: Ann Lee approved team:N1")
    added = {p.Name: p for p in book.api.CustomDocumentProperties}["Approval APR-001"]
    assert (added.Value, added.Type) == (on_file, 4)
    assert sheet.values[(log.top + 1, log.left + headers.index("Fingerprint"))] == on_file
    guide = next(n for n in book.names if n.name == "PlanFingerprint").refers_to_range
    assert on_file in guide.sheet.values[(guide.top, guide.left)]
    assert LivePort(XlwingsWorkbook(book)).properties()["Approval APR-001"] == on_file


def test_a_live_split_that_changes_the_numbers_makes_the_next_plan_version(
    cli_split: Path,
) -> None:
    """Split pressed again after the final target changed moves leaf targets that existed:
    the live port records plan version 2 in the document properties and on the Guide, as the
    file adapters do (before, the live port could not set properties and the press failed)."""
    book = book_from_file(cli_split)
    assert LivePort(XlwingsWorkbook(book)).properties()["PlanVersion"] == 1
    proposal = LivePort(XlwingsWorkbook(book)).read_table("tblProposal")
    cell = proposal.cell(0, "final_target")
    sheet = book.sheet(proposal.sheet)
    col, row = range_boundaries(cell)[:2]
    sheet.values[(row, col)] = float(sheet.values[(row, col)]) + 100_000
    run_live(XlwingsWorkbook(book), run_split)
    assert LivePort(XlwingsWorkbook(book)).properties()["PlanVersion"] == 2
    guide = next(n for n in book.names if n.name == "PlanVersion").refers_to_range
    assert guide.sheet.values[(guide.top, guide.left)] == 2
