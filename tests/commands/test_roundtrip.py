"""The whole emailed round trip on the demo company, from the command line: approve, export by
region, managers edit their copies (a commit, a comment, an approval, and one forbidden edit),
collect refuses the forbidden copy and leaves the master byte-identical, takes the good one,
records the approval typed in the copy, and verify names a number changed afterwards."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.core.fingerprint import Scope, fingerprint, leaf_entries
from salesgoal_xl.workbook.package_port import PackagePort
from tests.commands.roundtrip_files import edit_cells, read_table

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _scope_file(folder: Path, region: str) -> Path:
    for path in folder.glob("*.xlsx"):
        port = PackagePort(path)
        scope = port.properties().get("ExportScope")
        port.close()
        if scope == f"region:{region}":
            return path
    raise AssertionError(f"no copy for {region}")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roundtrip") / "plan.xlsx"
    for args in (("demo",), ("propose", "--final", "base"), ("split",)):
        result = _run(args[0], str(path), *args[1:])
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return path


def test_the_whole_round_trip_from_the_command_line(plan: Path, tmp_path: Path) -> None:
    """approve all -> export --by region -> NORTH's manager types a commit, a comment and an
    approval; SOUTH's manager types over a protected target -> collect of both exits 1 naming
    SOUTH's cell and the master is byte-identical -> collect of NORTH exits 0: the commit is in
    tblCommits and the reconciliation, the approval is recorded with the fingerprint of the
    master's NORTH numbers -> verify holds -> a NORTH figure changed in the master is named."""
    master = tmp_path / "plan.xlsx"
    master.write_bytes(plan.read_bytes())
    approved = _run("approve", str(master), "--scope", "all", "--by", "CFO", "--role", "CFO")
    assert approved.exit_code == 0, approved.output  # type: ignore[attr-defined]
    out = tmp_path / "copies"
    out.mkdir()
    exported = _run("export", str(master), "--by", "region", "--out", str(out))
    assert exported.exit_code == 0, exported.output  # type: ignore[attr-defined]
    north, south = _scope_file(out, "NORTH"), _scope_file(out, "SOUTH")

    commits = read_table(north, "tblCommits")
    first_rep = str(commits.frame.at[0, "rep_id"])
    edit_cells(
        north,
        "tblCommits",
        {
            commits.cell(0, "commit"): 70_000,
            commits.cell(0, "comment"): "two renewals slip to Q2",
            commits.cell(0, "committed_by"): "North manager",
        },
    )
    log = read_table(north, "tblApprovals")
    edit_cells(
        north,
        "tblApprovals",
        {
            log.cell(0, "approval_id"): "N-1",
            log.cell(0, "approver"): "North manager",
            log.cell(0, "approved_at"): dt.datetime(2026, 12, 1, 10, 0),
        },
    )
    targets = read_table(south, "tblTargets")
    forbidden = targets.cell(3, "target")
    edit_cells(south, "tblTargets", {forbidden: int(targets.frame.at[3, "target"]) + 999})

    before = hashlib.sha256(master.read_bytes()).hexdigest()
    refused = _run("collect", str(master), str(north), str(south))
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert forbidden in refused.output and "COPY_TAMPERED" in refused.output  # type: ignore[attr-defined]
    assert hashlib.sha256(master.read_bytes()).hexdigest() == before

    taken = _run("collect", str(master), str(north), "--json")
    assert taken.exit_code == 0, taken.output  # type: ignore[attr-defined]
    report = json.loads(taken.stdout)  # type: ignore[attr-defined]
    assert report["written"]
    merged = read_table(master, "tblCommits").frame
    row = merged[merged["rep_id"] == first_rep].iloc[0]
    assert (row["commit"], row["comment"], row["committed_by"]) == (
        70_000,
        "two renewals slip to Q2",
        "North manager",
    )
    reconciled = read_table(master, "tblReconciliation").frame
    rep_row = reconciled[(reconciled["level"] == "rep") & (reconciled["code"] == first_rep)]
    assert 70_000 in set(rep_row["commit"])

    approvals = read_table(master, "tblApprovals").frame
    typed = approvals[approvals["approver"] == "North manager"].iloc[0]
    assert typed["scope"] == "region:NORTH" and typed["status"] == "approved"
    port = PackagePort(master)
    props = port.properties()
    leaves = port.read_table("tblTargets").frame
    port.close()
    scope = Scope("region", "NORTH")
    expected = fingerprint(
        str(props["PlanId"]),
        int(props["PlanVersion"]),
        scope,
        leaf_entries(leaves, scope.mask(leaves)),
    )
    assert typed["fingerprint"] == expected
    again = _run("collect", str(master), str(north))
    assert again.exit_code == 0  # type: ignore[attr-defined]
    twice = read_table(master, "tblApprovals").frame
    assert list(twice["approver"]).count("North manager") == 1

    assert _run("verify", str(master)).exit_code == 0  # type: ignore[attr-defined]
    all_targets = read_table(master, "tblTargets")
    at = int(all_targets.frame.index[all_targets.frame["region"] == "NORTH"][0])
    cell = all_targets.cell(at, "target")
    edit_cells(master, "tblTargets", {cell: int(all_targets.frame.at[at, "target"]) + 1})
    broken = _run("verify", str(master))
    assert broken.exit_code == 1  # type: ignore[attr-defined]
    assert f"Targets!{cell}: APPROVAL_BROKEN" in broken.output  # type: ignore[attr-defined]
