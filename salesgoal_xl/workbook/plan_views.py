"""The Plan views sheet: region and team by month and quarter, and channel by product.

Native formulas that scale (DESIGN 3.1): the region and team blocks add up the Rep x Month
view (one row per rep, already aggregated once from tblTargets) by its Region and Team
columns, so a block costs its cells x the reps, never a pass over the leaf table per row;
the channel x product block is one SUMIFS per cell over tblTargets (channels x products
cells, a small constant). Every block ends in a total row, prints on its own page and carries
its cached values like every formula the product writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from openpyxl import Workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.workbook import layout as lay
from salesgoal_xl.workbook import styles, texts
from salesgoal_xl.workbook.board import block_header, column_label, column_ref
from salesgoal_xl.workbook.schema import Label, Role

MONTHS: Final = 12
QUARTERS: Final = 4
FIRST_MONTH_COL: Final = 2  # A: the unit, B..M: months, N..Q: quarters, R: year
FIRST_QUARTER_COL: Final = FIRST_MONTH_COL + MONTHS
YEAR_COL: Final = FIRST_QUARTER_COL + QUARTERS
TEAM_REGION_COL: Final = YEAR_COL + 1  # the team block names each team's region here
BLOCK_GAP: Final = 3  # empty rows between a block's total row and the next block's title


@dataclass(frozen=True)
class MatrixColumns:
    """Where the Rep x Month view keeps what the blocks add up: its sheet, first and last rep
    rows, its first month column and its Region and Team columns."""

    title: str
    first_row: int
    last_row: int
    first_month_col: int
    region_col: int
    team_col: int

    def column(self, col: int) -> str:
        """Rows first_row..last_row of one column, absolute, with the sheet's name."""
        letter = get_column_letter(col)
        sheet = lay.quoted_sheet(self.title)
        return f"{sheet}!${letter}${self.first_row}:${letter}${self.last_row}"


def quarter_label(quarter: int) -> str:
    """'Q1'..'Q4' (fiscal quarters), as tblTargets' Quarter column writes them."""
    return f"Q{quarter}"


def plan_views(
    wb: Workbook,
    ws: Worksheet,
    lang: str,
    matrix: MatrixColumns,
    period_formula: Callable[[int], str],
    rows: tuple[int, int, int, int],
) -> None:
    """Write the three blocks; `rows` is how many regions, teams, channels and products each
    block has room for (the plan's own, or a template's minimum)."""
    n_regions, n_teams, n_channels, n_products = rows
    styles_ = _Styles(wb)
    row = lay.TABLE_TITLE_ROW + 1
    row = _by_month(
        ws,
        lang,
        styles_,
        row,
        texts.REGION_BY_MONTH_TITLE,
        column_label("tblRegions", "region"),
        column_ref("tblRegions", "region", lang),
        None,
        matrix.column(matrix.region_col),
        n_regions,
        matrix,
        period_formula,
    )
    ws.row_breaks.append(Break(id=row - 1))
    row = _by_month(
        ws,
        lang,
        styles_,
        row + BLOCK_GAP,
        texts.TEAM_BY_MONTH_TITLE,
        column_label("tblTeams", "team"),
        column_ref("tblTeams", "team", lang),
        column_ref("tblTeams", "region", lang),
        matrix.column(matrix.team_col),
        n_teams,
        matrix,
        period_formula,
    )
    ws.row_breaks.append(Break(id=row - 1))
    last = _channel_by_product(ws, lang, styles_, row + BLOCK_GAP, n_channels, n_products)
    ws.column_dimensions["A"].width = 16
    for col in range(FIRST_MONTH_COL, YEAR_COL + 2):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.column_dimensions[get_column_letter(YEAR_COL)].width = 14
    ws.freeze_panes = "B1"
    ws.print_area = f"A1:{get_column_letter(max(TEAM_REGION_COL, n_products + 2))}{last}"


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        self.money = styles.ensure_cell_style(wb, Role.FORMULA, '#,##0;-#,##0;"-"')
        self.text = styles.ensure_cell_style(wb, Role.FORMULA, "@")


def _by_month(
    ws: Worksheet,
    lang: str,
    style: _Styles,
    title_row: int,
    title: Label,
    unit_label: Label,
    units: str,
    regions: str | None,
    matrix_key: str,
    n_rows: int,
    matrix: MatrixColumns,
    period_formula: Callable[[int], str],
) -> int:
    """One unit-by-month block from `title_row`; returns the row after its total row."""
    header = title_row + 1
    labels = [unit_label, *[Label("", "", "")] * MONTHS]
    labels += [Label(*(quarter_label(q),) * 3) for q in range(1, QUARTERS + 1)]
    labels.append(texts.TOTAL)
    if regions is not None:
        labels.append(texts.REGION)
    block_header(ws, 1, title.get(lang), labels, lang, row=header)
    for m in range(1, MONTHS + 1):
        ws.cell(header, FIRST_MONTH_COL + m - 1, period_formula(m))
    first, last = header + 1, header + n_rows
    for i in range(n_rows):
        r = first + i
        unit = f"$A{r}"
        ws.cell(r, 1, f'=IFERROR(INDEX({units},{i + 1})&"","")').style = style.text
        for m in range(MONTHS):
            month_col = matrix.column(matrix.first_month_col + m)
            formula = f'=IF({unit}="","",SUMIFS({month_col},{matrix_key},{unit}))'
            ws.cell(r, FIRST_MONTH_COL + m, formula).style = style.money
        for q in range(1, QUARTERS + 1):
            formula = f'=IF({unit}="","",{lay.quarter_sum(r, FIRST_MONTH_COL, q)})'
            ws.cell(r, FIRST_QUARTER_COL + q - 1, formula).style = style.money
        year = lay.row_sum(r, FIRST_MONTH_COL, FIRST_QUARTER_COL - 1)
        ws.cell(r, YEAR_COL, f'=IF({unit}="","",{year})').style = style.money
        if regions is not None:
            formula = f'=IFERROR(INDEX({regions},{i + 1})&"","")'
            ws.cell(r, TEAM_REGION_COL, formula).style = style.text
    total = last + 1
    ws.cell(total, 1, texts.TOTAL.get(lang)).font = styles.bold_font()
    for col in range(FIRST_MONTH_COL, YEAR_COL + 1):
        cell = ws.cell(total, col, "=" + lay.column_sum(col, first, last))
        cell.style, cell.font = style.money, styles.bold_font()
    return total + 1


def _channel_by_product(
    ws: Worksheet, lang: str, style: _Styles, title_row: int, n_channels: int, n_products: int
) -> int:
    """Channel rows x product columns of the leaf targets; returns its total row."""
    header = title_row + 1
    labels = [column_label("tblChannels", "channel"), *[Label("", "", "")] * n_products]
    title = texts.CHANNEL_BY_PRODUCT_TITLE.get(lang)
    block_header(ws, 1, title, [*labels, texts.TOTAL], lang, header)
    products = column_ref("tblProducts", "product", lang)
    channels = column_ref("tblChannels", "channel", lang)
    target = column_ref("tblTargets", "target", lang)
    by_channel = column_ref("tblTargets", "channel", lang)
    by_product = column_ref("tblTargets", "product", lang)
    for p in range(n_products):
        formula = f'=IFERROR(INDEX({products},{p + 1})&"","")'
        ws.cell(header, 2 + p, formula).style = style.text
    first, last = header + 1, header + n_channels
    total_col = 2 + n_products
    for i in range(n_channels):
        r = first + i
        ws.cell(r, 1, f'=IFERROR(INDEX({channels},{i + 1})&"","")').style = style.text
        for p in range(n_products):
            head = f"{get_column_letter(2 + p)}${header}"
            formula = (
                f'=IF(OR($A{r}="",{head}=""),"",'
                f"SUMIFS({target},{by_channel},$A{r},{by_product},{head}))"
            )
            ws.cell(r, 2 + p, formula).style = style.money
        cells = lay.row_sum(r, 2, total_col - 1)
        ws.cell(r, total_col, f'=IF($A{r}="","",{cells})').style = style.money
    total = last + 1
    ws.cell(total, 1, texts.TOTAL.get(lang)).font = styles.bold_font()
    for col in range(2, total_col + 1):
        cell = ws.cell(total, col, "=" + lay.column_sum(col, first, last))
        cell.style, cell.font = style.money, styles.bold_font()
    return total
