"""`check` is the commands' dry run: what propose or split refuse, check reports first.

Two families: the hand-edited plans that used to disagree (a named problem at the right cell
from check and from the command alike), and generated single-cell edits of the demo.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.check import STEPS_AHEAD, run_check
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, Severity
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table

runner = CliRunner()


@pytest.fixture(scope="module")
def split_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's workbook after demo, propose --final base and split."""
    path = tmp_path_factory.mktemp("agree") / "demo.xlsx"
    for args in (["demo", str(path)], ["propose", str(path), "--final", "base"]):
        assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, ["split", str(path)]).exit_code == 0
    return path


# --- the cases that used to disagree -------------------------------------------------------


def _cell(wb: Any, name: str, header: str, row_matches: Callable[..., bool] | None = None) -> Any:
    """The openpyxl cell of column `header` in the first data row of `name` that matches."""
    ws, tbl = find_table(wb, name)
    c1, r1, c2, r2 = range_boundaries(str(tbl.ref))
    columns = {ws.cell(r1, c).value: c for c in range(c1, c2 + 1)}
    for row in range(r1 + 1, r2 + 1):
        if row_matches is None or row_matches(ws, row, columns):
            return ws.cell(row, columns[header])
    raise AssertionError(f"no matching row in {name}")


def _company(ws: Worksheet, row: int, columns: dict[str, int]) -> bool:
    return str(ws.cell(row, columns["Scope"]).value).casefold() == "company"


def _fiscal_year(ws: Worksheet, row: int, columns: dict[str, int]) -> bool:
    return bool(ws.cell(row, columns["Setting"]).value == "Fiscal year")


def _duplicate_fiscal_year(wb: Any) -> str:
    ws, tbl = find_table(wb, "tblSettings")
    c1, r1, c2, r2 = range_boundaries(str(tbl.ref))
    label = _cell(wb, "tblSettings", "Setting", _fiscal_year)
    ws.cell(r2 + 1, label.column, "Fiscal year")
    ws.cell(r2 + 1, label.column + 1, 2031)
    tbl.ref = f"{ws.cell(r1, c1).coordinate}:{ws.cell(r2 + 1, c2).coordinate}"
    return ws.cell(r2 + 1, label.column + 1).coordinate


def _set(name: str, header: str, value: object, matches: Callable[..., bool] | None = None) -> Any:
    def edit(wb: Any) -> str:
        cell = _cell(wb, name, header, matches)
        cell.value = value
        return str(cell.coordinate)

    return edit


CASES = {
    # a setting typed twice: both name the second cell (check read the first, split the last)
    "duplicate setting": (_duplicate_fiscal_year, ProblemCode.BAD_SETTING, ("propose", "split")),
    # propose exited 3 (internal error) on a locale-formatted target
    "locale final target": (
        _set("tblProposal", "Final target", "62.481.800,50", _company),
        ProblemCode.LOCALE_NUMBER,
        ("propose", "split"),
    ),
    # check was clean while split refused; propose cut the cents off
    "final target with cents": (
        _set("tblProposal", "Final target", 62_481_800.89, _company),
        ProblemCode.NOT_WHOLE_UNITS,
        ("propose", "split"),
    ),
    # a whole amount between rounding units (unit 100): split refused it as SPLIT_INFEASIBLE
    "final target between rounding units": (
        _set("tblProposal", "Final target", 62_481_850, _company),
        ProblemCode.NOT_WHOLE_UNITS,
        ("split",),
    ),
    # check was clean; propose said NO_HISTORY without a cell
    "market share above 100%": (
        _set("tblMarket", "Target share", 1.5),
        ProblemCode.OUT_OF_RANGE,
        ("propose",),
    ),
    # check was clean; split failed without naming the cell
    "negative capacity": (
        _set("tblReps", "Capacity", -1),
        ProblemCode.OUT_OF_RANGE,
        ("split",),
    ),
}


def _refusal(command: str, path: Path) -> list[Problem]:
    port = PackagePort(path)
    try:
        if command == "propose":
            run_propose(port, dry_run=True)
        else:
            run_split(port, dry_run=True)
    except ProblemsFound as refused:
        return refused.problems
    finally:
        port.close()
    return []


@pytest.mark.parametrize("case", list(CASES))
def test_check_and_the_command_name_the_same_cell(
    case: str, split_demo: Path, tmp_path: Path
) -> None:
    """Each hand edit is refused by check and by the command with one code at one cell."""
    edit, code, commands = CASES[case]
    path = tmp_path / "edited.xlsx"
    shutil.copy(split_demo, path)
    wb = load_workbook(path)
    cell = edit(wb)
    wb.save(path)
    checked = run_check(path, write=False)
    assert checked.exit_code == 1
    assert (code, cell) in {(p.code, p.cell) for p in checked.problems}
    for command in commands:
        refused = _refusal(command, path)
        assert (code, cell) in {(p.code, p.cell) for p in refused}, (command, refused)


def test_the_company_row_may_be_written_in_chinese(split_demo: Path, tmp_path: Path) -> None:
    """A company row typed as 全公司 in an English plan is the company row for check and split."""
    path = tmp_path / "zh-scope.xlsx"
    shutil.copy(split_demo, path)
    wb = load_workbook(path)
    _set("tblProposal", "Scope", "全公司", _company)(wb)
    wb.save(path)
    assert run_check(path, write=False).exit_code == 0
    port = PackagePort(path)
    summary = run_split(port, dry_run=True)
    port.close()
    assert summary.changed_rows == 0


def test_a_new_plan_lists_the_steps_still_to_do(tmp_path: Path) -> None:
    """check on a plan fresh from `new` is clean but lists what to fill before propose and split."""
    path = tmp_path / "new.xlsx"
    assert runner.invoke(app, ["new", str(path)]).exit_code == 0
    outcome = run_check(path, write=False)
    assert outcome.exit_code == 1  # nothing wrong, but not ready: propose would refuse it
    steps = {(p.code, p.source.table) for p in outcome.problems if p.severity is Severity.INFO}
    assert {
        (ProblemCode.EMPTY_TABLE, "tblHistory"),
        (ProblemCode.EMPTY_TABLE, "tblReps"),
        (ProblemCode.NO_TARGET, "tblProposal"),
    } <= steps
    for command in ("propose", "split"):
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 1
        assert "EMPTY_TABLE" in result.output


# --- generated single-cell edits -------------------------------------------------------------

INPUT_CELLS = [
    (spec.name, column.key)
    for spec in schema.TABLES
    if not spec.owned and spec.name != "tblChecks"
    for column in spec.columns
    if column.role is schema.Role.INPUT
]

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.text(max_size=12),
    st.sampled_from(
        [
            "1,000",
            "1.000,50",
            "62.481.800,50",
            "(1,000)",
            "$100",
            "12 345",
            "25%",
            "-5",
            "0",
            "1e3",
            "=SUM(A1:A3)",
            "#REF!",
            "全公司",
            "Company",
            "2026-13",
            "2025-W53",
            "week",
            "matrix",
            "R001",
            "  ",
        ]
    ),
)


@pytest.fixture(scope="module")
def demo_tables(split_demo: Path) -> dict[str, pd.DataFrame]:
    """Every schema table of the split demo as the commands read it from the file."""
    port = PackagePort(split_demo)
    tables = {
        t.name: port.read_table(t.name).frame for t in schema.TABLES if port.has_table(t.name)
    }
    port.close()
    return tables


def _outcome(command: Callable[..., object], port: MemoryPort) -> list[Problem] | None:
    """The problems a dry run refuses with (None when it succeeds); anything else fails."""
    try:
        command(port, dry_run=True)
    except ProblemsFound as refused:
        return refused.problems
    return None


def _place(problem: Problem) -> tuple[ProblemCode, str, str]:
    return (problem.code, problem.sheet, problem.cell or problem.source.table)


def test_the_demo_itself_checks_clean(demo_tables: dict[str, pd.DataFrame]) -> None:
    """The baseline of the generated edits: the split demo has nothing to report."""
    outcome = run_check(MemoryPort(demo_tables), write=False)
    assert [p for p in outcome.problems if p.severity is not Severity.INFO] == []


@settings(
    max_examples=30,
    deadline=None,
    # Shrinking a whole-plan example takes minutes; the failing edit is printed as found.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(INPUT_CELLS), row=st.integers(0, 30), value=CELL_VALUES)
def test_check_reports_whatever_a_command_refuses(
    demo_tables: dict[str, pd.DataFrame], target: tuple[str, str], row: int, value: object
) -> None:
    """After any one-cell edit, check never fails, and every refusal of propose or split is
    in check's report at the same place; a plan check passes is one both commands accept."""
    name, key = target
    tables = {n: f.copy() for n, f in demo_tables.items()}
    frame = tables[name]
    if frame.empty:
        frame = pd.DataFrame({k: [None] for k in schema.table(name).keys})
    frame = frame.astype(object)
    frame.iat[min(row, len(frame) - 1), list(frame.columns).index(key)] = (
        float(value) if isinstance(value, Decimal) else value
    )
    tables[name] = frame
    outcome = run_check(MemoryPort(tables), write=False)
    reported = {_place(p) for p in outcome.problems}
    for command in (run_propose, run_split):
        refused = _outcome(command, MemoryPort(tables))
        if refused is None:
            continue
        assert {_place(p) for p in refused} <= reported, (command.__name__, refused)
        blocking = [
            p for p in outcome.problems if p.severity is not Severity.INFO or p.code in STEPS_AHEAD
        ]
        assert blocking, f"check passed but {command.__name__} refused: {refused}"
