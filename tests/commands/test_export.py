"""`export` on the split demo: one copy per region, team and manager holding exactly its slice,
a fingerprint anyone can recompute, exact commit targets, protection with only the commit cells
open, refusals, and the copies opened by LibreOffice (stock and recalculated) with no errors."""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.export import commit_rows, run_export
from salesgoal_xl.commands.inputs import load_settings
from salesgoal_xl.core.adjustment import canonical_value
from salesgoal_xl.core.fingerprint import Scope, fingerprint, leaf_entries
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook import identity, schema
from salesgoal_xl.workbook.builder import MATRIX_TOTAL_NAME
from salesgoal_xl.workbook.export_copy import EDITABLE_COLUMNS
from salesgoal_xl.workbook.package_port import PackagePort
from tests import libreoffice
from tests.commands.roundtrip_files import read_table

runner = CliRunner()
TEMPLATES = Path(__file__).resolve().parents[2] / "workbook_templates"
LEVELS = ("region", "team", "manager")


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _properties(path: Path) -> dict[str, str | int]:
    port = PackagePort(path)
    try:
        return port.properties()
    finally:
        port.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's plan after demo, propose --final base and split."""
    path = tmp_path_factory.mktemp("export-master") / "demo.xlsx"
    for args in (("demo",), ("propose", "--final", "base"), ("split",)):
        result = _run(args[0], str(path), *args[1:])
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def exported(master: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The demo exported through the CLI by region, by team and by manager, each in a folder."""
    copies: dict[str, list[Path]] = {}
    for by in LEVELS:
        folder = tmp_path_factory.mktemp(f"export-{by}")
        result = _run("export", str(master), "--by", by, "--out", str(folder))
        assert result.exit_code == 0, result.output
        copies[by] = sorted(folder.glob("*.xlsx"))
    return copies


def _master_leaves(master: Path) -> pd.DataFrame:
    return read_table(master, "tblTargets").frame


def _scope_of(path: Path) -> Scope:
    """The copy's scope as collect would rebuild it: a manager's reps from the copy's tblReps."""
    level, _, code = str(_properties(path)[identity.EXPORT_SCOPE]).partition(":")
    if level != "manager":
        return Scope(level, code)
    reps = read_table(path, "tblReps").frame
    ids = [canonical_value(r) for r, m in zip(reps["rep_id"], reps["manager"], strict=True)]
    names = [canonical_value(m) for m in reps["manager"]]
    return Scope(level, code, frozenset(i for i, n in zip(ids, names, strict=True) if n == code))


@pytest.mark.parametrize("by", LEVELS)
def test_one_copy_per_unit_named_by_plan_and_unit(
    by: str, master: Path, exported: dict[str, list[Path]]
) -> None:
    """Each region, team or manager with targets gets exactly one file, named after the plan
    name and the unit, and the copies together hold every leaf of the master once."""
    leaves = _master_leaves(master)
    if by == "manager":
        reps = read_table(master, "tblReps").frame
        units = {canonical_value(m) for m in reps["manager"]} - {""}
    else:
        units = {canonical_value(v) for v in leaves[by]}
    plan_name = str(load_settings(PackagePort(master))["plan_name"])
    names = {p.name for p in exported[by]}
    assert names == {f"{plan_name} - {by} {unit}.xlsx" for unit in units}
    assert sum(len(read_table(p, "tblTargets").frame) for p in exported[by]) == len(leaves)


@pytest.mark.parametrize("by", LEVELS)
def test_each_copy_holds_exactly_its_units_master_rows(
    by: str, master: Path, exported: dict[str, list[Path]]
) -> None:
    """A copy's tblTargets has the very leaf keys and target values of the master's rows in its
    scope, and its reps are only the scope's reps."""
    leaves = _master_leaves(master)
    for path in exported[by]:
        scope = _scope_of(path)
        copy = read_table(path, "tblTargets").frame
        every = np.ones(len(copy), dtype=bool)
        assert leaf_entries(copy, every) == leaf_entries(leaves, scope.mask(leaves)), path.name
        in_scope = {canonical_value(r) for r in leaves.loc[scope.mask(leaves), "rep_id"]}
        reps = read_table(path, "tblReps").frame["rep_id"]
        history = read_table(path, "tblHistory").frame["rep_id"]
        assert {canonical_value(r) for r in reps} == in_scope
        assert {canonical_value(r) for r in history} <= in_scope


@pytest.mark.parametrize("by", LEVELS)
def test_the_export_fingerprint_recomputes_from_the_copy_and_from_the_master(
    by: str, master: Path, exported: dict[str, list[Path]]
) -> None:
    """ExportFingerprint equals the fingerprint recomputed over all rows of the copy's own
    tblTargets with its own id, version and scope, and over the master's rows in scope; the
    Guide's Fingerprint cell shows it and PlanId/PlanVersion are the master's."""
    leaves = _master_leaves(master)
    plan = identity.identity_of(_properties(master))
    for path in exported[by]:
        props = _properties(path)
        own = identity.identity_of(props)
        assert (own.plan_id, own.version) == (plan.plan_id, plan.version)
        scope = _scope_of(path)
        copy = read_table(path, "tblTargets").frame
        from_copy = fingerprint(
            own.plan_id, own.version, scope, leaf_entries(copy, np.ones(len(copy), dtype=bool))
        )
        from_master = fingerprint(
            plan.plan_id, plan.version, scope, leaf_entries(leaves, scope.mask(leaves))
        )
        assert props[identity.EXPORT_FINGERPRINT] == from_copy == from_master
        assert props[identity.EXPORTED_TO] == scope.code
        wb = openpyxl.load_workbook(path)
        sheet, cell = next(iter(wb.defined_names["PlanFingerprint"].destinations))
        assert wb[sheet][cell.replace("$", "")].value == from_copy


@pytest.mark.parametrize("by", LEVELS)
def test_commit_targets_add_up_exactly_to_each_reps_leaf_targets(
    by: str, exported: dict[str, list[Path]]
) -> None:
    """Every tblCommits row's target is the exact sum of that rep's leaf targets that month,
    one row per rep and month, with the commit cells blank in a first export."""
    for path in exported[by]:
        copy = read_table(path, "tblTargets").frame
        expected: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for rep, month, target in zip(copy["rep_id"], copy["month"], copy["target"], strict=True):
            expected[(canonical_value(rep), canonical_value(month))] += Fraction(
                canonical_value(target)
            )
        commits = read_table(path, "tblCommits").frame
        got = {
            (canonical_value(r), canonical_value(p)): Fraction(canonical_value(t))
            for r, p, t in zip(commits["rep_id"], commits["period"], commits["target"], strict=True)
        }
        assert len(got) == len(commits) and got == dict(expected), path.name
        assert all(canonical_value(v) == "" for k in EDITABLE_COLUMNS for v in commits[k])


def test_only_the_commit_cells_are_unlocked_and_approvals_stay_open(
    exported: dict[str, list[Path]],
) -> None:
    """Every sheet but Approvals is protected, the structure is locked, and the only unlocked
    cells anywhere are the commit, comment and committed-by cells of tblCommits."""
    path = exported["team"][0]
    wb = openpyxl.load_workbook(path)
    assert wb.security is not None and wb.security.lockStructure
    approvals = schema.SHEETS_BY_KEY["approvals"].label.en
    commits_sheet = schema.SHEETS_BY_KEY["commits"].label.en
    data = read_table(path, "tblCommits")
    allowed = {
        data.cell(row, key).replace("$", "")
        for row in range(len(data.frame))
        for key in EDITABLE_COLUMNS
    }
    for ws in wb.worksheets:
        assert ws.protection.sheet is (ws.title != approvals), ws.title
        if ws.title == approvals:
            continue
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked == (allowed if ws.title == commits_sheet else set()), ws.title
    target_cell = data.cell(0, "target").replace("$", "")
    assert wb[commits_sheet][target_cell].protection.locked


def test_a_commit_already_in_the_master_travels_with_the_copy() -> None:
    """commit_rows sums a rep's leaves per month exactly (Decimal cents included) and carries
    the master's commit, comment and committed-by for that rep and month, blank elsewhere."""
    leaves = pd.DataFrame(
        {
            "rep_id": ["R1", "R1", "R1", "R2"],
            "rep_name": ["Ann", "Ann", "Ann", "Bo"],
            "month": ["2026-01", "2026-01", "2026-02", "2026-01"],
            "target": [100.10, "200.25", 300, 50],
        }
    )
    master = pd.DataFrame(
        {
            "rep_id": ["R1", "R9"],
            "rep_name": ["Ann", "Zed"],
            "period": ["2026-01", "2026-01"],
            "target": [300, 1],
            "commit": [320, 5],
            "comment": ["new account", "gone"],
            "committed_by": ["Jane Doe", "Someone"],
        }
    )
    rows = commit_rows(leaves, master).to_dict("records")
    assert [(r["rep_id"], r["period"], Fraction(str(r["target"]))) for r in rows] == [
        ("R1", "2026-01", Fraction("300.35")),
        ("R1", "2026-02", Fraction(300)),
        ("R2", "2026-01", Fraction(50)),
    ]
    assert (rows[0]["commit"], rows[0]["comment"], rows[0]["committed_by"]) == (
        320,
        "new account",
        "Jane Doe",
    )
    assert all(canonical_value(rows[i][k]) == "" for i in (1, 2) for k in EDITABLE_COLUMNS)


def test_a_template_and_an_unsplit_plan_are_refused(tmp_path: Path) -> None:
    """A template (no plan id, no targets) is refused with NOT_A_PLAN and NOT_SPLIT, a demo not
    yet split with NOT_SPLIT at tblTargets, and no file is written."""
    template = Path(shutil.copy(TEMPLATES / "planning-template-en.xlsx", tmp_path / "t.xlsx"))
    with pytest.raises(ProblemsFound) as refused:
        run_export(PackagePort(template), template, "region", tmp_path / "out")
    assert {p.code for p in refused.value.problems} == {
        ProblemCode.NOT_A_PLAN,
        ProblemCode.NOT_SPLIT,
    }
    plan = tmp_path / "plan.xlsx"
    assert _run("demo", str(plan)).exit_code == 0
    result = _run("export", str(plan), "--by", "team", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "NOT_SPLIT" in result.output and "Targets!" in result.output
    assert not (tmp_path / "out").exists()


def test_existing_copies_are_kept_unless_forced(master: Path, tmp_path: Path) -> None:
    """A second export into the same folder exits 2 and leaves the copies byte-identical;
    with --force it replaces them."""
    folder = tmp_path / "copies"
    assert _run("export", str(master), "--by", "region", "--out", str(folder)).exit_code == 0
    before = {p: _digest(p) for p in folder.glob("*.xlsx")}
    again = _run("export", str(master), "--by", "region", "--out", str(folder))
    assert again.exit_code == 2 and "--force" in again.output
    assert {p: _digest(p) for p in folder.glob("*.xlsx")} == before
    forced = _run("export", str(master), "--by", "region", "--out", str(folder), "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.output.count(".xlsx") == len(before)
    assert {p: _digest(p) for p in folder.glob("*.xlsx")} != before


def test_copies_default_to_the_plans_folder_and_report_each_file(
    master: Path, tmp_path: Path
) -> None:
    """Without --out the copies land beside the plan; the view prints one line per copy with
    its scope, reps, leaf rows and fingerprint prefix."""
    plan = Path(shutil.copy(master, tmp_path / "demo.xlsx"))
    result = _run("export", str(plan), "--by", "region")
    assert result.exit_code == 0, result.output
    copies = sorted(p for p in tmp_path.glob("*.xlsx") if p != plan)
    assert len(copies) == 4
    for path in copies:
        line = next(line for line in result.output.splitlines() if path.name in line)
        scope = str(_properties(path)[identity.EXPORT_SCOPE])
        rows = len(read_table(path, "tblTargets").frame)
        assert scope in line and f"{rows} leaf rows" in line
        assert str(_properties(path)[identity.EXPORT_FINGERPRINT])[:19] in line


# --- the copies in LibreOffice ---------------------------------------------------------------


@pytest.fixture(scope="module")
def chinese(master: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo exported by region in Traditional Chinese."""
    folder = tmp_path_factory.mktemp("export-zh")
    result = _run(
        "export", str(master), "--by", "region", "--out", str(folder), "--lang", "zh-Hant"
    )
    assert result.exit_code == 0, result.output
    return sorted(folder.glob("*.xlsx"))


@pytest.fixture(scope="module")
def opened(
    exported: dict[str, list[Path]], chinese: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[Path, Path]]:
    """The region copies (English and Chinese) as stock LibreOffice shows them, and recalculated."""
    # Same file names in both languages: LibreOffice would write one output over the other.
    renamed = tmp_path_factory.mktemp("export-zh-renamed")
    originals = [*exported["region"], *chinese]
    inputs = [
        *exported["region"],
        *(Path(shutil.copy(p, renamed / f"zh-{p.name}")) for p in chinese),
    ]
    stock = libreoffice.convert_as_stock(inputs, tmp_path_factory.mktemp("export-stock"))
    forced = libreoffice.recalculate(inputs, tmp_path_factory.mktemp("export-forced"))
    return {
        "stock": dict(zip(originals, stock, strict=True)),
        "forced": dict(zip(originals, forced, strict=True)),
    }


def _matrix_total(original: Path, shown: Path) -> Any:
    """The Rep x Month view's grand total as `shown` holds it (the cell named in `original`)."""
    wb = openpyxl.load_workbook(original)
    sheet, cell = next(iter(wb.defined_names[MATRIX_TOTAL_NAME].destinations))
    return openpyxl.load_workbook(shown, data_only=True)[sheet][cell.replace("$", "")].value


@pytest.mark.libreoffice
@pytest.mark.parametrize("how", ["stock", "forced"])
def test_libreoffice_shows_the_copys_numbers_without_errors(
    how: str, opened: dict[str, dict[Path, Path]]
) -> None:
    """Stock and recalculating LibreOffice show no error cell in any copy, and the Rep x Month
    total equals the copy's own tblTargets total."""
    for original, shown in opened[how].items():
        assert libreoffice.error_cells(shown) == [], original.name
        targets = read_table(original, "tblTargets").frame
        total = sum(Fraction(canonical_value(t)) for t in targets["target"])
        assert Fraction(str(_matrix_total(original, shown))) == total, original.name


@pytest.mark.libreoffice
def test_a_traditional_chinese_copy_opens_with_chinese_sheet_names(
    chinese: list[Path], opened: dict[str, dict[Path, Path]]
) -> None:
    """--lang zh-Hant writes copies whose sheets carry the Traditional Chinese names (also as
    LibreOffice saves them) and whose Language property is zh-Hant."""
    expected = [s.label.get("zh-Hant") for s in schema.SHEETS]
    for path in chinese:
        assert _properties(path)[identity.LANGUAGE] == "zh-Hant"
        shown = openpyxl.load_workbook(opened["forced"][path], read_only=True)
        assert shown.sheetnames == expected
