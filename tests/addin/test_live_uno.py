"""The live path on a real spreadsheet engine: split and check run in headless LibreOffice
through UNO leave the same tables, and report the same problems, as the CLI on the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesgoal_xl.addin.live_uno import UnoWorkbook, api_formula, excel_formula
from salesgoal_xl.addin.ribbon import Status, run_action
from salesgoal_xl.commands.check import run_check
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import Problem, ProblemsFound
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.live import LiveBlock, LivePort, LiveTable, run_live
from salesgoal_xl.workbook.schema import TABLES
from tests import libreoffice
from tests.addin.live_plans import broken_plan

pytestmark = pytest.mark.libreoffice


def salesgoal(*args: str) -> subprocess.CompletedProcess[str]:
    """The `salesgoal` CLI, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "salesgoal_xl.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def office() -> Iterator[libreoffice.HeadlessOffice]:
    """One private headless soffice for the module, killed at the end whatever happens."""
    libreoffice.soffice()
    running = libreoffice.HeadlessOffice()
    try:
        yield running.start()
    finally:
        running.close()


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The split demo plan: `salesgoal demo X --force; salesgoal propose X --final base`."""
    plan = tmp_path_factory.mktemp("demo") / "plan.xlsx"
    for args in (("demo", str(plan), "--force"), ("propose", str(plan), "--final", "base")):
        done = salesgoal(*args)
        assert done.returncode == 0, done.stderr
    return plan


def open_book(office: libreoffice.HeadlessOffice, path: Path) -> tuple[Any, UnoWorkbook]:
    document = office.load(path)
    return document, UnoWorkbook(document)


def all_tables(book: UnoWorkbook) -> dict[str, LiveTable]:
    """Every table of the document, values as Calc computed them."""
    return {name: book.read_table(name) for name in book.table_names()}


def assert_same_tables(live: dict[str, LiveTable], cli: dict[str, LiveTable]) -> None:
    """Equal table by table, cell by cell (values, and which cells hold formulas)."""
    assert sorted(live) == sorted(cli)
    for name in sorted(live):
        a, b = live[name], cli[name]
        assert (a.sheet, a.top, a.left, a.ref) == (b.sheet, b.top, b.left, b.ref), name
        assert len(a.values) == len(b.values), name
        for r, (row_a, row_b) in enumerate(zip(a.values, b.values, strict=True)):
            assert list(row_a) == list(row_b), f"{name} row {r}: {row_a} != {row_b}"
        assert sorted(a.formulas) == sorted(b.formulas), name


def problem_rows(problems: list[Problem] | list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Problems as comparable rows: severity, code, sheet, cell, message."""
    rows = []
    for p in problems:
        if isinstance(p, Problem):
            rows.append((p.severity.value, p.code.value, p.sheet, p.cell, p.message))
        else:
            rows.append((p["severity"], p["code"], p["sheet"], p["cell"], p["message"]))
    return sorted(rows)


def cli_problems(path: Path) -> list[dict[str, Any]]:
    done = salesgoal("check", str(path), "--json")
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["problems"])


def test_split_and_check_live_leave_the_tables_the_cli_leaves(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """Split then check, run live in LibreOffice, leave every table as the CLI leaves the file."""
    cli_copy, live_copy = tmp_path / "cli.xlsx", tmp_path / "live.xlsx"
    shutil.copy(demo_plan, cli_copy)
    shutil.copy(demo_plan, live_copy)
    assert salesgoal("split", str(cli_copy)).returncode == 0
    cli_check = cli_problems(cli_copy)

    live_doc, book = open_book(office, live_copy)
    cli_doc, cli_book = open_book(office, cli_copy)
    try:
        before = book.read_table("tblTargets")
        summary = run_live(book, run_split)
        outcome = run_live(book, run_check)
        assert summary.leaf_rows > 1000 and len(before.values) == 2  # it did write a table
        assert problem_rows(outcome.problems) == problem_rows(cli_check)
        assert_same_tables(all_tables(book), all_tables(cli_book))
        assert book.calculation_automatic and not book.controllers_locked
        assert book.status_log[-1] is None  # the status bar is Calc's again
        assert any("writing leaf targets" in (s or "") for s in book.status_log)
    finally:
        live_doc.close(True)
        cli_doc.close(True)


def test_check_live_reports_the_problems_the_cli_reports(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """On a plan with broken cells, check live names the same problems at the same cells."""
    broken = broken_plan(demo_plan, tmp_path)
    live_copy = tmp_path / "broken-live.xlsx"
    shutil.copy(broken, live_copy)
    expected = cli_problems(broken)
    assert {"NOT_A_NUMBER", "NUMBER_AS_TEXT", "LOCALE_NUMBER", "FORMULA_IN_INPUT"} <= {
        p["code"] for p in expected
    }
    document, book = open_book(office, live_copy)
    try:
        outcome = run_live(book, run_check)
        assert problem_rows(outcome.problems) == problem_rows(expected)
        assert outcome.written
        logged = book.read_table("tblChecks").values
        assert len(logged) - 1 == len(expected)
        assert {row[1] for row in logged[1:]} == {p["code"] for p in expected}
    finally:
        document.close(True)


def test_split_refused_live_writes_nothing_and_restores_calc(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """A split the inputs refuse names the cells, writes nothing and gives Calc back as it was."""
    broken = broken_plan(demo_plan, tmp_path)
    document, book = open_book(office, broken)
    try:
        before = all_tables(book)
        with pytest.raises(ProblemsFound) as refused:
            run_live(book, run_split)
        cells = {(p.sheet, p.cell) for p in refused.value.problems}
        assert ("Settings", _cell_of(before["tblReps"], 1, "Capacity")) in cells
        assert_same_tables(all_tables(book), before)
        assert book.calculation_automatic and not book.controllers_locked
        assert book.status_log[-1] is None
    finally:
        document.close(True)


class FailsAfterWriting:
    """A live workbook whose first table write goes into Calc and then fails (as a program
    failing half-way through would): the port must put the old rows back."""

    def __init__(self, book: UnoWorkbook) -> None:
        self.book = book
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.book, name)

    @property
    def name(self) -> str:
        return self.book.name

    def write_table(self, name: str, block: LiveBlock) -> None:
        self.book.write_table(name, block)
        if not self.failed:
            self.failed = True
            raise RuntimeError("Calc stopped answering")


def test_a_write_failing_half_way_leaves_the_table_as_it_was(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """When the program fails during the write, the table gets its old rows back."""
    copy = tmp_path / "fails.xlsx"
    shutil.copy(demo_plan, copy)
    document, book = open_book(office, copy)
    try:
        before = all_tables(book)
        failing = FailsAfterWriting(book)
        with pytest.raises(RuntimeError, match="stopped answering"):
            run_live(failing, run_split)
        assert failing.failed
        assert_same_tables(all_tables(book), before)
        assert book.calculation_automatic and not book.controllers_locked
        assert book.status_log[-1] is None
    finally:
        document.close(True)


def _cell_of(table: LiveTable, row: int, header: str) -> str:
    """The A1 address of data row `row` (0-based) under `header`."""
    from salesgoal_xl.workbook.package import column_letter

    column = list(table.values[0]).index(header)
    return f"{column_letter(table.left + column)}{table.top + 1 + row}"


def test_formulas_cross_between_excel_and_calc_grammar() -> None:
    """Argument separators swap outside string literals only, both ways."""
    excel = '=IF(OR(N(C5)=0,I5=""),"a,b",I5/C5)'
    assert api_formula(excel) == '=IF(OR(N(C5)=0;I5="");"a,b";I5/C5)'
    assert excel_formula(api_formula(excel)) == excel


def test_every_schema_table_is_a_database_range(
    office: libreoffice.HeadlessOffice, demo_plan: Path
) -> None:
    """Calc shows each Excel table of a plan as a database range of the same name."""
    document, book = open_book(office, demo_plan)
    try:
        assert {t.name for t in TABLES} <= set(book.table_names())
        assert book.name == "plan.xlsx"
    finally:
        document.close(True)


def test_split_live_refuses_to_grow_over_a_value_below_the_table(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """A note typed below tblTargets in Calc stops split before it writes, at that cell."""
    copy = tmp_path / "note.xlsx"
    shutil.copy(demo_plan, copy)
    document, book = open_book(office, copy)
    try:
        document.Sheets.getByName("Targets").getCellRangeByName("D40").setString("my note")
        before = all_tables(book)
        with pytest.raises(ProblemsFound) as refused:
            run_live(book, run_split)
        assert [(p.code.value, p.sheet, p.cell) for p in refused.value.problems] == [
            ("ROWS_OUTSIDE_TABLE", "Targets", "D40")
        ]
        assert_same_tables(all_tables(book), before)
        assert book.calculation_automatic and not book.controllers_locked
        assert book.status_log[-1] is None
    finally:
        document.close(True)


def test_split_live_sizes_the_rows_of_a_table_with_reasons(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """Rows squeezed by hand on Rep plan get their optimal height back when split writes
    tblRepPlan live (its reasons wrap): the longest reason's row is taller than one line; and
    the rows the tables grow into have their first row's cell style."""
    copy = tmp_path / "rows.xlsx"
    shutil.copy(demo_plan, copy)
    document, book = open_book(office, copy)
    try:
        sheet = document.Sheets.getByName(book.read_table("tblRepPlan").sheet)
        rows = sheet.getRows()
        for index in range(4, 80):
            row = rows.getByIndex(index)
            row.OptimalHeight, row.Height = False, 250  # 2.5 mm: squeezed by hand
        run_live(book, run_split)
        written = book.read_table("tblRepPlan")
        header = [str(v) for v in written.values[0]]
        reason = header.index(schema.TABLES_BY_NAME["tblRepPlan"].column("reason").label.en)
        data = written.values[1:]
        longest = max(range(len(data)), key=lambda i: len(str(data[i][reason] or "")))
        assert len(str(data[longest][reason])) > 60
        heights = [rows.getByIndex(written.top + i) for i in range(len(data))]  # top is 1-based
        assert all(row.OptimalHeight for row in heights)
        shortest = min(range(len(data)), key=lambda i: len(str(data[i][reason] or "")))
        assert heights[longest].Height > 1.5 * heights[shortest].Height > 1.5 * 250
        assert rows.getByIndex(written.top + len(data) + 5).Height == 250  # below: left alone
        # The rows both tables grew into look like their first row: the reasons wrap, the
        # targets carry the money format (a database range does not extend formats itself).
        first_reason = sheet.getCellByPosition(written.left - 1 + reason, written.top)
        assert first_reason.IsTextWrapped
        for i in range(len(data)):
            cell = sheet.getCellByPosition(written.left - 1 + reason, written.top + i)
            assert cell.CellStyle == first_reason.CellStyle, i
        targets = book.read_table("tblTargets")
        target = [str(v) for v in targets.values[0]].index("Target")
        on_targets = document.Sheets.getByName(targets.sheet)
        styles = {
            on_targets.getCellByPosition(targets.left - 1 + target, targets.top + i).CellStyle
            for i in range(len(targets.values) - 1)
        }
        assert len(targets.values) > 1000 and styles == {"sg out #,##0;-#,##0"}
    finally:
        document.close(True)


def test_propose_live_leaves_the_tables_the_cli_leaves(
    office: libreoffice.HeadlessOffice, tmp_path: Path
) -> None:
    """Propose with a final target, run live in LibreOffice, writes what the CLI writes."""
    fresh, cli_copy = tmp_path / "fresh.xlsx", tmp_path / "cli.xlsx"
    assert salesgoal("demo", str(fresh), "--force").returncode == 0
    shutil.copy(fresh, cli_copy)
    assert salesgoal("propose", str(cli_copy), "--final", "base").returncode == 0
    live_doc, book = open_book(office, fresh)
    cli_doc, cli_book = open_book(office, cli_copy)
    try:
        summary = run_live(book, lambda port: run_propose(port, final="base"))
        assert summary is not None and summary.written
        assert_same_tables(all_tables(book), all_tables(cli_book))
        assert book.calculation_automatic and not book.controllers_locked
    finally:
        live_doc.close(True)
        cli_doc.close(True)


class UnoHost:
    """The ribbon's host over a document open in LibreOffice: buttons run on it live."""

    def __init__(self, book: UnoWorkbook) -> None:
        self.book = book
        self.alerts: list[tuple[str, str]] = []

    def run_on_workbook(self, command: Any) -> Any:
        return run_live(self.book, command)

    def ask_new_plan(self) -> None:
        return None

    def open_workbook(self, path: Path) -> None:
        raise AssertionError(f"verify opens nothing ({path})")

    def alert(self, text: str, level: str) -> None:
        self.alerts.append((level, text))


def test_verify_live_reads_the_document_properties_and_names_the_changed_cell(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """A plan split and approved on file (region:NORTH), opened in LibreOffice: the Verify
    button says the approval holds, reading its fingerprint from the document properties Calc
    loaded; after one NORTH target is typed over in Calc, Verify reports APPROVAL_BROKEN at that
    cell, and Check run live lists the same problem there."""
    plan = tmp_path / "approved.xlsx"
    shutil.copy(demo_plan, plan)
    assert salesgoal("split", str(plan)).returncode == 0
    done = salesgoal("approve", str(plan), "--scope", "region:NORTH", "--by", "Ann Lee")
    assert done.returncode == 0, done.stderr
    document, book = open_book(office, plan)
    try:
        props = LivePort(book).properties()
        assert str(props["PlanId"]) and props["PlanVersion"] == 1
        held = run_action("verify", UnoHost(book))
        assert held.status is Status.DONE, held.message
        assert "1 of 1 approval(s) hold" in held.message
        assert "APR-001 region:NORTH by Ann Lee" in held.message

        targets = book.read_table("tblTargets")
        region = list(targets.values[0]).index("Region")
        target = list(targets.values[0]).index("Target")
        row = next(i for i, r in enumerate(targets.values[1:]) if r[region] == "NORTH")
        cell = _cell_of(targets, row, "Target")
        sheet = document.Sheets.getByName(targets.sheet)
        sheet.getCellRangeByName(cell).setValue(float(targets.values[1 + row][target]) + 100)

        broken = run_action("verify", UnoHost(book))
        assert broken.status is Status.PROBLEMS, broken.message
        assert "NO LONGER HOLDS" in broken.message
        assert f"Targets!{cell}: APPROVAL_BROKEN" in broken.message
        checked = run_live(book, run_check)
        assert ("APPROVAL_BROKEN", "Targets", cell) in {
            (p.code.value, p.sheet, p.cell) for p in checked.problems
        }
    finally:
        document.close(True)


def test_import_actuals_button_live_imports_the_file_named_in_settings(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """In LibreOffice: the path typed into Settings' 'Import actuals from (file)' cell, the
    Import actuals button run live; tblActuals is what `salesgoal import-actuals` writes into
    the same plan on file."""
    plan, cli_copy, deals = tmp_path / "live.xlsx", tmp_path / "cli.xlsx", tmp_path / "deals.csv"
    shutil.copy(demo_plan, plan)
    assert salesgoal("split", str(plan)).returncode == 0
    done = salesgoal("demo-actuals", str(plan), str(deals), "--months", "3")
    assert done.returncode == 0, done.stderr
    shutil.copy(plan, cli_copy)
    done = salesgoal("import-actuals", str(cli_copy), str(deals))
    assert done.returncode == 0, done.stderr
    document, book = open_book(office, plan)
    cli_doc, cli_book = open_book(office, cli_copy)
    try:
        settings = book.read_table("tblSettings")
        label = schema.SETTINGS_BY_KEY["actuals_file"].label.en
        row = next(i for i, r in enumerate(settings.values[1:]) if r[0] == label)
        sheet = document.Sheets.getByName(settings.sheet)
        sheet.getCellRangeByName(_cell_of(settings, row, "Value")).setString(str(deals))
        outcome = run_action("import_actuals", UnoHost(book))
        assert outcome.status is Status.DONE, outcome.message
        assert "export rows imported into tblActuals" in outcome.message
        assert_same_tables(
            {"tblActuals": book.read_table("tblActuals")},
            {"tblActuals": cli_book.read_table("tblActuals")},
        )
        assert book.calculation_automatic and not book.controllers_locked
    finally:
        document.close(True)
        cli_doc.close(True)


def _store_xlsx(document: Any, path: Path) -> None:
    """Save the open document as xlsx, as Excel's File > Save would."""
    from com.sun.star.beans import PropertyValue

    kind = PropertyValue()
    kind.Name, kind.Value = "FilterName", "Calc MS Excel 2007 XML"
    document.storeToURL(path.as_uri(), (kind,))


def test_approve_button_live_records_the_typed_approval_as_the_cli_does(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """In LibreOffice: an approver and scope typed into tblApprovals, the Approve button run
    live. The row gets the id and the fingerprint `salesgoal approve` gives the same scope on
    file, the numbers approved are the CLI's, the fingerprint is in the document properties and
    on the Guide, and once saved the file's approval holds for `verify` on file."""
    from salesgoal_xl.commands.approvals import run_verify
    from salesgoal_xl.workbook.package_port import PackagePort

    plan, cli_copy, saved = tmp_path / "live.xlsx", tmp_path / "cli.xlsx", tmp_path / "saved.xlsx"
    shutil.copy(demo_plan, plan)
    assert salesgoal("split", str(plan)).returncode == 0
    shutil.copy(plan, cli_copy)
    done = salesgoal("approve", str(cli_copy), "--scope", "region:NORTH", "--by", "Bo Chen")
    assert done.returncode == 0, done.stderr
    on_file = PackagePort(cli_copy).properties()["Approval APR-001"]
    document, book = open_book(office, plan)
    cli_doc, cli_book = open_book(office, cli_copy)
    try:
        log = book.read_table("tblApprovals")
        sheet = document.Sheets.getByName(log.sheet)
        sheet.getCellRangeByName(_cell_of(log, 0, "Approver")).setString("Bo Chen")
        sheet.getCellRangeByName(_cell_of(log, 0, "Scope")).setString("region:NORTH")
        outcome = run_action("approve", UnoHost(book))
        assert outcome.status is Status.DONE, outcome.message
        assert outcome.message.startswith("APR-001: Bo Chen approved region:NORTH of version 1")
        assert LivePort(book).properties()["Approval APR-001"] == on_file
        row = book.read_table("tblApprovals").values[1]
        headers = list(book.read_table("tblApprovals").values[0])
        assert row[headers.index("Fingerprint")] == on_file
        assert row[headers.index("Status")] == "approved"
        assert_same_tables(
            {"tblApprovedNumbers": book.read_table("tblApprovedNumbers")},
            {"tblApprovedNumbers": cli_book.read_table("tblApprovedNumbers")},
        )
        guide = document.NamedRanges.getByName("PlanFingerprint").getReferredCells()
        assert on_file in guide.getCellByPosition(0, 0).getString()
        _store_xlsx(document, saved)
    finally:
        document.close(True)
        cli_doc.close(True)
    verified = run_verify(PackagePort(saved))
    assert [(r.approval_id, r.holds) for r in verified.results] == [("APR-001", True)]


def _type_setting(document: Any, book: UnoWorkbook, key: str, value: str) -> None:
    settings = book.read_table("tblSettings")
    label = schema.SETTINGS_BY_KEY[key].label.en
    row = next(i for i, r in enumerate(settings.values[1:]) if r[0] == label)
    sheet = document.Sheets.getByName(settings.sheet)
    sheet.getCellRangeByName(_cell_of(settings, row, "Value")).setString(value)


def test_export_and_collect_buttons_live_do_what_the_cli_does(
    office: libreoffice.HeadlessOffice, demo_plan: Path, tmp_path: Path
) -> None:
    """In LibreOffice, with the folder typed in Settings: Export copies writes the copies
    `salesgoal export` writes (same files, same fingerprints); pressed again it asks before
    replacing them and a no keeps them; Collect returns merges a commit typed into one copy
    into tblCommits and tblReconciliation exactly as `salesgoal collect` does on file."""
    from salesgoal_xl.workbook.identity import EXPORT_FINGERPRINT, file_properties
    from tests.commands.roundtrip_files import edit_cells, read_table

    plan, cli_plan = tmp_path / "live.xlsx", tmp_path / "cli" / "plan.xlsx"
    out, cli_out = tmp_path / "copies", tmp_path / "cli-copies"
    out.mkdir(), cli_plan.parent.mkdir()
    shutil.copy(demo_plan, plan)
    assert salesgoal("split", str(plan)).returncode == 0
    shutil.copy(plan, cli_plan)
    done = salesgoal("export", str(cli_plan), "--by", "region", "--out", str(cli_out))
    assert done.returncode == 0, done.stderr
    document, book = open_book(office, plan)
    try:
        _type_setting(document, book, "export_folder", str(out))
        exported = run_action("export", UnoHost(book))
        assert exported.status is Status.DONE, exported.message
        names = sorted(p.name for p in cli_out.glob("*.xlsx"))
        assert sorted(p.name for p in out.glob("*.xlsx")) == names and len(names) == 4
        assert exported.message.startswith(f"4 copies written to {out}, one per region:")
        for name in names:
            live, cli = file_properties(out / name), file_properties(cli_out / name)
            assert live[EXPORT_FINGERPRINT] == cli[EXPORT_FINGERPRINT], name
        before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.xlsx")}
        refusing = UnoWorkbook(document, answer=False)
        kept = run_action("export", UnoHost(refusing))
        assert kept.status is Status.CANCELLED and "Replace them?" in refusing.questions[0]
        assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.xlsx")} == before

        north = next(out.glob("*NORTH*.xlsx"))
        cell = read_table(north, "tblCommits").cell(0, "commit")
        edit_cells(north, "tblCommits", {cell: 70_000})
        shutil.copy(north, cli_out / north.name)
        done = salesgoal("collect", str(cli_plan), str(cli_out / north.name))
        assert done.returncode == 0, done.stderr
        collected = run_action("collect", UnoHost(book))
        assert collected.status is Status.DONE, collected.message
        assert "2 change(s) on the Commits sheet" in collected.message  # commit and who
        assert f"{north.name}: Commits!{cell} (blank) -> 70,000 (NORTH)" in collected.message
        cli_doc, cli_book = open_book(office, cli_plan)
        try:
            assert_same_tables(
                {n: book.read_table(n) for n in ("tblCommits", "tblReconciliation")},
                {n: cli_book.read_table(n) for n in ("tblCommits", "tblReconciliation")},
            )
        finally:
            cli_doc.close(True)
    finally:
        document.close(True)
