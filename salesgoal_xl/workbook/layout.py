"""Where things go on a sheet: title rows, header row, side-by-side tables, Excel references.

Every table sheet has the sheet title on row 1, its purpose on row 2, a title above each
table on row 3, headers on row 4 and data from row 5. Tables sit side by side with one empty
column between them, so each grows downward without meeting another.
"""

from __future__ import annotations

import unicodedata
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


def structured(table: str, header: str) -> str:
    """A structured reference to a table column, escaping the characters Excel reserves."""
    escaped = "".join("'" + ch if ch in "[]#'" else ch for ch in header)
    return f"{table}[{escaped}]"


def display_width(text: str) -> int:
    """Roughly how many narrow characters `text` takes on screen (CJK counts double)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
