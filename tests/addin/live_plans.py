"""Plans for the live-path tests, built in code from the demo plan."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def broken_plan(source: Path, folder: Path) -> Path:
    """The demo plan with one broken cell per family the live reader must see as on file."""
    wb = openpyxl.load_workbook(source)
    reps = wb["Settings"]
    first, _ = reps.tables["tblReps"].ref.split(":")
    top = int(first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    headers = {c.value: c.column for c in reps[top] if c.value}
    reps.cell(top + 2, headers["Capacity"]).value = "abc"  # text in a number column
    reps.cell(top + 3, headers["Capacity"]).value = "0.5"  # a plain number as text
    reps.cell(top + 4, headers["Region"]).value = "NOWHERE"  # an unknown code
    reps.cell(top + 5, headers["Potential"]).value = "1,000"  # a locale number
    reps.cell(top + 6, headers["Capacity"]).value = "=1/2"  # a formula in an input
    out = folder / "broken.xlsx"
    wb.save(out)
    return out
