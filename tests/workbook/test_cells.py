"""What a cell's value means: the serial-date rule of the readers that see only numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook

from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.cells import command_values, serial_date


def test_a_serial_outside_excels_calendar_reads_as_value_error() -> None:
    """A date column's number past 9999, before 1900 or not finite reads as Excel shows it."""
    assert serial_date(46082.0) == dt.date(2026, 3, 1)
    assert serial_date(5.337090429760307e16) == "#VALUE!"
    assert serial_date(-1) == "#VALUE!"
    assert serial_date(float("nan")) == "#VALUE!"
    assert serial_date("2026-03") == "2026-03"


def test_openpyxl_and_the_part_wise_reader_agree_on_a_negative_date_serial(tmp_path: Path) -> None:
    """-63 typed in a date cell: openpyxl turns it into 1899-10-28, the part-wise reader sees
    the number; both read it as the #VALUE! Excel shows (check and split agreed only on one
    reader before: found by test_files_agree)."""
    start = next(c for c in schema.table("tblReps").columns if c.key == "start_date")
    book = Workbook()
    sheet = book.active
    sheet["A1"] = -63
    sheet["A1"].number_format = "yyyy-mm-dd"
    sheet["A2"] = dt.datetime(2026, 3, 1)
    path = tmp_path / "dates.xlsx"
    book.save(path)
    read = load_workbook(path)["Sheet"]
    assert isinstance(read["A1"].value, dt.datetime)  # what openpyxl hands over
    values = [read["A1"].value, read["A2"].value]
    assert command_values(start, values) == ["#VALUE!", dt.date(2026, 3, 1)]
    assert [serial_date(-63), serial_date(46082)] == ["#VALUE!", dt.date(2026, 3, 1)]
