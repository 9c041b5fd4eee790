"""Excel as a live workbook, through xlwings' open-source part (no PRO feature, no key).

`XlwingsWorkbook` implements `workbook.live.LiveWorkbook` over an `xw.Book` (in the add-in,
`xw.Book.caller()`, the workbook a button was pressed in). Each method is a call or two:
a table is read with `table.range.options(ndim=2, err_to_str=True).value` plus its
`.formula`, written with one `.value` assignment into the new data body after
`Table.resize` (the rows it grows into first get the first row's formats by `Range.copy`;
the rows of a table with sentences then get `rows.autofit()`); the application's
`screen_updating`, `calculation` and `status_bar` are paused and put back; `app.alert` is
the message box. Values follow xlwings' conventions (floats, None for empty cells,
datetimes for date cells). Only real Excel runs it; the tests use a recording double that
follows the same conventions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from salesgoal_xl.workbook.live import LiveBlock, LiveTable

TITLE: Final = "Sales Goals"
EXCEL_COLUMNS: Final = 16_384  # A to XFD: a range this wide is whole rows
_NUMBER, _TEXT = 1, 4  # Office's MsoDocProperties: msoPropertyTypeNumber, msoPropertyTypeString


@dataclass(frozen=True)
class ExcelState:
    """What `pause` found, for `resume` to put back."""

    screen_updating: bool
    calculation: str
    status_bar: str | bool  # False: Excel's own


class XlwingsWorkbook:
    """An open Excel workbook as a `LiveWorkbook`."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._app = book.app
        self._tables: dict[str, Any] | None = None

    @classmethod
    def caller(cls) -> XlwingsWorkbook:
        """The workbook whose button started this Python call."""
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def name(self) -> str:
        return str(self._book.name)

    @property
    def full_name(self) -> str:
        """`Book.fullname`: the file's path, or just the name of a book never saved."""
        return str(self._book.fullname)

    def sheet_names(self) -> tuple[str, ...]:
        return tuple(str(sheet.name) for sheet in self._book.sheets)

    def _all_tables(self) -> dict[str, Any]:
        if self._tables is None:
            self._tables = {
                str(tbl.name): tbl for sheet in self._book.sheets for tbl in sheet.tables
            }
        return self._tables

    def table_names(self) -> tuple[str, ...]:
        return tuple(self._all_tables())

    def read_table(self, name: str) -> LiveTable:
        tbl = self._all_tables()[name]
        cells = tbl.range
        values = cells.options(ndim=2, err_to_str=True).value
        formulas = {
            (r, c): text
            for r, row in enumerate(_grid(cells.formula))
            for c, text in enumerate(row)
            if isinstance(text, str) and text.startswith("=") and len(text) > 1
        }
        return LiveTable(name, str(tbl.parent.name), cells.row, cells.column, values, formulas)

    def write_table(self, name: str, block: LiveBlock) -> None:
        tbl = self._all_tables()[name]
        sheet, header = tbl.parent, tbl.header_row_range
        top, left, width = header.row, header.column, header.shape[1]
        old_body = tbl.data_body_range
        old_rows = old_body.shape[0] if old_body is not None else 0
        rows = [list(r) for r in block.rows] or [[None] * width]
        for (r, c), text in block.formulas.items():
            rows[r][c] = text
        excel = [
            [_excel_value(v, (r, c) in block.formulas) for c, v in enumerate(row)]
            for r, row in enumerate(rows)
        ]
        tbl.resize(sheet.range((top, left), (top + len(rows), left + width - 1)))
        grown = max(old_rows, 1)
        if len(rows) > grown:  # new rows look like the first one (formats, validation)
            first = sheet.range((top + 1, left), (top + 1, left + width - 1))
            first.copy(sheet.range((top + grown + 1, left), (top + len(rows), left + width - 1)))
        sheet.range((top + 1, left), (top + len(rows), left + width - 1)).value = excel
        if old_rows > len(rows):
            sheet.range(
                (top + len(rows) + 1, left), (top + old_rows, left + width - 1)
            ).clear_contents()
        if block.fit_rows:  # whole rows, so a table beside keeps the height its text needs
            last = top + max(len(rows), old_rows)
            sheet.range((top + 1, 1), (last, EXCEL_COLUMNS)).rows.autofit()

    def cells_below(self, name: str, count: int) -> list[list[Any]]:
        tbl = self._all_tables()[name]
        cells = tbl.range
        top, left = cells.row + cells.shape[0], cells.column
        below = tbl.parent.range((top, left), (top + count - 1, left + cells.shape[1] - 1))
        return list(below.options(ndim=2).value)

    def properties(self) -> dict[str, Any]:
        """The workbook's custom document properties, through Excel's object model
        (`Workbook.CustomDocumentProperties`, each with Name and Value): a COM call on
        Windows; not yet confirmed in Excel for Mac (docs/addin-manual-test.md)."""
        return {str(item.Name): item.Value for item in self._book.api.CustomDocumentProperties}

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Through `Workbook.CustomDocumentProperties`: an existing property is deleted and
        added again (its type may change), None deletes it. Not yet confirmed in Excel
        (docs/addin-manual-test.md)."""
        props = self._book.api.CustomDocumentProperties
        existing = {str(item.Name): item for item in props}
        for name, value in updates.items():
            if name in existing:
                existing[name].Delete()
            if value is not None:
                kind = _NUMBER if isinstance(value, int) else _TEXT
                props.Add(Name=name, LinkToContent=False, Type=kind, Value=value)

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        names = {str(n.name): n for n in self._book.names}
        for name, value in values.items():
            if name in names:
                names[name].refers_to_range.value = value

    def pause(self) -> object:
        app = self._app
        state = ExcelState(bool(app.screen_updating), str(app.calculation), app.status_bar)
        self._app.screen_updating = False
        self._app.calculation = "manual"
        return state

    def resume(self, state: object) -> None:
        assert isinstance(state, ExcelState)
        self._app.calculation = state.calculation
        self._app.screen_updating = state.screen_updating
        self._app.status_bar = state.status_bar

    def status(self, text: str | None) -> None:
        self._app.status_bar = False if text is None else text  # False: Excel's own again

    def alert(self, text: str, level: str) -> None:
        self._app.alert(text, title=TITLE, mode="critical" if level == "error" else "info")

    def confirm(self, text: str) -> bool:
        return bool(self._app.alert(text, title=TITLE, buttons="yes_no") == "yes")


def _grid(formula: Any) -> list[list[Any]]:
    """`Range.formula` as rows (xlwings gives one text for a single cell)."""
    if isinstance(formula, str):
        return [[formula]]
    return [list(row) if isinstance(row, list | tuple) else [row] for row in formula]


# Text Excel would read as something else when assigned through Range.Value (a formula, a
# number, a date such as '2026-01'): a leading apostrophe keeps it text, as typing does.
def _excel_value(value: Any, formula: bool) -> Any:
    if formula or not isinstance(value, str):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime.combine(value, dt.time(0))  # xlwings writes datetimes
        return value
    return "'" + value if value else None
