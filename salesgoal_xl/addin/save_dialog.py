"""Where to save a new plan: the system's own save dialog, from Python, in the add-in's language.

xlwings' open-source part has no save dialog, but each system's Excel can show one:
- Windows: Excel's ``Application.GetSaveAsFilename`` through COM (``app.api``), which returns
  the chosen name or False, and does not ask about replacing a file (we ask);
- macOS: AppleScript's ``choose file name`` run by ``osascript``, sent to Excel so the dialog
  comes up in front of it; it asks about replacing a file itself, and exits with error -128
  when cancelled.
The dialog starts in the folder of the workbook in front (when it is a saved file), else in
Documents, with a name that carries the fiscal year the new plan is for.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from salesgoal_xl.addin.excel import TITLE
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.workbook.builder import default_fiscal_year
from salesgoal_xl.workbook.door import BACKUP_DIR
from salesgoal_xl.workbook.schema import LANGUAGES, Label

SUFFIX: Final = ".xlsx"
PROMPT: Final = Label(
    "Save the new planning workbook as", "新規劃活頁簿另存為", "新规划工作簿另存为"
)
FILE_KIND: Final = Label("Excel workbook", "Excel 活頁簿", "Excel 工作簿")
REPLACE: Final = Label(
    "{name} already exists. Replace it with a new, empty plan? A copy of the old file is kept "
    "in the {backup} folder beside it.",
    "{name} 已存在。要以新的空白計畫取代嗎？舊檔案的副本會保留在旁邊的 {backup} 資料夾。",
    "{name} 已存在。要用新的空白计划替换吗？旧文件的副本会保留在旁边的 {backup} 文件夹。",
)
_CANCELLED: Final = "-128"  # AppleScript's "User canceled."
_MAC_SCRIPT: Final = (
    "on run argv",
    'tell application "Microsoft Excel"',
    "activate",
    "set chosen to choose file name with prompt (item 1 of argv) default name (item 2 of argv)"
    " default location ((POSIX file (item 3 of argv)) as alias)",
    "end tell",
    "return POSIX path of chosen",
    "end run",
)

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


class SaveDialogError(SalesgoalError):
    """The save dialog could not be shown, or this system has none we can reach."""


@dataclass(frozen=True)
class SaveChoice:
    """The file the person chose, and whether they already agreed to replace it."""

    path: Path
    replace: bool


def ask_save_path(
    app: Any, language: str, system: str, run: Runner = subprocess.run
) -> SaveChoice | None:
    """Ask where to save a new plan in Excel `app` on `system` (``platform.system()``).

    None when the person cancels (the dialog, or the question about replacing a file).
    """
    if language not in LANGUAGES:
        raise SaveDialogError(
            f"the add-in's buttons name the language {language!r} (expected one of "
            f"{', '.join(LANGUAGES)}); rebuild it with salesgoal addin build --lang"
        )
    folder = start_folder(app)
    name = f"sales-plan-{default_fiscal_year(1)}{SUFFIX}"
    if system == "Windows":
        chosen = _windows(app.api, PROMPT.get(language), folder / name, FILE_KIND.get(language))
        asked = False
    elif system == "Darwin":
        chosen = _mac(run, PROMPT.get(language), name, folder)
        asked = True
    else:
        raise SaveDialogError(
            f"no save dialog on {system or 'this system'}: Excel runs on Windows and macOS"
        )
    if chosen is None:
        return None
    if chosen.suffix.lower() != SUFFIX:
        chosen, asked = chosen.with_name(chosen.name + SUFFIX), False
    if chosen.exists() and not asked:
        question = REPLACE.get(language).format(name=chosen.name, backup=BACKUP_DIR)
        if app.alert(question, title=TITLE, buttons="yes_no") != "yes":
            return None
    return SaveChoice(chosen, replace=chosen.exists())


def start_folder(app: Any) -> Path:
    """The folder of the workbook in front when it is a saved file, else Documents (or home)."""
    if len(app.books):
        where = Path(str(app.books.active.fullname)).parent
        if where.is_absolute() and where.is_dir():
            return where
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _windows(api: Any, prompt: str, default: Path, kind: str) -> Path | None:
    # InitialFileName, FileFilter, FilterIndex, Title: by position, as pywin32's late binding
    # of Excel's methods is not reliable with names (xlwings calls Workbooks.Open so too).
    chosen = api.GetSaveAsFilename(str(default), f"{kind} (*{SUFFIX}),*{SUFFIX}", 1, prompt)
    return Path(chosen) if isinstance(chosen, str) and chosen else None


def _mac(run: Runner, prompt: str, name: str, folder: Path) -> Path | None:
    command: Sequence[str] = (
        "osascript",
        *(part for line in _MAC_SCRIPT for part in ("-e", line)),
        prompt,
        name,
        str(folder),
    )
    done = run(command, capture_output=True, text=True, check=False)
    if done.returncode == 0 and done.stdout.strip():
        return Path(done.stdout.strip())
    if _CANCELLED in done.stderr:
        return None
    raise SaveDialogError(
        f"the save dialog did not open: {done.stderr.strip() or 'osascript failed'}"
    )
