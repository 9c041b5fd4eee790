"""The file adapter of the workbook port: a workbook file read through the gate, written
through the door.

Tables are read with the bounded reader; writes are staged per table and `commit` rewrites
only the tables the program owns, then saves atomically with a backup. Progress and messages
go to the callbacks given at construction (the CLI passes rich ones; tests pass lists).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.commands.port import TableData
from salesgoal_xl.workbook.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    error,
)
from salesgoal_xl.workbook.reader import (
    TableRead,
    find_table,
    is_blank,
    read_table,
    usable_frame,
    workbook_language,
)
from salesgoal_xl.workbook.schema import Table, header_lookup, normalise_header, table

ProgressCallback = Callable[[float, str], None]
MessageCallback = Callable[[str, str], None]


def _ignore_progress(_fraction: float, _message: str) -> None:
    """Progress goes nowhere unless a caller asks to see it."""


def _ignore_message(_text: str, _level: str) -> None:
    """Messages go nowhere unless a caller asks to see them."""


def _open(path: Path, warnings_out: list[Problem]) -> Workbook:
    """Open through the gate (size limits, hostile content) and a guarded openpyxl load."""
    try:
        from salesgoal_xl.workbook.gate import open_workbook
    except ImportError:  # the gate is built in parallel; until it lands, load guardedly
        return _load_directly(path)
    return open_workbook(path, warnings_out=warnings_out)


def _load_directly(path: Path) -> Workbook:
    from openpyxl import load_workbook

    if not path.is_file():
        raise ProblemsFound(
            [
                error(
                    ProblemCode.FILE_NOT_FOUND,
                    f"{path.name} does not exist",
                    category=Category.FILE,
                )
            ],
            str(path),
        )
    try:
        return load_workbook(path)
    except Exception as exc:  # any library failure is a problem, never a traceback
        raise ProblemsFound(
            [
                error(
                    ProblemCode.UNREADABLE,
                    f"{path.name} cannot be read as a workbook ({type(exc).__name__})",
                    hint="open it in Excel and save it again as .xlsx",
                    category=Category.FILE,
                )
            ],
            str(path),
        ) from None


class FilePort:
    """A planning workbook file behind the WorkbookPort protocol.

    Opening happens at construction, so an unreadable file raises `ProblemsFound` (with
    file-category problems) before any command starts; warnings from the gate (macros, links,
    a lock owner) are kept in `open_problems`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        message: MessageCallback | None = None,
    ) -> None:
        self.path = Path(path)
        self._progress = progress or _ignore_progress
        self._message = message or _ignore_message
        self.open_problems: list[Problem] = []
        self._wb = _open(self.path, self.open_problems)
        self._lang = workbook_language(self._wb)
        self._reads: dict[str, TableRead] = {}
        self._staged: dict[str, pd.DataFrame] = {}

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def language(self) -> str:
        """The workbook's language ('en', 'zh-Hant', 'zh-Hans')."""
        return self._lang

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(ws.title for ws in self._wb.worksheets)

    def has_table(self, name: str) -> bool:
        return find_table(self._wb, name) is not None

    def read_raw(self, name: str) -> TableRead:
        """The table with its cell facts (formulas, errors, merged ranges, stray values)."""
        if name not in self._reads:
            self._reads[name] = read_table(self._wb, name, lang=self._lang)
        return self._reads[name]

    def read_table(self, name: str) -> TableData:
        raw = self.read_raw(name)
        if not raw.found:
            raise ProblemsFound(
                [
                    error(
                        ProblemCode.MISSING_TABLE,
                        f"table {name} is missing",
                        sheet=raw.data.sheet,
                        hint="copy the table back from a fresh template, or rename yours "
                        f"back to {name}",
                        category=Category.SCHEMA,
                    )
                ],
                self.label,
            )
        blocking = [p for p in raw.problems if p.severity is Severity.ERROR]
        if blocking:
            raise ProblemsFound(blocking, self.label)
        data = raw.data
        return TableData(name, usable_frame(raw), data.sheet, data.first_row, dict(data.letters))

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        spec = table(name)
        if not spec.owned:
            raise ValueError(f"{name} belongs to the user; the program never rewrites it")
        self._staged[name] = frame.copy()

    def progress(self, fraction: float, message: str) -> None:
        self._progress(fraction, message)

    def message(self, text: str, *, level: str = "info") -> None:
        self._message(text, level)

    def commit(self) -> None:
        """Write every staged table into the workbook, then save atomically with a backup."""
        if not self._staged:
            return
        staged, self._staged = self._staged, {}
        for i, (name, frame) in enumerate(staged.items()):
            self.progress(i / (len(staged) + 1), f"writing {name}")
            located = find_table(self._wb, name)
            if located is None:
                raise ProblemsFound(
                    [error(ProblemCode.MISSING_TABLE, f"table {name} is missing")], self.label
                )
            ws, tbl = located
            _write_rows(ws, tbl, table(name), frame)
        self.progress(len(staged) / (len(staged) + 1), f"saving {self.label}")
        _save_atomically(self._wb, self.path)
        self._reads.clear()
        self.progress(1.0, f"saved {self.label}")
        self.message(f"saved {self.path} (previous version kept as a backup)", level="info")


# --- a minimal writer and save, to be replaced by fill_table and the door --------------------


def _write_rows(ws: Worksheet, tbl: Any, spec: Table, frame: pd.DataFrame) -> None:
    """Replace the table's rows with `frame` (schema keys as columns), text always as text."""
    min_col, min_row, max_col, max_row = range_boundaries(str(tbl.ref))
    lookup = header_lookup(spec)
    columns: dict[str, int] = {}
    for col in range(min_col, max_col + 1):
        header = ws.cell(min_row, col).value
        key = lookup.get(normalise_header(str(header))) if header is not None else None
        if key is not None and key not in columns:
            columns[key] = col
    absent = [k for k in frame.columns if k in spec.keys and k not in columns]
    if absent:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.MISSING_HEADER,
                    f"table {spec.name} has no column for {', '.join(absent)}; nothing written",
                    sheet=ws.title,
                    cell=str(tbl.ref),
                    category=Category.SCHEMA,
                )
            ]
        )
    n_rows = len(frame)
    new_max = min_row + max(1, n_rows)
    for row in range(max_row + 1, new_max + 1):
        for col in range(min_col, max_col + 1):
            below = ws._cells.get((row, col))  # look without creating the cell
            if below is not None and not is_blank(below.value):
                raise ProblemsFound(
                    [
                        error(
                            ProblemCode.ROWS_OUTSIDE_TABLE,
                            f"table {spec.name} needs {n_rows:,} rows but "
                            f"{get_column_letter(col)}{row} below it is not empty",
                            sheet=ws.title,
                            cell=f"{get_column_letter(col)}{row}",
                            hint="move what is below the table further down",
                            category=Category.SCHEMA,
                        )
                    ]
                )
    for row in range(min_row + 1, max(max_row, new_max) + 1):
        index = row - min_row - 1
        for col in range(min_col, max_col + 1):
            is_schema = col in columns.values()
            if index < n_rows and not is_schema:
                continue  # a user's own column keeps its values next to rows that stay
            ws.cell(row, col).value = None
    for key, col in columns.items():
        if key not in frame.columns:
            continue
        for index, value in enumerate(frame[key].tolist()):
            _put(ws.cell(min_row + 1 + index, col), value)
    ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{new_max}"
    tbl.ref = ref
    if tbl.autoFilter is not None:
        tbl.autoFilter.ref = ref


def _put(cell: Any, value: Any) -> None:
    """Write one value; text stays text even when it looks like a formula or an error."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        cell.value = None
    elif isinstance(value, str):
        cell.value = None
        cell._value = value[:32_767]  # the setter would read '=...' as a formula
        cell.data_type = "s"
    elif isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        cell.value = value
    else:
        cell.value = None
        cell._value = str(value)
        cell.data_type = "s"


def _save_atomically(wb: Workbook, path: Path) -> None:
    """Temp file beside the original, verify it opens, keep a backup, then replace."""
    owner = path.with_name(f"~${path.name}")
    if owner.exists():
        raise ProblemsFound(
            [
                error(
                    ProblemCode.FILE_LOCKED,
                    f"{path.name} is open in Excel (found {owner.name})",
                    hint="close it in Excel, then run the command again",
                    category=Category.FILE,
                )
            ],
            str(path),
        )
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        wb.save(temp)
        from openpyxl import load_workbook

        load_workbook(temp, read_only=True).close()
        shutil.copymode(path, temp)  # mkstemp makes the file private; keep the user's mode
        shutil.copy2(path, path.with_name(f"{path.stem}.backup{path.suffix}"))
        os.replace(temp, path)
    except ProblemsFound:
        raise
    except Exception as exc:  # the original stays untouched whatever went wrong
        raise ProblemsFound(
            [
                error(
                    ProblemCode.SAVE_FAILED,
                    f"could not save {path.name}: {type(exc).__name__}: {exc}",
                    hint="check the folder is writable and the disk not full; "
                    "the original file is unchanged",
                    category=Category.FILE,
                )
            ],
            str(path),
        ) from None
    finally:
        temp.unlink(missing_ok=True)
