"""`new` saves through the door: readable files, and a backup when --force replaces one."""

from __future__ import annotations

import stat
from pathlib import Path

from salesgoal_xl.commands.new import new_workbook


def test_a_new_workbook_is_readable_by_others(tmp_path: Path) -> None:
    """A workbook meant to be shared is not left with the temporary file's owner-only mode."""
    path = new_workbook(tmp_path / "plan.xlsx", year=2026)
    assert path.stat().st_mode & stat.S_IROTH


def test_force_keeps_the_replaced_file_as_a_backup(tmp_path: Path) -> None:
    """Replacing a plan with --force keeps the old one in .salesgoal-backup beside it."""
    path = new_workbook(tmp_path / "plan.xlsx", year=2026)
    old = path.read_bytes()
    new_workbook(path, year=2027, force=True)
    backups = list((tmp_path / ".salesgoal-backup").glob("plan-*.xlsx"))
    assert [b.read_bytes() for b in backups] == [old]
