"""The live adapter of the workbook port: commands on a workbook open in Excel or LibreOffice.

`LiveWorkbook` is the little a command needs from a running spreadsheet program: tables by
name as 2-D values, writing a block into a table and resizing it, pausing screen updating and
calculation, the status bar, a message box and a confirmation. The add-in implements it over
xlwings (`addin/live_xlwings.py`), the tests over LibreOffice's UNO API (`addin/live_uno.py`).

`LivePort` is the WorkbookPort (and the checks' `RawTables`) over it. Each table is read in one
bulk call and interpreted by the readers' own rules (`headers.match_headers` through
`reader.headers_into_read`, then `reader.read_rows` and `usable_frame`), so a command gets the
frame the file adapters give it; `commit` writes each staged table in one bulk call and puts
back what it had written if a later write fails.
`run_live` runs a command with the program paused and restores it whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    error,
)
from salesgoal_xl.workbook.cells import serial_date
from salesgoal_xl.workbook.fill import a1_formula, cell_value, order_rows
from salesgoal_xl.workbook.package import column_letter
from salesgoal_xl.workbook.port import TableData, refuse_user_table
from salesgoal_xl.workbook.reader import (
    TableRead,
    headers_into_read,
    language_of,
    missing_table,
    read_rows,
    table_for_command,
    too_many_rows,
)
from salesgoal_xl.workbook.schema import SHEETS_BY_KEY, ColumnType, Role, table

T = TypeVar("T")
STATUS_PREFIX = "Sales Goals: "


@dataclass(frozen=True)
class LiveTable:
    """A table as one bulk read gives it: the header row, then every data row.

    `values` follow xlwings' conventions: numbers as floats, empty cells as None, dates as
    datetimes (or serial numbers where the program cannot tell), text as str, error values
    as their text ('#DIV/0!'). `formulas` holds the formula text of each formula cell by its
    (row, column) offset in `values`. `top` and `left` are the header row's and the first
    column's 1-based numbers on `sheet`.
    """

    name: str
    sheet: str
    top: int
    left: int
    values: Sequence[Sequence[Any]]
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """How many columns the table has."""
        return len(self.values[0]) if self.values else 0

    @property
    def ref(self) -> str:
        """The A1 range of the whole table, header included ('B3:M40')."""
        last_col = column_letter(self.left + max(self.width, 1) - 1)
        last_row = self.top + max(len(self.values), 1) - 1
        return f"{column_letter(self.left)}{self.top}:{last_col}{last_row}"


@dataclass(frozen=True)
class LiveBlock:
    """New data rows for a table: values (None, str, bool, int, float, date, datetime) by
    row and column, and the formula text ('=...', Excel's A1 syntax) of formula cells by
    (row, column) offset; a formula cell's entry in `rows` is None. `fit_rows`: the table has
    sentence columns (`Column.wrap`), so its rows' heights follow their text."""

    rows: Sequence[Sequence[Any]]
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)
    fit_rows: bool = False


class LiveWorkbook(Protocol):
    """What the live adapter needs from a workbook open in a spreadsheet program."""

    @property
    def name(self) -> str:
        """The workbook's name, as messages show it ('plan.xlsx')."""
        ...

    @property
    def full_name(self) -> str:
        """The workbook's file path ('' or a bare name when it was never saved)."""
        ...

    def sheet_names(self) -> tuple[str, ...]:
        """The titles of the workbook's sheets."""
        ...

    def table_names(self) -> tuple[str, ...]:
        """The names of the workbook's tables (Excel tables, LibreOffice database ranges)."""
        ...

    def read_table(self, name: str) -> LiveTable:
        """Table `name` (exactly as `table_names` spells it) in one bulk read."""
        ...

    def write_table(self, name: str, block: LiveBlock) -> None:
        """Replace the data rows of table `name` by `block` and resize the table to fit it
        (one data row at least, blank when `block` is empty); old rows below are cleared.
        Rows the table grows into first get its first data row's formats (styles, number
        formats, validation), as an Excel table gives new rows. With `block.fit_rows`, the
        rows written and cleared get the height their text needs, whole rows as the
        program's own row AutoFit measures them (tables beside count)."""
        ...

    def cells_below(self, name: str, count: int) -> Sequence[Sequence[Any]]:
        """The values of the `count` rows just below table `name`, in its columns (one bulk
        read): what growing the table by `count` rows would take in."""
        ...

    def properties(self) -> Mapping[str, Any]:
        """The workbook's custom document properties (File > Properties > Custom): the plan
        id, version and approval fingerprints (`workbook.identity`)."""
        ...

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Set custom document properties (text or whole numbers; None removes one)."""
        ...

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        """Put each value in the cell its one-cell defined name points at (the Guide's
        identity cells); a name the workbook lacks is skipped."""
        ...

    def pause(self) -> object:
        """Stop screen updating and automatic calculation; return the state to restore
        (screen updating, calculation mode and the status bar as they are now)."""
        ...

    def resume(self, state: object) -> None:
        """Put back screen updating, calculation and the status bar as `pause` found them."""
        ...

    def status(self, text: str | None) -> None:
        """Show `text` in the status bar; None gives the status bar back to the program."""
        ...

    def alert(self, text: str, level: str) -> None:
        """A message box ('info', 'warning' or 'error')."""
        ...

    def confirm(self, text: str) -> bool:
        """Ask a yes/no question; True for yes."""
        ...


@dataclass
class _Read:
    live: LiveTable
    raw: TableRead
    columns: dict[int, str]  # sheet column number -> schema key or the user's header


class LivePort:
    """A workbook open in Excel or LibreOffice behind the WorkbookPort protocol."""

    def __init__(self, book: LiveWorkbook) -> None:
        self._book = book
        self._label = book.name
        self._names: dict[str, str] | None = None
        self._sheets: tuple[str, ...] | None = None
        self._lang: str | None = None
        self._reads: dict[str, _Read] = {}
        self._staged: dict[str, pd.DataFrame] = {}
        self._staged_properties: dict[str, str | int | None] = {}
        self._staged_names: dict[str, str | int] = {}
        self.messages: list[tuple[str, str]] = []
        self.open_problems: list[Problem] = []

    @property
    def label(self) -> str:
        """The workbook's name in the spreadsheet program."""
        return self._label

    @property
    def path(self) -> Path | None:
        """The workbook's file, where it was saved to one (None for a new, unsaved book)."""
        full = self._book.full_name
        return Path(full) if full and Path(full).is_absolute() else None

    def confirm(self, text: str) -> bool:
        """Ask the person a yes/no question in the program (True for yes)."""
        return self._book.confirm(text)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """The workbook's sheet titles (asked once)."""
        if self._sheets is None:
            self._sheets = self._book.sheet_names()
        return self._sheets

    def _find(self, name: str) -> str | None:
        if self._names is None:
            self._names = {n.casefold(): n for n in self._book.table_names()}
        return self._names.get(name.casefold())

    def has_table(self, name: str) -> bool:
        return self._find(name) is not None

    @property
    def language(self) -> str:
        """The workbook's language, by the file adapters' rule (`reader.language_of`)."""
        if self._lang is None:
            self._lang = "en"  # the settings are looked at with English labels, as on file
            lang = language_of(self.read_raw("tblSettings"), self.sheet_names)
            self._lang = lang
            settings = self._reads.get("tblSettings")
            if settings is not None and lang != "en":  # its messages in the right language
                self._reads["tblSettings"] = _interpret("tblSettings", settings.live, lang)
        return self._lang

    def read_raw(self, name: str) -> TableRead:
        """Table `name` with its formula and error cells noted, read once per commit."""
        lang = self.language  # reads tblSettings first, once
        if name not in self._reads:
            found = self._find(name)
            if found is None:
                return missing_table(name, lang)
            self._reads[name] = _interpret(name, self._book.read_table(found), lang)
        return self._reads[name].raw

    def read_table(self, name: str) -> TableData:
        return table_for_command(self.read_raw(name), self.label)

    def properties(self) -> dict[str, str | int]:
        """The custom document properties, as the file adapters read them (whole numbers as
        int, the rest as text): what `verify` and `check` compare approvals with."""
        found: dict[str, str | int] = {}
        for key, value in self._book.properties().items():
            if isinstance(value, bool) or value is None:
                found[str(key)] = str(value or "")
            elif isinstance(value, int | float) and float(value).is_integer():
                found[str(key)] = int(value)
            else:
                found[str(key)] = str(value)
        return found

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Stage custom document properties to set (None removes one) at the next commit."""
        self._staged_properties.update(updates)

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        """Stage values for the one-cell names (the Guide's identity cells) for the commit."""
        self._staged_names.update(values)

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Stage new rows for a table the program may write (`port.refuse_user_table`: owned,
        imported on request, or stamped); other user tables are refused."""
        refuse_user_table(name)
        self._staged[name] = frame.copy()

    def progress(self, fraction: float, message: str) -> None:
        """Progress in the status bar: 'Sales Goals: writing leaf targets (90%)'."""
        self._book.status(f"{STATUS_PREFIX}{message} ({max(0.0, min(1.0, fraction)):.0%})")

    def message(self, text: str, *, level: str = "info") -> None:
        """Kept for the final message box; shown in the status bar meanwhile."""
        self.messages.append((level, text))
        if level != "debug":
            self._book.status(f"{STATUS_PREFIX}{text}")

    def commit(self) -> None:
        """Write every staged table in one bulk write each, with the program paused.

        Every block is built before the first write, so a value that cannot be written
        stops the commit before anything changes; if the program fails a write, the tables
        already written get their old rows back.
        """
        if not self._staged and not self._staged_properties and not self._staged_names:
            return
        staged, self._staged = self._staged, {}
        properties, self._staged_properties = self._staged_properties, {}
        names, self._staged_names = self._staged_names, {}
        blocks = {name: self._block(name, frame) for name, frame in staged.items()}
        for name, block in blocks.items():
            self._refuse_overwrite(name, len(block.rows))
        before = self.properties() if properties else {}
        state = self._book.pause()
        written: list[str] = []
        try:
            for index, (name, block) in enumerate(blocks.items()):
                self.progress(index / len(blocks), f"writing {name}")
                written.append(name)
                self._book.write_table(self._found(name), block)
            if properties:
                self._book.set_properties(properties)
            if names:
                self._book.set_named_values(names)
        except BaseException:
            if properties:
                try:
                    self._book.set_properties({k: before.get(k) for k in properties})
                except Exception as failed:
                    self.messages.append(("error", f"properties could not be restored: {failed}"))
            for name in reversed(written):
                try:
                    old = _old_block(self._reads[name].live, table(name).has_sentences)
                    self._book.write_table(self._found(name), old)
                except Exception as failed:  # keep restoring the others; the first error wins
                    self.messages.append(("error", f"{name} could not be restored: {failed}"))
            raise
        finally:
            for name in written:
                self._reads.pop(name, None)
            self._book.resume(state)
        what = [*blocks, *(["the document properties"] if properties else [])]
        self.message(f"{', '.join(what)} written in {self.label} (not saved yet)")

    def _found(self, name: str) -> str:
        found = self._find(name)
        if found is None:
            sheet = SHEETS_BY_KEY[table(name).sheet].label.get(self.language)
            problem = error(
                ProblemCode.MISSING_TABLE,
                f"table {name} is missing",
                sheet=sheet,
                hint="copy the table back from a fresh template",
                category=Category.SCHEMA,
            )
            raise ProblemsFound([problem], self.label)
        return found

    def _refuse_overwrite(self, name: str, new_rows: int) -> None:
        """Growing a table must not swallow what a person typed below it (as on file)."""
        live = self._reads[name].live
        grow = max(1, new_rows) - max(1, len(live.values) - 1)
        if grow <= 0:
            return
        below = self._book.cells_below(self._found(name), grow)
        end = live.top + len(live.values) - 1
        for offset, row in enumerate(below):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                where = f"{column_letter(live.left + column)}{end + 1 + offset}"
                raise ProblemsFound(
                    [
                        error(
                            ProblemCode.ROWS_OUTSIDE_TABLE,
                            f"table {name} needs rows down to {end + grow} but {where} below "
                            "it is not empty",
                            sheet=live.sheet,
                            cell=where,
                            hint="move what is below the table further down",
                            category=Category.SCHEMA,
                        )
                    ],
                    self.label,
                )

    def _block(self, name: str, frame: pd.DataFrame) -> LiveBlock:
        """The staged rows as the table's columns stand in the workbook now."""
        raw = self.read_raw(name)
        if not raw.found:
            self._found(name)  # raises the missing table's problem
        spec = table(name)
        live, columns_by_number = self._reads[name].live, self._reads[name].columns
        rows = order_rows(spec, frame)
        count = len(rows)
        first = raw.data.first_row
        letters = raw.data.letters
        columns: list[list[Any]] = []
        formulas: dict[tuple[int, int], str] = {}
        for position in range(live.width):
            header = columns_by_number.get(live.left + position, "")
            col = spec.column(header) if header in spec.keys else None
            if col is not None and col.role is Role.FORMULA and col.formula:
                for i in range(count):
                    formulas[(i, position)] = a1_formula(col.formula, first + i, letters)
                columns.append([None] * count)
            elif col is not None and col.key in rows.columns:
                lang = self.language
                columns.append([_cell(cell_value(col, v, lang)) for v in rows[col.key].tolist()])
            else:
                # A column of the user's: its values and formulas stay on the rows that stay.
                old = [r[position] if position < len(r) else None for r in live.values[1:]]
                columns.append([old[i] if i < len(old) else None for i in range(count)])
                for i in range(min(count, len(old))):
                    formula = live.formulas.get((i + 1, position))
                    if formula is not None:
                        formulas[(i, position)] = formula
                        columns[-1][i] = None
        block_rows = [list(r) for r in zip(*columns, strict=True)] if count else []
        return LiveBlock(block_rows, formulas, fit_rows=table(name).has_sentences)


def _cell(value: Any) -> Any:
    """A typed value as a live cell takes it: money that is not whole goes in as a float
    (a cell holds a double, as in a file); dates stay dates for the program to convert."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _old_block(live: LiveTable, fit_rows: bool) -> LiveBlock:
    """The rows a table had when it was read, formulas included: what a rollback writes."""
    rows = [list(r) for r in live.values[1:]]
    formulas = {(r - 1, c): text for (r, c), text in live.formulas.items() if r >= 1}
    for r, c in formulas:
        rows[r][c] = None
    return LiveBlock(rows, formulas, fit_rows)


def _interpret(name: str, live: LiveTable, lang: str) -> _Read:
    """A live table as the file reader would have read it (cell facts included)."""
    spec = table(name)
    read = missing_table(name, lang)
    read.found = True
    read.ref = live.ref
    read.data.sheet = live.sheet
    read.data.first_row = live.top + 1
    n_rows = max(0, len(live.values) - 1)
    if n_rows > spec.max_rows:
        read.problems.append(too_many_rows(spec, n_rows, live.sheet, read.ref))
        return _Read(live, read, {})
    headers = list(live.values[0]) if live.values else []
    columns = headers_into_read(read, headers, (live.left, live.top), lang)
    dated = {
        live.left + i
        for i, key in enumerate(columns.values())
        if key in spec.keys and spec.column(key).type in (ColumnType.DATE, ColumnType.PERIOD)
    }

    def cell_at(row: int, col: int) -> tuple[Any, str]:
        r, c = row - live.top, col - live.left
        formula = live.formulas.get((r, c))
        if formula is not None:
            return formula, "f"
        value = live.values[r][c]
        if col in dated:
            value = serial_date(value)  # a date the program handed over as its serial
        return value, ""

    read_rows(read, columns, live.top + 1, n_rows, cell_at)
    return _Read(live, read, columns)


@contextmanager
def paused(book: LiveWorkbook) -> Iterator[None]:
    """The program paused (no screen updates, manual calculation) while the block runs; its
    state and the status bar are restored afterwards, on an error too."""
    state = book.pause()
    try:
        yield
    finally:
        book.resume(state)


def run_live(book: LiveWorkbook, command: Callable[[LivePort], T]) -> T:
    """Run `command` on the open workbook through a `LivePort`, with the program paused."""
    with paused(book):
        return command(LivePort(book))


__all__ = [
    "LiveBlock",
    "LivePort",
    "LiveTable",
    "LiveWorkbook",
    "paused",
    "run_live",
]
