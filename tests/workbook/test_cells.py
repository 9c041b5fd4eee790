"""What a cell's value means: the serial-date rule of the readers that see only numbers."""

from __future__ import annotations

import datetime as dt

from salesgoal_xl.workbook.cells import serial_date


def test_a_serial_outside_excels_calendar_reads_as_value_error() -> None:
    """A date column's number past 9999, before 1900 or not finite reads as Excel shows it."""
    assert serial_date(46082.0) == dt.date(2026, 3, 1)
    assert serial_date(5.337090429760307e16) == "#VALUE!"
    assert serial_date(-1) == "#VALUE!"
    assert serial_date(float("nan")) == "#VALUE!"
    assert serial_date("2026-03") == "2026-03"
