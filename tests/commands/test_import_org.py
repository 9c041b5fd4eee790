"""import-org: an HR or CRM list creates and updates the org tables, listing conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesgoal_xl.commands.imports import ImportOptions, ImportSummary, run_import_org
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook.package_port import PackagePort
from tests.commands.import_files import plan_file, table_rows, write_csv

HEADER = [
    "Employee ID",
    "Name",
    "Sales Team",
    "Team name",
    "Region",
    "Reports To",
    "Hire Date",
    "Termination Date",
    "FTE",
    "Potential",
]


@pytest.fixture
def plan(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan_file(tmp_path, tmp_path_factory.getbasetemp())


def _import(plan: Path, source: Path, **options: object) -> ImportSummary:
    port = PackagePort(plan)
    try:
        return run_import_org(port, source, ImportOptions(**options))  # type: ignore[arg-type]
    finally:
        port.close()


def test_new_codes_are_created_and_known_ones_updated(plan: Path, tmp_path: Path) -> None:
    """A new region, team and rep are created; a known rep gets the list's values."""
    rows = [
        HEADER,
        ["R1", "Ann Lee", "T1", "", "N", "Max", "2020-01-06", "", "1", "1,500,000"],
        ["R5", "Di Wu", "T3", "Three", "E", "Max", "2025-06-02", "", "0.5", ""],
    ]
    summary = _import(plan, write_csv(tmp_path / "hr.csv", rows))
    reps = {r["rep_id"]: r for r in table_rows(plan, "tblReps")}
    assert reps["R5"]["team"] == "T3" and reps["R5"]["region"] == "E"
    assert reps["R5"]["start_date"] == dt.date(2025, 6, 2)
    assert reps["R1"]["manager"] == "Max" and reps["R1"]["potential"] == 1_500_000
    assert reps["R1"]["region"] == "N"  # from its team when the list leaves it out
    assert set(reps) == {"R1", "R2", "R3", "R4", "R5"}  # reps the list leaves out stay
    teams = {r["team"]: r["region"] for r in table_rows(plan, "tblTeams")}
    assert teams == {"T1": "N", "T2": "S", "T3": "E"}
    assert [r["region"] for r in table_rows(plan, "tblRegions")] == ["N", "S", "E"]
    assert summary.org["tblReps"] == {"created": 1, "updated": 1, "unchanged": 0}


def test_conflicts_are_listed_at_both_lines(plan: Path, tmp_path: Path) -> None:
    """A rep in two teams and a team in two regions are conflicts; nothing is written."""
    rows = [
        HEADER,
        ["R7", "Ed Ho", "T8", "", "E", "", "", "", "", ""],
        ["R7", "Ed Ho", "T9", "", "E", "", "", "", "", ""],
        ["R8", "Fay Yu", "T8", "", "W", "", "", "", "", ""],
    ]
    before = plan.read_bytes()
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, write_csv(tmp_path / "hr.csv", rows))
    conflicts = [p for p in refused.value.problems if p.code is ProblemCode.ORG_CONFLICT]
    assert "rep 'R7' is in two teams: T8 (line 2) and T9 (line 3)" in conflicts[0].message
    assert any("team 'T8' is in two regions" in p.message for p in conflicts)
    assert plan.read_bytes() == before


def test_bad_dates_and_numbers_are_bad_rows(plan: Path, tmp_path: Path) -> None:
    """An unreadable hire date, an end before the start and a negative FTE: bad rows."""
    rows = [
        HEADER,
        ["R6", "Gus", "T1", "", "", "", "someday", "", "", ""],
        ["R7", "Hal", "T1", "", "", "", "2025-05-01", "2025-01-01", "", ""],
        ["R8", "Ida", "T1", "", "", "", "", "", "-1", ""],
        ["R9", "Jo", "T1", "", "", "", "", "", "", ""],
    ]
    summary = _import(plan, write_csv(tmp_path / "hr.csv", rows), skip_bad=True)
    assert [(p.source.line, p.code) for p in summary.problems] == [
        (2, ProblemCode.BAD_DATE),
        (3, ProblemCode.OUT_OF_RANGE),
        (4, ProblemCode.OUT_OF_RANGE),
    ]
    assert "R9" in {r["rep_id"] for r in table_rows(plan, "tblReps")}


def test_channel_and_product_lists(plan: Path, tmp_path: Path) -> None:
    """A product list creates products with names and launch dates."""
    rows = [["Product Line", "Product name", "Launch date"], ["P3", "New", "2025-09-01"]]
    _import(plan, write_csv(tmp_path / "products.csv", rows))
    products = {r["product"]: r for r in table_rows(plan, "tblProducts")}
    assert products["P3"]["launch_date"] == dt.date(2025, 9, 1)
    assert set(products) == {"P1", "P2", "P3"}
