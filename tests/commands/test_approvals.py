"""`approve`, `verify` and `keys` on the split demo: approvals bound to a fingerprint, every later
change named at its cell, signatures told apart from recomputed hashes, adjust superseding."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.adjust import run_adjust
from salesgoal_xl.commands.approvals import run_approve, run_approve_typed, run_verify
from salesgoal_xl.core.fingerprint import (
    Scope,
    fingerprint,
    leaf_entries,
    new_key_pair,
    parse_scope,
)
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table
from tests.commands.test_evaluate import _split_demo

runner = CliRunner()
NOW = dt.datetime(2026, 12, 1, 9, 30)
PLAN = "plan-demo-1"


def _port(*, approvers: list[tuple[str, str]] = ()) -> MemoryPort:  # type: ignore[assignment]
    tables = dict(_split_demo())
    tables["tblApprovers"] = pd.DataFrame(
        [{"approver": n, "role": None, "public_key": k, "note": None} for n, k in approvers],
        columns=["approver", "role", "public_key", "note"],
        dtype=object,
    )
    port = MemoryPort(tables, label="demo.xlsx")
    port.document_properties.update({"PlanId": PLAN, "PlanVersion": 3})
    return port


def _expected(port: MemoryPort, scope_text: str, version: int = 3) -> str:
    leaves = port.tables["tblTargets"]
    scope = parse_scope(scope_text)
    return fingerprint(PLAN, version, scope, leaf_entries(leaves, scope.mask(leaves)))


def _bump(port: MemoryPort, region: str, by: int = 1_000) -> int:
    """Add `by` to the first leaf of `region` as a person would; return its row."""
    leaves = port.tables["tblTargets"].copy()
    row = int(leaves.index[leaves["region"] == region][0])
    leaves.at[row, "target"] = int(leaves.at[row, "target"]) + by
    port.write_table("tblTargets", leaves)
    port.commit()
    return row


def test_an_approval_records_the_fingerprint_of_exactly_its_scope() -> None:
    """approve region:SOUTH logs the SOUTH leaves' fingerprint at the plan's version, keeps the
    numbers it saw, stores the fingerprint in the document properties, and verify says it holds."""
    port = _port()
    summary = run_approve(port, "region:SOUTH", "Ann Lee", role="VP Sales", now=NOW)
    assert summary.approval_id == "APR-001" and summary.version == 3
    assert summary.fingerprint == _expected(port, "region:SOUTH")
    leaves = port.tables["tblTargets"]
    assert summary.leaves == int((leaves["region"] == "SOUTH").sum())
    log = port.tables["tblApprovals"]
    assert log.iloc[-1][["scope", "approver", "role", "status"]].tolist() == [
        "region:SOUTH",
        "Ann Lee",
        "VP Sales",
        "approved",
    ]
    kept = port.tables["tblApprovedNumbers"]
    assert len(kept) == summary.leaves
    south = leaves[leaves["region"] == "SOUTH"]
    assert sum(kept["target"]) == sum(int(v) for v in south["target"])
    assert port.properties()["Approval APR-001"] == summary.fingerprint
    verified = run_verify(port)
    assert [(r.approval_id, r.holds, r.form) for r in verified.results] == [
        ("APR-001", True, "hash")
    ]
    assert verified.problems == []


def test_verify_names_each_changed_cell_and_leaves_other_scopes_standing() -> None:
    """After one SOUTH leaf moves by 1,000, verify breaks the SOUTH approval at that tblTargets
    row with the approved and current figures, while the NORTH approval still holds."""
    port = _port()
    run_approve(port, "region:SOUTH", "Ann Lee", now=NOW)
    run_approve(port, "region:NORTH", "Ann Lee", now=NOW)
    before = int(port.tables["tblTargets"]["target"][0])
    row = _bump(port, "SOUTH")
    verified = run_verify(port)
    holds = {r.approval_id: r.holds for r in verified.results}
    assert holds == {"APR-001": False, "APR-002": True}
    (problem,) = verified.problems
    assert problem.code is ProblemCode.APPROVAL_BROKEN
    assert problem.source.table == "tblTargets" and problem.source.row == row
    old = int(_split_demo()["tblTargets"]["target"][row])
    assert f"approved as {old:,} and is now {old + 1_000:,}" in problem.message
    assert before == int(port.tables["tblTargets"]["target"][0])


def test_approving_a_scope_again_supersedes_the_earlier_approval() -> None:
    """A second approval of region:SOUTH marks APR-001 superseded; only APR-002 is verified."""
    port = _port()
    run_approve(port, "region:SOUTH", "Ann Lee", now=NOW)
    _bump(port, "SOUTH")
    summary = run_approve(port, "region:south", "Ann Lee", now=NOW)
    assert summary.superseded == ["APR-001"]
    log = port.tables["tblApprovals"]
    assert log["status"].tolist() == ["superseded", "approved"]
    assert "superseded by APR-002" in str(log["note"][0])
    verified = run_verify(port)
    assert [r.approval_id for r in verified.results] == ["APR-002"] and verified.skipped == 1
    assert verified.problems == []


@pytest.mark.parametrize(
    ("scope", "words"),
    [("north", "region:CODE"), ("region:ATLANTIS", "NORTH"), ("rep:", "rep:ID")],
)
def test_a_bad_scope_is_refused_and_nothing_is_written(scope: str, words: str) -> None:
    """A scope that does not parse, or names no leaf, is BAD_SCOPE, the known codes listed."""
    port = _port()
    with pytest.raises(ProblemsFound) as refused:
        run_approve(port, scope, "Ann Lee")
    (problem,) = refused.value.problems
    assert problem.code is ProblemCode.BAD_SCOPE
    assert words in problem.message + problem.hint
    assert port.commits == 0


def _type_approvals(port: MemoryPort, *rows: dict[str, object]) -> None:
    """Rows a person types at the end of tblApprovals, as the ribbon's Approve expects them."""
    columns = list(port.tables["tblApprovals"].columns)
    typed = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], dtype=object)
    log = pd.concat([port.tables["tblApprovals"], typed], ignore_index=True)
    port.write_table("tblApprovals", log)
    port.commit()


def test_approvals_typed_into_the_log_are_recorded_in_place() -> None:
    """The ribbon's Approve (run_approve_typed): each row with an approver and no approval ID
    becomes a recorded approval exactly as `approve` records it (fingerprint, kept numbers,
    document property), in the typed row's place, not beside it; a second press finds none."""
    port = _port()
    run_approve(port, "region:NORTH", "Ann Lee", now=NOW)
    _type_approvals(
        port,
        {"scope": "region:SOUTH", "approver": "Bo Chen", "role": "CFO", "note": "ok by me"},
        {"scope": "team:N1", "approver": " Cy Dahl "},
    )
    done = run_approve_typed(port, now=NOW)
    assert [(d.approval_id, d.scope, d.approver) for d in done] == [
        ("APR-002", "region:SOUTH", "Bo Chen"),
        ("APR-003", "team:N1", "Cy Dahl"),
    ]
    log = port.tables["tblApprovals"]
    assert log["approval_id"].tolist() == ["APR-001", "APR-002", "APR-003"]
    assert log.iloc[1][["role", "note", "status"]].tolist() == ["CFO", "ok by me", "approved"]
    assert log["fingerprint"].tolist()[1:] == [
        _expected(port, "region:SOUTH"),
        _expected(port, "team:N1"),
    ]
    assert port.properties()["Approval APR-003"] == _expected(port, "team:N1")
    assert set(port.tables["tblApprovedNumbers"]["approval_id"]) == {
        "APR-001",
        "APR-002",
        "APR-003",
    }
    assert all(r.holds for r in run_verify(port).results)
    with pytest.raises(ProblemsFound) as nothing:
        run_approve_typed(port)
    (problem,) = nothing.value.problems
    assert problem.code is ProblemCode.BLANK_VALUE and "type the approver's name" in problem.message


@pytest.mark.parametrize(
    ("scope", "code"),
    [(None, ProblemCode.BLANK_VALUE), ("region:ATLANTIS", ProblemCode.BAD_SCOPE)],
)
def test_a_typed_approval_with_a_bad_scope_is_refused_at_its_cell_and_check_says_so(
    scope: str | None, code: ProblemCode
) -> None:
    """Blank or unknown scope: refused at the typed row's Scope cell, nothing recorded; check
    reports the same problem at the same cell before anyone presses Approve."""
    from salesgoal_xl.commands.check import run_check

    port = _port()
    _type_approvals(port, {"scope": scope, "approver": "Bo Chen"})
    commits = port.commits
    with pytest.raises(ProblemsFound) as refused:
        run_approve_typed(port)
    (problem,) = refused.value.problems
    assert problem.code is code and problem.source.table == "tblApprovals"
    assert problem.source.row == 0 and problem.source.column == "scope"
    assert port.commits == commits
    found = run_check(port, write=False).problems
    assert any(p.code is code and p.source.cell == problem.source.cell for p in found), found


def test_a_template_without_a_plan_id_cannot_be_approved() -> None:
    """No PlanId property: NOT_A_PLAN, since an approval binds to a plan id and version."""
    port = _port()
    port.document_properties.clear()
    with pytest.raises(ProblemsFound) as refused:
        run_approve(port, "all", "Ann Lee")
    assert refused.value.problems[0].code is ProblemCode.NOT_A_PLAN


def _forge(port: MemoryPort, region: str) -> None:
    """Change a leaf and recompute every fingerprint the plan keeps, without any key: the log's
    fingerprint, the kept numbers and the document property all match the new numbers."""
    _bump(port, region, 50_000)
    log = port.tables["tblApprovals"].copy()
    leaves = port.tables["tblTargets"]
    kept = []
    for i in range(len(log)):
        scope = parse_scope(log.at[i, "scope"])
        entries = leaf_entries(leaves, scope.mask(leaves))
        forged = fingerprint(PLAN, int(log.at[i, "version"]), scope, entries)
        log.at[i, "fingerprint"] = forged
        port.document_properties[f"Approval {log.at[i, 'approval_id']}"] = forged
        kept += [[log.at[i, "approval_id"], *key, int(v)] for key, v in entries.items()]
    columns = ["approval_id", "period", "region", "team", "rep_id", "channel", "product", "target"]
    port.write_table("tblApprovals", log)
    port.write_table("tblApprovedNumbers", pd.DataFrame(kept, columns=columns, dtype=object))
    port.commit()


def test_a_signature_tells_a_real_approval_from_a_recomputed_hash() -> None:
    """Signed with the approver's key, the approval verifies as signed; after someone changes a
    number and recomputes every hash without the key, an unsigned approval still passes as a
    hash (what a hash can prove), but the signed one fails with SIGNATURE_INVALID."""
    private, public = new_key_pair()
    port = _port(approvers=[("Ann Lee", public)])
    signed = run_approve(port, "region:SOUTH", "Ann Lee", private_key=private, now=NOW)
    run_approve(port, "region:NORTH", "Bob Chen", now=NOW)
    assert signed.signed
    assert {r.approval_id: r.form for r in run_verify(port).results} == {
        "APR-001": "signed",
        "APR-002": "hash",
    }
    _forge(port, "SOUTH")
    _forge(port, "NORTH")
    verified = run_verify(port)
    outcome = {r.approval_id: (r.holds, r.form) for r in verified.results}
    assert outcome == {"APR-001": (False, "invalid signature"), "APR-002": (True, "hash")}
    (problem,) = verified.problems
    assert problem.code is ProblemCode.SIGNATURE_INVALID
    assert problem.source.table == "tblApprovals" and problem.source.column == "signature"


def test_a_key_not_listed_for_the_approver_cannot_sign() -> None:
    """Signing with a key whose public half tblApprovers does not list for that name is refused
    before anything is written: UNKNOWN_APPROVER."""
    private, _ = new_key_pair()
    _, listed = new_key_pair()
    for approvers in ([], [("Ann Lee", listed)]):
        port = _port(approvers=approvers)
        with pytest.raises(ProblemsFound) as refused:
            run_approve(port, "all", "Ann Lee", private_key=private)
        assert refused.value.problems[0].code is ProblemCode.UNKNOWN_APPROVER
        assert port.commits == 0


def test_adjust_supersedes_the_approvals_it_breaks_and_says_so() -> None:
    """The demo's approved request moves SOUTH (keeping the company total, so the other regions
    too): the standing approvals it breaks are marked superseded with the adjustment named and a
    warning given; an approval already broken by hand is left for verify to report."""
    port = _port()
    run_approve(port, "region:SOUTH", "Ann Lee", now=NOW)
    run_approve(port, "region:NORTH", "Ann Lee", now=NOW)
    _bump(port, "NORTH")
    run_approve(port, "all", "Ann Lee", now=NOW)
    summary = run_adjust(port, today=dt.date(2026, 7, 2))
    log = port.tables["tblApprovals"]
    assert log["status"].tolist() == ["superseded", "approved", "superseded"]
    assert all("superseded by ADJ-001 on 2026-07-02" in str(log["note"][i]) for i in (0, 2))
    assert len(summary.notes) == 2 and all(
        "no longer holds after ADJ-001" in n for n in summary.notes
    )
    assert any(level == "warning" and "APR-001" in text for level, text in port.messages)
    assert [r.approval_id for r in run_verify(port).broken] == ["APR-002"]


def test_changed_numbers_make_a_new_plan_version_and_unchanged_ones_do_not() -> None:
    """adjust moves targets: version 3 becomes 4 in the properties and on the Guide's cell; a
    re-split that gives the same numbers keeps version 4; a dry run changes nothing."""
    from salesgoal_xl.commands.split import run_split

    port = _port()
    run_adjust(port, dry_run=True)
    assert port.properties()["PlanVersion"] == 3
    run_adjust(port, today=dt.date(2026, 7, 2))
    assert port.properties()["PlanVersion"] == 4 and port.named_values["PlanVersion"] == 4
    run_split(port)
    assert port.properties()["PlanVersion"] == 4


def test_an_adjust_dry_run_says_which_approvals_it_would_supersede_and_writes_nothing() -> None:
    """adjust --dry-run lists the approval it would break and leaves tblApprovals as it was."""
    port = _port()
    run_approve(port, "region:SOUTH", "Ann Lee", now=NOW)
    commits = port.commits
    summary = run_adjust(port, dry_run=True)
    assert summary.notes and "would be marked superseded" in summary.notes[0]
    assert port.commits == commits
    assert port.tables["tblApprovals"]["status"].tolist() == ["approved"]


# --- on a file, through the command line ----------------------------------------------------


@pytest.fixture(scope="module")
def split_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("approve") / "plan.xlsx"
    for args in (["demo", str(path)], ["propose", str(path), "--final", "base"]):
        assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, ["split", str(path)]).exit_code == 0
    return path


def test_keys_approve_sign_edit_verify_and_check_on_a_file(
    split_plan: Path, tmp_path: Path
) -> None:
    """keys new writes a private key only its owner reads (making its folder); keys add lists
    the public key;
    approve --sign records a signed approval; verify exits 0 and says signed. After a manager
    edits one SOUTH target with openpyxl, verify exits 1 naming Targets!<cell>, and check
    reports APPROVAL_BROKEN at the same cell."""
    plan = tmp_path / "plan.xlsx"
    shutil.copy(split_plan, plan)
    folder = tmp_path / "keys"
    made = runner.invoke(app, ["keys", "new", "Ann Lee", "--out", str(folder)])
    assert made.exit_code == 0, made.output
    private, public = folder / "ann-lee.key", folder / "ann-lee.pub"
    assert private.stat().st_mode & 0o077 == 0 and public.read_text().startswith("ed25519:")
    again = runner.invoke(app, ["keys", "new", "Ann Lee", "--out", str(folder)])
    assert again.exit_code != 0 and "already exists" in again.output
    onto_file = runner.invoke(app, ["keys", "new", "Ann Lee", "--out", str(public)])
    assert onto_file.exit_code != 0 and "is a file, not a folder" in onto_file.output
    added = runner.invoke(app, ["keys", "add", str(plan), "Ann Lee", str(public), "--role", "VP"])
    assert added.exit_code == 0, added.output
    approved = runner.invoke(
        app,
        [
            "approve",
            str(plan),
            "--scope",
            "region:SOUTH",
            "--by",
            "Ann Lee",
            "--sign",
            str(private),
        ],
    )
    assert approved.exit_code == 0, approved.output
    assert "APR-001" in approved.output and "signed" in approved.output
    verified = runner.invoke(app, ["verify", str(plan), "--json"])
    assert verified.exit_code == 0, verified.output
    (result,) = json.loads(verified.stdout)["approvals"]
    assert (result["holds"], result["form"]) == (True, "signed")

    targets = PackagePort(plan).read_table("tblTargets")
    row = int(targets.frame.index[targets.frame["region"] == "SOUTH"][5])
    cell = targets.cell(row, "target")
    wb = load_workbook(plan)
    found = find_table(wb, "tblTargets")
    assert found is not None
    found[0][cell] = int(targets.frame.at[row, "target"]) + 500
    wb.save(plan)
    broken = runner.invoke(app, ["verify", str(plan)])
    assert broken.exit_code == 1
    assert f"Targets!{cell}: APPROVAL_BROKEN" in broken.output
    check = runner.invoke(app, ["check", "--no-write", "--json", str(plan)])
    assert check.exit_code == 1
    cells = {(p["code"], p["cell"]) for p in json.loads(check.stdout)["problems"]}
    assert ("APPROVAL_BROKEN", cell) in cells


def test_listing_another_key_under_a_name_needs_replace(split_plan: Path, tmp_path: Path) -> None:
    """keys add refuses a second, different key for the same approver unless --replace."""
    plan = tmp_path / "plan.xlsx"
    shutil.copy(split_plan, plan)
    first, second = new_key_pair()[1], new_key_pair()[1]
    assert runner.invoke(app, ["keys", "add", str(plan), "Ann Lee", first]).exit_code == 0
    refused = runner.invoke(app, ["keys", "add", str(plan), "Ann Lee", second])
    assert refused.exit_code == 1 and "--replace" in refused.output
    replaced = runner.invoke(app, ["keys", "add", str(plan), "Ann Lee", second, "--replace"])
    assert replaced.exit_code == 0
    listed = PackagePort(plan).read_table("tblApprovers").frame
    assert listed["public_key"].tolist() == [second]


def test_scope_all_of_the_file_plan_matches_a_fingerprint_recomputed_here(split_plan: Path) -> None:
    """approve --dry-run --json gives the fingerprint this test recomputes from the file's own
    plan id, version and tblTargets, and writes nothing."""
    before = split_plan.read_bytes()
    result = runner.invoke(
        app, ["approve", str(split_plan), "--scope", "all", "--by", "CFO", "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    port = PackagePort(split_plan)
    props = port.properties()
    leaves = port.read_table("tblTargets").frame
    scope = Scope("all")
    expected = fingerprint(
        str(props["PlanId"]),
        int(props["PlanVersion"]),
        scope,
        leaf_entries(leaves, scope.mask(leaves)),
    )
    assert json.loads(result.stdout)["fingerprint"] == expected
    assert split_plan.read_bytes() == before
