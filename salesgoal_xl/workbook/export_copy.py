"""An exported copy of a plan as a file: built by the builder, stamped with what it was sent with
(properties and the Guide), protected, and saved through the door.

What goes into a copy and why is the export command's business (`commands.export`); this module
only knows how to lay the stamp and the protection on a freshly built workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.workbook import identity, styles, texts
from salesgoal_xl.workbook.builder import FINGERPRINT_NAME, build_workbook, save_workbook
from salesgoal_xl.workbook.schema import SHEETS_BY_KEY, TABLES_BY_NAME

COMMITS: Final = "tblCommits"
EDITABLE_COLUMNS: Final = ("commit", "comment", "committed_by")
"""The only cells of a copy a recipient may type into: their bottom-up commit per rep and month."""
UNPROTECTED_SHEETS: Final = ("approvals",)
"""Sheets left open: a recipient may record an approval in the copy (collect brings it back)."""


@dataclass(frozen=True)
class CopyStamp:
    """What a copy says about itself: the master's identity, what it covers, when it was sent."""

    plan_id: str
    plan_version: int
    scope: str  # core.fingerprint.Scope.text
    fingerprint: str
    exported_to: str
    exported_at: str  # ISO date-time

    def properties(self) -> dict[str, str | int]:
        """The custom document properties of the copy (`workbook.identity` names)."""
        return {
            identity.PLAN_ID: self.plan_id,
            identity.PLAN_VERSION: self.plan_version,
            identity.EXPORT_SCOPE: self.scope,
            identity.EXPORT_FINGERPRINT: self.fingerprint,
            identity.EXPORTED_TO: self.exported_to,
            identity.EXPORTED_AT: self.exported_at,
        }


def write_copy(
    path: str | Path,
    lang: str,
    *,
    fiscal_year: int,
    first_month: int,
    data: Mapping[str, pd.DataFrame],
    stamp: CopyStamp,
) -> Path:
    """Build the copy's workbook from `data`, stamp and protect it, and save it to `path`."""
    wb = build_workbook(
        lang,
        fiscal_year=fiscal_year,
        first_month=first_month,
        data=data,
        plan_id=stamp.plan_id,
        plan_version=stamp.plan_version,
    )
    identity.set_custom_properties(wb, stamp.properties())
    _stamp_guide(wb, lang, stamp)
    protect_copy(wb, lang)
    return save_workbook(wb, path)


def _stamp_guide(wb: Workbook, lang: str, stamp: CopyStamp) -> None:
    """The fingerprint in the Guide's Fingerprint cell, and a short section on this copy below
    everything else (so no named cell of the Guide moves)."""
    sheet, cell = next(iter(wb.defined_names[FINGERPRINT_NAME].destinations))
    ws = wb[sheet]
    target = ws[cell.replace("$", "")]
    target._value, target.data_type = stamp.fingerprint, "s"
    row = ws.max_row + 2
    ws.cell(row, 1, texts.COPY_TITLE.get(lang)).font = styles.title_font(13)
    for label, value in (
        (texts.COPY_SENT_TO, stamp.exported_to),
        (texts.COPY_SCOPE, stamp.scope),
        (texts.COPY_FINGERPRINT, stamp.fingerprint),
        (texts.COPY_EXPORTED_AT, stamp.exported_at),
    ):
        row += 1
        ws.cell(row, 1, label.get(lang)).font = styles.bold_font()
        written = ws.cell(row, 2)
        written._value, written.data_type = value, "s"  # user text is never a formula
    row += 1
    note = ws.cell(row, 2, texts.COPY_PROTECTION_NOTE.get(lang))
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row].height = 14 * 3  # LibreOffice does not auto-fit


def protect_copy(wb: Workbook, lang: str) -> None:
    """Protect every sheet but the Approvals sheet (no password: it guards against accidents),
    unlock the commit, comment and committed-by cells of tblCommits, lock the structure."""
    open_titles = {SHEETS_BY_KEY[key].label.get(lang) for key in UNPROTECTED_SHEETS}
    for ws in wb.worksheets:
        if ws.title in open_titles:
            continue
        ws.protection.sheet = True
        # Resizing columns and filtering change no number; people expect to be able to.
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.protection.autoFilter = False
        if COMMITS in ws.tables:
            _unlock_commit_cells(ws)
    wb.security = WorkbookProtection(lockStructure=True)


def _unlock_commit_cells(ws: Worksheet) -> None:
    first, last = str(ws.tables[COMMITS].ref).split(":")
    start_col, header_row = int(ws[first].column), int(ws[first].row)
    end_row = int(ws[last].row)
    keys = TABLES_BY_NAME[COMMITS].keys
    for key in EDITABLE_COLUMNS:
        col = start_col + keys.index(key)
        for row in range(header_row + 1, end_row + 1):
            ws.cell(row, col).protection = Protection(locked=False)
