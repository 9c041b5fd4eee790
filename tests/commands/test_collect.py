"""`collect` on the split demo and copies made per region: allowed edits arrive and reconcile
exactly; tampered, foreign, outdated, hostile and conflicting copies are refused at their cells
and leave the master byte-identical; --skip-rejected and --dry-run; the CLI's exit code."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.collect import CollectSummary, run_collect
from salesgoal_xl.commands.export import run_export
from salesgoal_xl.core.fingerprint import Scope
from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.identity import APPROVAL_PREFIX, PLAN_ID, PLAN_VERSION
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.reader import find_table
from tests.commands.roundtrip_files import edit_cells, make_copy
from tests.workbook.corpus import NOTES_PART, _part, build_base_workbook, repack

runner = CliRunner()
REGIONS = ("NORTH", "SOUTH", "EAST")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, proposed and split, with one copy per region, built once."""
    folder = tmp_path_factory.mktemp("roundtrip")
    master = folder / "plan.xlsx"
    for args in (
        ["demo", str(master)],
        ["propose", str(master), "--final", "base"],
        ["split", str(master)],
    ):
        assert runner.invoke(app, args).exit_code == 0
    for region in REGIONS:
        make_copy(master, Scope("region", region), folder / f"{region}.xlsx")
    return folder


@pytest.fixture
def files(built: Path, tmp_path: Path) -> Path:
    """A fresh master and copies for one test."""
    for name in ("plan", *REGIONS):
        shutil.copyfile(built / f"{name}.xlsx", tmp_path / f"{name}.xlsx")
    return tmp_path


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _commits(path: Path) -> pd.DataFrame:
    port = PackagePort(path)
    frame = port.read_table("tblCommits").frame
    port.close()
    return frame


def _cell(path: Path, table: str, row: int, key: str) -> str:
    port = PackagePort(path)
    cell = port.read_table(table).cell(row, key)
    port.close()
    return cell


def _collect(folder: Path, names: list[str], **options: bool) -> CollectSummary:
    return run_collect(
        PackagePort(folder / "plan.xlsx"), [folder / f"{n}.xlsx" for n in names], **options
    )


def _codes(summary: CollectSummary) -> set[tuple[str, str, str]]:
    return {(Path(p.source.file).name, p.code.value, p.cell) for p in summary.problems}


def test_allowed_edits_arrive_and_the_reconciliation_adds_up(files: Path) -> None:
    """A commit and a comment typed in the NORTH copy and a named commit in the SOUTH copy are
    written to the master's tblCommits with their cells listed, and tblReconciliation shows,
    per region, team and rep and month, the exact target sum, the commit and its gap."""
    north, south = files / "NORTH.xlsx", files / "SOUTH.xlsx"
    rows = _commits(north)
    edit_cells(
        north,
        "tblCommits",
        {
            _cell(north, "tblCommits", 0, "commit"): 70_000,
            _cell(north, "tblCommits", 1, "comment"): "big deal slips",
        },
    )
    south_rows = _commits(south)
    edit_cells(
        south,
        "tblCommits",
        {
            _cell(south, "tblCommits", 0, "commit"): 55_000,
            _cell(south, "tblCommits", 0, "committed_by"): "Sam Diaz",
        },
    )
    summary = _collect(files, list(REGIONS))
    assert summary.written and not summary.refused
    changed = {
        (Path(c.copy).name, c.cell, c.column, c.new, c.who)
        for r in summary.copies
        for c in r.changes
    }
    assert (
        "NORTH.xlsx",
        _cell(north, "tblCommits", 0, "commit"),
        "commit",
        70_000,
        "NORTH",
    ) in changed
    assert (
        "NORTH.xlsx",
        _cell(north, "tblCommits", 1, "comment"),
        "comment",
        "big deal slips",
        "NORTH",
    ) in changed
    assert (
        "SOUTH.xlsx",
        _cell(south, "tblCommits", 0, "commit"),
        "commit",
        55_000,
        "Sam Diaz",
    ) in changed

    master = files / "plan.xlsx"
    commits = _commits(master).set_index(["rep_id", "period"])
    first = (rows["rep_id"][0], rows["period"][0])
    assert commits.loc[first, "commit"] == 70_000
    assert commits.loc[first, "committed_by"] == "NORTH"
    assert commits.loc[(rows["rep_id"][1], rows["period"][1]), "comment"] == "big deal slips"
    assert (
        commits.loc[(south_rows["rep_id"][0], south_rows["period"][0]), "committed_by"]
        == "Sam Diaz"
    )

    port = PackagePort(master)
    leaves = port.read_table("tblTargets").frame
    recon = port.read_table("tblReconciliation")
    port.close()
    table = recon.frame
    for level, column in (("region", "region"), ("team", "team"), ("rep", "rep_id")):
        expected = leaves.groupby([column, "month"])["target"].sum()
        got = table[table["level"] == level].set_index(["code", "period"])["target"]
        assert len(got) == len(expected)
        assert all(int(got[key]) == int(value) for key, value in expected.items())
    rep, month = first
    rep_row = table[(table["level"] == "rep") & (table["code"] == rep) & (table["period"] == month)]
    assert int(rep_row["commit"].iloc[0]) == 70_000
    region = leaves.loc[leaves["rep_id"] == rep, "region"].iloc[0]
    region_row = table[
        (table["level"] == "region") & (table["code"] == region) & (table["period"] == month)
    ]
    assert int(region_row["commit"].iloc[0]) == 70_000
    assert region_row["committed_by"].iloc[0] == "NORTH"

    wb = load_workbook(master, data_only=True)
    found = find_table(wb, "tblReconciliation")
    assert found is not None
    ws = found[0]
    index = int(rep_row.index[0])
    target = int(rep_row["target"].iloc[0])
    assert ws[recon.cell(index, "gap")].value == 70_000 - target
    untouched = int(table.index[(table["level"] == "region") & (table["code"] == "EAST")][0])
    assert ws[recon.cell(untouched, "gap")].value in (None, "")


def test_a_changed_target_is_refused_at_its_cell_and_the_master_is_unchanged(files: Path) -> None:
    """Editing a protected leaf target in a copy refuses that copy with COPY_TAMPERED at the
    copy's Targets cell, old and new named; nothing is written, the master's bytes are equal."""
    north = files / "NORTH.xlsx"
    target_cell = _cell(north, "tblTargets", 3, "target")
    old = PackagePort(north).read_table("tblTargets").frame["target"][3]
    edit_cells(north, "tblTargets", {target_cell: int(old) + 100})
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 1000})
    before = _hash(files / "plan.xlsx")
    summary = _collect(files, list(REGIONS))
    assert not summary.written and summary.applied == []
    assert ("NORTH.xlsx", "COPY_TAMPERED", target_cell) in _codes(summary)
    problem = next(p for p in summary.problems if p.cell == target_cell)
    assert f"{int(old)} -> {int(old) + 100}" in problem.message
    assert problem.source.sheet == "Targets"
    assert _hash(files / "plan.xlsx") == before


def test_a_copy_of_another_plan_is_refused_naming_both_ids(files: Path) -> None:
    """A copy whose PlanId is not the master's is COPY_OTHER_PLAN, with both ids named."""
    north = files / "NORTH.xlsx"
    port = PackagePort(north)
    port.set_properties({PLAN_ID: "otherplan42"})
    port.commit()
    port.close()
    master_id = PackagePort(files / "plan.xlsx").properties()[PLAN_ID]
    summary = _collect(files, ["NORTH"])
    (problem,) = summary.problems
    assert problem.code is ProblemCode.COPY_OTHER_PLAN
    assert "otherplan42" in problem.message and str(master_id) in problem.message


def _bump_master(folder: Path, *, change_north: bool, version: int = 2) -> None:
    """The master at `version`, with or without one NORTH target changed since the export."""
    port = PackagePort(folder / "plan.xlsx")
    if change_north:
        leaves = port.read_table("tblTargets").frame
        row = int(leaves.index[leaves["region"] == "NORTH"][0])
        leaves.at[row, "target"] = int(leaves.at[row, "target"]) + 100
        port.write_table("tblTargets", leaves)
    port.set_properties({PLAN_VERSION: version})
    port.commit()
    port.close()


def test_an_older_copy_is_refused_when_its_numbers_changed_since(files: Path) -> None:
    """A version 1 copy collected into a version 2 master whose NORTH numbers moved is
    COPY_OUTDATED; nothing is written."""
    _bump_master(files, change_north=True)
    north = files / "NORTH.xlsx"
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 1000})
    before = _hash(files / "plan.xlsx")
    summary = _collect(files, ["NORTH"])
    assert [p.code for p in summary.problems] == [ProblemCode.COPY_OUTDATED]
    assert "version 1" in summary.problems[0].message
    assert _hash(files / "plan.xlsx") == before


def test_numbers_changed_at_the_same_version_make_the_copy_outdated(files: Path) -> None:
    """A copy whose NORTH numbers moved in the master without a version change is
    COPY_OUTDATED too: the recipient committed against numbers that are no longer the plan."""
    _bump_master(files, change_north=True, version=1)
    summary = _collect(files, ["NORTH"])
    assert [p.code for p in summary.problems] == [ProblemCode.COPY_OUTDATED]
    assert "still at that version" in summary.problems[0].message


def test_an_older_copy_with_equal_numbers_is_accepted(files: Path) -> None:
    """A version 1 copy into a version 2 master with the same NORTH numbers is accepted."""
    _bump_master(files, change_north=False)
    north = files / "NORTH.xlsx"
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 1000})
    summary = _collect(files, ["NORTH"])
    assert not summary.refused and summary.written
    assert 1000 in _commits(files / "plan.xlsx")["commit"].tolist()


def test_hostile_and_foreign_files_are_refused_with_the_gates_problems(files: Path) -> None:
    """A CSV renamed .xlsx, a zip bomb renamed .xlsx and a plain workbook (the master itself)
    are refused (CSV_NOT_XLSX, ZIP_BOMB, NOT_A_COPY) without stopping the good copy being read;
    the master stays byte-identical."""
    (files / "csv.xlsx").write_text("Rep ID,Commit\nR001,1000\n")
    base = build_base_workbook(files / "_base.xlsx")
    padded = _part(base, NOTES_PART).replace(b"<sheetData>", b"<sheetData>" + b" " * (24 << 20))
    repack(base, files / "bomb.xlsx", {NOTES_PART: padded}, {})
    shutil.copyfile(files / "plan.xlsx", files / "plain.xlsx")
    north = files / "NORTH.xlsx"
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 1000})
    before = _hash(files / "plan.xlsx")
    summary = _collect(files, ["csv", "bomb", "plain", "NORTH"])
    by_file = {Path(p.source.file).name: p.code for p in summary.problems}
    assert by_file == {
        "csv.xlsx": ProblemCode.CSV_NOT_XLSX,
        "bomb.xlsx": ProblemCode.ZIP_BOMB,
        "plain.xlsx": ProblemCode.NOT_A_COPY,
    }
    north_result = next(r for r in summary.copies if r.path.endswith("NORTH.xlsx"))
    assert not north_result.refused and len(north_result.changes) == 2
    assert not summary.written and _hash(files / "plan.xlsx") == before


def test_bad_commit_cells_and_other_reps_are_named(files: Path) -> None:
    """A negative commit, text in a commit, a commit between rounding units (the demo's is 100)
    and a commit row moved to a rep outside the copy's region are refused at their cells
    (NEGATIVE_AMOUNT, NOT_A_NUMBER, NOT_WHOLE_UNITS, COPY_TAMPERED)."""
    north = files / "NORTH.xlsx"
    first, second = _cell(north, "tblCommits", 0, "commit"), _cell(north, "tblCommits", 1, "commit")
    third = _cell(north, "tblCommits", 3, "commit")
    rep_cell = _cell(north, "tblCommits", 2, "rep_id")
    edit_cells(
        north,
        "tblCommits",
        {
            first: -500,
            second: "lots",
            third: 4321,
            rep_cell: "R060",
            _cell(north, "tblCommits", 2, "commit"): 10,
        },
    )
    summary = _collect(files, ["NORTH"])
    assert _codes(summary) == {
        ("NORTH.xlsx", "NEGATIVE_AMOUNT", first),
        ("NORTH.xlsx", "NOT_A_NUMBER", second),
        ("NORTH.xlsx", "NOT_WHOLE_UNITS", third),
        ("NORTH.xlsx", "COPY_TAMPERED", rep_cell),
    }


def test_two_copies_changing_one_commit_differently_conflict(files: Path) -> None:
    """Two NORTH copies setting the same rep and month's commit to 1000 and 2000 are both
    refused with COLLECT_CONFLICT, each naming the other file and cell; equal values agree."""
    shutil.copyfile(files / "NORTH.xlsx", files / "NORTH2.xlsx")
    for name, value in (("NORTH", 1000), ("NORTH2", 2000)):
        path = files / f"{name}.xlsx"
        edit_cells(
            path,
            "tblCommits",
            {
                _cell(path, "tblCommits", 0, "commit"): value,
                _cell(path, "tblCommits", 1, "comment"): "same note",
            },
        )
    summary = _collect(files, ["NORTH", "NORTH2"])
    cell = _cell(files / "NORTH.xlsx", "tblCommits", 0, "commit")
    assert _codes(summary) == {
        ("NORTH.xlsx", "COLLECT_CONFLICT", cell),
        ("NORTH2.xlsx", "COLLECT_CONFLICT", cell),
    }
    first = next(p for p in summary.problems if p.source.file.endswith("NORTH.xlsx"))
    assert f"NORTH2.xlsx:Commits!{cell}" in first.message
    assert not summary.written


def test_skip_rejected_applies_the_good_copy_and_lists_the_refused(files: Path) -> None:
    """With skip_rejected a tampered SOUTH copy is listed as refused while NORTH's commit is
    written."""
    north, south = files / "NORTH.xlsx", files / "SOUTH.xlsx"
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 4300})
    edit_cells(south, "tblTargets", {_cell(south, "tblTargets", 0, "target"): 1})
    summary = _collect(files, ["NORTH", "SOUTH"], skip_rejected=True)
    assert summary.written and [Path(p).name for p in summary.applied] == ["NORTH.xlsx"]
    assert [Path(r.path).name for r in summary.refused] == ["SOUTH.xlsx"]
    assert 4300 in _commits(files / "plan.xlsx")["commit"].tolist()


def test_dry_run_lists_the_changes_and_writes_nothing(files: Path) -> None:
    """--dry-run reports the copy's change and leaves the master's bytes as they were."""
    north = files / "NORTH.xlsx"
    edit_cells(north, "tblCommits", {_cell(north, "tblCommits", 0, "commit"): 900})
    before = _hash(files / "plan.xlsx")
    summary = _collect(files, ["NORTH"], dry_run=True)
    assert not summary.written and summary.applied
    assert [c.new for r in summary.copies for c in r.changes if c.column == "commit"] == [900]
    assert _hash(files / "plan.xlsx") == before


def test_a_manager_copy_is_read_with_the_managers_reps(files: Path) -> None:
    """A copy scoped to one manager's reps verifies against those reps and its commit lands."""
    port = PackagePort(files / "plan.xlsx")
    reps = port.read_table("tblReps").frame
    port.close()
    manager = str(reps["manager"][0])
    scope = Scope("manager", manager, frozenset(reps.loc[reps["manager"] == manager, "rep_id"]))
    copy = make_copy(files / "plan.xlsx", scope, files / "manager.xlsx")
    edit_cells(copy, "tblCommits", {_cell(copy, "tblCommits", 0, "commit"): 3000})
    summary = _collect(files, ["manager"])
    assert not summary.refused and summary.written
    assert summary.copies[0].scope == f"manager:{manager}"


def test_a_cleared_commit_is_a_change_against_the_masters(files: Path) -> None:
    """After a first collect, a fresh copy carries the master's commit; clearing it in the copy
    arrives as a change from that commit to blank."""
    north = files / "NORTH.xlsx"
    cell = _cell(north, "tblCommits", 0, "commit")
    edit_cells(north, "tblCommits", {cell: 6000})
    assert _collect(files, ["NORTH"]).written
    again = make_copy(files / "plan.xlsx", Scope("region", "NORTH"), files / "again.xlsx")
    assert _commits(again)["commit"][0] == 6000
    edit_cells(again, "tblCommits", {cell: None})
    summary = _collect(files, ["again"])
    assert [(c.column, c.old, c.new) for c in summary.copies[0].changes] == [("commit", 6000, None)]
    assert pd.isna(_commits(files / "plan.xlsx")["commit"][0])


def test_cli_exits_1_naming_the_tampered_cell(files: Path) -> None:
    """`salesgoal collect` exits 1 on a tampered copy with the copy's cell in its output and
    leaves the master as it was; --json carries the same problem; a clean run exits 0."""
    north = files / "NORTH.xlsx"
    cell = _cell(north, "tblTargets", 0, "target")
    edit_cells(north, "tblTargets", {cell: 5})
    master = files / "plan.xlsx"
    before = _hash(master)
    result = runner.invoke(app, ["collect", str(master), str(north), str(files / "SOUTH.xlsx")])
    assert result.exit_code == 1, result.output
    assert f"NORTH.xlsx:Targets!{cell}" in result.output and "COPY_TAMPERED" in result.output
    as_json = runner.invoke(app, ["collect", str(master), str(north), "--json"])
    assert as_json.exit_code == 1
    copies = json.loads(as_json.stdout)["copies"]
    assert copies[0]["problems"][0]["cell"] == cell
    assert _hash(master) == before
    south = files / "SOUTH.xlsx"
    edit_cells(south, "tblCommits", {_cell(south, "tblCommits", 0, "commit"): 800})
    clean = runner.invoke(app, ["collect", str(master), str(south)])
    assert clean.exit_code == 0, clean.output
    assert "SOUTH.xlsx" in clean.output and "written" in clean.output


def _north_team(folder: Path) -> str:
    port = PackagePort(folder / "plan.xlsx")
    leaves = port.read_table("tblTargets").frame
    port.close()
    return str(leaves.loc[leaves["region"] == "NORTH", "team"].iloc[0])


def test_a_team_copy_and_a_traditional_chinese_copy_arrive(files: Path, tmp_path: Path) -> None:
    """A copy exported by team and a region copy exported in Traditional Chinese (Chinese sheet
    names and headers) are read by the same collect; both commits land in the master."""
    team = _north_team(files)
    team_copy = make_copy(files / "plan.xlsx", Scope("team", team), files / "team.xlsx")
    edit_cells(team_copy, "tblCommits", {_cell(team_copy, "tblCommits", 0, "commit"): 4100})
    out = tmp_path / "zh"
    port = PackagePort(files / "plan.xlsx")
    try:
        summary = run_export(port, files / "plan.xlsx", "region", out, lang="zh-Hant")
    finally:
        port.close()
    south = next(c.path for c in summary.copies if c.scope == "region:SOUTH")
    shutil.copyfile(south, files / "south-zh.xlsx")
    chinese = files / "south-zh.xlsx"
    sheet = next(s for s in schema.SHEETS if "tblTargets" in s.tables)
    targets_sheet = sheet.label.get("zh-Hant")
    assert targets_sheet in load_workbook(chinese, read_only=True).sheetnames
    edit_cells(chinese, "tblCommits", {_cell(chinese, "tblCommits", 0, "commit"): 5200})
    collected = _collect(files, ["team", "south-zh"])
    assert not collected.refused and collected.written, collected.problems
    assert [c.scope for c in collected.copies] == [f"team:{team}", "region:SOUTH"]
    commits = set(_commits(files / "plan.xlsx")["commit"].dropna())
    assert {4100, 5200} <= commits


def test_an_approval_typed_outside_the_copys_scope_is_refused_at_its_cell(files: Path) -> None:
    """In the NORTH copy an approval of region:SOUTH is refused with BAD_SCOPE at the copy's
    Approvals cell and nothing is written; an approval of one NORTH team is recorded with the
    master's fingerprint of that team's numbers."""
    north = files / "NORTH.xlsx"
    approver = _cell(north, "tblApprovals", 0, "approver")
    scope_cell = _cell(north, "tblApprovals", 0, "scope")
    edit_cells(north, "tblApprovals", {approver: "North manager", scope_cell: "region:SOUTH"})
    before = _hash(files / "plan.xlsx")
    refused = _collect(files, ["NORTH"])
    assert ("NORTH.xlsx", "BAD_SCOPE", scope_cell) in _codes(refused)
    assert not refused.written and _hash(files / "plan.xlsx") == before
    team = _north_team(files)
    edit_cells(north, "tblApprovals", {scope_cell: f"team:{team}"})
    taken = _collect(files, ["NORTH"])
    assert taken.written and not taken.refused, taken.problems
    port = PackagePort(files / "plan.xlsx")
    log = port.read_table("tblApprovals").frame
    props = port.properties()
    port.close()
    row = log[log["approver"] == "North manager"].iloc[0]
    assert (row["scope"], row["status"]) == (f"team:{team}", "approved")
    assert props[f"{APPROVAL_PREFIX}{row['approval_id']}"] == row["fingerprint"]
