"""LibreOffice Calc as a live workbook, through its UNO API: the live path on a real engine.

`UnoWorkbook` implements `workbook.live.LiveWorkbook` over an open Calc document (a pyuno
object), which is how the tests run split and check live without Excel. Excel tables appear
in Calc as database ranges with the same names; a table's cells are read with one
`getDataArray` (values) and one `getFormulaArray` (which cells hold formulas), written with
one `setDataArray` plus, per run of formula cells, the first formula filled down and checked,
and resized with `setDataArea`. Calc has no message box without a window, so alerts and
questions are kept in lists (`alerts`, `questions`) for whoever drives it. Only filling
formulas down needs the `uno` module (for an enum value); the document carries the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, Final
from urllib.parse import unquote, urlparse

from salesgoal_xl.workbook.cells import EXCEL_EPOCH
from salesgoal_xl.workbook.live import LiveBlock, LiveTable

# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA (formats are kept).
_CONTENTS: Final = 1 | 2 | 4 | 16
_REMOVABLE: Final = 128  # com.sun.star.beans.PropertyAttribute.REMOVABLE


class UnoWorkbook:
    """An open LibreOffice Calc document as a `LiveWorkbook`."""

    def __init__(self, document: Any, *, answer: bool = True) -> None:
        self._doc = document
        self._answer = answer
        self._indicator: Any = None
        self._status_text: str | None = None
        self.alerts: list[tuple[str, str]] = []
        self.questions: list[str] = []
        self.status_log: list[str | None] = []

    @property
    def name(self) -> str:
        """The document's file name ('plan.xlsx'), or its title when it has no file yet."""
        url = str(self._doc.URL)
        return unquote(PurePosixPath(urlparse(url).path).name) if url else str(self._doc.Title)

    @property
    def full_name(self) -> str:
        """The document's file path ('' when it has no file yet)."""
        url = str(self._doc.URL)
        return unquote(urlparse(url).path) if url.startswith("file:") else ""

    def sheet_names(self) -> tuple[str, ...]:
        return tuple(self._doc.Sheets.ElementNames)

    def table_names(self) -> tuple[str, ...]:
        return tuple(self._doc.DatabaseRanges.ElementNames)

    def _area(self, name: str) -> tuple[Any, Any, Any]:
        database_range = self._doc.DatabaseRanges.getByName(name)
        area = database_range.DataArea
        return database_range, area, self._doc.Sheets.getByIndex(area.Sheet)

    def read_table(self, name: str) -> LiveTable:
        _, area, sheet = self._area(name)
        cells = sheet.getCellRangeByPosition(
            area.StartColumn, area.StartRow, area.EndColumn, area.EndRow
        )
        values = [[None if v == "" else v for v in row] for row in cells.getDataArray()]
        formulas = {
            (r, c): excel_formula(text)
            for r, row in enumerate(cells.getFormulaArray())
            for c, text in enumerate(row)
            if _is_formula(text)
        }
        return LiveTable(
            name, str(sheet.Name), area.StartRow + 1, area.StartColumn + 1, values, formulas
        )

    def write_table(self, name: str, block: LiveBlock) -> None:
        database_range, area, sheet = self._area(name)
        left, top, right = area.StartColumn, area.StartRow, area.EndColumn
        width = right - left + 1
        old_rows = area.EndRow - top
        rows = list(block.rows) or [[None] * width]
        _extend_formats(sheet, left, right, top + 1, old_rows, len(rows))
        data = tuple(tuple(uno_value(v) for v in row) for row in rows)
        sheet.getCellRangeByPosition(left, top + 1, right, top + len(rows)).setDataArray(data)
        for column, first, texts in _formula_runs(block.formulas):
            cells = sheet.getCellRangeByPosition(
                left + column, top + 1 + first, left + column, top + first + len(texts)
            )
            _fill_formulas(cells, [api_formula(t) for t in texts])
        if old_rows > len(rows):
            sheet.getCellRangeByPosition(
                left, top + len(rows) + 1, right, top + old_rows
            ).clearContents(_CONTENTS)
        if block.fit_rows:  # whole rows' optimal height: a table beside counts too
            last = top + max(len(rows), old_rows)
            sheet.getCellRangeByPosition(0, top + 1, 0, last).getRows().OptimalHeight = True
        area.EndRow = top + len(rows)
        database_range.setDataArea(area)

    def cells_below(self, name: str, count: int) -> list[list[Any]]:
        _, area, sheet = self._area(name)
        cells = sheet.getCellRangeByPosition(
            area.StartColumn, area.EndRow + 1, area.EndColumn, area.EndRow + count
        )
        return [list(row) for row in cells.getDataArray()]

    def properties(self) -> dict[str, Any]:
        """The user-defined document properties Calc loaded from docProps/custom.xml."""
        user = self._doc.DocumentProperties.UserDefinedProperties
        return {
            str(prop.Name): user.getPropertyValue(prop.Name)
            for prop in user.getPropertySetInfo().getProperties()
        }

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Set, replace (a value of another type cannot be assigned) or remove user-defined
        document properties; Calc saves them to docProps/custom.xml."""
        user = self._doc.DocumentProperties.UserDefinedProperties
        for name, value in updates.items():
            if user.getPropertySetInfo().hasPropertyByName(name):
                user.removeProperty(name)
            if value is not None:
                user.addProperty(name, _REMOVABLE, value)

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        names = self._doc.NamedRanges
        for name, value in values.items():
            if not names.hasByName(name):
                continue
            cell = names.getByName(name).getReferredCells().getCellByPosition(0, 0)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)

    def pause(self) -> object:
        doc = self._doc
        state = (bool(doc.isAutomaticCalculationEnabled()), self._status_text)
        doc.enableAutomaticCalculation(False)
        doc.lockControllers()
        return state

    def resume(self, state: object) -> None:
        assert isinstance(state, tuple)
        automatic, status_text = state
        doc = self._doc
        doc.unlockControllers()
        doc.enableAutomaticCalculation(automatic)
        if automatic:
            doc.calculate()  # as Excel does when calculation goes back to automatic
        self.status(status_text)

    def status(self, text: str | None) -> None:
        self.status_log.append(text)
        self._status_text = text
        if text is None:
            if self._indicator is not None:
                self._indicator.end()
                self._indicator = None
            return
        if self._indicator is None:
            controller = self._doc.CurrentController
            if controller is None:  # a document loaded without a view has no status bar
                return
            self._indicator = controller.Frame.createStatusIndicator()
            self._indicator.start(text, 100)
        else:
            self._indicator.setText(text)

    def alert(self, text: str, level: str) -> None:
        self.alerts.append((level, text))

    def confirm(self, text: str) -> bool:
        self.questions.append(text)
        return self._answer

    @property
    def calculation_automatic(self) -> bool:
        """Whether Calc calculates automatically now (for tests of `pause`/`resume`)."""
        return bool(self._doc.isAutomaticCalculationEnabled())

    @property
    def controllers_locked(self) -> bool:
        """Whether screen updating is paused now."""
        return bool(self._doc.hasControllersLocked())


def _fill_formulas(cells: Any, formulas: list[str]) -> None:
    """Put one formula per cell into a one-column range.

    Setting thousands of formulas one by one (`setFormulaArray`) costs Calc over a
    millisecond each; a table's formula column is one formula filled down, so the first
    is set and filled down (as Excel fills a table column), and the result checked: when
    the filled formulas are not the ones asked for, they are set one by one after all.
    """
    import uno  # only ever reached from a pyuno session: the document came from one

    first = cells.getCellByPosition(0, 0)
    first.setFormula(formulas[0])
    if len(formulas) > 1:
        cells.fillAuto(uno.Enum("com.sun.star.sheet.FillDirection", "TO_BOTTOM"), 1)
        if [row[0] for row in cells.getFormulaArray()] != formulas:
            cells.setFormulaArray(tuple((f,) for f in formulas))


def _is_formula(text: str) -> bool:
    return text.startswith("=") and len(text) > 1


def _extend_formats(sheet: Any, left: int, right: int, first: int, have: int, want: int) -> None:
    """Give the rows a table grows into the look of its first data row (cell style, number
    format, wrapping, validation, conditional formats), as an Excel table carries its
    columns' formats into new rows and a database range does not. The row is copied once,
    then the copies double, so a few calls cover thousands of rows; their values are
    overwritten next. `first` is the first data row (0-based), `have` the rows there were."""
    start, end = first + max(have, 1), first + want  # the new rows, end excluded

    def copy(top: int, count: int, onto: int) -> None:
        source = sheet.getCellRangeByPosition(left, top, right, top + count - 1)
        target = sheet.getCellByPosition(left, onto).getCellAddress()
        sheet.copyRange(target, source.getRangeAddress())

    if start >= end:
        return
    copy(first, 1, start)
    done = 1
    while start + done < end:
        count = min(done, end - start - done)
        copy(start, count, start + done)
        done += count


def _formula_runs(formulas: Mapping[tuple[int, int], str]) -> Iterator[tuple[int, int, list[str]]]:
    """(column, first row, texts) for each run of formula cells one below the other."""
    by_column: dict[int, list[int]] = {}
    for row, column in formulas:
        by_column.setdefault(column, []).append(row)
    for column, rows in sorted(by_column.items()):
        rows.sort()
        runs: list[list[int]] = []
        for row in rows:
            if runs and row == runs[-1][-1] + 1:
                runs[-1].append(row)
            else:
                runs.append([row])
        for run in runs:
            yield column, run[0], [formulas[(r, column)] for r in run]


def uno_value(value: Any) -> Any:
    """A cell value as `setDataArray` takes it: text, or a number (dates as serials)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime.combine(EXCEL_EPOCH, dt.time(0))
        return delta.total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - EXCEL_EPOCH).days)
    if isinstance(value, int | float | Decimal):
        return float(value)
    return str(value)


def _swap_separators(text: str, old: str, new: str) -> str:
    """Replace argument separators outside string literals (Excel ',' <-> Calc API ';')."""
    out: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        out.append(new if char == old and not quoted else char)
    return "".join(out)


def api_formula(excel: str) -> str:
    """An Excel A1 formula in the grammar of Calc's API (';' between arguments)."""
    return _swap_separators(excel, ",", ";")


def excel_formula(api: str) -> str:
    """A formula from Calc's API back in Excel's grammar, as a file reader shows it."""
    return _swap_separators(api, ";", ",")
