"""The ribbon's host in a running Excel, through xlwings' open-source part.

What a button needs from Excel: running a command on the workbook it was pressed in (the live
port over ``xw.Book.caller()``, with screen updating and calculation paused and progress in
the status bar), where to save a new plan, opening a file, and a message box. xlwings reaches
Excel on Windows and macOS only; elsewhere (Linux) there is no engine and every request says
to open the workbook in Excel.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.workbook.live import LiveWorkbook, run_live
from salesgoal_xl.workbook.port import WorkbookPort

TITLE: Final = "Sales Goals"
T = TypeVar("T")


class ExcelUnavailableError(SalesgoalError):
    """Excel cannot be reached, or the piece that talks to it is not in this version."""


@dataclass(frozen=True)
class NewPlanRequest:
    """Where to write a new planning workbook, in which language, and whether the person
    agreed to replace the file already there."""

    path: Path
    language: str
    replace: bool = False


def excel_running() -> bool:
    """Whether xlwings has an Excel engine here (Windows or macOS with Excel installed)."""
    import xlwings as xw

    return any(engine.name == "excel" for engine in xw.engines)


def _active_app() -> Any:
    import xlwings as xw

    if not excel_running():
        raise ExcelUnavailableError(
            "Excel is not reachable from here (xlwings has no Excel engine on this system): "
            "open the workbook in Excel on Windows or a Mac and press the button there"
        )
    return xw.apps.active


class ExcelHost:
    """The host of a button pressed in Excel (the default for ``ribbon.on_action``).

    `book` is for tests and other programs; by default it is the workbook the button was
    pressed in (`xw.Book.caller()`), through `live_xlwings.XlwingsWorkbook`. `language` is
    the add-in's (the tag its build puts on every button): the language of the save dialog
    and of a new plan.
    """

    def __init__(self, book: LiveWorkbook | None = None, language: str = "en") -> None:
        self._book = book
        self._language = language

    def _live(self) -> LiveWorkbook:
        if self._book is None:
            from salesgoal_xl.addin.live_xlwings import XlwingsWorkbook

            _active_app()
            self._book = XlwingsWorkbook.caller()  # fails clearly outside a button's call
        return self._book

    def run_on_workbook(self, command: Callable[[WorkbookPort], T]) -> T:
        """Run `command` live on the workbook, Excel paused; the person saves it."""
        return run_live(self._live(), command)

    def ask_new_plan(self) -> NewPlanRequest | None:
        """Ask where to save a new plan, in the system's save dialog (None if cancelled)."""
        from salesgoal_xl.addin.save_dialog import ask_save_path

        choice = ask_save_path(_active_app(), self._language, platform.system())
        if choice is None:
            return None
        return NewPlanRequest(choice.path, self._language, replace=choice.replace)

    def open_workbook(self, path: Path) -> None:
        """Open a written file in Excel."""
        import xlwings as xw

        _active_app()
        xw.Book(str(path))

    def alert(self, text: str, level: str) -> None:
        """A message box in Excel; on a system without Excel, a line on stderr."""
        if self._book is not None:
            self._book.alert(text, level)
            return
        if not excel_running():
            print(f"{TITLE} ({level}): {text}", file=sys.stderr)
            return
        _active_app().alert(text, title=TITLE, mode="critical" if level == "error" else "info")
