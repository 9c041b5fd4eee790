"""Part-level reading and rewriting of one table, checked by reopening with openpyxl."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from salesgoal_xl.workbook import package


def _workbook(tmp_path: Path, *, beside: bool = False, below: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Targets"
    ws.append(["Period", "Rep ID", "Target"])
    ws.append(["2026-01", "R1", 100])
    ws.append(["2026-02", "R1", 200])
    ws["C2"].number_format = "#,##0"
    ws.add_table(Table(displayName="tblTargets", ref="A1:C3"))
    if beside:
        ws["E2"] = "my note"
    if below:
        ws["A10"] = "total"
    other = wb.create_sheet("Matrix")
    other["A1"] = "=SUM(Targets!C2:C3)"
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    return path


def _rewrite(path: Path, rows: list[tuple[object, ...]]) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        table = package.locate_tables(archive)["tblTargets"]
        sheet_xml = archive.read(table.sheet_part)
        table_xml = archive.read(table.part)
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[], [], []]
        new_rows = package.rows_xml(columns, 1, 2, [None, None, None])
        sheet, tbl = package.replace_table_rows(sheet_xml, table_xml, table, new_rows, len(rows))
        return {table.sheet_part: sheet, table.part: tbl}


def _replaced(path: Path, parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, parts.get(info.filename, src.read(info.filename)))
    return buffer.getvalue()


def test_tables_are_found_by_name_with_their_sheet(tmp_path: Path) -> None:
    """locate_tables maps a table name to its parts, sheet name, range and headers."""
    with zipfile.ZipFile(_workbook(tmp_path)) as archive:
        table = package.locate_tables(archive)["tblTargets"]
    assert table.sheet_name == "Targets"
    assert table.ref == "A1:C3"
    assert table.headers == ("Period", "Rep ID", "Target")


def test_rows_are_read_within_the_table_only(tmp_path: Path) -> None:
    """read_table_rows returns the data rows of the table and nothing beside it."""
    with zipfile.ZipFile(_workbook(tmp_path, beside=True)) as archive:
        table = package.locate_tables(archive)["tblTargets"]
        rows = package.read_table_rows(archive, table)
    assert rows == [["2026-01", "R1", 100], ["2026-02", "R1", 200]]


def test_rewrite_grows_the_table_and_keeps_other_parts(tmp_path: Path) -> None:
    """A rewrite with more rows resizes the table; openpyxl reads the new rows back."""
    path = _workbook(tmp_path)
    rows = [(f"2026-{m:02d}", "R1", m * 10) for m in range(1, 13)]
    data = _replaced(path, _rewrite(path, rows))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Targets"]
    assert ws.tables["tblTargets"].ref == "A1:C13"
    assert [c.value for c in ws["C"]][1:] == [m * 10 for m in range(1, 13)]
    assert wb["Matrix"]["A1"].value == "=SUM(Targets!C2:C3)"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """A rep name such as '=HYPERLINK(...)' is written as an inline string, not a formula."""
    path = _workbook(tmp_path)
    data = _replaced(path, _rewrite(path, [("2026-01", '=HYPERLINK("x")', 5)]))
    cell = openpyxl.load_workbook(io.BytesIO(data))["Targets"]["B2"]
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"


def test_cells_below_the_table_refuse_the_fast_path(tmp_path: Path) -> None:
    """A value below the table in its columns makes the part rewrite step aside."""
    path = _workbook(tmp_path, below=True)
    with pytest.raises(package.NotFastPath):
        _rewrite(path, [("2026-01", "R1", 1)])


def test_cells_beside_the_table_keep_their_place(tmp_path: Path) -> None:
    """A note typed beside the table survives a rewrite that shrinks and one that grows it."""
    path = _workbook(tmp_path, beside=True)
    shrunk = tmp_path / "shrunk.xlsx"
    shrunk.write_bytes(_replaced(path, _rewrite(path, [("2026-01", "R1", 1)])))
    ws = openpyxl.load_workbook(shrunk)["Targets"]
    assert ws["E2"].value == "my note"
    assert ws.tables["tblTargets"].ref == "A1:C2"
    rows = [(f"2026-{m:02d}", "R1", m) for m in range(1, 5)]
    ws = openpyxl.load_workbook(io.BytesIO(_replaced(shrunk, _rewrite(shrunk, rows))))["Targets"]
    assert ws["E2"].value == "my note"
    assert [ws[f"C{r}"].value for r in range(2, 6)] == [1, 2, 3, 4]


def test_cached_formula_values_are_stripped() -> None:
    """A formula cell keeps its formula and loses its cached (possibly stale) value."""
    xml = b'<c r="A1"><f>SUM(B1:B2)</f><v>42</v></c><c r="B1"><v>7</v></c>'
    assert package.strip_cached_formula_values(xml) == (
        b'<c r="A1"><f>SUM(B1:B2)</f></c><c r="B1"><v>7</v></c>'
    )


def test_full_calculation_is_requested() -> None:
    """The workbook part asks Excel to recalculate on load, with or without a calcPr."""
    assert b'fullCalcOnLoad="1"' in package.force_full_calculation(
        b'<workbook><calcPr calcId="1"/></workbook>'
    )
    assert b'<calcPr fullCalcOnLoad="1"/>' in package.force_full_calculation(
        b"<workbook></workbook>"
    )
