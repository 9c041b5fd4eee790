"""A recording double of the few xlwings objects `XlwingsWorkbook` uses, loaded from a file.

It follows xlwings' documented value conventions, not our adapter's hopes: reading
`range.options(ndim=2).value` gives rows of cells with numbers as floats, empty cells as None,
date cells as datetimes and (with `err_to_str=True`) error values as their text, else None.
Assigning `range.value` reads each text as Excel reads typed input: a leading apostrophe keeps
the rest as text, '=' starts a formula, number-like text becomes a number and date-like text
('2026-01', '2026-03-01') a date. The double does not calculate: formula cells read as None.
Every call that would cross to Excel is appended to `Recorder.calls`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries

Cell = tuple[int, int]
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class ExcelError:
    """An error value in a cell ('#N/A')."""

    text: str


@dataclass
class Recorder:
    """The calls that would have gone to Excel, in order."""

    calls: list[str] = field(default_factory=list)
    fail_on: str = ""  # a call name that raises (once), to test failure paths

    def record(self, call: str) -> None:
        self.calls.append(call)
        if self.fail_on and call.startswith(self.fail_on):
            self.fail_on = ""
            raise RuntimeError(f"Excel refused {call}")


def typed_input(text: str) -> tuple[Any, str | None]:
    """What Excel stores for `text` assigned to a cell: (value, formula)."""
    if text.startswith("'"):
        return text[1:], None
    if text.startswith("=") and len(text) > 1:
        return None, text
    if _NUMBER.fullmatch(text.strip()):
        return float(text), None
    day = _DAY.fullmatch(text.strip())
    if day:
        return dt.datetime(int(day[1]), int(day[2]), int(day[3])), None
    month = _MONTH.fullmatch(text.strip())
    if month and 1 <= int(month[2]) <= 12:
        return dt.datetime(int(month[1]), int(month[2]), 1), None
    return text, None


class FakeSheet:
    """A worksheet: cells by (row, column), tables, ranges."""

    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name
        self.values: dict[Cell, Any] = {}
        self.formulas: dict[Cell, str] = {}
        self.tables = FakeTables()

    def range(self, first: Cell, last: Cell | None = None) -> FakeRange:
        last = last or first
        return FakeRange(self, first[0], first[1], last[0], last[1])


class FakeTables:
    """`sheet.tables`: iterable, and indexable by name."""

    def __init__(self) -> None:
        self.items: list[FakeTable] = []

    def __iter__(self) -> Iterator[FakeTable]:
        return iter(self.items)

    def __getitem__(self, name: str) -> FakeTable:
        return next(t for t in self.items if t.name == name)


@dataclass
class FakeRange:
    """A block of cells from (top, left) to (bottom, right), 1-based and inclusive."""

    sheet: FakeSheet
    top: int
    left: int
    bottom: int
    right: int
    opts: dict[str, Any] = field(default_factory=dict)

    @property
    def row(self) -> int:
        return self.top

    @property
    def column(self) -> int:
        return self.left

    @property
    def shape(self) -> tuple[int, int]:
        return (self.bottom - self.top + 1, self.right - self.left + 1)

    def options(self, **opts: Any) -> FakeRange:
        return FakeRange(self.sheet, self.top, self.left, self.bottom, self.right, opts)

    def _cells(self) -> Iterator[list[Cell]]:
        for row in range(self.top, self.bottom + 1):
            yield [(row, col) for col in range(self.left, self.right + 1)]

    @property
    def value(self) -> Any:
        self.sheet.book.recorder.record(f"read {self.sheet.name}!{self._address()}")
        return [[self._read(cell) for cell in row] for row in self._cells()]

    def _read(self, cell: Cell) -> Any:
        if cell in self.sheet.formulas:
            return None  # not calculated here
        value = self.sheet.values.get(cell)
        if isinstance(value, ExcelError):
            return value.text if self.opts.get("err_to_str") else None
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(0))
        return float(value)

    @value.setter
    def value(self, rows: Any) -> None:
        self.sheet.book.recorder.record(f"write {self.sheet.name}!{self._address()}")
        if not isinstance(rows, list | tuple):
            rows = [[rows]]  # xlwings takes a scalar for one cell
        for cells, values in zip(self._cells(), rows, strict=True):
            for cell, value in zip(cells, values, strict=True):
                self.sheet.formulas.pop(cell, None)
                self.sheet.values.pop(cell, None)
                if isinstance(value, str):
                    value, formula = typed_input(value)
                    if formula is not None:
                        self.sheet.formulas[cell] = formula
                        continue
                if value is not None:
                    self.sheet.values[cell] = value

    @property
    def formula(self) -> Any:
        self.sheet.book.recorder.record(f"formula {self.sheet.name}!{self._address()}")
        return tuple(
            tuple(self.sheet.formulas.get(c, _as_text(self.sheet.values.get(c))) for c in row)
            for row in self._cells()
        )

    def copy(self, destination: FakeRange) -> None:
        """Range.Copy onto `destination`: the source tiled over it. Formats are not modelled,
        so only the values and formulas are copied (the write that follows replaces them)."""
        book = self.sheet.book
        book.recorder.record(f"copy {self.sheet.name}!{self._address()} {destination._address()}")
        height, width = self.shape
        for row in range(destination.top, destination.bottom + 1):
            for col in range(destination.left, destination.right + 1):
                source = (
                    self.top + (row - destination.top) % height,
                    self.left + (col - destination.left) % width,
                )
                cell = (row, col)
                destination.sheet.values.pop(cell, None)
                destination.sheet.formulas.pop(cell, None)
                if source in self.sheet.values:
                    destination.sheet.values[cell] = self.sheet.values[source]
                if source in self.sheet.formulas:
                    destination.sheet.formulas[cell] = self.sheet.formulas[source]

    @property
    def rows(self) -> FakeRows:
        return FakeRows(self)

    def clear_contents(self) -> None:
        self.sheet.book.recorder.record(f"clear {self.sheet.name}!{self._address()}")
        for row in self._cells():
            for cell in row:
                self.sheet.values.pop(cell, None)
                self.sheet.formulas.pop(cell, None)

    def _address(self) -> str:
        from openpyxl.utils import get_column_letter

        return (
            f"{get_column_letter(self.left)}{self.top}:{get_column_letter(self.right)}{self.bottom}"
        )


@dataclass
class FakeRows:
    """`range.rows`: only AutoFit, recorded with the rows it covers ('autofit 5:9', or with
    the columns when the range is not whole rows)."""

    rng: FakeRange

    def autofit(self) -> None:
        whole = self.rng.left == 1 and self.rng.right == 16_384
        span = f"{self.rng.top}:{self.rng.bottom}" if whole else self.rng._address()
        self.rng.sheet.book.recorder.record(f"autofit {self.rng.sheet.name}!{span}")


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


class FakeTable:
    """An Excel table (ListObject): a header row and at least one body row."""

    def __init__(self, sheet: FakeSheet, name: str, ref: str) -> None:
        self.parent = sheet
        self.name = name
        self.left, self.top, self.right, self.bottom = range_boundaries(ref)

    @property
    def range(self) -> FakeRange:
        return FakeRange(self.parent, self.top, self.left, self.bottom, self.right)

    @property
    def header_row_range(self) -> FakeRange:
        return FakeRange(self.parent, self.top, self.left, self.top, self.right)

    @property
    def data_body_range(self) -> FakeRange | None:
        if self.bottom == self.top:
            return None
        return FakeRange(self.parent, self.top + 1, self.left, self.bottom, self.right)

    def resize(self, new: FakeRange) -> None:
        self.parent.book.recorder.record(f"resize {self.name} {new._address()}")
        assert (new.top, new.left) == (self.top, self.left), "a table keeps its header cell"
        self.bottom, self.right = new.bottom, new.right


@dataclass
class FakeApp:
    """The application: the state the adapter pauses and restores, and the message box."""

    recorder: Recorder
    answer: str = "yes"
    _screen_updating: bool = True
    _calculation: str = "automatic"
    _status_bar: str | bool = False
    alerts: list[dict[str, Any]] = field(default_factory=list)
    status_texts: list[str | bool] = field(default_factory=list)

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self.recorder.record(f"screen_updating={value}")
        self._screen_updating = value

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        assert value in ("automatic", "manual", "semiautomatic")
        self.recorder.record(f"calculation={value}")
        self._calculation = value

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.recorder.record("status_bar")
        self.status_texts.append(value)
        self._status_bar = value

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.recorder.record("alert")
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answer if buttons != "ok" else "ok"


@dataclass
class FakeProperty:
    """One of Excel's DocumentProperty objects: Name, Value and Type, spelled as Excel does;
    Delete removes it from its collection."""

    Name: str
    Value: object
    Type: int = 4  # msoPropertyTypeString
    owner: FakeProperties | None = None

    def Delete(self) -> None:  # noqa: N802 -- Excel's spelling
        assert self.owner is not None
        self.owner.items.remove(self)


class FakeProperties:
    """`Workbook.CustomDocumentProperties`: iterable, and Add as Excel's object model has it."""

    def __init__(self, items: list[FakeProperty] | None = None) -> None:
        self.items: list[FakeProperty] = []
        for item in items or []:
            self.Add(Name=item.Name, LinkToContent=False, Type=item.Type, Value=item.Value)

    def __iter__(self) -> Iterator[FakeProperty]:
        return iter(list(self.items))

    def Add(self, *, Name: str, LinkToContent: bool, Type: int, Value: object) -> FakeProperty:  # noqa: N802, N803
        assert not LinkToContent and Name not in {p.Name for p in self.items}, Name
        added = FakeProperty(Name, Value, Type, self)
        self.items.append(added)
        return added


@dataclass
class FakeName:
    """A defined name (`book.names[...]`): its name and the range it refers to."""

    name: str
    refers_to_range: FakeRange


class FakeBookApi:
    """`book.api`, the Excel Workbook object: only its CustomDocumentProperties."""

    def __init__(self) -> None:
        self.CustomDocumentProperties = FakeProperties()


class FakeBook:
    """A workbook: its name, sheets (in order), application and custom document properties."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.recorder = Recorder()
        self.app = FakeApp(self.recorder)
        self.sheets: list[FakeSheet] = []
        self.api = FakeBookApi()
        self.names: list[FakeName] = []

    def sheet(self, name: str) -> FakeSheet:
        return next(s for s in self.sheets if s.name == name)


def book_from_file(path: Path) -> FakeBook:
    """The double holding what Excel would show of `path` (formulas kept, not calculated)."""
    wb = openpyxl.load_workbook(path)
    book = FakeBook(path.name)
    for ws in wb.worksheets:
        sheet = FakeSheet(book, ws.title)
        book.sheets.append(sheet)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                key = (cell.row, cell.column)
                if cell.data_type == "f":
                    sheet.formulas[key] = str(getattr(cell.value, "text", cell.value))
                elif cell.data_type == "e":
                    sheet.values[key] = ExcelError(str(cell.value))
                else:
                    sheet.values[key] = cell.value
        for tbl in ws.tables.values():
            sheet.tables.items.append(FakeTable(sheet, tbl.name, str(tbl.ref)))
    book.api.CustomDocumentProperties = FakeProperties(
        [FakeProperty(str(prop.name), prop.value) for prop in wb.custom_doc_props.props]
    )
    for name, defined in wb.defined_names.items():
        one_cell = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)", str(defined.attr_text))
        if one_cell:  # the one-cell names (lists name table columns)
            title, letters, row = one_cell.groups()
            col = range_boundaries(f"{letters}{row}")[0]
            book.names.append(FakeName(name, book.sheet(title).range((int(row), col))))
    return book
