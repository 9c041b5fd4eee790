"""`adjust` on the split demo: the approved request applied exactly, logged with a chain hash,
refusals named at their cells, idempotence, and tampering found by adjust and by check."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.adjust import run_adjust
from salesgoal_xl.commands.check import run_check
from salesgoal_xl.commands.demo import SAMPLE_NEW_TARGET, SAMPLE_REGION
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table
from tests.commands.test_evaluate import _split_demo

runner = CliRunner()
TODAY = dt.date(2026, 7, 2)


def _port(log: pd.DataFrame | None = None) -> MemoryPort:
    tables = dict(_split_demo())
    if log is not None:
        tables["tblAdjustments"] = log
    return MemoryPort(tables, label="demo.xlsx")


def _request(**fields: Any) -> dict[str, Any]:
    row = {
        "adj_id": "ADJ-100",
        "date": dt.date(2026, 7, 1),
        "level": "rep",
        "code": "R001",
        "from_period": "2026-08",
        "new_target": 1_200_000,
        "keep_parent_total": "no",
        "reason_category": "resources",
        "description": "took over a key account",
        "requested_by": "Team lead N1",
        "approved_by": "Sales director",
        "status": "approved",
    }
    row.update(fields)
    return row


def _by(frame: pd.DataFrame, column: str, code: str) -> int:
    return int(frame.loc[frame[column] == code, "target"].sum())


def test_the_demo_request_is_applied_exactly_and_logged() -> None:
    """ADJ-001 puts SOUTH at its new year to the unit, keeps the company total and every month
    before July, stamps the row applied with the old figure and a SHA-256 hash, seals the log
    and lists the regions that moved."""
    port = _port()
    before = port.tables["tblTargets"]
    summary = run_adjust(port, today=TODAY)
    after = port.tables["tblTargets"]
    assert _by(after, "region", SAMPLE_REGION) == SAMPLE_NEW_TARGET
    assert int(after["target"].sum()) == int(before["target"].sum())
    early = before["month"] < "2026-07"
    assert after.loc[early, "target"].tolist() == before.loc[early, "target"].tolist()
    log = port.tables["tblAdjustments"].iloc[0]
    assert log["status"] == "applied" and log["applied_on"] == TODAY
    assert log["old_target"] == _by(before, "region", SAMPLE_REGION)
    assert re.fullmatch(r"[0-9a-f]{64}", str(log["chain_hash"]))
    seal = port.tables["tblAdjustmentSeal"].iloc[0]
    assert (seal["logged_rows"], seal["head_hash"]) == (1, log["chain_hash"])
    changes = port.tables["tblAdjustmentChanges"]
    assert changes["code"].tolist()[0] == SAMPLE_REGION
    assert set(changes["code"]) == {"EAST", "NORTH", "SOUTH", "WEST"}
    moved = sum(
        int(n) - int(o) for o, n in zip(changes["old_target"], changes["new_target"], strict=False)
    )
    assert moved == 0  # the other regions absorbed exactly what SOUTH gave up
    assert "Region SOUTH" in summary.text and "approved by CFO" in summary.text
    plan = port.tables["tblRepPlan"]
    old_plan = _split_demo()["tblRepPlan"].set_index("rep_id")["target"]
    for rep, target, reason in zip(plan["rep_id"], plan["target"], plan["reason"], strict=False):
        # a rep whose year moved says why; one left alone (a leaver gone by July) does not
        assert ("adjusted by ADJ-001 from 2026-07" in reason) == (target != old_plan[rep])
    south = plan[plan["region"] == SAMPLE_REGION]
    assert sum(int(t) for t in south["target"]) == SAMPLE_NEW_TARGET


def test_running_adjust_again_applies_nothing_and_writes_nothing() -> None:
    """A second run finds no approved row left: no change, no commit."""
    port = _port()
    run_adjust(port, today=TODAY)
    commits, targets = port.commits, port.tables["tblTargets"].copy()
    again = run_adjust(port, today=TODAY)
    assert again.applied == [] and not again.written and port.commits == commits
    assert port.tables["tblTargets"]["target"].tolist() == targets["target"].tolist()


def test_a_dry_run_computes_but_writes_nothing() -> None:
    """--dry-run reports the change and leaves every table as it was."""
    port = _port()
    summary = run_adjust(port, dry_run=True, today=TODAY)
    assert summary.applied and not summary.written and port.commits == 0


def test_rows_apply_in_log_order_and_the_parent_moves_without_keep() -> None:
    """Two requests in one run: the rep change (no kept parent) moves team, region and company
    by its change; the hash chain links the second row to the first."""
    log = pd.DataFrame(
        [
            _request(
                adj_id="ADJ-001",
                level="region",
                code="WEST",
                from_period="2026-07",
                new_target=14_000_000,
                keep_parent_total="yes",
            ),
            _request(),
        ]
    )
    port = _port(log)
    before = port.tables["tblTargets"]
    run_adjust(port, today=TODAY)
    after = port.tables["tblTargets"]
    assert _by(after, "rep_id", "R001") == 1_200_000
    change = 1_200_000 - int(port.tables["tblAdjustments"]["old_target"][1])
    assert int(after["target"].sum()) - int(before["target"].sum()) == change
    assert _by(after, "region", "WEST") == 14_000_000  # R001 (NORTH) did not touch WEST
    assert port.tables["tblAdjustmentSeal"]["logged_rows"][0] == 2
    report = run_check(port, write=False)
    assert not [p for p in report.problems if p.code is ProblemCode.CHILDREN_NOT_SUM]


@pytest.mark.parametrize(
    ("fields", "code", "column"),
    [
        ({"approved_by": None}, ProblemCode.ADJUSTMENT_UNAPPROVED, "approved_by"),
        ({"approved_by": "team lead n1"}, ProblemCode.ADJUSTMENT_UNAPPROVED, "approved_by"),
        ({"new_target": 1_000}, ProblemCode.ADJUSTMENT_INFEASIBLE, "new_target"),
        ({"new_target": 1_200_050}, ProblemCode.NOT_WHOLE_UNITS, "new_target"),
        ({"code": "R999"}, ProblemCode.UNKNOWN_CODE, "code"),
        ({"from_period": "2027-02"}, ProblemCode.PERIOD_OUTSIDE_YEAR, "from_period"),
        (
            {"level": "company", "code": None, "keep_parent_total": "yes"},
            ProblemCode.ADJUSTMENT_CONFLICT,
            "keep_parent_total",
        ),
    ],
)
def test_a_bad_request_is_refused_at_its_cell_and_nothing_moves(
    fields: dict[str, Any], code: ProblemCode, column: str
) -> None:
    """Unapproved, self-approved, infeasible, between units, unknown, outside the year or
    contradictory: refused with its code at the request's cell; no target changes."""
    port = _port(pd.DataFrame([_request(**fields)]))
    with pytest.raises(ProblemsFound) as refused:
        run_adjust(port, today=TODAY)
    letter = port.read_table("tblAdjustments").cell(0, column)
    assert (code, letter) in {(p.code, p.cell) for p in refused.value.problems}
    assert port.commits == 0
    found = run_check(port, write=False).problems
    assert (code, letter) in {(p.code, p.cell) for p in found}


def test_two_approved_rows_for_one_scope_in_a_run_conflict() -> None:
    """Which of two open requests for R001 is meant is not guessed: a conflict, nothing done."""
    port = _port(pd.DataFrame([_request(), _request(adj_id="ADJ-101", new_target=1_300_000)]))
    with pytest.raises(ProblemsFound) as refused:
        run_adjust(port, today=TODAY)
    assert ProblemCode.ADJUSTMENT_CONFLICT in {p.code for p in refused.value.problems}


def test_requests_waiting_for_approval_are_listed_not_applied() -> None:
    """A requested row is not applied; adjust says it waits."""
    port = _port(pd.DataFrame([_request(status="requested", approved_by=None)]))
    summary = run_adjust(port, today=TODAY)
    assert summary.applied == [] and summary.waiting == ["ADJ-100"]
    assert "wait for approval" in summary.text


def _applied_twice() -> MemoryPort:
    log = pd.DataFrame([_request(adj_id="ADJ-001", code="R002"), _request()])
    port = _port(log)
    run_adjust(port, today=TODAY)
    return port


@pytest.mark.parametrize("tamper", ["edit", "delete_first", "delete_last", "reorder"])
def test_tampering_with_logged_rows_is_found_by_adjust_and_check(tamper: str) -> None:
    """Editing, deleting or reordering applied rows breaks the chain: adjust refuses and check
    reports LOG_TAMPERED at a chain hash cell of the log."""
    port = _applied_twice()
    log = port.tables["tblAdjustments"].copy()
    if tamper == "edit":
        log.at[1, "new_target"] = 1_250_000
    elif tamper == "delete_first":
        log = log.iloc[1:].reset_index(drop=True)
    elif tamper == "delete_last":
        log = log.iloc[:1].reset_index(drop=True)
    else:
        log = log.iloc[[1, 0]].reset_index(drop=True)
    port._tables["tblAdjustments"] = log  # what a person editing the file does
    problems = run_check(port, write=False).problems
    tampered = [p for p in problems if p.code is ProblemCode.LOG_TAMPERED]
    assert tampered and all(p.source.column == "chain_hash" for p in tampered)
    with pytest.raises(ProblemsFound):
        run_adjust(port, today=TODAY)


def test_an_untouched_log_checks_clean() -> None:
    """After adjust, check finds nothing wrong with the log or the targets' sum."""
    port = _applied_twice()
    codes = {p.code for p in run_check(port, write=False).problems}
    assert ProblemCode.LOG_TAMPERED not in codes and ProblemCode.CHILDREN_NOT_SUM not in codes


def test_adjust_on_a_file_and_an_edited_log_cell_named_by_check(tmp_path: Path) -> None:
    """demo, propose, split, adjust --json exit 0 and write the log; check then exits 0; after a
    person edits the logged New target with openpyxl, check exits 1 naming LOG_TAMPERED at that
    row's chain hash cell, and adjust exits 1."""
    path = tmp_path / "plan.xlsx"
    for args in (
        ["demo", str(path)],
        ["propose", str(path), "--final", "base"],
        ["split", str(path)],
    ):
        assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, ["adjust", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] and report["applied"][0]["adj_id"] == "ADJ-001"
    log = PackagePort(path).read_table("tblAdjustments")
    assert log.frame["status"][0] == "applied"
    assert runner.invoke(app, ["check", "--no-write", str(path)]).exit_code == 0
    wb = load_workbook(path)
    found = find_table(wb, "tblAdjustments")
    assert found is not None
    ws = found[0]
    ws[log.cell(0, "new_target")] = SAMPLE_NEW_TARGET + 100_000
    wb.save(path)
    check = runner.invoke(app, ["check", "--no-write", "--json", str(path)])
    assert check.exit_code == 1
    cells = {(p["code"], p["cell"]) for p in json.loads(check.stdout)["problems"]}
    assert ("LOG_TAMPERED", log.cell(0, "chain_hash")) in cells
    assert runner.invoke(app, ["adjust", str(path)]).exit_code == 1


def test_a_re_split_keeps_the_applied_adjustments() -> None:
    """split after adjust applies the logged changes again: SOUTH stays at its adjusted year,
    the company total is the split's, the targets are identical, and the Rep plan says why."""
    port = _port()
    run_adjust(port, today=TODAY)
    adjusted = port.tables["tblTargets"]["target"].tolist()
    summary = run_split(port)
    after = port.tables["tblTargets"]
    assert _by(after, "region", SAMPLE_REGION) == SAMPLE_NEW_TARGET
    assert after["target"].tolist() == adjusted
    assert summary.changed_rows == 0
    south = port.tables["tblRepPlan"]
    assert any("adjusted by ADJ-001" in r for r in south["reason"])
    codes = {p.code for p in run_check(port, write=False).problems}
    assert ProblemCode.CHILDREN_NOT_SUM not in codes and ProblemCode.LOG_TAMPERED not in codes
