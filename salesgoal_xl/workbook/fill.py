"""Write the rows of one schema table into an existing Excel table (openpyxl), safely.

`fill_table` is the one place rows reach a sheet: the template builder and the file adapter
both call it. It finds the table by its stable name, matches headers in any language, writes
typed values (text always as text, never as a formula), the live formulas of FORMULA columns,
number formats and the input/output fills, resizes the table, and stretches data validation
and conditional formatting over the new rows. Columns a user added to the table are kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.core.problems import Category, ProblemCode, ProblemsFound, error
from salesgoal_xl.workbook.cells import choice_code, choice_text
from salesgoal_xl.workbook.headers import match_headers
from salesgoal_xl.workbook.layout import row_heights
from salesgoal_xl.workbook.schema import (
    TABLES_BY_NAME,
    Column,
    ColumnType,
    Role,
    Table,
)
from salesgoal_xl.workbook.styles import ensure_column_style

EXCEL_TEXT_LIMIT = 32_767
_PLACEHOLDER = re.compile(r"\{(\w+)(:above)?\}")
# Text Excel would read as a formula or a DDE call if a person re-entered the cell.
_FORMULA_LEADS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class FilledTable:
    """Where a table's rows landed: its new ref, first data row and schema column letters."""

    name: str
    ref: str
    first_row: int
    rows: int
    letters: Mapping[str, str]

    def cell(self, row: int, key: str) -> str:
        """The A1 address of column `key` in data row `row` (0-based)."""
        return f"{self.letters[key]}{self.first_row + row}"


def fill_table(ws: Worksheet, spec: Table, frame: pd.DataFrame, lang: str = "en") -> FilledTable:
    """Replace the data rows of table `spec.name` on `ws` with `frame`.

    `frame` has one column per schema key (any subset; missing ones are written blank, and
    FORMULA columns are always the schema formula, whatever the frame holds). Rows are
    reordered by `spec.write_order` when the schema asks for it. The table keeps at least one
    (blank) data row. A schema FORMULA column the table lacks is appended with its header in
    `lang`. A user's own columns keep their values on rows that stay, and a user's formula
    in the first data row is copied down to every row.

    Raises ProblemsFound (MISSING_TABLE, MISSING_HEADER, TOO_MANY_ROWS, ROWS_OUTSIDE_TABLE)
    before touching any cell; raises ValueError when `frame` has columns the schema lacks.
    """
    tbl = _find(ws, spec)
    unknown = [str(c) for c in frame.columns if c not in spec.keys]
    if unknown:
        raise ValueError(f"{spec.name} has no column(s) {', '.join(unknown)}; got {unknown}")
    if len(frame) > spec.max_rows:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.TOO_MANY_ROWS,
                    f"{spec.name} may hold at most {spec.max_rows:,} rows (got {len(frame):,})",
                    sheet=ws.title,
                    cell=str(tbl.ref),
                    category=Category.SCHEMA,
                )
            ]
        )
    min_col, header_row, max_col, old_last = range_boundaries(str(tbl.ref))
    columns = _schema_columns(ws, spec, tbl, frame)
    n_rows = len(frame)
    new_last = header_row + max(1, n_rows)
    max_col = _append_formula_columns(ws, spec, tbl, columns, lang, new_last)
    _refuse_overwrite(ws, spec, min_col, max_col, old_last, new_last)
    rows = order_rows(spec, frame)
    first = header_row + 1
    letters = {key: get_column_letter(col) for key, col in columns.items()}
    user_cols = [c for c in range(min_col, max_col + 1) if c not in columns.values()]
    user_formulas = {c: ws.cell(first, c).value for c in user_cols}
    user_formulas = {
        c: f for c, f in user_formulas.items() if isinstance(f, str) and f.startswith("=")
    }
    for key, col in columns.items():
        _write_column(ws, spec.column(key), col, rows, (first, new_last), letters, lang)
    for col in user_cols:
        _keep_user_column(ws, col, first, n_rows, max(old_last, new_last), user_formulas.get(col))
    for row in range(new_last + 1, old_last + 1):
        for col in range(min_col, max_col + 1):
            cell = ws.cell(row, col)
            cell.value = None
            cell.style = "Normal"
    ref = f"{get_column_letter(min_col)}{header_row}:{get_column_letter(max_col)}{new_last}"
    tbl.ref = ref
    if tbl.autoFilter is not None:
        tbl.autoFilter.ref = ref
    stretch_rules(ws, ref)
    fit_row_heights(ws, first, max(old_last, new_last))
    return FilledTable(spec.name, ref, first, n_rows, letters)


def order_rows(spec: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` in the row order the schema asks for (`spec.write_order`), index reset.

    The first key groups rows in order of first appearance; the others sort within a group.
    Without a write order (or without those columns) the frame's order is kept.
    """
    order = [k for k in spec.write_order if k in frame.columns]
    if not order or frame.empty:
        return frame.reset_index(drop=True)
    first = frame[order[0]].astype(str)
    rank = pd.Series(pd.factorize(first)[0], index=frame.index)
    keys = pd.DataFrame({"_rank": rank})
    for i, key in enumerate(order[1:]):
        keys[f"_k{i}"] = frame[key].astype(str)
    positions = keys.sort_values(list(keys.columns), kind="stable").index
    return frame.loc[positions].reset_index(drop=True)


def a1_formula(template: str, row: int, letters: Mapping[str, str]) -> str:
    """Turn a schema formula template into an A1 formula for data row `row` of a table.

    `{key}` becomes the cell of column `key` on `row`, `{key:above}` the one on `row - 1`;
    any other `{Name}` is a workbook name and stays a bare name.
    """

    def replace(match: re.Match[str]) -> str:
        key, above = match.group(1), match.group(2)
        if key in letters:
            return f"{letters[key]}{row - 1 if above else row}"
        if above:
            raise KeyError(f"{key!r} is not a column of the table (in {template!r})")
        return key

    return _PLACEHOLDER.sub(replace, template)


def cell_value(col: Column, value: Any, lang: str) -> Any:
    """The value to store for `value` in a cell of `col`: typed, or text for text columns; a
    choice as the workbook in `lang` shows it (every writer comes here)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if _is_missing(value):
        return None
    if col.choices:
        code = choice_code(col.choices, value)
        if code is not None:
            return choice_text(code, lang)
    if col.type in (ColumnType.TEXT, ColumnType.CODE, ColumnType.PERIOD):
        return _text(value)
    if isinstance(value, bool):
        return value
    if col.type is ColumnType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else _text(value)
    if col.type is ColumnType.DATETIME:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)  # Excel has no time zones
        return value if isinstance(value, dt.date) else _text(value)
    if col.type is ColumnType.INTEGER and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    return _text(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code that pandas widened to float: 101.0 means "101"
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = value.isoformat(sep=" ")
    text: str = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:EXCEL_TEXT_LIMIT]


def _find(ws: Worksheet, spec: Table) -> ExcelTable:
    for tbl in ws.tables.values():
        if str(tbl.displayName).casefold() == spec.name.casefold():
            return tbl
    raise ProblemsFound(
        [
            error(
                ProblemCode.MISSING_TABLE,
                f"sheet {ws.title!r} has no table {spec.name}",
                sheet=ws.title,
                category=Category.SCHEMA,
            )
        ]
    )


def _schema_columns(
    ws: Worksheet, spec: Table, tbl: ExcelTable, frame: pd.DataFrame
) -> dict[str, int]:
    """Schema key -> sheet column, from the header cells (any language)."""
    min_col, header_row, max_col, _ = range_boundaries(str(tbl.ref))
    headers = [ws.cell(header_row, col).value for col in range(min_col, max_col + 1)]
    match = match_headers(spec, headers, min_col, header_row, ws.title)
    keys = set(spec.keys)
    columns = {name: min_col + i for i, name in enumerate(match.names) if name in keys}
    needed = {str(k) for k in frame.columns} | {
        c.key for c in spec.columns if c.role is Role.FORMULA
    }
    for schema_col in spec.columns:
        if schema_col.formula:
            needed |= {m.group(1) for m in _PLACEHOLDER.finditer(schema_col.formula)} & set(
                spec.keys
            )
    absent = [
        k
        for k in spec.keys
        if k in needed and k not in columns and spec.column(k).role is not Role.FORMULA
    ]
    if absent:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.MISSING_HEADER,
                    f"table {spec.name} has no column for {', '.join(absent)}; nothing written",
                    sheet=ws.title,
                    cell=str(tbl.ref),
                    hint="put the header back (any language), then run the command again",
                    category=Category.SCHEMA,
                )
            ]
        )
    return columns


def _append_formula_columns(
    ws: Worksheet,
    spec: Table,
    tbl: ExcelTable,
    columns: dict[str, int],
    lang: str,
    new_last: int,
) -> int:
    """Add schema FORMULA columns the table lacks at its right edge; return the new max col."""
    _, header_row, max_col, _ = range_boundaries(str(tbl.ref))
    for col in spec.columns:
        if col.role is not Role.FORMULA or col.key in columns:
            continue
        target = max_col + 1
        if any(ws.cell(r, target).value is not None for r in range(header_row, new_last + 1)):
            raise ProblemsFound(
                [
                    error(
                        ProblemCode.MISSING_HEADER,
                        f"table {spec.name} lacks the column {col.label.get(lang)!r} and the "
                        f"column right of it ({get_column_letter(target)}) is not empty",
                        sheet=ws.title,
                        cell=f"{get_column_letter(target)}{header_row}",
                        hint="clear that column, then run the command again",
                        category=Category.SCHEMA,
                    )
                ]
            )
        header = ws.cell(header_row, target)
        header.value = col.label.get(lang)
        header._style = copy(ws.cell(header_row, max_col)._style)
        ws.column_dimensions[get_column_letter(target)].width = col.width
        ids = [int(c.id) for c in tbl.tableColumns] or [0]
        tbl.tableColumns.append(TableColumn(id=max(ids) + 1, name=col.label.get(lang)))
        columns[col.key] = target
        max_col = target
    return int(max_col)


def _refuse_overwrite(
    ws: Worksheet, spec: Table, min_col: int, max_col: int, old_last: int, new_last: int
) -> None:
    """Growing the table must not swallow what a person typed below it."""
    for row in range(old_last + 1, new_last + 1):
        for col in range(min_col, max_col + 1):
            found = ws._cells.get((row, col))
            if found is not None and found.value is not None:
                where = f"{get_column_letter(col)}{row}"
                raise ProblemsFound(
                    [
                        error(
                            ProblemCode.ROWS_OUTSIDE_TABLE,
                            f"table {spec.name} needs rows down to {new_last} but {where} "
                            "below it is not empty",
                            sheet=ws.title,
                            cell=where,
                            hint="move what is below the table further down",
                            category=Category.SCHEMA,
                        )
                    ]
                )


def _write_column(
    ws: Worksheet,
    col: Column,
    sheet_col: int,
    rows: pd.DataFrame,
    span: tuple[int, int],
    letters: Mapping[str, str],
    lang: str,
) -> None:
    """Values (or the live formula) and the column's style on data rows `span` (first, last)."""
    first, last = span
    style_cell = ws.cell(first, sheet_col)
    style_cell.style = ensure_column_style(ws.parent, col)
    style = copy(style_cell._style)
    quoted = copy(style)
    quoted.quotePrefix = 1
    values = rows[col.key].tolist() if col.key in rows.columns else []
    for row in range(first, last + 1):
        cell = ws.cell(row, sheet_col)
        index = row - first
        if col.role is Role.FORMULA and col.formula:
            cell.value = a1_formula(col.formula, row, letters)
            cell._style = copy(style)
            continue
        value = cell_value(col, values[index], lang) if index < len(values) else None
        if isinstance(value, str):
            # Assigning through .value would turn "=..." into a formula: store raw text.
            cell._value = value
            cell.data_type = "s"
            cell._style = copy(quoted if value.startswith(_FORMULA_LEADS) else style)
        else:
            cell.value = value
            cell._style = copy(style)


def _keep_user_column(
    ws: Worksheet, col: int, first: int, n_rows: int, last: int, formula: str | None
) -> None:
    """A user's column: their formula copied to every row, else values kept on rows that stay."""
    origin = f"{get_column_letter(col)}{first}"
    style = copy(ws.cell(first, col)._style)
    for row in range(first, last + 1):
        cell = ws.cell(row, col)
        if row - first >= max(1, n_rows):
            cell.value = None
        elif formula is not None:
            cell.value = Translator(formula, origin=origin).translate_formula(
                f"{get_column_letter(col)}{row}"
            )
            cell._style = copy(style)


def fit_row_heights(ws: Worksheet, first: int, last: int) -> None:
    """Sheet rows `first`..`last` get the height their wrapped cells need, the cells of every
    table on the sheet counted (`layout.row_heights`, as the part-wise writer does); a row
    that needs one line gets Excel's own height back. Excel sizes such rows when a person
    types, but not on open, and LibreOffice draws wrapped lines over each other without it."""
    wrapped = wrapped_columns(ws)
    if not wrapped:
        return  # a sheet without wrapping columns keeps the heights its user gave its rows
    cells: list[tuple[int, str, float | None]] = []
    for col, top, bottom in wrapped:
        dimension = ws.column_dimensions.get(get_column_letter(col))
        width = None if dimension is None else dimension.width
        for row in range(max(first, top), min(last, bottom) + 1):
            cell = ws._cells.get((row, col))
            if cell is not None and isinstance(cell.value, str):
                cells.append((row, cell.value, width))
    heights = row_heights(cells)
    for row in range(first, last + 1):
        if row in heights:
            ws.row_dimensions[row].height = heights[row]
        elif row in ws.row_dimensions:
            ws.row_dimensions[row].height = None


def wrapped_columns(ws: Worksheet) -> list[tuple[int, int, int]]:
    """(sheet column, first data row, last data row) of each wrapping column of the schema
    tables on `ws` (`Column.wrap`), found by their headers in any language."""
    found = []
    for tbl in ws.tables.values():
        spec = TABLES_BY_NAME.get(str(tbl.displayName))
        if spec is None or not spec.has_sentences:
            continue
        min_col, header_row, max_col, last = range_boundaries(str(tbl.ref))
        headers = [ws.cell(header_row, col).value for col in range(min_col, max_col + 1)]
        names = match_headers(spec, headers, min_col, header_row, ws.title).names
        for i, name in enumerate(names):
            if name in spec.keys and spec.column(name).wrap:
                found.append((min_col + i, header_row + 1, last))
    return found


def stretch_rules(ws: Worksheet, table_ref: str) -> None:
    """Stretch validation and conditional formats that start on a table's first data row.

    A rule whose range lies within the table's columns and starts on its first data row is
    made to end on the table's last row, so new rows are validated and formatted too.
    """
    min_col, header_row, max_col, last = range_boundaries(table_ref)
    first = header_row + 1

    def stretch(ranges: MultiCellRange) -> MultiCellRange:
        out = []
        for rng in ranges.ranges:
            inside = min_col <= rng.min_col and rng.max_col <= max_col and rng.min_row == first
            bounds = (rng.min_col, rng.min_row, rng.max_col, last) if inside else rng.bounds
            out.append(
                CellRange(
                    min_col=bounds[0], min_row=bounds[1], max_col=bounds[2], max_row=bounds[3]
                )
            )
        return MultiCellRange(out)

    for dv in ws.data_validations.dataValidation:
        dv.sqref = stretch(dv.sqref)
    rebuilt = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        sqref = str(stretch(cf.sqref))
        for rule in cf.rules:
            rebuilt.add(sqref, rule)
    rebuilt.max_priority = ws.conditional_formatting.max_priority
    ws.conditional_formatting = rebuilt
