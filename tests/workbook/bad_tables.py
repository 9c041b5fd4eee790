"""Data-level bad workbooks built in code: one per failure family, each with its expected code.

`build_workbook` lays every schema table out as a real Excel table (title row, header row,
rows) with a small, consistent plan: it checks clean. Each `BadCase` takes that plan, breaks
one thing the way people do by hand, and names the problem code `salesgoal check` must give.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.reader import find_table

Rows = list[dict[str, Any]]
Plan = dict[str, Rows]


def good_plan() -> Plan:
    """A small plan that passes every check, propose, split and evaluate included: FY2026
    starting in January, 1,200,000 target, a year of history for every rep."""
    settings = [{"setting": s.label.en, "value": s.default} for s in schema.SETTINGS]
    targets = [
        {
            "period": f"2026-{m:02d}",
            "quarter": f"Q{(m - 1) // 3 + 1}",
            "region": "N",
            "team": "T1",
            "rep_id": rep,
            "rep_name": rep,
            "channel": "DIR",
            "product": "P1",
            "target": 50_000,
            "method": "history",
        }
        for m in range(1, 13)
        for rep in ("R01", "R02")
    ]
    return {
        "tblSettings": settings,
        "tblRegions": [{"region": "N", "region_name": "North"}, {"region": "S"}],
        "tblTeams": [{"team": "T1", "region": "N"}, {"team": "T2", "region": "S"}],
        "tblReps": [
            {"rep_id": "R01", "rep_name": "Ann", "team": "T1", "region": "N", "capacity": 1.0},
            {"rep_id": "R02", "rep_name": "Bo", "team": "T1", "region": "N", "capacity": 0.5},
            {"rep_id": "R03", "rep_name": "Cy", "team": "T2", "region": "S"},
        ],
        "tblChannels": [{"channel": "DIR"}, {"channel": "WEB"}],
        "tblProducts": [{"product": "P1", "launch_date": dt.datetime(2020, 1, 1)}],
        "tblHistory": [
            {
                "period": f"2025-{m:02d}",
                "rep_id": rep,
                "channel": "DIR",
                "product": "P1",
                "amount": (40_000 + 100 * m) * share,
            }
            for rep, share in (("R01", 1), ("R02", 1), ("R03", 2))
            for m in range(1, 13)
        ],
        "tblMarket": [{"region": "N", "market_size": 10_000_000, "target_share": 0.1}],
        "tblProposal": [{"scope": "company", "baseline": 1_000_000, "final_target": 1_200_000}],
        "tblSplitRules": [{"level": "rep", "method": "history", "lookback": 12}],
        "tblWeights": [{"level": "rep", "code": "R01", "weight": 2}],
        "tblOverrides": [{"level": "rep", "code": "R02", "period": "2026-03", "target": 50_000}],
        "tblTargets": targets,
        "tblActuals": [
            {
                "period": "2026-01",
                "rep_id": "R01",
                "channel": "DIR",
                "product": "P1",
                "amount": 48_000,
            },
        ],
        "tblKpis": [
            {"kpi": "attainment", "weight": 0.6, "direction": "higher"},
            {"kpi": "growth", "weight": 0.4, "direction": "higher"},
        ],
        "tblAdjustments": [
            {
                "adj_id": "A1",
                "date": dt.datetime(2026, 2, 1),
                "level": "rep",
                "code": "R01",
                "from_period": "2026-03",
                "new_target": 600_000,
                "reason_category": "market",
                "status": "draft",
            },
        ],
        "tblApprovals": [{"approval_id": "AP1", "scope": "company", "approver": "CFO"}],
    }


def build_workbook(
    plan: Plan | None = None,
    lang: str = "en",
    headers: dict[str, list[str]] | None = None,
) -> Workbook:
    """Every schema sheet and table, filled from `plan`; `headers` overrides a table's headers."""
    plan = good_plan() if plan is None else plan
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.label.get(lang))
        row = 1
        for name in sheet.tables:
            spec = schema.table(name)
            labels = (headers or {}).get(name) or [c.label.get(lang) for c in spec.columns]
            row = add_table(ws, row, name, labels, spec.keys, plan.get(name, []))
    return wb


def add_table(
    ws: Worksheet, top: int, name: str, labels: list[str], keys: tuple[str, ...], rows: Rows
) -> int:
    """Write a title, a header and rows at `top`, make them a table; return the next free row."""
    ws.cell(top, 1, name)
    header = top + 1
    for col, label in enumerate(labels, start=1):
        ws.cell(header, col, label)
    for i, values in enumerate(rows):
        for col, key in enumerate(keys, start=1):
            value = values.get(key)
            if value is not None:
                ws.cell(header + 1 + i, col).value = value
    last = header + max(1, len(rows))
    ref = f"A{header}:{get_column_letter(len(labels))}{last}"
    tbl = Table(displayName=name, ref=ref)
    tbl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tbl)
    return last + 3


def data_cell(wb: Workbook, name: str, key: str, row: int = 0) -> Any:
    """The openpyxl cell of column `key` in data row `row` (0-based) of table `name`."""
    found = find_table(wb, name)
    assert found is not None, name
    ws, tbl = found
    min_col, min_row, _, _ = range_boundaries(tbl.ref)
    return ws.cell(min_row + 1 + row, min_col + schema.table(name).keys.index(key))


@dataclass(frozen=True)
class BadCase:
    """One deliberately broken workbook and the problem code it must produce."""

    name: str
    code: ProblemCode
    build: Callable[[], Workbook]
    cell: str = ""  # the Sheet!Cell the problem must name, when it is one cell


def _with(change: Callable[[Plan], None], lang: str = "en") -> Callable[[], Workbook]:
    def build() -> Workbook:
        plan = copy.deepcopy(good_plan())
        change(plan)
        return build_workbook(plan, lang)

    return build


def _after(change: Callable[[Workbook], None]) -> Callable[[], Workbook]:
    def build() -> Workbook:
        wb = build_workbook()
        change(wb)
        return wb

    return build


def _set(name: str, key: str, value: Any, row: int = 0) -> Callable[[Plan], None]:
    def change(plan: Plan) -> None:
        plan[name][row][key] = value

    return change


def _set_cell(name: str, key: str, value: Any, row: int = 0) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        data_cell(wb, name, key, row).value = value

    return change


def _drop_sheet(wb: Workbook) -> None:
    wb.remove(wb["Evaluation"])


def _drop_table(wb: Workbook) -> None:
    ws = wb["Decomposition"]
    del ws.tables["tblWeights"]


def _rename_header(wb: Workbook) -> None:
    data_cell(wb, "tblReps", "team", -1).value = "Squad"


def _duplicate_header(wb: Workbook) -> None:
    data_cell(wb, "tblReps", "manager", -1).value = "業務代號"  # Rep ID again, in Chinese


def _merge(wb: Workbook) -> None:
    cell = data_cell(wb, "tblReps", "rep_name", 0)
    wb["Settings"].merge_cells(f"{cell.coordinate}:{cell.offset(1, 0).coordinate}")


def _below_table(wb: Workbook) -> None:
    cell = data_cell(wb, "tblActuals", "amount", 1)  # the row just under the table
    cell.value = 5_000
    cell.offset(0, -4).value = "2026-02"


def _right_of_table(wb: Workbook) -> None:
    last = schema.table("tblKpis").columns[-1].key
    data_cell(wb, "tblKpis", last, 0).offset(0, 1).value = "stray"


def _long_text(wb: Workbook) -> None:
    cell = data_cell(wb, "tblApprovals", "note", 0)
    cell._value = "x" * 40_000  # the setter would truncate; a hand-made file need not
    cell.data_type = "s"


def _too_many_kpis(plan: Plan) -> None:
    plan["tblKpis"] = [
        {"kpi": f"k{i}", "weight": 1 / 101, "direction": "higher"} for i in range(101)
    ]


def _many_unknown(plan: Plan) -> None:
    for row in plan["tblTargets"]:
        row["rep_id"] = "R99"


def _wrong_year(plan: Plan) -> None:
    for row in plan["tblTargets"][:6]:
        row["period"] = "2025-12"


BAD_TABLE_CASES: tuple[BadCase, ...] = (
    BadCase("missing_sheet", ProblemCode.MISSING_SHEET, _after(_drop_sheet)),
    BadCase("missing_table", ProblemCode.MISSING_TABLE, _after(_drop_table)),
    BadCase("renamed_header", ProblemCode.MISSING_HEADER, _after(_rename_header)),
    BadCase("duplicate_header", ProblemCode.DUPLICATE_HEADER, _after(_duplicate_header)),
    BadCase(
        "locale_number_eu",
        ProblemCode.LOCALE_NUMBER,
        _with(_set("tblHistory", "amount", "1.000,50")),
        "History!E3",
    ),
    BadCase(
        "locale_number_us_text",
        ProblemCode.LOCALE_NUMBER,
        _with(_set("tblActuals", "amount", "1,000.50")),
    ),
    BadCase(
        "locale_number_spaces",
        ProblemCode.LOCALE_NUMBER,
        _with(_set("tblMarket", "market_size", "12 345")),
    ),
    BadCase("text_in_number", ProblemCode.NOT_A_NUMBER, _with(_set("tblReps", "capacity", "n/a"))),
    BadCase(
        "number_as_text",
        ProblemCode.NUMBER_AS_TEXT,
        _with(_set("tblTargets", "target", "50000")),
    ),
    BadCase(
        "negative_target",
        ProblemCode.NEGATIVE_AMOUNT,
        _with(_set("tblOverrides", "target", -50_000)),
    ),
    BadCase(
        "error_ref", ProblemCode.ERROR_VALUE, _after(_set_cell("tblHistory", "amount", "#REF!"))
    ),
    BadCase(
        "error_div0",
        ProblemCode.ERROR_VALUE,
        _after(_set_cell("tblMarket", "target_share", "#DIV/0!")),
    ),
    BadCase("error_na", ProblemCode.ERROR_VALUE, _after(_set_cell("tblReps", "team", "#N/A"))),
    BadCase(
        "formula_in_input",
        ProblemCode.FORMULA_IN_INPUT,
        _after(_set_cell("tblActuals", "amount", "=40000+8000")),
    ),
    BadCase("blank_key", ProblemCode.BLANK_KEY, _with(_set("tblReps", "rep_id", None, 2))),
    BadCase("duplicate_key", ProblemCode.DUPLICATE_KEY, _with(_set("tblReps", "rep_id", "R01", 1))),
    BadCase("unknown_rep", ProblemCode.UNKNOWN_CODE, _with(_set("tblHistory", "rep_id", "R77"))),
    BadCase("unknown_team", ProblemCode.UNKNOWN_CODE, _with(_set("tblReps", "team", "T9"))),
    BadCase("unknown_code_thousands", ProblemCode.UNKNOWN_CODE, _with(_many_unknown)),
    BadCase("unknown_choice", ProblemCode.UNKNOWN_CODE, _with(_set("tblKpis", "direction", "up"))),
    BadCase("merged_cells", ProblemCode.MERGED_CELLS, _after(_merge)),
    BadCase("rows_below_table", ProblemCode.ROWS_OUTSIDE_TABLE, _after(_below_table)),
    BadCase("values_right_of_table", ProblemCode.ROWS_OUTSIDE_TABLE, _after(_right_of_table)),
    BadCase("bad_period", ProblemCode.BAD_PERIOD, _with(_set("tblActuals", "period", "Jan 2026"))),
    BadCase("bad_week", ProblemCode.BAD_PERIOD, _with(_set("tblActuals", "period", "2026-W54"))),
    BadCase("period_outside_year", ProblemCode.PERIOD_OUTSIDE_YEAR, _with(_wrong_year)),
    BadCase(
        "period_as_date",
        ProblemCode.PERIOD_AS_DATE,
        _with(_set("tblActuals", "period", dt.datetime(2026, 1, 1))),
    ),
    BadCase("shares_not_100", ProblemCode.SHARES_NOT_100, _with(_set("tblKpis", "weight", 0.5))),
    BadCase(
        "children_not_sum",
        ProblemCode.CHILDREN_NOT_SUM,
        _with(_set("tblProposal", "final_target", 1_000_000)),
    ),
    BadCase("too_many_rows", ProblemCode.TOO_MANY_ROWS, _with(_too_many_kpis)),
    BadCase(
        "control_characters",
        ProblemCode.CONTROL_CHARACTERS,
        _with(_set("tblReps", "rep_name", "Ann_x0007_")),
    ),
    BadCase("text_too_long", ProblemCode.TEXT_TOO_LONG, _after(_long_text)),
    BadCase("bad_setting", ProblemCode.BAD_SETTING, _with(_set("tblSettings", "value", 13, 2))),
    BadCase("blank_required", ProblemCode.BLANK_VALUE, _with(_set("tblHistory", "amount", None))),
    BadCase("bad_date", ProblemCode.BAD_DATE, _with(_set("tblProducts", "launch_date", "soon"))),
)


def write_bad_tables(folder: Path) -> dict[Path, ProblemCode]:
    """Write every bad-table case into `folder`; map each file to its expected code."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[Path, ProblemCode] = {}
    for case in BAD_TABLE_CASES:
        path = folder / f"{case.name}.xlsx"
        case.build().save(path)
        written[path] = case.code
    return written


def reopen(wb: Workbook) -> Workbook:
    """Save and load again in memory, so cells carry the types a real file gives them."""
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)
