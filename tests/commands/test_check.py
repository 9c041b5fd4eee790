"""`salesgoal check`: exit codes, the line format, JSON, the Checks table, and files left alone."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.check import LATER_STEPS, STEPS_AHEAD, check_workbook, run_check
from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.builder import build_workbook as build_template
from salesgoal_xl.workbook.door import BACKUP_DIR
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table, read_table
from tests.workbook.bad_tables import BAD_TABLE_CASES, build_workbook, good_plan, write_bad_tables

runner = CliRunner()
TEMPLATES = Path(__file__).resolve().parents[2] / "workbook_templates"
LINE = re.compile(r"^(?P<path>[^:]+\.xlsx):(?P<where>[^:]+): (?P<code>[A-Z_0-9]+) .+ \(.+\)$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    build_workbook().save(path)
    return path


def _bad_plan() -> dict[str, list[dict[str, object]]]:
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "1.000,50"
    plan["tblReps"][0]["team"] = "T9"
    return plan


def _bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.xlsx"
    build_workbook(_bad_plan()).save(path)
    return path


def test_clean_workbook_exits_zero(tmp_path: Path) -> None:
    """A clean workbook exits 0 and says so."""
    result = runner.invoke(app, ["check", str(_good(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_problems_exit_one_with_jumpable_lines(tmp_path: Path) -> None:
    """Problems exit 1, one `PATH:Sheet!Cell: CODE message (hint)` line each, grouped, counted."""
    path = _bad(tmp_path)
    result = runner.invoke(app, ["check", str(path), "--no-write"])
    assert result.exit_code == 1, result.output
    lines = [m for m in map(LINE.match, result.output.splitlines()) if m]
    where = {m["code"]: m["where"] for m in lines}
    assert len(lines) == 2 and where["LOCALE_NUMBER"] == "History!E3"
    assert re.fullmatch(r"Settings!C\d+", where["UNKNOWN_CODE"])
    assert all(m["path"] == str(path) for m in lines)
    assert "error LOCALE_NUMBER (1)" in result.output
    assert "2 error(s), 0 warning(s)" in result.output


def test_warnings_alone_also_exit_one(tmp_path: Path) -> None:
    """A workbook with only warnings (a number stored as text) is not clean: exit 1."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "40100"
    path = tmp_path / "warn.xlsx"
    build_workbook(plan).save(path)
    result = runner.invoke(app, ["check", str(path), "--no-write"])
    assert result.exit_code == 1
    assert "0 error(s), 1 warning(s)" in result.output


def test_json_output_lists_every_problem(tmp_path: Path) -> None:
    """--json prints one JSON document with counts and each problem's code and cell."""
    result = runner.invoke(app, ["check", str(_bad(tmp_path)), "--json", "--no-write"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] == 2 and report["warnings"] == 0
    assert {p["code"] for p in report["problems"]} == {"LOCALE_NUMBER", "UNKNOWN_CODE"}
    assert {"sheet", "cell", "message", "hint", "severity"} <= set(report["problems"][0])


def test_problems_are_written_into_tbl_checks(tmp_path: Path) -> None:
    """Without --no-write, the problems land in tblChecks, worst first, and a backup is kept."""
    path = _bad(tmp_path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    checks = read_table(load_workbook(path), "tblChecks").data.frame
    assert list(checks["code"]) == ["LOCALE_NUMBER", "UNKNOWN_CODE"]
    assert checks.at[0, "cell"] == "E3" and checks.at[0, "sheet"] == "History"
    assert list((tmp_path / BACKUP_DIR).iterdir())


def test_an_unchanged_log_is_not_rewritten(tmp_path: Path) -> None:
    """Checking again with the same result leaves the file (and its backups) alone."""
    path = _bad(tmp_path)
    check_workbook(path)
    before = _digest(path)
    check_workbook(path)
    assert _digest(path) == before
    assert len(list((tmp_path / BACKUP_DIR).iterdir())) == 1


def test_user_sheet_extra_column_and_chart_survive_the_log_write(tmp_path: Path) -> None:
    """Writing tblChecks keeps a user's own sheet, chart and extra table column."""
    wb = build_workbook(_bad_plan())
    mine = wb.create_sheet("My notes")
    mine["A1"], mine["A2"], mine["A3"] = "quarter", 1, 2
    chart = BarChart()
    chart.add_data(Reference(mine, min_col=1, min_row=1, max_row=3), titles_from_data=True)
    mine.add_chart(chart, "C2")
    wb["Checks"]["G2"] = "Owner"  # a column the user added to tblChecks
    found = find_table(wb, "tblChecks")
    assert found is not None
    found[1].ref = found[1].ref.replace("F", "G")
    path = tmp_path / "mine.xlsx"
    wb.save(path)
    assert run_check(path).written
    again = load_workbook(path)
    assert again["My notes"]["A3"].value == 2 and len(again["My notes"]._charts) == 1
    assert "Owner" in read_table(again, "tblChecks").extra_columns


def test_a_second_run_reports_the_same_and_a_fixed_file_clears_the_log(tmp_path: Path) -> None:
    """The logged problems do not feed back into the next run; a clean run empties tblChecks."""
    path = _bad(tmp_path)
    first = check_workbook(path)
    assert [p.code for p in check_workbook(path)] == [p.code for p in first]
    good = _good(tmp_path)
    assert check_workbook(good) == []
    assert read_table(load_workbook(good), "tblChecks").data.frame.empty


def test_no_write_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    """--no-write never touches the file."""
    path = _bad(tmp_path)
    before = _digest(path)
    runner.invoke(app, ["check", str(path), "--no-write"])
    assert _digest(path) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [("renamed.xlsx", b"Rep ID,Team\nR1,T1\n"), ("junk.xlsx", b"\x00\x01garbage" * 50)],
)
def test_unreadable_file_exits_two_and_is_not_written(
    tmp_path: Path, name: str, content: bytes
) -> None:
    """A file that cannot be read at all exits 2, prints its problem and stays unchanged."""
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert "Traceback" not in result.output


def test_missing_file_exits_two(tmp_path: Path) -> None:
    """A path that does not exist exits 2 with FILE_NOT_FOUND."""
    result = runner.invoke(app, ["check", str(tmp_path / "nope.xlsx"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["code"] == "FILE_NOT_FOUND"


def test_check_runs_on_any_port_and_logs_through_it() -> None:
    """check_workbook works on a MemoryPort and writes tblChecks through the port."""
    frames = {
        name: pd.DataFrame(rows, columns=list(schema.table(name).keys))
        for name, rows in good_plan().items()
    }
    for spec in schema.TABLES:
        frames.setdefault(spec.name, pd.DataFrame(columns=list(spec.keys)))
    frames["tblKpis"].loc[0, "weight"] = 0.9
    port = MemoryPort(frames)
    outcome = run_check(port)
    assert [p.code for p in outcome.problems] == [ProblemCode.SHARES_NOT_100]
    assert outcome.written and port.commits == 1
    assert list(port.tables["tblChecks"]["code"]) == ["SHARES_NOT_100"]


def test_every_bad_table_file_gives_its_code_and_stays_unchanged(tmp_path: Path) -> None:
    """Each data-level corpus file exits 1 with its code, no traceback, the file untouched."""
    files = write_bad_tables(tmp_path)
    assert len(files) == len(BAD_TABLE_CASES)
    for path, code in files.items():
        before = _digest(path)
        result = runner.invoke(app, ["check", str(path), "--no-write", "--json"])
        assert result.exit_code == 1, (path.name, result.output)
        assert code.value in {p["code"] for p in json.loads(result.stdout)["problems"]}, path
        assert _digest(path) == before


def test_file_level_corpus_gives_its_code_without_traceback(tmp_path: Path) -> None:
    """Every file of the hostile/broken corpus is reported by code, never with a traceback."""
    corpus = pytest.importorskip("tests.workbook.corpus")
    built = corpus.build_corpus(tmp_path / "corpus")
    assert len(built) + len(BAD_TABLE_CASES) >= 35
    for name, (path, code) in built.items():
        before = _digest(path) if path.exists() else None
        result = runner.invoke(app, ["check", str(path), "--no-write", "--json"])
        assert result.exit_code in (0, 1, 2), (name, result.output)
        assert "Traceback" not in result.output
        if code is not None and corpus.STAGE.get(name) != "door":
            codes = {p["code"] for p in json.loads(result.stdout)["problems"]}
            assert code.value in codes, (name, codes)
        if before is not None:
            assert _digest(path) == before, name


@pytest.mark.parametrize("lang", schema.LANGUAGES)
@pytest.mark.parametrize("first_month", [1, 4])
def test_built_templates_check_clean(tmp_path: Path, lang: str, first_month: int) -> None:
    """A template fresh from the builder has nothing wrong in every language and fiscal
    calendar: only the steps still to do, which make check exit 1 (not ready to split)."""
    path = tmp_path / f"template-{lang}.xlsx"
    build_template(lang, fiscal_year=2026, first_month=first_month).save(path)
    _assert_only_steps_ahead(path)


def _assert_only_steps_ahead(path: Path) -> None:
    result = runner.invoke(app, ["check", str(path), "--no-write", "--json"])
    problems = json.loads(result.stdout)["problems"]
    assert problems, result.output
    assert {(p["severity"], p["code"]) for p in problems} <= {
        ("info", code.value) for code in STEPS_AHEAD | LATER_STEPS
    }, result.output
    assert result.exit_code == 1, result.output


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.xlsx")), ids=lambda p: p.name)
def test_shipped_templates_check_clean(path: Path) -> None:
    """Every template in workbook_templates/ has nothing wrong, only steps still to do."""
    _assert_only_steps_ahead(path)
