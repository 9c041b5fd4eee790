"""The ribbon's host in a running Excel, through xlwings' open-source part.

What a button needs from Excel: the workbook it was pressed in (as a workbook port), where to
save a new plan, opening a file, and a message box. xlwings reaches Excel on Windows and macOS
only; elsewhere (Linux) there is no engine and every request says to open the workbook in
Excel. The live workbook adapter that turns ``xw.Book.caller()`` into a port is a separate
piece of work: until it exists, asking for the workbook says so plainly.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.workbook.port import WorkbookPort

TITLE: Final = "Sales Goals"
CLI_HINT: Final = "meanwhile, run the same command on the file: salesgoal <command> <file.xlsx>"


class ExcelUnavailableError(SalesgoalError):
    """Excel cannot be reached, or the piece that talks to it is not in this version."""


@dataclass(frozen=True)
class NewPlanRequest:
    """Where to write a new planning workbook, and in which language."""

    path: Path
    language: str


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
    """The host of a button pressed in Excel (the default for ``ribbon.on_action``)."""

    def workbook(self) -> WorkbookPort:
        """The workbook the button was pressed in."""
        import xlwings as xw

        _active_app()
        xw.Book.caller()  # fails clearly when Python was not started by a button
        raise ExcelUnavailableError(
            f"working on the open workbook from Excel is not available in this version yet; "
            f"{CLI_HINT}"
        )

    def ask_new_plan(self) -> NewPlanRequest | None:
        """Ask where to save a new plan (None if the person cancels)."""
        _active_app()
        raise ExcelUnavailableError(
            "creating a plan from Excel is not available in this version yet; meanwhile run: "
            "salesgoal new <file.xlsx> --lang <en|zh-Hant|zh-Hans>"
        )

    def open_workbook(self, path: Path) -> None:
        """Open a written file in Excel."""
        import xlwings as xw

        _active_app()
        xw.Book(str(path))

    def alert(self, text: str, level: str) -> None:
        """A message box in Excel; on a system without Excel, a line on stderr."""
        if not excel_running():
            print(f"{TITLE} ({level}): {text}", file=sys.stderr)
            return
        _active_app().alert(text, title=TITLE, mode="critical" if level == "error" else "info")
