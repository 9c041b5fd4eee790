"""The file adapter reads through the gate and the reader, and writes only owned tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from salesgoal_xl.core.problems import Category, ProblemCode, ProblemsFound
from salesgoal_xl.workbook.file_port import FilePort
from salesgoal_xl.workbook.reader import read_table
from tests.workbook.bad_tables import build_workbook, good_plan


def _saved(tmp_path: Path, plan: dict[str, list[dict[str, object]]] | None = None) -> Path:
    path = tmp_path / "plan.xlsx"
    build_workbook(plan).save(path)
    return path


def test_read_table_gives_usable_numbers_and_cell_addresses(tmp_path: Path) -> None:
    """Plain numbers stored as text arrive as numbers, with the sheet and cells of the file."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "40100"
    data = FilePort(_saved(tmp_path, plan)).read_table("tblHistory")
    assert data.frame.at[0, "amount"] == 40100
    assert (data.sheet, data.cell(0, "amount")) == ("History", "E3")


def test_missing_or_broken_table_raises_problems(tmp_path: Path) -> None:
    """A missing table, or one with a required header gone, raises ProblemsFound naming it."""
    wb = build_workbook()
    del wb["Decomposition"].tables["tblWeights"]
    wb["History"]["E2"] = "Sum"
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    port = FilePort(path)
    assert not port.has_table("tblWeights")
    with pytest.raises(ProblemsFound) as missing:
        port.read_table("tblWeights")
    assert missing.value.problems[0].code is ProblemCode.MISSING_TABLE
    with pytest.raises(ProblemsFound) as header:
        port.read_table("tblHistory")
    assert header.value.problems[0].code is ProblemCode.MISSING_HEADER


def test_unreadable_file_is_refused_at_construction(tmp_path: Path) -> None:
    """Opening a file that is not a workbook raises file-category problems before any read."""
    path = tmp_path / "notes.xlsx"
    path.write_text("just text\n")
    with pytest.raises(ProblemsFound) as refused:
        FilePort(path)
    assert all(p.category is Category.FILE for p in refused.value.problems)


def test_user_tables_are_never_written(tmp_path: Path) -> None:
    """Staging a write to a table the user owns (and no import fills) is a programming
    error, refused at once."""
    port = FilePort(_saved(tmp_path))
    with pytest.raises(ValueError, match="belongs to the user"):
        port.write_table("tblMarket", pd.DataFrame({"region": ["X"]}))


def test_commit_writes_owned_tables_reports_progress_and_keeps_a_backup(tmp_path: Path) -> None:
    """A staged owned table is written on commit, with progress, a message and a backup."""
    path = _saved(tmp_path)
    progress: list[tuple[float, str]] = []
    messages: list[tuple[str, str]] = []
    port = FilePort(
        path,
        progress=lambda f, m: progress.append((f, m)),
        message=lambda t, level: messages.append((level, t)),
    )
    frame = pd.DataFrame({"metric": ["spread"], "value": [0.25], "comment": ["=not a formula"]})
    port.write_table("tblFairness", frame)
    assert read_table(load_workbook(path), "tblFairness").data.frame.empty  # staged only
    port.commit()
    read = read_table(load_workbook(path), "tblFairness")
    written = read.data.frame
    assert written.at[0, "metric"] == "spread" and written.at[0, "comment"] == "=not a formula"
    assert read.formulas == frozenset()  # user text stays text
    assert progress[-1][0] == 1.0 and messages
    assert port.last_save is not None and port.last_save.backup is not None
    assert port.last_save.backup.exists()
