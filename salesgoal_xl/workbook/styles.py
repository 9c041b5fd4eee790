"""The workbook's look: colours for inputs, outputs and formulas, and the named cell styles.

Cells get one named style each (``sg in money``, ``sg formula percent``...), which keeps large
tables fast to write and lets a person restyle every input cell at once in Excel.
"""

from __future__ import annotations

from typing import Final

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.workbook.workbook import Workbook

from salesgoal_xl.workbook.schema import DEFAULT_FORMATS, Column, ColumnType, Role

INPUT_FILL: Final = "FFF2CC"  # pale yellow: type here
OUTPUT_FILL: Final = "DDEBF7"  # pale blue: written by the program
FORMULA_FILL: Final = "E2EFDA"  # pale green: a live Excel formula
HEADER_FILL: Final = "1F4E78"
HEADER_FONT: Final = "FFFFFF"
TITLE_COLOUR: Final = "1F4E78"
MUTED_COLOUR: Final = "595959"
GOOD_FILL: Final = "C6EFCE"
GOOD_FONT: Final = "006100"
AMBER_FILL: Final = "FFEB9C"
AMBER_FONT: Final = "9C5700"
BAD_FILL: Final = "FFC7CE"
BAD_FONT: Final = "9C0006"

TABLE_STYLE: Final = "TableStyleLight1"

_ROLE_FILLS: Final = {Role.INPUT: INPUT_FILL, Role.OUTPUT: OUTPUT_FILL, Role.FORMULA: FORMULA_FILL}
_ROLE_TAGS: Final = {Role.INPUT: "in", Role.OUTPUT: "out", Role.FORMULA: "formula"}
_THIN: Final = Side(style="thin", color="BFBFBF")


def fill_for(role: Role) -> PatternFill:
    """The solid fill that marks cells of `role`."""
    colour = _ROLE_FILLS[role]
    return PatternFill("solid", start_color=colour, end_color=colour)


def cell_style_name(role: Role, number_format: str, wrap: bool = False) -> str:
    """The named style for a data cell of `role` showing `number_format` (wrapping text)."""
    return f"sg {_ROLE_TAGS[role]} {number_format}{' wrap' if wrap else ''}"


def ensure_cell_style(wb: Workbook, role: Role, number_format: str, wrap: bool = False) -> str:
    """Register the named style for (`role`, `number_format`, `wrap`) once; return its name."""
    name = cell_style_name(role, number_format, wrap)
    if name not in wb.named_styles:
        wb.add_named_style(
            NamedStyle(
                name=name,
                number_format=number_format,
                fill=fill_for(role),
                font=Font(name="Calibri", size=10),
                border=Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN),
                alignment=Alignment(vertical="top", wrap_text=wrap),
            )
        )
    return name


def ensure_column_style(wb: Workbook, col: Column) -> str:
    """Register the named style for schema column `col` once; return its name."""
    return ensure_cell_style(wb, col.role, col.format, col.wrap)


def bold_font(size: int = 10) -> Font:
    """Bold body text."""
    return Font(name="Calibri", size=size, bold=True)


def body_font(size: int = 10) -> Font:
    """Plain body text."""
    return Font(name="Calibri", size=size)


def header_font() -> Font:
    """Bold white text for table headers."""
    return Font(name="Calibri", size=10, bold=True, color=HEADER_FONT)


def header_fill() -> PatternFill:
    """Dark blue header band."""
    return PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)


def title_font(size: int = 12) -> Font:
    """Bold dark-blue text for sheet and block titles."""
    return Font(name="Calibri", size=size, bold=True, color=TITLE_COLOUR)


def muted_font(italic: bool = True) -> Font:
    """Grey text for explanations."""
    return Font(name="Calibri", size=10, italic=italic, color=MUTED_COLOUR)


def number_format_for(kind: ColumnType) -> str:
    """The default number format of a column type (for cells outside tables)."""
    return str(DEFAULT_FORMATS[kind])
