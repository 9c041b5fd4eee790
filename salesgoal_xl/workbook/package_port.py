"""The fast file adapter: tables read by streaming the package, owned tables written part-wise.

`FilePort` loads the whole workbook with openpyxl and saves all of it again, which costs
seconds per hundred thousand rows of history on every command. `PackagePort` reads only the
tables a command asks for (streaming their sheet XML), and on `commit` rewrites only the
sheet and table parts of the tables it writes (cells, rows and tables beside them in other
columns kept where they are); every other part is copied byte for byte through the door. When
something sits below a table in its columns, or the table has columns of the user's, the
commit hands the staged tables to `FilePort`, so nothing a user added is ever lost.
Files pass the gate before anything is read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from salesgoal_xl.core.problems import (
    Category,
    FileRefused,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    error,
)
from salesgoal_xl.workbook import package
from salesgoal_xl.workbook.cells import EXCEL_EPOCH, command_values, serial_date
from salesgoal_xl.workbook.door import replace_parts
from salesgoal_xl.workbook.fill import a1_formula, cell_value, order_rows
from salesgoal_xl.workbook.gate import inspect_package
from salesgoal_xl.workbook.headers import match_headers
from salesgoal_xl.workbook.identity import CUSTOM_PART, properties_parts, read_properties
from salesgoal_xl.workbook.layout import row_heights
from salesgoal_xl.workbook.port import (
    MessageCallback,
    ProgressCallback,
    StagedWrites,
    TableData,
)
from salesgoal_xl.workbook.reader import (
    language_of,
    missing_table,
    table_read_from_data,
    too_many_rows,
)
from salesgoal_xl.workbook.schema import (
    SHEETS_BY_KEY,
    TABLES_BY_NAME,
    Column,
    ColumnType,
    Role,
    Table,
    table,
)

_NUMERIC = (ColumnType.MONEY, ColumnType.NUMBER, ColumnType.PERCENT, ColumnType.INTEGER)
_DATE1904 = re.compile(rb'date1904="(1|true)"')


class PackagePort(StagedWrites):
    """A planning workbook file behind the WorkbookPort protocol, read and written part-wise."""

    def __init__(
        self,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        message: MessageCallback | None = None,
        allow_feature_loss: bool = False,
    ) -> None:
        super().__init__(
            path, progress=progress, message=message, allow_feature_loss=allow_feature_loss
        )
        problems = inspect_package(self.path)
        self.open_problems = [p for p in problems if p.severity is not Severity.ERROR]
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise FileRefused(errors, str(self.path))
        self._archive = zipfile.ZipFile(self.path)
        self._tables = package.locate_tables(self._archive)
        self._strings: list[str] | None = None
        self._dates: frozenset[int] | None = None  # styles that show a number as a date
        self._epoch = date(1904, 1, 1) if self._date1904() else EXCEL_EPOCH
        self.fast_writes: list[str] = []
        self._lang: str | None = None

    @property
    def language(self) -> str:
        """The workbook's language, by the other adapters' rule (`reader.language_of`): what
        the choices it writes are shown in."""
        if self._lang is None:
            try:
                settings = table_read_from_data(self.read_table("tblSettings"))
            except ProblemsFound:  # no settings table, or one whose headers cannot be read
                settings = missing_table("tblSettings", "en")
            self._lang = language_of(settings, package.sheet_titles(self._archive))
        return self._lang

    def properties(self) -> dict[str, str | int]:
        """The custom document properties (`workbook.identity`)."""
        if CUSTOM_PART not in self._archive.namelist():
            return {}
        return read_properties(self._archive.read(CUSTOM_PART))

    def _date1904(self) -> bool:
        return bool(_DATE1904.search(self._archive.read("xl/workbook.xml")))

    def close(self) -> None:
        """Release the file (the port reopens nothing after this)."""
        self._archive.close()

    def has_table(self, name: str) -> bool:
        return self._find(name) is not None

    def _find(self, name: str) -> package.TablePart | None:
        wanted = name.casefold()
        return next((t for n, t in self._tables.items() if n.casefold() == wanted), None)

    def read_table(self, name: str) -> TableData:
        """The table's rows keyed by schema column; plain numbers-as-text become numbers.

        Formula columns read as None, as from the openpyxl adapter (`command_values`).
        """
        spec = table(name)
        part = self._find(name)
        sheet_label = SHEETS_BY_KEY[spec.sheet].label.en
        if part is None:
            raise ProblemsFound(
                [
                    error(
                        ProblemCode.MISSING_TABLE,
                        f"table {name} is missing",
                        sheet=sheet_label,
                        hint="copy the table back from a fresh template, or rename yours "
                        f"back to {name}",
                        category=Category.SCHEMA,
                    )
                ],
                self.label,
            )
        keys, letters = self._columns(spec, part)
        if self._strings is None:
            self._strings = package.shared_strings(self._archive)
        _, header_row, _, last_row = part.bounds
        if last_row - header_row > spec.max_rows:
            problem = too_many_rows(spec, last_row - header_row, part.sheet_name, part.ref)
            raise ProblemsFound([problem], self.label)
        if self._dates is None:
            self._dates = package.date_styles(self._archive)
        rows = package.read_table_rows(self._archive, part, self._strings, self._dates)
        # A live formula's cached result does not make a row; the cells people fill do.
        filled = [
            i
            for i, key in enumerate(keys)
            if key not in spec.keys or spec.column(key).role is not Role.FORMULA
        ]
        while rows and all(rows[-1][i] is None for i in filled):
            rows.pop()  # the blank row a table keeps when it is empty
        frame = (
            pd.DataFrame(rows, columns=keys, dtype=object)
            if rows
            else pd.DataFrame(columns=keys, dtype=object)
        )
        for column in spec.columns:
            if column.key not in frame.columns:
                frame[column.key] = None
                continue
            values = frame[column.key].tolist()
            # Dates are serial numbers in the XML (Excel turns a typed '2026-04' into one); a
            # number is a date where its cell's style shows a date, in any column, exactly as
            # openpyxl reads it, so a plain number in a date column stays a number to name.
            values = [self._date(v) if isinstance(v, package.DateSerial) else v for v in values]
            frame[column.key] = command_values(column, values)
        return TableData(name, frame, part.sheet_name, header_row + 1, letters)

    def _columns(self, spec: Table, part: package.TablePart) -> tuple[list[str], dict[str, str]]:
        """Frame column names (schema keys, or the user's header) and schema-key letters, from
        the one matcher (`headers.match_headers`); a header problem that keeps a command from
        reading the table is raised, as the openpyxl reader reports it."""
        first_col, header_row, last_col, _ = part.bounds
        # The range decides the columns (as openpyxl reads it): a table whose range was made
        # narrower than its column list keeps only the columns inside the range.
        width = last_col - first_col + 1
        headers = [*part.headers[:width], *[None] * (width - len(part.headers))]
        match = match_headers(spec, headers, first_col, header_row, part.sheet_name)
        if match.errors:
            raise ProblemsFound(match.errors, self.label)
        return match.names, match.letters

    def _date(self, value: Any) -> Any:
        """A date cell's serial number as the day, as openpyxl reads it (`cells.serial_date`:
        a serial outside Excel's calendar reads as the #VALUE! Excel shows)."""
        return serial_date(value, self._epoch)

    def commit(self) -> None:
        """Rewrite the staged tables' parts (or hand them to FilePort) in one atomic save."""
        if not self._staged and not self._staged_properties and not self._staged_names:
            return
        staged, self._staged = self._staged, {}
        try:
            parts = self._new_parts(staged)
            parts.update(self._named_parts(parts))
        except package.NotFastPath as reason:
            self._commit_with_openpyxl(staged, str(reason))
            return
        self._staged_names = {}
        if self._staged_properties:
            updates, self._staged_properties = self._staged_properties, {}
            parts.update(properties_parts(self._archive.read, self._archive.namelist(), updates))
        self.progress(0.95, f"saving {self.label}")
        self._archive.close()
        self.last_save = replace_parts(
            self.path, parts, allow_feature_loss=self._allow_feature_loss
        )
        self.fast_writes = list(staged)
        self._reopen()
        backup = self.last_save.backup
        kept = f"; the previous version is kept as {backup}" if backup else ""
        self.message(f"saved {self.path}{kept}", level="info")

    def _reopen(self) -> None:
        self._archive = zipfile.ZipFile(self.path)
        self._tables = package.locate_tables(self._archive)
        self._strings = None

    def _new_parts(self, staged: dict[str, pd.DataFrame]) -> dict[str, bytes]:
        parts: dict[str, bytes] = {}
        written: dict[str, pd.DataFrame] = {}  # by table name, in the rows' written order
        rewritten: dict[str, tuple[int, int]] = {}  # sheet part -> its rewritten data rows
        for index, (name, frame) in enumerate(staged.items()):
            self.progress(index / (len(staged) + 1), f"writing {name}")
            part = self._find(name)
            if part is None:
                raise package.NotFastPath(f"{name} is missing")
            below = _table_below(part, self._tables.values())
            if below is not None:
                raise package.NotFastPath(f"{below} lies below {name}, in its columns")
            spec = table(name)
            keys, letters = self._columns(spec, part)
            if any(k not in spec.keys for k in keys):
                raise package.NotFastPath(f"{name} has columns of the user's")
            sheet_xml = parts.get(part.sheet_part) or self._archive.read(part.sheet_part)
            ordered = written[part.name] = order_rows(spec, frame)
            rows = _table_rows(spec, ordered, part, keys, letters, sheet_xml, self.language)
            sheet, table_xml = package.replace_table_rows(
                sheet_xml, self._archive.read(part.part), part, rows, len(frame)
            )
            parts[part.sheet_part] = sheet
            parts[part.part] = table_xml
            _, header_row, _, old_last = part.bounds
            first, last = rewritten.get(part.sheet_part, (header_row + 1, 0))
            new_last = header_row + max(len(frame), 1)
            rewritten[part.sheet_part] = (min(first, header_row + 1), max(last, old_last, new_last))
        for sheet_part, (first, last) in rewritten.items():
            parts[sheet_part] = self._fit_row_heights(
                sheet_part, parts[sheet_part], written, first, last
            )
        # Formulas elsewhere read these tables: the door recomputes every formula's cached
        # result over the new rows and keeps Excel's recalculation on open.
        return parts

    def _fit_row_heights(
        self,
        sheet_part: str,
        sheet_xml: bytes,
        written: Mapping[str, pd.DataFrame],
        first: int,
        last: int,
    ) -> bytes:
        """The sheet with rows `first`..`last` as tall as their wrapped cells need, every table
        on the sheet counted: the rule of the openpyxl writer (`fill.fit_row_heights`), read
        from the new rows of the tables written and the stored rows of the others."""
        widths = package.column_widths(sheet_xml)
        cells: list[tuple[int, str, float | None]] = []
        wraps = False
        for part in self._tables.values():
            spec = TABLES_BY_NAME.get(part.name)
            if part.sheet_part != sheet_part or spec is None:
                continue
            first_col, header_row, last_col, _ = part.bounds
            headers = [*part.headers, *[None] * (last_col - first_col + 1 - len(part.headers))]
            names = match_headers(spec, headers, first_col, header_row, part.sheet_name).names
            wrapped = [
                (i, spec.column(n))
                for i, n in enumerate(names)
                if n in spec.keys and spec.column(n).wrap
            ]
            if not wrapped:
                continue
            wraps = True
            if part.name in written:
                frame = written[part.name]
                columns = {
                    i: _column_values(col, frame[col.key], self.language)
                    for i, col in wrapped
                    if col.key in frame.columns
                }
            else:
                stored = package.read_table_rows(
                    self._archive, part, self._strings, self._dates or frozenset()
                )
                columns = {i: [row[i] for row in stored] for i, _ in wrapped}
            for i, values in columns.items():
                width = widths.get(first_col + i)
                cells += [
                    (header_row + 1 + n, v, width)
                    for n, v in enumerate(values)
                    if isinstance(v, str)
                ]
        if not wraps:
            return sheet_xml  # a sheet without wrapping columns keeps its rows' heights
        return package.set_row_heights(sheet_xml, row_heights(cells), first, last)

    def _named_parts(self, parts: Mapping[str, bytes]) -> dict[str, bytes]:
        """Sheet parts with the staged one-cell names' cells rewritten."""
        if not self._staged_names:
            return {}
        where = package.named_cells(self._archive)
        by_part: dict[str, dict[str, Any]] = {}
        for name, value in self._staged_names.items():
            if name in where:
                part, ref = where[name]
                by_part.setdefault(part, {})[ref] = value
        return {
            part: package.set_cell_values(parts.get(part) or self._archive.read(part), values)
            for part, values in by_part.items()
        }

    def _commit_with_openpyxl(self, staged: dict[str, pd.DataFrame], reason: str) -> None:
        from salesgoal_xl.workbook.file_port import FilePort

        self.message(f"writing through openpyxl: {reason}", level="debug")
        self._archive.close()
        port = FilePort(
            self.path,
            progress=self._progress,
            message=self._message,
            allow_feature_loss=self._allow_feature_loss,
        )
        for name, frame in staged.items():
            port.write_table(name, frame)
        port.set_properties(self._staged_properties)
        port.set_named_values(self._staged_names)
        self._staged_properties, self._staged_names = {}, {}
        port.commit()
        self.last_save = port.last_save
        self._reopen()


def _table_below(part: package.TablePart, tables: Iterable[package.TablePart]) -> str | None:
    """The table of the same sheet that sits below `part` in its columns, if any: a longer
    `part` would run into it. Tables beside it (other columns) keep their cells, rows and
    ranges through `package.replace_table_rows`."""
    first_col, header_row, last_col, _ = part.bounds
    for other in tables:
        if other is part or other.sheet_part != part.sheet_part:
            continue
        o_first, o_header, o_last, _ = other.bounds
        if o_first <= last_col and first_col <= o_last and o_header > header_row:
            return other.name
    return None


def _table_rows(
    spec: Table,
    frame: pd.DataFrame,
    part: package.TablePart,
    keys: Sequence[str],
    letters: dict[str, str],
    sheet_xml: bytes,
    lang: str,
) -> Any:
    first_col, header_row, _, _ = part.bounds
    # New rows take the styles of the table's first data row, so they look like the old ones.
    first_styles = package.row_styles(sheet_xml, header_row + 1)
    styles = [first_styles.get(first_col + offset) for offset in range(len(keys))]
    columns: list[Sequence[Any]] = []
    formulas: dict[int, str] = {}
    count = len(frame)
    for position, key in enumerate(keys):
        col = spec.column(key)
        if col.role is Role.FORMULA and col.formula:
            formulas[position] = _row_template(col.formula, letters)
            columns.append([None] * count)
        elif key in frame.columns:
            columns.append(_column_values(col, frame[key], lang))
        else:
            columns.append([None] * count)
    return package.rows_xml(columns, first_col, header_row + 1, styles, formulas)


def _row_template(formula: str, letters: dict[str, str]) -> str:
    """The formula with `{r}` where the row number goes (and braces otherwise escaped)."""
    marker = 987_654_321  # a row number no real sheet reaches, replaced by `{r}` below
    text = a1_formula(formula, marker, letters).lstrip("=")
    text = text.replace("{", "{{").replace("}", "}}")
    return text.replace(str(marker - 1), "{r_above}").replace(str(marker), "{r}")


def _column_values(col: Column, series: pd.Series, lang: str) -> list[Any]:
    """The cells of one column, typed exactly as the openpyxl writer types them."""
    if col.type in _NUMERIC and pd.api.types.is_integer_dtype(series.dtype):
        return series.tolist()  # plain Python ints already: nothing to check per value
    # Plans repeat the same codes, names and periods endlessly: type each distinct value once.
    typed: dict[tuple[type, Any], Any] = {}
    values = []
    for value in series.tolist():
        key = (value.__class__, value)  # True and 1 are equal keys, but not equal cells
        try:
            values.append(typed[key])
        except KeyError:
            values.append(typed.setdefault(key, cell_value(col, value, lang)))
        except TypeError:  # unhashable values are rare: type them each time
            values.append(cell_value(col, value, lang))
    return values


__all__ = ["PackagePort", "Problem"]
