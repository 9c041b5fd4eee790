"""Build the planning workbook of DESIGN section 3 from the schema, in one of three languages.

`build_workbook` lays out every sheet and Excel table, the Guide, validation lists, conditional
formats, setting names, the live Rep x Month view, the dashboard and its charts, and the plan's
identity; `save_workbook` writes it atomically. Rows are written by `fill.fill_table`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl import __version__
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.proposal import COMPANY_LABELS
from salesgoal_xl.workbook import board, styles, texts
from salesgoal_xl.workbook import layout as lay
from salesgoal_xl.workbook.board import block_header as _block_header
from salesgoal_xl.workbook.board import column_ref as _col_ref
from salesgoal_xl.workbook.cells import choice_code, choice_text
from salesgoal_xl.workbook.door import save_atomically
from salesgoal_xl.workbook.fill import fill_table, stretch_rules
from salesgoal_xl.workbook.plan_views import MatrixColumns, plan_views, quarter_label
from salesgoal_xl.workbook.schema import (
    LANGUAGES,
    SETTINGS,
    SHEETS,
    SHEETS_BY_KEY,
    TABLES_BY_NAME,
    ColumnType,
    Label,
    Role,
    Setting,
    Table,
    normalise_header,
    setting_lookup,
)

MONTHS: Final = 12
MATRIX_MIN_ROWS: Final = 100
REGION_MIN_ROWS: Final = 10
MONEY_OR_DASH: Final = '#,##0;-#,##0;"-"'

# Cells other parts of the product find by workbook name.
PLAN_ID_NAME: Final = "PlanId"
PLAN_VERSION_NAME: Final = "PlanVersion"
TEMPLATE_VERSION_NAME: Final = "TemplateVersion"
FINGERPRINT_NAME: Final = "PlanFingerprint"
LEAF_TOTAL_NAME: Final = "LeafTargetsTotal"
FINAL_TARGET_NAME: Final = "CompanyFinalTarget"
MATRIX_TOTAL_NAME: Final = "MatrixTotal"
TARGET_CHECK_NAME: Final = "CheckTargetsAddUp"
MATRIX_CHECK_NAME: Final = "CheckMatrixMatches"
ORDER_CHECK_NAME: Final = "CheckTargetsOrder"


def list_name(table_name: str) -> str:
    """The workbook name of the validation list drawn from a table, e.g. tblReps -> lstReps."""
    return "lst" + table_name.removeprefix("tbl")


def default_fiscal_year(first_month: int, today: dt.date | None = None) -> int:
    """The fiscal year running today: named by the calendar year in which it ends."""
    today = today or dt.date.today()
    return today.year + (1 if first_month > 1 and today.month >= first_month else 0)


def fiscal_months(fiscal_year: int, first_month: int) -> list[str]:
    """The twelve 'YYYY-MM' periods of a fiscal year, in order."""
    return list(FiscalCalendar(fiscal_year, first_month).months)


def settings_from_frame(frame: pd.DataFrame | None) -> dict[str, object]:
    """Setting overrides from tblSettings rows (setting by key or label in any language)."""
    if frame is None or "setting" not in frame or "value" not in frame:
        return {}
    lookup = setting_lookup()
    found: dict[str, object] = {}
    for setting, value in zip(frame["setting"], frame["value"], strict=True):
        key = lookup.get(normalise_header(str(setting)))
        if key is not None and not (value is None or pd.isna(value)):
            found[key] = value.item() if hasattr(value, "item") else value
    return found


def matrix_rows(data: Mapping[str, pd.DataFrame]) -> int:
    """Rows the Rep x Month view holds: room for every rep known now and 20 more.

    A template (no reps yet) gets MATRIX_MIN_ROWS. Should a later split write more reps than
    there are rows, the "matrix matches targets" check on the Targets sheet says so.
    """
    known = [
        int(frame["rep_id"].nunique())
        for name in ("tblReps", "tblTargets")
        if (frame := data.get(name)) is not None and "rep_id" in frame
    ]
    return max(known) + 20 if known else MATRIX_MIN_ROWS


def build_workbook(
    lang: str = "en",
    *,
    fiscal_year: int,
    first_month: int = 1,
    data: Mapping[str, pd.DataFrame] | None = None,
    settings: Mapping[str, object] | None = None,
    plan_id: str = "",
    plan_version: int = 1,
) -> Workbook:
    """The planning workbook in `lang`, its tables filled from `data` (by table name).

    `settings` overrides setting defaults by key (fiscal year, first month and language come
    from the arguments). An empty `plan_id` marks a template.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    if not 1 <= first_month <= 12:
        raise ValueError(f"first month must be 1-12 (got {first_month})")
    data = data or {}
    values = {s.key: s.default_in(lang) for s in SETTINGS}
    values.update(settings_from_frame(data.get("tblSettings")))
    values.update(settings or {})
    values.update(fiscal_year=fiscal_year, first_month=first_month, language=lang)

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {s.key: wb.create_sheet(s.label.get(lang)) for s in SHEETS}
    for key, ws in sheets.items():
        sheet = SHEETS_BY_KEY[key]
        if sheet.tables:
            _sheet_heading(ws, sheet.label.get(lang), sheet.purpose.get(lang))
            _lay_out_tables(ws, [TABLES_BY_NAME[n] for n in sheet.tables], lang, data)
    _settings_values(sheets["settings"], values, lang)
    _list_names(wb, lang)
    _matrix_sheet(wb, sheets["matrix"], lang, matrix_rows(data))
    _targets_checks(wb, sheets["targets"], sheets["matrix"], lang)
    regions = data.get("tblRegions")
    n_regions = 0 if regions is None else len(regions)
    _views(wb, sheets["views"], sheets["matrix"], lang, data)
    _dashboard(wb, sheets["dashboard"], sheets["matrix"], lang, n_regions or REGION_MIN_ROWS)
    board.evaluation_charts(
        sheets["evaluation"], sheets["dashboard"], lang, REGION_COL, n_regions or REGION_MIN_ROWS
    )
    _conditional_formats(sheets, lang)
    _guide(wb, sheets["guide"], lang, plan_id, plan_version)
    for ws in wb.worksheets:
        _page_setup(ws)
        _header_heights(ws)
    for key in LONG_SHEETS:
        _print_first_rows(sheets[key], lang)
    _identity(wb, lang, plan_id, plan_version, str(values["plan_name"]))
    wb.active = 0
    return wb


def save_workbook(wb: Workbook, path: str | Path, *, backup: bool = True) -> Path:
    """Write a freshly built `wb` to `path` through the door (atomic, verified, readable).

    A new workbook replaces whatever was there on purpose (`new --force`), so nothing is
    compared with the old file; a replaced file is still kept as a backup unless `backup`
    is False (the generated templates, which git keeps anyway).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    save_atomically(wb, target, backup=backup, allow_feature_loss=True)
    return target


# --- tables ----------------------------------------------------------------------------------


def _sheet_heading(ws: Worksheet, title: str, purpose: str) -> None:
    ws.cell(lay.SHEET_TITLE_ROW, 1, title).font = styles.title_font(16)
    ws.cell(lay.PURPOSE_ROW, 1, purpose).font = styles.muted_font()
    ws.row_dimensions[lay.SHEET_TITLE_ROW].height = 24


def _lay_out_tables(
    ws: Worksheet, specs: list[Table], lang: str, data: Mapping[str, pd.DataFrame]
) -> None:
    starts = lay.table_columns([len(s.columns) for s in specs])
    for start in starts[1:]:
        ws.col_breaks.append(Break(id=start - 1))  # a page break before each next table
    for spec, start in zip(specs, starts, strict=True):
        _create_table(ws, spec, start, lang)
        _validations(ws, spec, start, lang)
        frame = data.get(spec.name)
        if spec.name == "tblSettings":
            frame = pd.DataFrame({"setting": [s.label.get(lang) for s in SETTINGS]})
        fill_table(ws, spec, frame if frame is not None else pd.DataFrame(), lang)
    ws.freeze_panes = f"A{lay.FIRST_DATA_ROW}"
    ws.print_title_rows = f"{lay.TABLE_TITLE_ROW}:{lay.HEADER_ROW}"


def _create_table(ws: Worksheet, spec: Table, start: int, lang: str) -> None:
    title = ws.cell(lay.TABLE_TITLE_ROW, start, spec.title.get(lang))
    title.font = styles.title_font()
    headers = [c.label.get(lang) for c in spec.columns]
    for offset, (col, header) in enumerate(zip(spec.columns, headers, strict=True)):
        cell = ws.cell(lay.HEADER_ROW, start + offset, header)
        cell.font = styles.header_font()
        cell.fill = styles.header_fill()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # A long header widens its column up to 60; the schema's own width always holds.
        width = max(col.width, min(lay.display_width(header) * 0.9 + 3, 60))
        ws.column_dimensions[get_column_letter(start + offset)].width = width
    end = get_column_letter(start + len(spec.columns) - 1)
    ref = f"{get_column_letter(start)}{lay.HEADER_ROW}:{end}{lay.FIRST_DATA_ROW}"
    tbl = ExcelTable(displayName=spec.name, ref=ref)
    tbl.tableStyleInfo = TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=False)
    tbl.tableColumns = [TableColumn(id=i + 1, name=h) for i, h in enumerate(headers)]
    ws.add_table(tbl)
    ws.row_dimensions[lay.HEADER_ROW].height = 30


def _validations(ws: Worksheet, spec: Table, start: int, lang: str) -> None:
    """Lists on input code columns; fill_table stretches them with the table."""
    for offset, col in enumerate(spec.columns):
        if col.role is not Role.INPUT or not (col.choices or col.list_from):
            continue
        if col.list_from:
            source = col.list_from.split(".")[0]
            dv = DataValidation(type="list", formula1=list_name(source), allow_blank=True)
            dv.errorStyle = "warning"  # a new code may be typed before it is added to its list
        else:
            dv = DataValidation(type="list", formula1=_choice_list(col.choices, lang))
            dv.errorStyle = "stop"
        dv.error = _pick_from_list(lang, col.choices, col.list_from)
        dv.errorTitle = col.label.get(lang)[:32]
        dv.showErrorMessage = True
        dv.add(f"{get_column_letter(start + offset)}{lay.FIRST_DATA_ROW}")
        ws.add_data_validation(dv)


def _choice_list(choices: tuple[str, ...], lang: str) -> str:
    """A validation list of `choices` as the workbook's language shows them."""
    return '"' + ",".join(choice_text(code, lang) for code in choices) + '"'


def _pick_from_list(lang: str, choices: tuple[str, ...], list_from: str | None) -> str:
    """What a list cell allows, said in the validation's error message."""
    if list_from:
        table, key = list_from.split(".")
        what = TABLES_BY_NAME[table].column(key).label.get(lang)
        where = TABLES_BY_NAME[table].title.get(lang)
        return Label(
            f"Pick a {what} from the list (the {where} table). A new code may be typed before "
            "it is added there.",
            f"請從清單選擇{what}（{where}表）；新代碼可先輸入再補入該表。",
            f"请从列表选择{what}（{where}表）；新代码可先输入再补入该表。",
        ).get(lang)
    return _one_of(choices, lang)


def _one_of(choices: tuple[str, ...], lang: str) -> str:
    """'Allowed: month, week.' in the workbook's language and its choice words."""
    shown = [choice_text(code, lang) for code in choices]
    english, chinese = ", ".join(shown), "、".join(shown)
    return Label(f"Allowed: {english}.", f"可選：{chinese}。", f"可选：{chinese}。").get(lang)


def setting_allowed(setting: Setting, lang: str) -> str:
    """What a setting's value cell accepts, in words (its validation's error message)."""
    if setting.choices:
        return _one_of(setting.choices, lang)
    low, high = setting.minimum, setting.maximum
    if low is None and high is None:
        return ""

    def shown(value: float) -> str:
        if setting.type is ColumnType.PERCENT:
            return f"{value * 100:g}%"
        return f"{value:g}"

    kind = {
        ColumnType.INTEGER: Label("a whole number", "整數", "整数"),
        ColumnType.PERCENT: Label("a percentage", "百分比", "百分比"),
    }.get(setting.type, Label("a number", "數字", "数字"))
    if low is not None and high is not None:
        return Label(
            f"Allowed: {kind.en} from {shown(low)} to {shown(high)}.",
            f"可輸入：{shown(low)} 至 {shown(high)} 的{kind.get('zh-Hant')}。",
            f"可输入：{shown(low)} 至 {shown(high)} 的{kind.get('zh-Hans')}。",
        ).get(lang)
    bound = low if low is not None else high
    assert bound is not None
    side = "at least" if low is not None else "at most"
    hant, hans = ("至少", "至少") if low is not None else ("至多", "至多")
    return Label(
        f"Allowed: {kind.en} of {side} {shown(bound)}.",
        f"可輸入：{hant} {shown(bound)} 的{kind.get('zh-Hant')}。",
        f"可输入：{hans} {shown(bound)} 的{kind.get('zh-Hans')}。",
    ).get(lang)


def _settings_values(ws: Worksheet, values: Mapping[str, object], lang: str) -> None:
    """Typed setting values, one number format each, a workbook name per setting."""
    wb = ws.parent
    tbl = ws.tables["tblSettings"]
    first_col = int(ws[str(tbl.ref).split(":")[0]].column)
    for i, setting in enumerate(SETTINGS):
        row = lay.FIRST_DATA_ROW + i
        cell = ws.cell(row, first_col + 1)
        value = values[setting.key]
        if setting.choices:
            value = choice_text(choice_code(setting.choices, value) or str(value), lang)
        if setting.type in (ColumnType.TEXT, ColumnType.CODE):
            cell._value, cell.data_type = str(value), "s"  # never read as a formula
        else:
            cell.value = value
        cell.style = styles.ensure_cell_style(wb, Role.INPUT, setting_format(setting))
        ref = lay.absolute(ws.title, first_col + 1, row)
        wb.defined_names[setting.name] = DefinedName(setting.name, attr_text=ref)
        _setting_validation(ws, setting, cell.coordinate, lang)


def setting_format(setting: Setting) -> str:
    """The number format of a setting's value cell."""
    if setting.type is ColumnType.INTEGER:
        return "0"
    return styles.number_format_for(setting.type)


def _setting_validation(ws: Worksheet, setting: Setting, coordinate: str, lang: str) -> None:
    """The value cell's validation: its description as the input message shown when the cell
    is selected, and what is allowed as the error message (every setting has both)."""
    if setting.choices:
        dv = DataValidation(type="list", formula1=_choice_list(setting.choices, lang))
    elif setting.minimum is not None or setting.maximum is not None:
        kind = "whole" if setting.type is ColumnType.INTEGER else "decimal"
        low = setting.minimum if setting.minimum is not None else -1e15
        high = setting.maximum if setting.maximum is not None else 1e15
        dv = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high))
    else:
        dv = DataValidation()  # any value: the input message alone
    title = setting.label.get(lang)[:32]  # Excel's limit for both titles
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, setting.help.get(lang), True
    allowed = setting_allowed(setting, lang)
    if allowed:
        dv.showErrorMessage = True
        dv.errorTitle, dv.error = title, f"{allowed} {setting.help.get(lang)}"[:255]
    dv.add(coordinate)
    ws.add_data_validation(dv)


def _list_names(wb: Workbook, lang: str) -> None:
    """lstReps = tblReps[Rep ID], ...: Excel keeps them live; LibreOffice resolves on load."""
    sources = {
        c.list_from for t in TABLES_BY_NAME.values() for c in t.columns if c.list_from is not None
    }
    for source in sorted(sources):
        table_name, key = source.split(".")
        header = TABLES_BY_NAME[table_name].column(key).label.get(lang)
        name = list_name(table_name)
        wb.defined_names[name] = DefinedName(name, attr_text=lay.structured(table_name, header))


# --- Rep x Month ----------------------------------------------------------------------------


def _period_formula(month_index: int) -> str:
    """'YYYY-MM' of fiscal month `month_index` (1-12), live from the FiscalYear/FirstMonth names."""
    date = f"DATE(FiscalYear-IF(FirstMonth>1,1,0),FirstMonth+{month_index - 1},1)"
    return f'=YEAR({date})&"-"&RIGHT("0"&MONTH({date}),2)'


MATRIX_FIRST_MONTH_COL: Final = 4  # A: #, B: rep id, C: rep name, D..O: months, P: total
MATRIX_TOTAL_COL: Final = MATRIX_FIRST_MONTH_COL + MONTHS
MATRIX_FIRST_QUARTER_COL: Final = MATRIX_TOTAL_COL + 1  # Q..T: fiscal quarters
MATRIX_TEAM_COL: Final = MATRIX_FIRST_QUARTER_COL + 4  # U: the rep's team, V: region
MATRIX_REGION_COL: Final = MATRIX_TEAM_COL + 1
MATRIX_HELPER_COL: Final = MATRIX_REGION_COL + 1  # hidden: each rep block's first row
MATRIX_TOTAL_ROW: Final = lay.FIRST_DATA_ROW
MATRIX_FIRST_ROW: Final = lay.FIRST_DATA_ROW + 1


def _matrix_sheet(wb: Workbook, ws: Worksheet, lang: str, n_rows: int) -> None:
    """Rep rows x fiscal months, each cell summing one contiguous slice of tblTargets.

    tblTargets is written grouped by rep and sorted by period, and its Matrix key column
    numbers the rep blocks (block x 100 + fiscal month), so a binary-search MATCH finds the
    first and last row of every (rep, month) slice: linear work, not one SUMIFS per cell.
    """
    sheet = SHEETS_BY_KEY["matrix"]
    _sheet_heading(ws, sheet.label.get(lang), sheet.purpose.get(lang))
    ws.cell(lay.TABLE_TITLE_ROW, 1, texts.MATRIX_TITLE.get(lang)).font = styles.title_font()
    key = _col_ref("tblTargets", "matrix_key", lang)
    target = _col_ref("tblTargets", "target", lang)
    rep = _col_ref("tblTargets", "rep_id", lang)
    rep_name = _col_ref("tblTargets", "rep_name", lang)
    team = _col_ref("tblTargets", "team", lang)
    region = _col_ref("tblTargets", "region", lang)
    headers = [texts.ROW_NO.get(lang), *_labels("tblTargets", ("rep_id", "rep_name"), lang)]
    for i, text in enumerate(headers):
        ws.cell(lay.HEADER_ROW, 1 + i, text)
    for m in range(1, MONTHS + 1):
        ws.cell(lay.HEADER_ROW, MATRIX_FIRST_MONTH_COL + m - 1, _period_formula(m))
    ws.cell(lay.HEADER_ROW, MATRIX_TOTAL_COL, texts.TOTAL.get(lang))
    for q in range(4):
        ws.cell(lay.HEADER_ROW, MATRIX_FIRST_QUARTER_COL + q, quarter_label(q + 1))
    team_region = _labels("tblTargets", ("team", "region"), lang)
    for col, text in zip((MATRIX_TEAM_COL, MATRIX_REGION_COL), team_region, strict=True):
        ws.cell(lay.HEADER_ROW, col, text)
    for col in range(1, MATRIX_REGION_COL + 1):
        cell = ws.cell(lay.HEADER_ROW, col)
        cell.font, cell.fill = styles.header_font(), styles.header_fill()
        cell.alignment = Alignment(horizontal="center", vertical="center")
    last = MATRIX_FIRST_ROW + n_rows - 1
    total_style = styles.ensure_cell_style(wb, Role.FORMULA, MONEY_OR_DASH)
    ws.cell(MATRIX_TOTAL_ROW, 2, texts.TOTAL.get(lang)).font = styles.bold_font()
    for col in range(MATRIX_FIRST_MONTH_COL, MATRIX_TEAM_COL):
        cell = ws.cell(MATRIX_TOTAL_ROW, col, "=" + lay.column_sum(col, MATRIX_FIRST_ROW, last))
        cell.style = total_style
        cell.font = styles.bold_font()
    text_style = styles.ensure_cell_style(wb, Role.FORMULA, "@")
    money_style = styles.ensure_cell_style(wb, Role.FORMULA, MONEY_OR_DASH)
    helper = get_column_letter(MATRIX_HELPER_COL)
    for i in range(n_rows):
        row = MATRIX_FIRST_ROW + i
        ws.cell(row, 1, i + 1).style = styles.ensure_cell_style(wb, Role.OUTPUT, "0")
        start = f"${helper}{row}"
        ws.cell(row, MATRIX_HELPER_COL, f"=IFERROR(MATCH($A{row}*100-0.5,{key},1),0)+1")
        in_block = f"INT(INDEX({key},{start})/100)=$A{row}"
        sources = ((2, rep), (3, rep_name), (MATRIX_TEAM_COL, team), (MATRIX_REGION_COL, region))
        for col, source in sources:
            formula = f'=IFERROR(IF({in_block},INDEX({source},{start})&"",""),"")'
            ws.cell(row, col, formula).style = text_style
        for m in range(1, MONTHS + 1):
            k = f"($A{row}*100+{m})"
            first = f"(IFERROR(MATCH({k}-0.5,{key},1),0)+1)"
            end = f"MATCH({k}+0.5,{key},1)"
            slice_sum = f"SUM(INDEX({target},{first}):INDEX({target},{end}))"
            formula = f"=IFERROR(IF({end}<{first},0,{slice_sum}),0)"
            ws.cell(row, MATRIX_FIRST_MONTH_COL + m - 1, formula).style = money_style
        year = lay.row_sum(row, MATRIX_FIRST_MONTH_COL, MATRIX_TOTAL_COL - 1)
        ws.cell(row, MATRIX_TOTAL_COL, "=" + year).style = money_style
        for q in range(1, 5):
            quarter = lay.quarter_sum(row, MATRIX_FIRST_MONTH_COL, q)
            ws.cell(row, MATRIX_FIRST_QUARTER_COL + q - 1, "=" + quarter).style = money_style
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 20
    for col in range(MATRIX_FIRST_MONTH_COL, MATRIX_TOTAL_COL + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.column_dimensions[get_column_letter(MATRIX_TOTAL_COL)].width = 13
    for col in range(MATRIX_FIRST_QUARTER_COL, MATRIX_TEAM_COL):
        ws.column_dimensions[get_column_letter(col)].width = 12
    for col in (MATRIX_TEAM_COL, MATRIX_REGION_COL):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.column_dimensions[helper].hidden = True
    ws.freeze_panes = f"{get_column_letter(MATRIX_FIRST_MONTH_COL)}{MATRIX_FIRST_ROW}"
    ws.print_title_rows = f"{lay.HEADER_ROW}:{MATRIX_TOTAL_ROW}"
    ws.print_title_cols = "A:C"
    ws.print_area = f"A1:{get_column_letter(MATRIX_REGION_COL)}{last}"
    total = lay.absolute(ws.title, MATRIX_TOTAL_COL, MATRIX_TOTAL_ROW)
    wb.defined_names[MATRIX_TOTAL_NAME] = DefinedName(MATRIX_TOTAL_NAME, attr_text=total)


VIEW_MIN_ROWS: Final = {"tblRegions": 10, "tblTeams": 20, "tblChannels": 8, "tblProducts": 12}
"""Rows (columns, for products) a template's Plan views blocks hold; a plan's own org and
lists get theirs and 5 more, so a few added later still show."""


def _views(
    wb: Workbook, ws: Worksheet, matrix: Worksheet, lang: str, data: Mapping[str, pd.DataFrame]
) -> None:
    """Plan views: region and team by month and quarter from Rep x Month, channel by product."""
    sheet = SHEETS_BY_KEY["views"]
    _sheet_heading(ws, sheet.label.get(lang), sheet.purpose.get(lang))
    rows = [
        len(frame) + 5 if (frame := data.get(name)) is not None and len(frame) else minimum
        for name, minimum in VIEW_MIN_ROWS.items()
    ]
    n_regions, n_teams, n_channels, n_products = rows
    columns = MatrixColumns(
        matrix.title,
        MATRIX_FIRST_ROW,
        MATRIX_FIRST_ROW + matrix_rows(data) - 1,
        MATRIX_FIRST_MONTH_COL,
        MATRIX_REGION_COL,
        MATRIX_TEAM_COL,
    )
    plan_views(wb, ws, lang, columns, _period_formula, (n_regions, n_teams, n_channels, n_products))


def _labels(table_name: str, keys: tuple[str, ...], lang: str) -> list[str]:
    spec = TABLES_BY_NAME[table_name]
    return [spec.column(k).label.get(lang) for k in keys]


def _targets_checks(wb: Workbook, ws: Worksheet, matrix: Worksheet, lang: str) -> None:
    """Live check sums beside tblTargets: total vs final target, matrix vs table, row order."""
    col = len(TABLES_BY_NAME["tblTargets"].columns) + 1 + lay.GAP_COLUMNS
    ws.cell(lay.TABLE_TITLE_ROW, col, texts.CHECKS_TITLE.get(lang)).font = styles.title_font()
    key = _col_ref("tblTargets", "matrix_key", lang)
    scopes = _col_ref("tblProposal", "scope", lang)
    # MATCH ignores case; the company row may be written in English or in Chinese.
    company_row = f'IFERROR(MATCH("{COMPANY_LABELS["en"]}",{scopes},0),'
    company_row += f'MATCH("{COMPANY_LABELS["zh-Hant"]}",{scopes},0))'
    final = f"=IFERROR(N(INDEX({_col_ref('tblProposal', 'final_target', lang)},{company_row})),0)"
    ok, bad = texts.OK.get(lang), texts.MISMATCH.get(lang)
    total, fin = LEAF_TOTAL_NAME, FINAL_TARGET_NAME
    unordered = (
        f"IFERROR(SUMPRODUCT(--(INDEX({key},2):INDEX({key},ROWS({key}))"
        f"<INDEX({key},1):INDEX({key},ROWS({key})-1))),0)"
    )
    rows: list[tuple[Label, str, str, str | None]] = [
        (texts.LEAF_TOTAL, f"=SUM({_col_ref('tblTargets', 'target', lang)})", "money", total),
        (texts.FINAL_TARGET, final, "money", fin),
        (texts.DIFFERENCE, f"={total}-{fin}", "money", None),
        (texts.ALLOWED_OVER, f"={fin}*OverAssignment", "money", None),
        (texts.OVER_SHARE, f'=IF(N({fin})=0,"",{total}/{fin}-1)', "percent", None),
        (
            texts.TARGET_CHECK,
            # The allowance is itself rounded to the rounding unit by the split.
            f'=IF(N({fin})=0,"",IF(AND({total}-{fin}>=-0.5,{total}-{fin}<={fin}*OverAssignment'
            f'+MAX(0.5,N(RoundingUnit))),"{ok}","{bad}"))',
            "text",
            TARGET_CHECK_NAME,
        ),
        (texts.MATRIX_TOTAL, f"={MATRIX_TOTAL_NAME}", "money", None),
        (
            texts.MATRIX_CHECK,
            f'=IF(ABS({MATRIX_TOTAL_NAME}-{total})<0.5,"{ok}","{bad}")',
            "text",
            MATRIX_CHECK_NAME,
        ),
        (texts.ORDER_CHECK, f'=IF({unordered}=0,"{ok}","{bad}")', "text", ORDER_CHECK_NAME),
    ]
    for i, (label, formula, kind, name) in enumerate(rows):
        row = lay.HEADER_ROW + i
        ws.cell(row, col, label.get(lang)).font = styles.bold_font()
        cell = ws.cell(row, col + 1, formula)
        number_format = {
            "money": styles.number_format_for(ColumnType.MONEY),
            "percent": styles.number_format_for(ColumnType.PERCENT),
        }.get(kind, "@")
        cell.style = styles.ensure_cell_style(wb, Role.FORMULA, number_format)
        if name:
            ref = lay.absolute(ws.title, col + 1, row)
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.column_dimensions[get_column_letter(col)].width = 28
    ws.column_dimensions[get_column_letter(col + 1)].width = 16
    checks = f"{get_column_letter(col + 1)}{lay.HEADER_ROW}:{get_column_letter(col + 1)}"
    checks += str(lay.HEADER_ROW + len(rows) - 1)
    _ok_bad_rule(ws, checks, ok, bad)


# --- dashboard ------------------------------------------------------------------------------

BASIS_COL: Final = 16  # P..Q, right of the region block


def _target_basis(ws: Worksheet, lang: str, money: str, percent: str) -> None:
    """The final target, the quota sum the months and regions add up to, and the
    over-assignment between them, shown apart so nobody reads the uplift as the target."""
    _block_header(
        ws,
        BASIS_COL,
        texts.TARGET_BASIS_TITLE.get(lang),
        [texts.BASIS_ITEM, texts.BASIS_VALUE],
        lang,
    )
    fin, total = FINAL_TARGET_NAME, LEAF_TOTAL_NAME
    rows = (
        (texts.FINAL_TARGET, f"={fin}", money),
        (texts.QUOTA_SUM, f"={total}", money),
        (texts.OVER_SHARE, f'=IF(N({fin})=0,"",{total}/{fin}-1)', percent),
    )
    for i, (label, formula, style) in enumerate(rows):
        r = lay.FIRST_DATA_ROW + i
        ws.cell(r, BASIS_COL, label.get(lang)).font = styles.bold_font()
        ws.cell(r, BASIS_COL + 1, formula).style = style
    ws.column_dimensions[get_column_letter(BASIS_COL)].width = 42
    ws.column_dimensions[get_column_letter(BASIS_COL + 1)].width = 16


BY_MONTH_FIRST_ROW: Final = lay.FIRST_DATA_ROW
BY_MONTH_TOTAL_ROW: Final = BY_MONTH_FIRST_ROW + MONTHS
REGION_COL: Final = 9  # A..G by month, H gap, I..L by region


def _dashboard(wb: Workbook, ws: Worksheet, matrix: Worksheet, lang: str, n_regions: int) -> None:
    """Monthly cumulative actual vs target and attainment by region, each with a chart."""
    sheet = SHEETS_BY_KEY["dashboard"]
    _sheet_heading(ws, sheet.label.get(lang), sheet.purpose.get(lang))
    _block_header(
        ws,
        1,
        texts.BY_MONTH_TITLE.get(lang),
        [
            texts.MONTH_NO,
            texts.PERIOD,
            texts.TARGET,
            texts.ACTUAL,
            texts.CUM_TARGET,
            texts.CUM_ACTUAL,
            texts.ATTAINMENT,
        ],
        lang,
    )
    amount = _col_ref("tblActuals", "amount", lang)
    period = _col_ref("tblActuals", "period", lang)
    first, last = BY_MONTH_FIRST_ROW, BY_MONTH_TOTAL_ROW - 1
    matrix_totals = (
        f"{lay.quoted_sheet(matrix.title)}!${get_column_letter(MATRIX_FIRST_MONTH_COL)}"
        f"${MATRIX_TOTAL_ROW}:${get_column_letter(MATRIX_TOTAL_COL - 1)}${MATRIX_TOTAL_ROW}"
    )
    money = styles.ensure_cell_style(wb, Role.FORMULA, styles.number_format_for(ColumnType.MONEY))
    percent = styles.ensure_cell_style(
        wb, Role.FORMULA, styles.number_format_for(ColumnType.PERCENT)
    )
    text = styles.ensure_cell_style(wb, Role.FORMULA, "@")
    for m in range(1, MONTHS + 1):
        r = first + m - 1
        cells = [
            (m, styles.ensure_cell_style(wb, Role.OUTPUT, "0")),
            (_period_formula(m), text),
            (f"=INDEX({matrix_totals},{m})", money),
            (f"=SUMIFS({amount},{period},$B{r})", money),
            (f"=SUM(C${first}:C{r})", money),
            (f'=IF(COUNTIF(D{r}:D${last},"<>0")=0,"",SUM(D${first}:D{r}))', money),
            (f'=IF(OR(F{r}="",N(E{r})=0),"",F{r}/E{r})', percent),
        ]
        for c, (value, style) in enumerate(cells, start=1):
            ws.cell(r, c, value).style = style
    t = BY_MONTH_TOTAL_ROW
    ws.cell(t, 2, texts.TOTAL.get(lang)).font = styles.bold_font()
    ws.cell(t, 3, f"=SUM(C{first}:C{last})").style = money
    ws.cell(t, 4, f"=SUM(D{first}:D{last})").style = money
    reached = f"COUNT(F{first}:F{last})"
    ws.cell(t, 7, f'=IF({reached}=0,"",IFERROR(D{t}/INDEX(E{first}:E{last},{reached}),""))')
    ws.cell(t, 7).style = percent
    for c in (2, 3, 4, 7):
        ws.cell(t, c).font = styles.bold_font()

    _block_header(
        ws,
        REGION_COL,
        texts.BY_REGION_TITLE.get(lang),
        [
            texts.REGION,
            texts.TARGET_TO_DATE,
            texts.ACTUAL_TO_DATE,
            texts.ATTAINMENT,
            board.column_label("tblTracking", "expected_to_date"),
            board.column_label("tblTracking", "pace"),
        ],
        lang,
    )
    regions = _col_ref("tblRegions", "region", lang)
    t_region = _col_ref("tblTracking", "region", lang)
    t_target = _col_ref("tblTracking", "target_to_date", lang)
    t_actual = _col_ref("tblTracking", "actual_to_date", lang)
    t_expected = _col_ref("tblTracking", "expected_to_date", lang)
    c0 = get_column_letter(REGION_COL)
    c1, c2 = get_column_letter(REGION_COL + 1), get_column_letter(REGION_COL + 2)
    c4 = get_column_letter(REGION_COL + 4)
    for i in range(n_regions):
        r = lay.FIRST_DATA_ROW + i
        reg = f"${c0}{r}"
        cells = [
            (f'=IFERROR(INDEX({regions},{i + 1})&"","")', text),
            (f'=IF({reg}="","",SUMIFS({t_target},{t_region},{reg}))', money),
            (f'=IF({reg}="","",SUMIFS({t_actual},{t_region},{reg}))', money),
            (f'=IF(N({c1}{r})=0,"",{c2}{r}/{c1}{r})', percent),
            (f'=IF({reg}="","",SUMIFS({t_expected},{t_region},{reg}))', money),
            (f'=IF(N({c4}{r})=0,"",{c2}{r}/{c4}{r})', percent),
        ]
        for c, (value, style) in enumerate(cells):
            ws.cell(r, REGION_COL + c, value).style = style
    widths = {1: 8, 2: 11, 3: 14, 4: 14, 5: 16, 6: 16, 7: 12, 8: 3}
    widths |= {9: 14, 10: 15, 11: 15, 12: 12, 13: 15, 14: 12}
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
    _target_basis(ws, lang, money, percent)
    _charts(ws, lang, n_regions)
    board.evaluation_blocks(wb, ws, lang)
    shown = [f"G{first}:G{t}"]
    for offset in (3, 5):  # attainment and pace by region
        letter = get_column_letter(REGION_COL + offset)
        shown.append(f"{letter}{lay.FIRST_DATA_ROW}:{letter}{lay.FIRST_DATA_ROW + n_regions - 1}")
    att = get_column_letter(board.TOP_BOTTOM_COL + 3)
    shown.append(f"{att}{board.BAND_FIRST_ROW}:{att}{board.BAND_FIRST_ROW + 2 * board.TOP_N - 1}")
    _attainment_scale(ws, " ".join(shown))


def _charts(ws: Worksheet, lang: str, n_regions: int) -> None:
    first, last = BY_MONTH_FIRST_ROW, BY_MONTH_TOTAL_ROW - 1
    months = Reference(ws, min_col=2, min_row=first, max_row=last)
    bars = BarChart()
    bars.title = texts.BY_MONTH_TITLE.get(lang)
    bars.add_data(
        Reference(ws, min_col=6, min_row=lay.HEADER_ROW, max_row=last), titles_from_data=True
    )
    bars.set_categories(months)
    bars.y_axis.numFmt = "#,##0"
    bars.y_axis.majorGridlines = None
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=5, min_row=lay.HEADER_ROW, max_row=last), titles_from_data=True
    )
    line.set_categories(months)
    bars += line
    bars.legend.position = "b"
    bars.height, bars.width = 8, 16
    ws.add_chart(bars, f"A{BY_MONTH_TOTAL_ROW + 2}")

    by_region = BarChart()
    by_region.type = "bar"
    by_region.title = texts.BY_REGION_TITLE.get(lang)
    last_region = lay.FIRST_DATA_ROW + n_regions - 1
    by_region.add_data(
        Reference(ws, min_col=REGION_COL + 3, min_row=lay.HEADER_ROW, max_row=last_region),
        titles_from_data=True,
    )
    by_region.set_categories(
        Reference(ws, min_col=REGION_COL, min_row=lay.FIRST_DATA_ROW, max_row=last_region)
    )
    by_region.y_axis.numFmt = "0%"
    by_region.legend = None
    by_region.height, by_region.width = 8, 8.5
    ws.add_chart(by_region, f"{get_column_letter(REGION_COL)}{BY_MONTH_TOTAL_ROW + 2}")
    pace = board.pace_chart(ws, lang, REGION_COL, n_regions)
    pace.width = 8.5
    ws.add_chart(pace, f"{get_column_letter(REGION_COL + 3)}{BY_MONTH_TOTAL_ROW + 2}")


# --- conditional formats --------------------------------------------------------------------


def _column_range(ws: Worksheet, table_name: str, key: str) -> str:
    """The first data cell of a table column (fill_table stretches rules over the rows)."""
    tbl = ws.tables[table_name]
    start_col = int(ws[str(tbl.ref).split(":")[0]].column)
    offset = TABLES_BY_NAME[table_name].keys.index(key)
    return f"{get_column_letter(start_col + offset)}{lay.FIRST_DATA_ROW}"


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _conditional_formats(sheets: Mapping[str, Worksheet], lang: str) -> None:
    tracking, evaluation = sheets["tracking"], sheets["evaluation"]
    risk = _column_range(tracking, "tblTracking", "risk")
    for value, fill, font in (
        ("green", styles.GOOD_FILL, styles.GOOD_FONT),
        ("amber", styles.AMBER_FILL, styles.AMBER_FONT),
        ("red", styles.BAD_FILL, styles.BAD_FONT),
    ):
        shown = choice_text(value, lang)
        rule = CellIsRule(
            operator="equal", formula=[f'"{shown}"'], fill=_fill(fill), font=Font(color=font)
        )
        tracking.conditional_formatting.add(risk, rule)
    pace = _column_range(tracking, "tblTracking", "pace")
    for threshold, fill, font in (
        ("RedThreshold", styles.BAD_FILL, styles.BAD_FONT),
        ("AmberThreshold", styles.AMBER_FILL, styles.AMBER_FONT),
    ):
        rule = FormulaRule(
            formula=[f"AND(ISNUMBER({pace}),{pace}<{threshold})"],
            fill=_fill(fill),
            font=Font(color=font),
            stopIfTrue=True,
        )
        tracking.conditional_formatting.add(pace, rule)
    _attainment_scale(tracking, _column_range(tracking, "tblTracking", "attainment"))
    _attainment_scale(evaluation, _column_range(evaluation, "tblScorecard", "attainment"))
    _refill_rules(sheets)


def _refill_rules(sheets: Mapping[str, Worksheet]) -> None:
    """Rules were added after the tables were filled: stretch them over the current rows
    (not tblSettings', where each row's value cell has its own setting's rule)."""
    for ws in sheets.values():
        for tbl in ws.tables.values():
            if tbl.name != "tblSettings":
                stretch_rules(ws, str(tbl.ref))


def _attainment_scale(ws: Worksheet, cells: str) -> None:
    ws.conditional_formatting.add(
        cells,
        ColorScaleRule(
            start_type="num",
            start_value=0.5,
            start_color="F8696B",
            mid_type="num",
            mid_value=0.9,
            mid_color="FFEB84",
            end_type="num",
            end_value=1.1,
            end_color="63BE7B",
        ),
    )


def _ok_bad_rule(ws: Worksheet, cells: str, ok: str, bad: str) -> None:
    top_left = cells.split(":")[0]
    ws.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=[f'{top_left}="{ok}"'],
            fill=_fill(styles.GOOD_FILL),
            font=Font(color=styles.GOOD_FONT, bold=True),
        ),
    )
    ws.conditional_formatting.add(
        cells,
        FormulaRule(
            formula=[f'{top_left}="{bad}"'],
            fill=_fill(styles.BAD_FILL),
            font=Font(color=styles.BAD_FONT, bold=True),
        ),
    )


# --- Guide, page setup, identity ------------------------------------------------------------


def _guide(wb: Workbook, ws: Worksheet, lang: str, plan_id: str, plan_version: int) -> None:
    """The Guide: what this is, identity, workflow, buttons, colours, sheets, periods."""
    ws.cell(1, 1, texts.GUIDE_TITLE.get(lang)).font = styles.title_font(18)
    ws.cell(2, 1, texts.GUIDE_INTRO.get(lang)).font = styles.muted_font()
    row = 4
    row = _section(ws, row, texts.IDENTITY_TITLE.get(lang))
    ws.cell(row, 1, texts.PLAN_NAME.get(lang)).font = styles.bold_font()
    ws.cell(row, 2, "=PlanName").style = styles.ensure_cell_style(wb, Role.FORMULA, "@")
    row += 1
    identity = [
        (texts.PLAN_ID, plan_id or texts.TEMPLATE_PLAN_ID.get(lang), PLAN_ID_NAME),
        (texts.PLAN_VERSION, plan_version, PLAN_VERSION_NAME),
        (texts.TEMPLATE_VERSION_LABEL, texts.TEMPLATE_VERSION, TEMPLATE_VERSION_NAME),
        (texts.FINGERPRINT, texts.NOT_APPROVED.get(lang), FINGERPRINT_NAME),
    ]
    output = styles.ensure_cell_style(wb, Role.OUTPUT, "@")
    for label, value, name in identity:
        ws.cell(row, 1, label.get(lang)).font = styles.bold_font()
        cell = ws.cell(row, 2)
        if isinstance(value, str):
            cell._value, cell.data_type = value, "s"
        else:
            cell.value = value
        cell.style = output
        cell.alignment = Alignment(horizontal="left")
        wb.defined_names[name] = DefinedName(name, attr_text=lay.absolute(ws.title, 2, row))
        row += 1
    row += 1
    row = _section(ws, row, texts.WORKFLOW_TITLE.get(lang))
    row = _guide_header(ws, row, [texts.STEP, texts.WHAT_YOU_DO, texts.WHERE], lang)
    for step, what, sheet_keys in texts.WORKFLOW:
        sheet_names = ", ".join(SHEETS_BY_KEY[k].label.get(lang) for k in sheet_keys)
        row = _guide_row(ws, row, [step.get(lang), what.get(lang), sheet_names], bold_first=True)
    row += 1
    row = _section(ws, row, texts.BUTTONS_TITLE.get(lang))
    row = _guide_header(ws, row, [texts.BUTTON, texts.WHAT_IT_DOES, texts.COMMAND], lang)
    for _control, button, command, does in texts.BUTTONS:
        row = _guide_row(ws, row, [button.get(lang), does.get(lang), command], bold_first=True)
    row += 1
    row = _section(ws, row, texts.LEGEND_TITLE.get(lang))
    for role, label in (
        (Role.INPUT, texts.LEGEND_INPUT),
        (Role.OUTPUT, texts.LEGEND_OUTPUT),
        (Role.FORMULA, texts.LEGEND_FORMULA),
    ):
        ws.cell(row, 1).fill = styles.fill_for(role)
        ws.cell(row, 2, label.get(lang))
        row += 1
    row += 1
    row = _section(ws, row, texts.SHEETS_TITLE.get(lang))
    for sheet in SHEETS:
        row = _guide_row(ws, row, [sheet.label.get(lang), sheet.purpose.get(lang)], bold_first=True)
    row += 1
    row = _section(ws, row, texts.PERIODS_TITLE.get(lang))
    for paragraph in texts.PERIODS_TEXT:
        row = _guide_row(ws, row, ["", paragraph.get(lang)])
    for i, width in enumerate(GUIDE_WIDTHS):
        ws.column_dimensions[get_column_letter(1 + i)].width = width
    ws.sheet_view.showGridLines = False


def _section(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row, 1, title).font = styles.title_font(13)
    return row + 1


def _guide_header(ws: Worksheet, row: int, labels: list[Label], lang: str) -> int:
    for i, label in enumerate(labels):
        cell = ws.cell(row, 1 + i, label.get(lang))
        cell.font, cell.fill = styles.header_font(), styles.header_fill()
    return row + 1


GUIDE_WIDTHS: Final = (32, 90, 30)


def _guide_row(ws: Worksheet, row: int, values: list[str], bold_first: bool = False) -> int:
    lines = max(lay.text_lines(v, GUIDE_WIDTHS[i] * 1.05) for i, v in enumerate(values))
    ws.row_dimensions[row].height = 14 * max(1, lines)  # LibreOffice does not auto-fit
    for i, value in enumerate(values):
        cell = ws.cell(row, 1 + i)
        cell._value, cell.data_type = value, "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = styles.bold_font() if bold_first and i == 0 else styles.body_font()
    return row + 1


def _header_heights(ws: Worksheet) -> None:
    """A header row whose longest label does not fit its column gets the lines it needs, so
    no header is cut ('Seasonal expectation' in a 16-wide column takes two lines)."""
    lines_by_row: dict[int, int] = {}
    for row in ws.iter_rows(min_row=lay.TABLE_TITLE_ROW, max_row=ws.max_row):
        for cell in row:
            if not isinstance(cell.value, str) or cell.value.startswith("="):
                continue
            if cell.fill is None or cell.fill.fgColor.rgb != styles.header_fill().fgColor.rgb:
                continue
            dimension = ws.column_dimensions[get_column_letter(cell.column)]
            width = lay.DEFAULT_COLUMN_WIDTH if dimension.width is None else dimension.width
            lines = lay.text_lines(cell.value, width - 1)
            lines_by_row[cell.row] = max(lines_by_row.get(cell.row, 1), lines)
    for row, lines in lines_by_row.items():
        if lines > 1:
            ws.row_dimensions[row].height = 15 * min(lines, 4)


LONG_SHEETS: Final = ("history", "targets", "actuals", "approved")
"""Sheets of leaf-level rows (tens of thousands): printing one prints its first rows unless
the user clears the print area; Rep x Month and Plan views are the summaries to print."""
LONG_PRINT_ROWS: Final = 50


def _print_first_rows(ws: Worksheet, lang: str) -> None:
    """Print area: the heading and the first LONG_PRINT_ROWS rows; the sheet says so."""
    last = lay.FIRST_DATA_ROW + LONG_PRINT_ROWS - 1
    ws.print_area = f"A1:{get_column_letter(ws.max_column)}{last}"
    matrix, views = (SHEETS_BY_KEY[k].label.get(lang) for k in ("matrix", "views"))
    note = Label(
        f"Prints the first {LONG_PRINT_ROWS} rows; to print all, clear the print area (Page "
        f"Layout > Print Area > Clear Print Area). {matrix} and {views} are the summaries to "
        "print.",
        f"列印時只印前 {LONG_PRINT_ROWS} 列；要全部列印，請清除列印範圍（版面配置 > 列印範圍 > "
        f"清除列印範圍）。{matrix}與{views}是可列印的彙總。",
        f"打印时只打印前 {LONG_PRINT_ROWS} 行；要全部打印，请取消打印区域（页面布局 > 打印区域 > "
        f"取消打印区域）。{matrix}与{views}是可打印的汇总。",
    ).get(lang)
    purpose = ws.cell(lay.PURPOSE_ROW, 1)
    purpose.value = f"{purpose.value} {note}" if purpose.value else note


PRINT_WIDTH_POINTS: Final = (11.69 - 0.8) * 72
"""What fits across a landscape A4 page inside 0.4-inch side margins."""


def _page_setup(ws: Worksheet) -> None:
    """Landscape A4, as many pages tall as needed. A sheet with one block is fitted to one
    page wide. A sheet whose blocks are separated by page breaks (tables side by side, the
    Plan views blocks) gets a fixed scale at which its widest block fits a page's width:
    Excel ignores manual breaks under "fit to", so each block would not start a page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if ws.col_breaks.brk or ws.row_breaks.brk:
        ws.page_setup.scale = _scale_to_fit(ws)
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    else:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&A - &P / &N"


def _scale_to_fit(ws: Worksheet) -> int:
    """The print scale (10-100%) at which the widest run of columns between two column
    breaks fits across the page (a column of width w characters is about 7w + 5 pixels)."""
    edges = [0, *sorted(b.id for b in ws.col_breaks.brk), ws.max_column]
    widest = 0.0
    for low, high in itertools.pairwise(edges):
        points = 0.0
        for col in range(low + 1, high + 1):
            dimension = ws.column_dimensions[get_column_letter(col)]
            width = lay.DEFAULT_COLUMN_WIDTH if dimension.width is None else dimension.width
            points += 0 if dimension.hidden else (width * 7 + 5) * 0.75
        widest = max(widest, points)
    # 30% spare: LibreOffice draws a column about 1.2x as wide as Excel's 7 pixels a character.
    fits = math.floor(PRINT_WIDTH_POINTS * 0.7 / widest * 100) if widest else 100
    return max(10, min(100, fits))


def _identity(wb: Workbook, lang: str, plan_id: str, plan_version: int, plan_name: str) -> None:
    """Plan id, version and template version as custom document properties."""
    wb.custom_doc_props.append(StringProperty(name="PlanId", value=plan_id))
    wb.custom_doc_props.append(IntProperty(name="PlanVersion", value=plan_version))
    wb.custom_doc_props.append(StringProperty(name="TemplateVersion", value=texts.TEMPLATE_VERSION))
    wb.custom_doc_props.append(StringProperty(name="Language", value=lang))
    wb.properties.title = plan_name
    wb.properties.creator = f"salesgoal_xl {__version__}"
