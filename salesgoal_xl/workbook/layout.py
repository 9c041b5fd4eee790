"""Where things go on a sheet: title rows, header row, side-by-side tables, Excel references.

Every table sheet has the sheet title on row 1, its purpose on row 2, a title above each
table on row 3, headers on row 4 and data from row 5. Tables sit side by side with one empty
column between them, so each grows downward without meeting another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

from openpyxl.utils.cell import get_column_letter

SHEET_TITLE_ROW: Final = 1
PURPOSE_ROW: Final = 2
TABLE_TITLE_ROW: Final = 3
HEADER_ROW: Final = 4
FIRST_DATA_ROW: Final = 5
GAP_COLUMNS: Final = 1


def table_columns(widths: list[int]) -> list[int]:
    """First sheet column (1-based) of each table, given each table's number of columns."""
    starts, col = [], 1
    for width in widths:
        starts.append(col)
        col += width + GAP_COLUMNS
    return starts


def quoted_sheet(title: str) -> str:
    """A sheet name as it must appear in a formula: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def absolute(sheet: str, col: int, row: int) -> str:
    """An absolute reference to one cell on `sheet`, e.g. 'Settings'!$B$5."""
    return f"{quoted_sheet(sheet)}!${get_column_letter(col)}${row}"


def row_sum(row: int, first_col: int, last_col: int) -> str:
    """SUM of one row's cells from `first_col` to `last_col` (no leading '=')."""
    return f"SUM({get_column_letter(first_col)}{row}:{get_column_letter(last_col)}{row})"


def quarter_sum(row: int, first_month_col: int, quarter: int) -> str:
    """SUM of quarter `quarter`'s (1-4) three month cells in a row of twelve months that
    starts at `first_month_col`: a quarter is its months, nothing else."""
    first = first_month_col + 3 * (quarter - 1)
    return row_sum(row, first, first + 2)


def column_sum(col: int, first_row: int, last_row: int) -> str:
    """SUM of one column's cells from `first_row` to `last_row` (no leading '=')."""
    letter = get_column_letter(col)
    return f"SUM({letter}{first_row}:{letter}{last_row})"


def structured(table: str, header: str) -> str:
    """A structured reference to a table column, escaping the characters Excel reserves."""
    escaped = "".join("'" + ch if ch in "[]#'" else ch for ch in header)
    return f"{table}[{escaped}]"


def display_width(text: str) -> int:
    """Roughly how many narrow characters `text` takes on screen (CJK counts double)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


DEFAULT_COLUMN_WIDTH: Final = 8.43
"""Excel's width of a column that sets none, in characters of the standard font."""

LINE_POINTS: Final = 13.0
"""The height of one line of the data cells' 10-point Calibri, with its leading, in points."""
CJK_LINE_POINTS: Final = 15.0
"""The same for Chinese text: Excel draws it in a taller fallback font."""
NARROW: Final = 0.9
"""Width of a 10-point character in units of the column width (the 11-point digit)."""
MAX_ROW_POINTS: Final = 409.0
"""Excel's tallest row."""


def text_lines(text: str, room: float) -> int:
    """How many lines `text` takes wrapped into `room` narrow characters, breaking at spaces
    (and anywhere in a Chinese run or a word longer than a line), as Excel wraps a cell."""
    room = max(room, 1.0)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            width = float(display_width(word))
            if used and used + 1 + width <= room:
                used += 1 + width
                continue
            if used:
                lines += 1
            while width > room:  # a word longer than a line breaks where it must
                lines += 1
                width -= room
            used = width
    return lines


def cell_lines(text: str, column_width: float | None) -> int:
    """Lines a wrapped data cell of `column_width` (None: Excel's default) needs for `text`:
    a character of padding on each side, 10-point characters."""
    width = DEFAULT_COLUMN_WIDTH if column_width is None else column_width
    return text_lines(text, (width - 1) / NARROW)


def row_heights(cells: Iterable[tuple[int, str, float | None]]) -> dict[int, float]:
    """The height each sheet row needs for its wrapped cells (row, text, column width), for
    rows that need more than one line; a row takes its tallest cell's height."""
    heights: dict[int, float] = {}
    for row, text, width in cells:
        lines = cell_lines(text, width)
        if lines < 2:
            continue
        cjk = display_width(text) > len(text)
        points = min(lines * (CJK_LINE_POINTS if cjk else LINE_POINTS), MAX_ROW_POINTS)
        heights[row] = max(heights.get(row, 0.0), points)
    return heights
