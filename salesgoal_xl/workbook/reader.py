"""Reading tables and settings out of an openpyxl workbook: found by name, bounded, located.

A table is found by its name on whatever sheet it now sits, its headers are matched in any of
the three languages and in any order, and only the cells inside its ref range are looked at
(never a sheet's claimed used range). Cell values come back as stored; the few facts a frame
cannot carry (which cells hold formulas or error values, merged ranges, stray values next to
the table) travel beside it in `TableRead`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    error,
    warning,
)
from salesgoal_xl.workbook.cells import (
    ERROR_LITERALS,
    choice_code,
    choices_text,
    command_values,
    is_blank,
    parse_setting,
)
from salesgoal_xl.workbook.headers import match_headers

__all__ = ["ERROR_LITERALS", "TableRead", "read_settings", "read_table", "read_tables"]
from salesgoal_xl.workbook.port import TableData
from salesgoal_xl.workbook.schema import (
    LANGUAGES,
    SETTINGS,
    SETTINGS_BY_KEY,
    SHEETS_BY_KEY,
    TABLES,
    Role,
    Setting,
    Table,
    normalise_header,
    setting_lookup,
    table,
)


@dataclass
class TableRead:
    """A table as found in the file, with what the checks need beside its frame.

    `data.frame` holds one column per schema key (None where the header is missing) and
    then the user's extra columns under their own header text. `formulas` and `errors` are
    (row, key) pairs of cells holding a formula or an Excel error value; `live_rows` are the
    rows with at least one schema value (blank rows inside a table are skipped by checks).
    """

    name: str
    data: TableData
    found: bool = True
    problems: list[Problem] = field(default_factory=list)
    ref: str = ""
    header_cells: dict[str, str] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    formulas: frozenset[tuple[int, str]] = frozenset()
    errors: frozenset[tuple[int, str]] = frozenset()
    live_rows: tuple[int, ...] = ()
    merged: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()

    @property
    def spec(self) -> Table:
        """The schema description of this table."""
        return table(self.name)

    def column_range(self, key: str, rows: tuple[int, ...] | None = None) -> str:
        """The A1 range of column `key` over `rows` (default: every data row)."""
        rows = self.live_rows if rows is None else rows
        if not rows or key not in self.data.letters:
            return self.data.cell(0, key)
        first, last = self.data.cell(min(rows), key), self.data.cell(max(rows), key)
        return first if first == last else f"{first}:{last}"


def find_table(wb: Workbook, name: str) -> tuple[Worksheet, Any] | None:
    """The sheet and openpyxl table called `name` (Excel names are case-insensitive)."""
    wanted = name.casefold()
    for ws in wb.worksheets:
        for tbl in getattr(ws, "tables", {}).values():
            if str(tbl.name).casefold() == wanted or str(tbl.displayName).casefold() == wanted:
                return ws, tbl
    return None


def workbook_language(wb: Workbook) -> str:
    """The workbook's language: its Language setting, else guessed from sheet names."""
    return language_of(read_table(wb, "tblSettings", lang="en"), [ws.title for ws in wb.worksheets])


def language_of(settings: TableRead, sheet_titles: Iterable[str]) -> str:
    """The language of a workbook with these settings and sheets (any reader's `TableRead`)."""
    if settings.found and "language" in _setting_rows(settings):
        values, _ = read_settings(settings)
        return str(values["language"])
    titles = set(sheet_titles)
    for lang in LANGUAGES[1:]:
        if any(sheet.label.get(lang) in titles for sheet in SHEETS_BY_KEY.values()):
            return lang
    return "en"


def _setting_rows(read: TableRead) -> set[str]:
    """The setting keys that have a row in tblSettings."""
    if "setting" not in read.header_cells:
        return set()
    lookup = setting_lookup()
    labels = read.data.frame["setting"].tolist()
    return {lookup[k] for k in (normalise_header(str(v)) for v in labels) if k in lookup}


def _value(ws: Worksheet, row: int, col: int) -> Any:
    cell = _cell(ws, row, col)
    return None if cell is None else cell.value


def _cell(ws: Worksheet, row: int, col: int) -> Any:
    # ws.cell() and ws.iter_rows() create every cell they visit; a table claiming a million
    # rows would then allocate millions of empty cells, so look cells up without creating.
    return ws._cells.get((row, col))


def missing_table(name: str, lang: str) -> TableRead:
    """What a reader gives for a table that is not in the workbook (`found` False)."""
    return _missing(name, lang)


def _missing(name: str, lang: str) -> TableRead:
    spec = table(name)
    sheet = SHEETS_BY_KEY[spec.sheet].label.get(lang)
    frame = pd.DataFrame({key: pd.Series([], dtype=object) for key in spec.keys})
    return TableRead(name, TableData(name, frame, sheet, 2, {}), found=False)


def read_table(wb: Workbook, name: str, *, lang: str | None = None) -> TableRead:
    """Read table `name` wherever it is: headers in any language and order, bounded rows.

    Problems about its structure (missing or duplicated headers, too many rows, a broken
    range) are in `.problems`; a table that is not in the workbook comes back `found=False`.
    """
    lang = lang or workbook_language(wb)
    spec = table(name)
    located = find_table(wb, name)
    if located is None:
        return _missing(name, lang)
    ws, tbl = located
    try:
        min_col, min_row, max_col, max_row = range_boundaries(str(tbl.ref))
    except (TypeError, ValueError):
        read = _missing(name, lang)
        read.found = True
        read.data.sheet = ws.title
        read.problems.append(
            error(
                ProblemCode.MISSING_TABLE,
                f"table {name} has an unreadable range {tbl.ref!r}",
                sheet=ws.title,
                hint="delete the table and copy it again from a fresh template",
                category=Category.SCHEMA,
            )
        )
        return read
    header_rows = tbl.headerRowCount if tbl.headerRowCount is not None else 1
    totals = tbl.totalsRowCount or 0
    first_data = min_row + header_rows
    last_data = max_row - totals
    read = _missing(name, lang)
    read.found = True
    read.ref = str(tbl.ref)
    read.data.sheet = ws.title
    read.data.first_row = first_data
    read.merged = _merged_inside(ws, (min_col, min_row, max_col, max_row))
    read.outside = _values_outside(ws, (min_col, min_row, max_col, max_row))

    n_rows = max(0, last_data - first_data + 1)
    if n_rows > spec.max_rows:
        read.problems.append(too_many_rows(spec, n_rows, ws.title, read.ref))
        return read

    columns = _match_headers(ws, tbl, spec, read, (min_col, min_row, max_col), header_rows, lang)
    read_rows(read, columns, first_data, n_rows, lambda row, col: _cell_fact(ws, row, col))
    return read


def _cell_fact(ws: Worksheet, row: int, col: int) -> tuple[Any, str]:
    """A cell's value and kind ('f' formula, 'e' error, '' otherwise) as `read_rows` wants."""
    cell = _cell(ws, row, col)
    if cell is None or cell.value is None:
        return None, ""
    kind = cell.data_type
    return cell.value, kind if kind in ("f", "e") else ""


def too_many_rows(spec: Table, n_rows: int, sheet: str, ref: str) -> Problem:
    """A table whose range is longer than the schema allows: nothing of it is read."""
    return error(
        ProblemCode.TOO_MANY_ROWS,
        f"table {spec.name} has {n_rows:,} rows; at most {spec.max_rows:,} are allowed",
        sheet=sheet,
        cell=ref,
        hint="split the data over several workbooks or remove old rows",
        category=Category.SCHEMA,
    )


def _match_headers(
    ws: Worksheet,
    tbl: Any,
    spec: Table,
    read: TableRead,
    bounds: tuple[int, int, int],
    header_rows: int,
    lang: str,
) -> dict[int, str]:
    """Map each sheet column of the table to a schema key or an extra-column name: the header
    cells' texts (the table's own column names where a cell is empty) go through the one
    matcher, `headers.match_headers`."""
    min_col, min_row, max_col = bounds
    table_columns = list(getattr(tbl, "tableColumns", []) or [])
    texts: list[object | None] = []
    for col in range(min_col, max_col + 1):
        text: Any = _value(ws, min_row, col) if header_rows else None
        if text is None and col - min_col < len(table_columns):
            text = table_columns[col - min_col].name
        texts.append(text)
    return headers_into_read(read, texts, (min_col, min_row), lang)


def headers_into_read(
    read: TableRead, texts: Sequence[object | None], origin: tuple[int, int], lang: str
) -> dict[int, str]:
    """Match a table's header texts (`headers.match_headers`) into `read`: its keys, letters,
    extra columns and header problems. `origin` is (first column, header row), 1-based.
    Returns the frame column name of each sheet column number; every reader that fills a
    `TableRead` (the openpyxl one, the live one) goes through here."""
    min_col, min_row = origin
    match = match_headers(read.spec, texts, min_col, min_row, read.data.sheet, lang)
    read.problems.extend(match.problems)
    read.header_cells.update(match.header_cells)
    read.data.letters = {**read.data.letters, **match.letters}
    read.extra_columns = match.extras
    return {min_col + offset: name for offset, name in enumerate(match.names)}


def read_rows(
    read: TableRead,
    columns: dict[int, str],
    first_row: int,
    n_rows: int,
    cell_at: Callable[[int, int], tuple[Any, str]],
) -> None:
    """Fill the frame from the table's own cells only; note formulas, errors and blank rows.

    `cell_at(row, column)` gives a cell's stored value and kind ('f': the value is the
    formula, 'e': an error value, '' otherwise); every reader of a `TableRead` passes its own.
    """
    values: dict[str, list[Any]] = {name: [None] * n_rows for name in columns.values()}
    formulas: set[tuple[int, str]] = set()
    errors: set[tuple[int, str]] = set()
    live: list[int] = []
    # A row is data when a value column holds something; live formula columns fill every row.
    keys = {c.key for c in read.spec.columns if c.role is not Role.FORMULA}
    for i in range(n_rows):
        row = first_row + i
        has_value = False
        for col, name in columns.items():
            value, kind = cell_at(row, col)
            if value is None:
                continue
            if kind == "f":
                formulas.add((i, name))
                value = _formula_text(value)
            elif kind == "e":
                errors.add((i, name))
                value = str(value)
            values[name][i] = value
            if name in keys and not is_blank(value):
                has_value = True
        if has_value:
            live.append(i)
    # Trailing blank rows (the empty row a fresh table keeps) are not data.
    keep = (live[-1] + 1) if live else 0
    frame = pd.DataFrame(
        {name: pd.Series(column[:keep], dtype=object) for name, column in values.items()}
    )
    for key in read.spec.keys:
        if key not in frame.columns:
            frame[key] = pd.Series([None] * keep, dtype=object)
    ordered = [*read.spec.keys, *read.extra_columns]
    read.data.frame = frame[ordered].reset_index(drop=True)
    read.formulas = frozenset(formulas)
    read.errors = frozenset(errors)
    read.live_rows = tuple(live)


def _formula_text(value: Any) -> str:
    """A formula as text, whether openpyxl holds it as a string or an array/table formula."""
    text = getattr(value, "text", value)
    return str(text) if text is not None else "="


def _merged_inside(ws: Worksheet, bounds: tuple[int, int, int, int]) -> tuple[str, ...]:
    min_col, min_row, max_col, max_row = bounds
    found = []
    for merged in ws.merged_cells.ranges:
        if (
            merged.min_col <= max_col
            and merged.max_col >= min_col
            and merged.min_row <= max_row
            and merged.max_row >= min_row
        ):
            found.append(str(merged.coord))
    return tuple(found)


def _values_outside(ws: Worksheet, bounds: tuple[int, int, int, int]) -> tuple[str, ...]:
    """Cells with values in the row just below or the column just right of the table.

    Cells inside another table, or on the title row just above one, belong to that table.
    """
    min_col, min_row, max_col, max_row = bounds
    others = []
    for tbl in ws.tables.values():
        try:
            others.append(range_boundaries(str(tbl.ref)))
        except (TypeError, ValueError):
            continue

    def claimed(row: int, col: int) -> bool:
        return any(
            c1 <= col <= c2 and r1 - 1 <= row <= r2
            for c1, r1, c2, r2 in others
            if (c1, r1, c2, r2) != bounds
        )

    below = [(max_row + 1, col) for col in range(min_col, max_col + 1)]
    right = [(row, max_col + 1) for row in range(min_row, max_row + 1)]
    found = []
    for row, col in (*below, *right):
        if not is_blank(_value(ws, row, col)) and not claimed(row, col):
            found.append(f"{get_column_letter(col)}{row}")
    return tuple(found)


@dataclass(frozen=True)
class SettingsRead:
    """tblSettings parsed: values by key (defaults where missing or bad), the value cell of
    each setting found, the sheet, and problems naming cells."""

    values: dict[str, Any]
    cells: dict[str, str]
    sheet: str
    problems: list[Problem]


def read_settings(source: Workbook | TableRead) -> tuple[dict[str, Any], list[Problem]]:
    """The plan settings by key and the problems found (see `parse_settings`)."""
    read = source if isinstance(source, TableRead) else read_table(source, "tblSettings")
    parsed = parse_settings(read)
    return parsed.values, parsed.problems


def parse_settings(read: TableRead) -> SettingsRead:
    """The one settings parser: labels in any language, values typed and bounded.

    Checks and commands both call it, so a setting means the same everywhere. A bad value is
    an error at its cell (checks fall back to the default to go on; commands stop); a setting
    given twice is an error at its second cell, and the first row is the one read.
    """
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    if not read.found or "setting" not in read.header_cells:
        return SettingsRead(values, seen, read.data.sheet, problems)
    lookup = setting_lookup()
    data = read.data
    lang = _settings_language(read, lookup)
    values.update({s.key: s.default_in(lang) for s in SETTINGS})
    for row in read.live_rows:
        label = data.frame.at[row, "setting"]
        raw = data.frame.at[row, "value"]
        cell = data.cell(row, "value")
        key = lookup.get(normalise_header(str(label))) if not is_blank(label) else None
        if key is None:
            if not is_blank(label):
                problems.append(
                    warning(
                        ProblemCode.BAD_SETTING,
                        f"unknown setting {label!r} is ignored",
                        sheet=data.sheet,
                        cell=data.cell(row, "setting"),
                        hint="check the spelling against a fresh template",
                    )
                )
            continue
        spec = SETTINGS_BY_KEY[key]
        if key in seen:
            problems.append(
                error(
                    ProblemCode.BAD_SETTING,
                    f"setting {spec.label.en!r} is given twice ({seen[key]} and {cell})",
                    sheet=data.sheet,
                    cell=cell,
                    hint="delete one of the two rows",
                )
            )
            continue
        seen[key] = cell
        if is_blank(raw) and spec.default == "" and (row, "value") not in read.formulas:
            values[key] = ""  # an optional setting (a file to import): blank means none
            continue
        if (row, "value") in read.errors or (row, "value") in read.formulas or is_blank(raw):
            problems.append(
                error(
                    ProblemCode.BAD_SETTING,
                    f"setting {spec.label.en!r} has no usable value (got {raw!r}); "
                    f"the default {spec.default!r} is used",
                    sheet=data.sheet,
                    cell=cell,
                    hint="type a value (not a formula) in the Value column",
                )
            )
            continue
        try:
            values[key] = parse_setting(spec, raw, lang)
        except ValueError as exc:
            problems.append(
                error(
                    ProblemCode.BAD_SETTING,
                    f"setting {spec.label.en!r}: {exc}",
                    sheet=data.sheet,
                    cell=cell,
                    hint=_setting_hint(spec, lang),
                )
            )
    for spec in SETTINGS:
        if spec.key not in seen:
            problems.append(
                warning(
                    ProblemCode.BAD_SETTING,
                    f"setting {spec.label.en!r} is missing; the default {spec.default!r} is used",
                    sheet=data.sheet,
                    cell=read.ref,
                    hint="add the row back from a fresh template",
                )
            )
    return SettingsRead(values, seen, data.sheet, problems)


def _settings_language(read: TableRead, lookup: dict[str, str]) -> str:
    """The language the settings name, so a bad value's message lists what is allowed in it
    (English when the Language row is missing or unreadable)."""
    spec = SETTINGS_BY_KEY["language"]
    for row in read.live_rows:
        label = read.data.frame.at[row, "setting"]
        if not is_blank(label) and lookup.get(normalise_header(str(label))) == "language":
            return choice_code(spec.choices, read.data.frame.at[row, "value"]) or "en"
    return "en"


def _setting_hint(spec: Setting, lang: str) -> str:
    if spec.choices:
        return "use one of: " + choices_text(spec.choices, lang)
    if spec.minimum is not None and spec.maximum is not None:
        return f"use a number from {spec.minimum:g} to {spec.maximum:g}"
    if spec.minimum is not None:
        return f"use a number of at least {spec.minimum:g}"
    return "fix the value in the Value column"


def table_read_from_data(data: TableData) -> TableRead:
    """A port's table as the checks see it, without cell facts (formulas, errors) it lacks."""
    spec = table(data.name)
    keys = [k for k in spec.keys if k in data.frame.columns]
    valued = [c.key for c in spec.columns if c.role is not Role.FORMULA and c.key in keys]
    live = tuple(
        i
        for i, values in enumerate(data.frame[valued].itertuples(index=False))
        if any(not is_blank(v) for v in values)
    )
    header_cells = {k: f"{data.letters[k]}{data.first_row - 1}" for k in keys if k in data.letters}
    return TableRead(data.name, data, header_cells=header_cells, live_rows=live)


def usable_frame(read: TableRead) -> pd.DataFrame:
    """The frame commands get, by the rule both adapters share (`cells.command_values`).

    The checks report what could not be read.
    """
    frame = read.data.frame.copy()
    for row, key in read.formulas:
        # The part-wise reader sees a formula's cached result, or nothing: neither is typed.
        if row < len(frame):
            frame.at[row, key] = None
    for column in read.spec.columns:
        frame[column.key] = command_values(column, frame[column.key].tolist())
    return frame


def read_tables(wb: Workbook, names: Iterable[str] | None = None) -> dict[str, TableRead]:
    """Every schema table (or those in `names`), each read once in the workbook's language."""
    lang = workbook_language(wb)
    wanted = list(names) if names is not None else [t.name for t in TABLES]
    return {name: read_table(wb, name, lang=lang) for name in wanted}


def table_for_command(raw: TableRead, label: str) -> TableData:
    """What a command gets from a table read with its cell facts: the usable frame, or the
    refusal (the table is missing, or its structure has an error) naming where."""
    if not raw.found:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.MISSING_TABLE,
                    f"table {raw.name} is missing",
                    sheet=raw.data.sheet,
                    hint="copy the table back from a fresh template, or rename yours "
                    f"back to {raw.name}",
                    category=Category.SCHEMA,
                )
            ],
            label,
        )
    blocking = [p for p in raw.problems if p.severity is Severity.ERROR]
    if blocking:
        raise ProblemsFound(blocking, label)
    data = raw.data
    return TableData(raw.name, usable_frame(raw), data.sheet, data.first_row, dict(data.letters))
