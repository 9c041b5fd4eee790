"""fill_table writes typed rows, live formulas and styles, and keeps the table's rules in step."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import openpyxl
import pandas as pd
import pytest
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.fill import a1_formula, cell_value, fill_table, order_rows


def bare_table(name: str, lang: str = "en", extra: tuple[str, ...] = ()) -> Worksheet:
    """A sheet holding table `name` with its headers on row 1 and one blank data row."""
    spec = schema.table(name)
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = [c.label.get(lang) for c in spec.columns] + list(extra)
    for i, header in enumerate(headers, start=1):
        ws.cell(1, i, header)
    last = openpyxl.utils.get_column_letter(len(headers))
    tbl = ExcelTable(displayName=name, ref=f"A1:{last}2")
    tbl.tableColumns = [TableColumn(id=i + 1, name=h) for i, h in enumerate(headers)]
    ws.add_table(tbl)
    return ws


def reload(ws: Worksheet) -> Worksheet:
    """The sheet after a save and a fresh load, as another program would see it."""
    buffer = BytesIO()
    ws.parent.save(buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer).worksheets[0]


def test_text_that_looks_like_a_formula_stays_text() -> None:
    """A description starting with '=', '+', '-' or '@' is stored as a string, never a formula."""
    ws = bare_table("tblAdjustments")
    hostile = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1)"]
    frame = pd.DataFrame({"adj_id": ["A1", "A2", "A3", "A4"], "description": hostile})
    filled = fill_table(ws, schema.table("tblAdjustments"), frame)
    again = reload(ws)
    column = filled.letters["description"]
    for i, text in enumerate(hostile):
        cell = again[f"{column}{2 + i}"]
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix


def test_formula_columns_get_a1_formulas_for_their_row() -> None:
    """A FORMULA column holds the schema template turned into same-row A1 references."""
    ws = bare_table("tblTracking")
    frame = pd.DataFrame({"rep_id": ["R1", "R2"], "annual_target": [100, 200]})
    filled = fill_table(ws, schema.table("tblTracking"), frame)
    gap = ws[filled.cell(1, "gap")].value
    assert gap == f"={filled.cell(1, 'annual_target')}-{filled.cell(1, 'actual_to_date')}"


def test_row_above_placeholder_points_at_the_previous_row() -> None:
    """`{key:above}` is the cell one row up: the header cell for the first data row."""
    letters = {"rep_id": "E", "matrix_key": "K"}
    assert a1_formula("={rep_id}={rep_id:above}+{matrix_key:above}", 5, letters) == "=E5=E4+K4"
    assert a1_formula("={rep_id}*FirstMonth", 7, letters) == "=E7*FirstMonth"


def test_table_grows_and_shrinks_with_the_frame() -> None:
    """The table ref spans exactly the rows written, and rows dropped are cleared."""
    ws = bare_table("tblActuals")
    spec = schema.table("tblActuals")
    fill_table(ws, spec, pd.DataFrame({"period": ["2026-01"] * 5, "amount": range(5)}))
    assert ws.tables["tblActuals"].ref == "A1:F6"
    fill_table(ws, spec, pd.DataFrame({"period": ["2026-02"] * 2, "amount": [1, 2]}))
    assert ws.tables["tblActuals"].ref == "A1:F3"
    assert all(ws.cell(row, 1).value is None for row in range(4, 7))


def test_an_empty_frame_keeps_one_blank_row() -> None:
    """Excel tables need a data row, so an empty write leaves one blank row."""
    ws = bare_table("tblActuals")
    filled = fill_table(ws, schema.table("tblActuals"), pd.DataFrame())
    assert (filled.ref, filled.rows) == ("A1:F2", 0)
    assert ws["A2"].value is None


def test_validation_and_conditional_formats_follow_the_rows() -> None:
    """Rules starting on the first data row are stretched to the new last row."""
    ws = bare_table("tblActuals")
    dv = DataValidation(type="list", formula1="lstReps")
    dv.add("B2")
    ws.add_data_validation(dv)
    red = PatternFill("solid", start_color="FF0000", end_color="FF0000")
    ws.conditional_formatting.add("E2", CellIsRule(operator="lessThan", formula=["0"], fill=red))
    fill_table(ws, schema.table("tblActuals"), pd.DataFrame({"amount": range(10)}))
    assert str(ws.data_validations.dataValidation[0].sqref) == "B2:B11"
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["E2:E11"]


def test_a_users_own_columns_are_kept() -> None:
    """A user's formula column is copied down to every row; their values stay on their rows."""
    ws = bare_table("tblActuals", extra=("My share", "My note"))
    ws["G2"], ws["H2"] = "=E2/1000", "keep me"
    fill_table(ws, schema.table("tblActuals"), pd.DataFrame({"amount": [1, 2, 3]}))
    assert [ws[f"G{r}"].value for r in (2, 3, 4)] == ["=E2/1000", "=E3/1000", "=E4/1000"]
    assert ws["H2"].value == "keep me"
    assert ws.tables["tblActuals"].ref == "A1:H4"


def test_headers_in_another_language_are_matched() -> None:
    """A table with Traditional Chinese headers is written by schema key all the same."""
    ws = bare_table("tblActuals", lang="zh-Hant")
    filled = fill_table(ws, schema.table("tblActuals"), pd.DataFrame({"rep_id": ["R9"]}))
    assert ws[filled.cell(0, "rep_id")].value == "R9"


def test_missing_table_header_or_space_is_a_problem() -> None:
    """No table, a lost header, or data in the way below: a coded problem, nothing written."""
    spec = schema.table("tblActuals")
    with pytest.raises(ProblemsFound) as missing:
        fill_table(bare_table("tblReps"), spec, pd.DataFrame())
    assert missing.value.problems[0].code is ProblemCode.MISSING_TABLE
    ws = bare_table("tblActuals")
    ws["B1"] = "Who"
    with pytest.raises(ProblemsFound) as header:
        fill_table(ws, spec, pd.DataFrame({"rep_id": ["R1"]}))
    assert header.value.problems[0].code is ProblemCode.MISSING_HEADER
    ws = bare_table("tblActuals")
    ws["C4"] = "typed below the table"
    with pytest.raises(ProblemsFound) as below:
        fill_table(ws, spec, pd.DataFrame({"amount": [1, 2, 3]}))
    assert below.value.problems[0].code is ProblemCode.ROWS_OUTSIDE_TABLE
    assert ws["A2"].value is None


def test_unknown_frame_columns_are_refused() -> None:
    """A frame column the schema does not know is a programming error, named in the message."""
    with pytest.raises(ValueError, match="wrong_key"):
        fill_table(
            bare_table("tblActuals"), schema.table("tblActuals"), pd.DataFrame({"wrong_key": [1]})
        )


def test_a_missing_formula_column_is_appended() -> None:
    """An older table without a schema FORMULA column gets it at its right edge."""
    spec = schema.table("tblTargets")
    ws = bare_table("tblTargets")
    ws.delete_cols(len(spec.columns))
    tbl = ws.tables["tblTargets"]
    tbl.ref = f"A1:{openpyxl.utils.get_column_letter(len(spec.columns) - 1)}2"
    tbl.tableColumns = tbl.tableColumns[:-1]
    filled = fill_table(
        ws, spec, pd.DataFrame({"rep_id": ["R1"], "period": ["2026-01"]}), "zh-Hans"
    )
    assert ws.cell(1, len(spec.columns)).value == "矩阵索引"
    assert str(ws[filled.cell(0, "matrix_key")].value).startswith("=(INT(N(")


def test_rows_are_grouped_by_rep_then_sorted_by_period() -> None:
    """tblTargets rows come out rep by rep (first-seen order), periods ascending in each."""
    frame = pd.DataFrame(
        {"rep_id": ["B", "A", "B", "A"], "period": ["2026-02", "2026-02", "2026-01", "2026-01"]}
    )
    ordered = order_rows(schema.table("tblTargets"), frame)
    assert list(zip(ordered["rep_id"], ordered["period"], strict=True)) == [
        ("B", "2026-01"),
        ("B", "2026-02"),
        ("A", "2026-01"),
        ("A", "2026-02"),
    ]


def test_values_are_typed_by_column() -> None:
    """Codes widened to float come back as '101'; dates lose times; blanks are None."""
    tbl = schema.table("tblReps")
    assert cell_value(tbl.column("rep_id"), 101.0, "en") == "101"
    assert cell_value(tbl.column("start_date"), pd.Timestamp("2026-03-01 10:00"), "en") == dt.date(
        2026, 3, 1
    )
    assert cell_value(tbl.column("capacity"), float("nan"), "en") is None
    assert cell_value(tbl.column("rep_name"), "a\x00b", "en") == "ab"
    assert cell_value(schema.table("tblApprovals").column("version"), 3.0, "en") == 3
