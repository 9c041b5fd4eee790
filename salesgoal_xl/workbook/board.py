"""The evaluation blocks of the Dashboard and their native charts: attainment distribution, top and
bottom reps by attainment, pace by region; the Evaluation sheet shows the same charts.

Every block has a fixed number of rows and reads tblTracking once per cell (COUNT, COUNTIF, one
exact MATCH per place), so the work grows with the reps, never with reps x rows (DESIGN 3.1).
"""

from __future__ import annotations

import itertools
from typing import Final

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.workbook import layout as lay
from salesgoal_xl.workbook import styles, texts
from salesgoal_xl.workbook.schema import TABLES_BY_NAME, ColumnType, Label, Role

# The second band of the Dashboard, below the first row of charts (which ends near row 34).
BAND_TITLE_ROW: Final = 36
BAND_HEADER_ROW: Final = BAND_TITLE_ROW + 1
BAND_FIRST_ROW: Final = BAND_HEADER_ROW + 1
BAND_CHART_ROW: Final = BAND_FIRST_ROW + 12
DISTRIBUTION_COL: Final = 1  # A: from, B: below, C: bucket, D: reps, E: share
TOP_BOTTOM_COL: Final = 9  # I: position, J: rep ID, K: rep name, L: attainment, M: table row
# Attainment buckets [from, below): the usual bands of a quota-attainment histogram.
BUCKET_BOUNDS: Final = (None, 0.70, 0.85, 1.00, 1.15, None)
TOP_N: Final = 5


def column_ref(table: str, key: str, lang: str) -> str:
    """The structured reference to a schema column, headed in `lang`."""
    return lay.structured(table, TABLES_BY_NAME[table].column(key).label.get(lang))


def column_label(table: str, key: str) -> Label:
    """A schema column's header in the three languages."""
    return TABLES_BY_NAME[table].column(key).label


def block_header(
    ws: Worksheet, col: int, title: str, labels: list[Label], lang: str, row: int = lay.HEADER_ROW
) -> None:
    """A block's title one row above its header row, headers styled as a table's."""
    ws.cell(row - 1, col, title).font = styles.title_font()
    for i, label in enumerate(labels):
        cell = ws.cell(row, col + i, label.get(lang))
        cell.font, cell.fill = styles.header_font(), styles.header_fill()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def bucket_label(low: float | None, high: float | None) -> str:
    """'< 70%', '70-85%', '>= 115%': the same in every language."""
    if low is None:
        return f"< {high:.0%}"
    if high is None:
        return f">= {low:.0%}"
    return f"{low * 100:.0f}-{high:.0%}"


def evaluation_blocks(wb: Workbook, ws: Worksheet, lang: str) -> None:
    """The distribution and top/bottom blocks on the Dashboard, each with its chart."""
    _distribution(wb, ws, lang)
    _top_bottom(wb, ws, lang)
    ws.add_chart(distribution_chart(ws, lang), f"A{BAND_CHART_ROW}")
    ws.add_chart(top_bottom_chart(ws, lang), f"{get_column_letter(TOP_BOTTOM_COL)}{BAND_CHART_ROW}")


def _distribution(wb: Workbook, ws: Worksheet, lang: str) -> None:
    col = DISTRIBUTION_COL
    block_header(
        ws,
        col,
        texts.DISTRIBUTION_TITLE.get(lang),
        [texts.FROM, texts.BELOW, texts.BUCKET, texts.REPS, texts.SHARE],
        lang,
        row=BAND_HEADER_ROW,
    )
    attainment = column_ref("tblTracking", "attainment", lang)
    percent = styles.ensure_cell_style(wb, Role.OUTPUT, "0%")
    label = styles.ensure_cell_style(wb, Role.OUTPUT, "@")
    count = styles.ensure_cell_style(wb, Role.FORMULA, "0")
    share = styles.ensure_cell_style(wb, Role.FORMULA, styles.number_format_for(ColumnType.PERCENT))
    low_col, high_col, reps_col = (get_column_letter(col + i) for i in (0, 1, 3))
    first, last = BAND_FIRST_ROW, BAND_FIRST_ROW + len(BUCKET_BOUNDS) - 2
    for i, (low, high) in enumerate(itertools.pairwise(BUCKET_BOUNDS)):
        r = first + i
        low_cell, high_cell = f"{low_col}{r}", f"{high_col}{r}"
        # The bound is joined to the criterion from a number cell, so Excel and LibreOffice
        # write it with the decimal separator they then read it with, in any locale.
        reps = (
            f'=IF({low_cell}="",COUNT({attainment}),COUNTIF({attainment},">="&{low_cell}))'
            f'-IF({high_cell}="",0,COUNTIF({attainment},">="&{high_cell}))'
        )
        cells = [
            (low, percent),
            (high, percent),
            (bucket_label(low, high), label),
            (reps, count),
            (
                f'=IF(SUM({reps_col}${first}:{reps_col}${last})=0,"",'
                f"{reps_col}{r}/SUM({reps_col}${first}:{reps_col}${last}))",
                share,
            ),
        ]
        for offset, (value, style) in enumerate(cells):
            ws.cell(r, col + offset, value).style = style
    total = last + 1
    ws.cell(total, col + 2, texts.TOTAL.get(lang)).font = styles.bold_font()
    ws.cell(total, col + 3, f"=SUM({reps_col}{first}:{reps_col}{last})").style = count
    ws.cell(total, col + 3).font = styles.bold_font()


def _top_bottom(wb: Workbook, ws: Worksheet, lang: str) -> None:
    col = TOP_BOTTOM_COL
    block_header(
        ws,
        col,
        texts.TOP_BOTTOM_TITLE.get(lang),
        [
            texts.POSITION,
            column_label("tblTracking", "rep_id"),
            column_label("tblTracking", "rep_name"),
            texts.ATTAINMENT,
            texts.TABLE_ROW,
        ],
        lang,
        row=BAND_HEADER_ROW,
    )
    places = column_ref("tblTracking", "attainment_position", lang)
    looked_up = {
        key: column_ref("tblTracking", key, lang) for key in ("rep_id", "rep_name", "attainment")
    }
    whole = styles.ensure_cell_style(wb, Role.FORMULA, "0")
    text = styles.ensure_cell_style(wb, Role.FORMULA, "@")
    percent = styles.ensure_cell_style(
        wb, Role.FORMULA, styles.number_format_for(ColumnType.PERCENT)
    )
    pos, row_col = get_column_letter(col), get_column_letter(col + 4)
    for i in range(2 * TOP_N):
        r = BAND_FIRST_ROW + i
        if i < TOP_N:
            place = f'=IF(COUNT({places})>={i + 1},{i + 1},"")'
        else:  # the bottom places, worst last; none a top row already shows
            back = 2 * TOP_N - 1 - i
            place = f'=IF(COUNT({places})-{back}>{TOP_N},COUNT({places})-{back},"")'
        found = f"{row_col}{r}"
        cells = [
            (place, whole),
            (f'=IF({found}="","",INDEX({looked_up["rep_id"]},{found})&"")', text),
            (f'=IF({found}="","",INDEX({looked_up["rep_name"]},{found})&"")', text),
            (f'=IF({found}="","",INDEX({looked_up["attainment"]},{found}))', percent),
            (f'=IF({pos}{r}="","",MATCH({pos}{r},{places},0))', whole),
        ]
        for offset, (value, style) in enumerate(cells):
            ws.cell(r, col + offset, value).style = style
    ws.column_dimensions[row_col].width = max(ws.column_dimensions[row_col].width or 0, 12)


def distribution_chart(board: Worksheet, lang: str) -> BarChart:
    """Reps per attainment bucket, a column chart over the Dashboard's distribution block."""
    chart = BarChart()
    chart.title = texts.DISTRIBUTION_TITLE.get(lang)
    last = BAND_FIRST_ROW + len(BUCKET_BOUNDS) - 2
    reps = DISTRIBUTION_COL + 3
    chart.add_data(
        Reference(board, min_col=reps, min_row=BAND_HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(board, min_col=DISTRIBUTION_COL + 2, min_row=BAND_FIRST_ROW, max_row=last)
    )
    chart.y_axis.numFmt = "0"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    chart.height, chart.width = 8, 14
    return chart


def top_bottom_chart(board: Worksheet, lang: str) -> BarChart:
    """Attainment of the top and bottom reps, best at the top, over the Dashboard's block."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = texts.TOP_BOTTOM_TITLE.get(lang)
    last = BAND_FIRST_ROW + 2 * TOP_N - 1
    chart.add_data(
        Reference(board, min_col=TOP_BOTTOM_COL + 3, min_row=BAND_HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(board, min_col=TOP_BOTTOM_COL + 2, min_row=BAND_FIRST_ROW, max_row=last)
    )
    chart.x_axis.scaling.orientation = "maxMin"  # place 1 first, as the block reads
    chart.y_axis.numFmt = "0%"
    chart.legend = None
    chart.height, chart.width = 9, 14
    return chart


def pace_chart(board: Worksheet, lang: str, region_col: int, n_regions: int) -> BarChart:
    """Pace (actual / seasonal expectation) per region, over the Dashboard's region block."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = texts.PACE_BY_REGION_TITLE.get(lang)
    last = lay.FIRST_DATA_ROW + n_regions - 1
    chart.add_data(
        Reference(board, min_col=region_col + 5, min_row=lay.HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(board, min_col=region_col, min_row=lay.FIRST_DATA_ROW, max_row=last)
    )
    chart.y_axis.numFmt = "0%"
    chart.legend = None
    chart.height, chart.width = 8, 10
    return chart


def evaluation_charts(
    evaluation: Worksheet, board: Worksheet, lang: str, region_col: int, n_regions: int
) -> None:
    """The distribution, top/bottom and pace charts again on the Evaluation sheet, right of its
    tables (which grow downward), drawn from the Dashboard's blocks."""
    right = max(
        int(evaluation[str(t.ref).split(":")[1]].column) for t in evaluation.tables.values()
    )
    anchor = get_column_letter(right + 1 + lay.GAP_COLUMNS)
    evaluation.add_chart(distribution_chart(board, lang), f"{anchor}{lay.TABLE_TITLE_ROW}")
    evaluation.add_chart(top_bottom_chart(board, lang), f"{anchor}{lay.TABLE_TITLE_ROW + 17}")
    evaluation.add_chart(
        pace_chart(board, lang, region_col, n_regions), f"{anchor}{lay.TABLE_TITLE_ROW + 36}"
    )
