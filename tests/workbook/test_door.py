"""The door: atomic, verified, backed-up saves that lose nothing and write text as text."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook import door
from salesgoal_xl.workbook.door import (
    BACKUP_DIR,
    clean_text,
    package_inventory,
    replace_parts,
    save_atomically,
    write_text,
)
from salesgoal_xl.workbook.gate import open_workbook
from tests.workbook.corpus import (
    NOTES_PART,
    SETTINGS_PART,
    USER_SHEET,
    CorpusFile,
    build_base_workbook,
    build_corpus,
)

# Text a user might type or paste, formula look-alikes included.
user_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),
    max_size=60,
) | st.sampled_from(
    [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A3)",
        "=1+1",
        "#N/A",
        "  padded  ",
        "line\r\nbreak",
        "bell\x07",
        "TRUE",
        "0012",
    ]
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusFile]:
    return build_corpus(tmp_path_factory.mktemp("door-corpus"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~salesgoal-"))


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


@pytest.mark.parametrize(
    ("name", "feature", "sheet"),
    [
        ("drawing_shape", "shape or text box", USER_SHEET),
        ("sparklines", "sparklines", USER_SHEET),
        ("xlsm_vba", "VBA macros", ""),
        ("ole_embedding", "embedded object", ""),
    ],
)
def test_door_refuses_to_drop_what_openpyxl_cannot_keep(
    corpus: dict[str, CorpusFile], tmp_path: Path, name: str, feature: str, sheet: str
) -> None:
    """Saving a file whose shapes, sparklines, macros or objects would be lost is refused."""
    path = _copy(corpus[name].path, tmp_path / corpus[name].path.name)
    before = _digest(path)
    workbook = open_workbook(path)
    with pytest.raises(ProblemsFound) as stopped:
        save_atomically(workbook, path)
    problems = stopped.value.problems
    assert {p.code for p in problems} == {ProblemCode.WOULD_DROP_FEATURE}
    assert any(feature in p.message and p.sheet == sheet for p in problems)
    assert _digest(path) == before
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / BACKUP_DIR).exists()


def test_allowed_feature_loss_still_keeps_a_backup(
    corpus: dict[str, CorpusFile], tmp_path: Path
) -> None:
    """With allow_feature_loss the save goes ahead, reports the loss, and keeps a backup."""
    path = _copy(corpus["drawing_shape"].path, tmp_path / "plan.xlsx")
    original = path.read_bytes()
    report = save_atomically(open_workbook(path), path, backup=False, allow_feature_loss=True)
    assert [p.code for p in report.dropped] == [ProblemCode.WOULD_DROP_FEATURE]
    assert report.backup is not None and report.backup.read_bytes() == original
    assert ("My notes", "shape or text box") not in package_inventory(path)


def test_save_replaces_the_file_and_keeps_the_previous_one(tmp_path: Path) -> None:
    """A save writes the change, and the previous bytes sit in .salesgoal-backup."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    original = path.read_bytes()
    workbook = open_workbook(path)
    workbook["Settings"]["B2"] = "Ann Lee-Wong"
    report = save_atomically(workbook, path)
    assert report.backup is not None
    assert report.backup.parent == tmp_path / BACKUP_DIR
    assert report.backup.name.startswith("plan-") and report.backup.suffix == ".xlsx"
    assert report.backup.read_bytes() == original
    assert load_workbook(path)["Settings"]["B2"].value == "Ann Lee-Wong"
    assert _leftovers(tmp_path) == []


def test_a_new_file_needs_no_backup(tmp_path: Path) -> None:
    """Saving where no file exists yet writes it without a backup, readable by others."""
    workbook = Workbook()
    workbook.active["A1"] = 1
    report = save_atomically(workbook, tmp_path / "new.xlsx")
    assert report.backup is None
    assert load_workbook(tmp_path / "new.xlsx").active["A1"].value == 1
    assert os.stat(tmp_path / "new.xlsx").st_mode & 0o044  # not the 0600 of a temp file


def test_backups_are_pruned_to_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the newest KEEP_BACKUPS backups of a file are kept."""
    monkeypatch.setattr(door, "KEEP_BACKUPS", 2)
    path = build_base_workbook(tmp_path / "plan.xlsx")
    for i in range(4):
        workbook = open_workbook(path)
        workbook["Settings"]["B2"] = f"v{i}"
        save_atomically(workbook, path)
    assert len(list((tmp_path / BACKUP_DIR).iterdir())) == 2


def _failing_save(path: Path) -> None:
    raise OSError(28, "No space left on device")


def _corrupt_save(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not really a zip")


@pytest.mark.parametrize(
    ("inject", "code"),
    [
        ("save_raises", ProblemCode.SAVE_FAILED),
        ("save_writes_garbage", ProblemCode.SAVE_FAILED),
        ("verification_fails", ProblemCode.SAVE_FAILED),
        ("backup_fails", ProblemCode.SAVE_FAILED),
        ("replace_raises", ProblemCode.SAVE_FAILED),
        ("replace_denied", ProblemCode.FILE_LOCKED),
    ],
)
def test_a_failure_at_any_step_leaves_the_original_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inject: str, code: ProblemCode
) -> None:
    """Whichever step fails, the user gets one problem and the original file is untouched."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    before = _digest(path)
    workbook = open_workbook(path)
    workbook["Settings"]["B2"] = "changed"
    source: object = workbook
    if inject == "save_raises":
        source = _failing_save
    elif inject == "save_writes_garbage":
        source = _corrupt_save
    elif inject == "verification_fails":

        def fail_verify(path: Path) -> None:
            raise ValueError("did not reopen")

        monkeypatch.setattr(door, "verify_package", fail_verify)
    elif inject == "backup_fails":

        def fail_copy(*args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(shutil, "copy2", fail_copy)
    else:
        error = PermissionError(13, "denied") if inject == "replace_denied" else OSError(5, "I/O")

        def fail_replace(src: object, dst: object) -> None:
            raise error

        monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(ProblemsFound) as stopped:
        save_atomically(source, path)
    assert [p.code for p in stopped.value.problems] == [code]
    assert _digest(path) == before
    assert _leftovers(tmp_path) == []


def test_an_owner_file_blocks_the_write(corpus: dict[str, CorpusFile]) -> None:
    """With Excel's owner file beside it, nothing is written and the owner is named."""
    path = corpus["locked"].path
    before = _digest(path)
    with pytest.raises(ProblemsFound) as stopped:
        save_atomically(load_workbook(path), path)
    problem = stopped.value.problems[0]
    assert problem.code is ProblemCode.FILE_LOCKED
    assert "Alice Chen" in problem.message
    assert _digest(path) == before
    assert _leftovers(path.parent) == []


def test_replace_parts_copies_every_other_part_unchanged(
    corpus: dict[str, CorpusFile], tmp_path: Path
) -> None:
    """Rewriting one sheet's XML keeps every other part's bytes and order, shapes included."""
    path = _copy(corpus["drawing_shape"].path, tmp_path / "plan.xlsx")
    with zipfile.ZipFile(path) as zf:
        before = {info.filename: zf.read(info) for info in zf.infolist()}
    new_sheet = before[SETTINGS_PART].replace(b"Ann Lee", b"Ann Lee-Wong")
    report = replace_parts(path, {SETTINGS_PART: new_sheet})
    with zipfile.ZipFile(path) as zf:
        after = {info.filename: zf.read(info) for info in zf.infolist()}
    assert list(after) == list(before)
    assert after[SETTINGS_PART] == new_sheet
    assert {k: v for k, v in after.items() if k != SETTINGS_PART} == {
        k: v for k, v in before.items() if k != SETTINGS_PART
    }
    assert report.backup is not None and report.dropped == ()
    assert load_workbook(path)["Settings"]["B2"].value == "Ann Lee-Wong"


def test_replace_parts_adds_new_parts_at_the_end(tmp_path: Path) -> None:
    """A part not yet in the package is appended after all existing ones."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    replace_parts(path, {"customXml/note.xml": b"<note>hello</note>"}, backup=False)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[-1] == "customXml/note.xml"
    assert not (tmp_path / BACKUP_DIR).exists()


def test_replace_parts_refuses_malformed_xml(tmp_path: Path) -> None:
    """A broken replacement part is caught before anything is replaced."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    before = _digest(path)
    with pytest.raises(ProblemsFound) as stopped:
        replace_parts(path, {SETTINGS_PART: b"<worksheet><sheetData>"})
    assert stopped.value.problems[0].code is ProblemCode.SAVE_FAILED
    assert _digest(path) == before
    assert _leftovers(tmp_path) == []


def test_replace_parts_also_refuses_to_drop(corpus: dict[str, CorpusFile], tmp_path: Path) -> None:
    """A rewritten sheet that no longer carries its sparklines is refused like a full save."""
    path = _copy(corpus["sparklines"].path, tmp_path / "plan.xlsx")
    with zipfile.ZipFile(path) as zf:
        notes = zf.read(NOTES_PART)
    without = notes[: notes.index(b"<extLst>")] + b"</worksheet>"
    with pytest.raises(ProblemsFound) as stopped:
        replace_parts(path, {NOTES_PART: without})
    assert stopped.value.problems[0].code is ProblemCode.WOULD_DROP_FEATURE


def test_user_sheet_extra_column_and_chart_survive_a_write(tmp_path: Path) -> None:
    """A user's own sheet, an extra column beside a table and a chart survive a door save."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    workbook = load_workbook(path)
    settings_sheet = workbook["Settings"]
    extra = settings_sheet.max_column + 1
    settings_sheet.cell(1, extra, "My comment")
    settings_sheet.cell(2, extra, "top performer")
    mine = workbook.create_sheet("Forecast notes")
    for row in range(1, 5):
        mine.append([f"Q{row}", row * 100])
    chart = BarChart()
    chart.add_data(Reference(mine, min_col=2, min_row=1, max_row=4))
    mine.add_chart(chart, "D2")
    workbook.save(path)

    workbook = open_workbook(path)
    workbook["Settings"]["B2"] = "Ann Lee-Wong"
    report = save_atomically(workbook, path)

    assert report.dropped == ()
    reopened = load_workbook(path)
    assert reopened["Settings"].cell(2, extra).value == "top performer"
    assert [c.value for c in reopened["Forecast notes"]["B"]] == [100, 200, 300, 400]
    assert len(reopened["Forecast notes"]._charts) == 1
    assert package_inventory(path)[("Forecast notes", "chart")] == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(user_text, min_size=1, max_size=8))
def test_any_text_round_trips_as_text(tmp_path: Path, texts: list[str]) -> None:
    """Whatever a user typed comes back as the same string cell (never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    expected = []
    for row, text in enumerate(texts, 1):
        problems = write_text(sheet.cell(row, 1), text)
        stored, _ = clean_text(text)
        expected.append(stored)
        assert (problems == []) == (text.replace("\r\n", "\n").replace("\r", "\n") == stored)
    path = tmp_path / "texts.xlsx"
    save_atomically(workbook, path, backup=False)
    reopened = load_workbook(path).active
    for row, stored in enumerate(expected, 1):
        cell = reopened.cell(row, 1)
        assert cell.value == (stored or None)
        assert cell.data_type == "s" or not stored


def test_clean_text_reports_control_characters_and_overlong_text() -> None:
    """Control characters are removed and over-long text cut, each with its own problem."""
    text, problems = clean_text("Ann\x00 Lee\x1b")
    assert text == "Ann Lee"
    assert [p.code for p in problems] == [ProblemCode.CONTROL_CHARACTERS]
    text, problems = clean_text("x" * 40_000)
    assert len(text) == door.EXCEL_MAX_TEXT
    assert [p.code for p in problems] == [ProblemCode.TEXT_TOO_LONG]


def test_formula_lookalikes_get_the_quote_prefix(tmp_path: Path) -> None:
    """Text starting with = + - @ is stored as text with Excel's quote prefix."""
    workbook = Workbook()
    cell = workbook.active["A1"]
    assert write_text(cell, '=HYPERLINK("http://evil.example","x")') == []
    path = tmp_path / "quoted.xlsx"
    save_atomically(workbook, path, backup=False)
    reopened = load_workbook(path).active["A1"]
    assert reopened.data_type == "s" and reopened.quotePrefix
    with zipfile.ZipFile(path) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
