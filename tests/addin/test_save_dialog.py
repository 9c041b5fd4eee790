"""New plan's save dialog: Excel's GetSaveAsFilename on Windows, osascript on a Mac.

Neither system is here, so the dialogs are doubles that answer as the documented calls do
(GetSaveAsFilename: the chosen name, or False when cancelled; osascript: the POSIX path on
stdout, or exit 1 with "User canceled. (-128)"). What only a real Excel shows (the dialog
itself, in front of Excel) is in docs/addin-manual-test.md.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from salesgoal_xl.addin.ribbon import Status, on_action
from salesgoal_xl.addin.save_dialog import SaveChoice, SaveDialogError, ask_save_path
from salesgoal_xl.workbook.builder import default_fiscal_year
from tests.addin.test_ribbon import FakeHost

YEAR_NAME = f"sales-plan-{default_fiscal_year(1)}.xlsx"


@dataclass
class FakeApi:
    """Excel's Application object over COM: GetSaveAsFilename answers `answer`."""

    answer: str | bool
    calls: list[dict[str, object]] = field(default_factory=list)

    def GetSaveAsFilename(  # noqa: N802 (Excel's name and argument order)
        self, initial: str, file_filter: str, filter_index: int, title: str
    ) -> str | bool:
        self.calls.append(
            {
                "InitialFileName": initial,
                "FileFilter": file_filter,
                "FilterIndex": filter_index,
                "Title": title,
            }
        )
        return self.answer


@dataclass
class FakeBook:
    fullname: str


class FakeBooks(list[FakeBook]):
    @property
    def active(self) -> FakeBook:
        return self[-1]


@dataclass
class FakeApp:
    """An xlwings App: its books, its COM api, and alert answering `reply`."""

    api: FakeApi
    books: FakeBooks
    reply: str = "yes"
    asked: list[tuple[str, str]] = field(default_factory=list)

    def alert(self, prompt: str, title: str, buttons: str) -> str:
        self.asked.append((prompt, buttons))
        return self.reply


def app_in(folder: Path, answer: str | bool = False, reply: str = "yes") -> FakeApp:
    return FakeApp(FakeApi(answer), FakeBooks([FakeBook(str(folder / "open plan.xlsx"))]), reply)


class FakeOsascript:
    """subprocess.run for osascript: records the command, answers as told."""

    def __init__(self, code: int, out: str = "", err: str = "") -> None:
        self.done = (code, out, err)
        self.commands: list[list[str]] = []

    def __call__(self, command: Any, **options: Any) -> subprocess.CompletedProcess[str]:
        assert options == {"capture_output": True, "text": True, "check": False}
        self.commands.append(list(command))
        code, out, err = self.done
        return subprocess.CompletedProcess(command, code, out, err)


def test_windows_asks_excel_in_the_add_ins_language_starting_beside_the_open_workbook(
    tmp_path: Path,
) -> None:
    """GetSaveAsFilename starts at <open workbook's folder>/sales-plan-<year>.xlsx, with the
    title and the file kind in the add-in's language; the chosen name comes back."""
    chosen = tmp_path / "north" / "plan 2027.xlsx"
    app = app_in(tmp_path, answer=str(chosen))
    assert ask_save_path(app, "zh-Hant", "Windows") == SaveChoice(chosen, replace=False)
    assert app.api.calls == [
        {
            "InitialFileName": str(tmp_path / YEAR_NAME),
            "FileFilter": "Excel 活頁簿 (*.xlsx),*.xlsx",
            "FilterIndex": 1,
            "Title": "新規劃活頁簿另存為",
        }
    ]
    assert app.asked == []


def test_windows_cancel_is_none(tmp_path: Path) -> None:
    """GetSaveAsFilename gives False when the person cancels."""
    assert ask_save_path(app_in(tmp_path, answer=False), "en", "Windows") is None


@pytest.mark.parametrize(("reply", "expected"), [("yes", True), ("no", False)])
def test_windows_asks_before_replacing_a_file(tmp_path: Path, reply: str, expected: bool) -> None:
    """Excel's dialog does not ask about an existing file, so we do, in the add-in's language:
    yes replaces (the door keeps a backup), no cancels."""
    existing = tmp_path / "plan.xlsx"
    existing.write_bytes(b"the old plan")
    app = app_in(tmp_path, answer=str(existing), reply=reply)
    choice = ask_save_path(app, "zh-Hans", "Windows")
    assert choice == (SaveChoice(existing, replace=True) if expected else None)
    [(question, buttons)] = app.asked
    assert buttons == "yes_no" and question.startswith("plan.xlsx 已存在")
    assert ".salesgoal-backup" in question


def test_a_name_without_xlsx_gets_it_and_is_asked_about_when_that_file_exists(
    tmp_path: Path,
) -> None:
    """A typed name without the extension becomes .xlsx; the Mac dialog asked about the name as
    typed, so replacing the .xlsx beside it is asked again."""
    (tmp_path / "plan.xlsx").write_bytes(b"old")
    run = FakeOsascript(0, out=f"{tmp_path / 'plan'}\n")
    app = app_in(tmp_path, reply="no")
    assert ask_save_path(app, "en", "Darwin", run) is None
    assert app.asked and app.asked[0][0].startswith("plan.xlsx already exists")
    fresh = FakeOsascript(0, out=f"{tmp_path / 'fresh'}\n")
    assert ask_save_path(app, "en", "Darwin", fresh) == SaveChoice(
        tmp_path / "fresh.xlsx", replace=False
    )


def test_mac_runs_choose_file_name_in_excel_with_the_prompt_name_and_folder(
    tmp_path: Path,
) -> None:
    """osascript gets the script and its three arguments; the POSIX path it prints is the
    choice, and a file it confirmed replacing is not asked about twice."""
    existing = tmp_path / "plan.xlsx"
    existing.write_bytes(b"old")
    run = FakeOsascript(0, out=f"{existing}\n")
    app = app_in(tmp_path)
    assert ask_save_path(app, "en", "Darwin", run) == SaveChoice(existing, replace=True)
    assert app.asked == []
    [command] = run.commands
    assert command[0] == "osascript"
    script = [command[i + 1] for i in range(1, len(command) - 3, 2) if command[i] == "-e"]
    assert script[0] == "on run argv" and script[-1] == "end run"
    assert 'tell application "Microsoft Excel"' in script
    assert any(line.startswith("set chosen to choose file name with prompt") for line in script)
    assert command[-3:] == ["Save the new planning workbook as", YEAR_NAME, str(tmp_path)]


def test_mac_cancel_is_none_and_other_failures_say_why(tmp_path: Path) -> None:
    """Error -128 is the person cancelling; anything else is reported with osascript's words."""
    cancelled = FakeOsascript(1, err="execution error: User canceled. (-128)\n")
    assert ask_save_path(app_in(tmp_path), "en", "Darwin", cancelled) is None
    refused = FakeOsascript(1, err="execution error: Not authorised to send Apple events (-1743)")
    with pytest.raises(SaveDialogError, match=r"did not open: .*Not authorised.*-1743"):
        ask_save_path(app_in(tmp_path), "en", "Darwin", refused)


def test_the_dialog_starts_in_documents_when_no_saved_workbook_is_in_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book never saved (fullname is just 'Book1'), or no book at all: Documents, else home."""
    monkeypatch.setenv("HOME", str(tmp_path))
    unsaved = FakeApp(FakeApi(False), FakeBooks([FakeBook("Book1")]))
    ask_save_path(unsaved, "en", "Windows")
    assert unsaved.api.calls[0]["InitialFileName"] == str(tmp_path / YEAR_NAME)
    (tmp_path / "Documents").mkdir()
    empty = FakeApp(FakeApi(False), FakeBooks())
    ask_save_path(empty, "en", "Windows")
    assert empty.api.calls[0]["InitialFileName"] == str(tmp_path / "Documents" / YEAR_NAME)


def test_no_dialog_without_windows_or_mac_and_a_bad_language_says_rebuild(
    tmp_path: Path,
) -> None:
    """Linux has no Excel; a tag that is not a language means a mismatched add-in."""
    with pytest.raises(SaveDialogError, match="no save dialog on Linux"):
        ask_save_path(app_in(tmp_path), "en", "Linux")
    with pytest.raises(SaveDialogError, match=r"language 'fr'.*salesgoal addin build --lang"):
        ask_save_path(app_in(tmp_path), "fr", "Windows")


def test_new_replaces_a_file_only_when_the_person_agreed_and_keeps_a_backup(
    tmp_path: Path,
) -> None:
    """New on an existing file: refused unless the dialog's answer was to replace it; then the
    old file is kept in .salesgoal-backup and the new plan opened."""
    from salesgoal_xl.addin.excel import NewPlanRequest

    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"the old plan")
    refused = on_action("new", FakeHost(new_plan=NewPlanRequest(target, "en")))
    assert refused.status is Status.FAILED and "already exists" in refused.message
    assert target.read_bytes() == b"the old plan"
    host = FakeHost(new_plan=NewPlanRequest(target, "zh-Hans", replace=True))
    assert on_action("new", host).status is Status.DONE
    assert host.opened == [target] and target.read_bytes()[:2] == b"PK"
    [backup] = (tmp_path / ".salesgoal-backup").iterdir()
    assert backup.read_bytes() == b"the old plan"
