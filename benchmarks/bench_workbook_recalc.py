"""How long LibreOffice takes to recalculate a large plan (prints figures; not a test).

1,000 reps x 12 months x 10 channel/product pairs = 120,000 leaf targets, written by
build_workbook/fill_table, then one headless LibreOffice load + full recalculation + save.
The same load and save of the file with every formula removed is the baseline, so the
difference is the cost of the live formulas (matrix key, Rep x Month view, checks).

Run: .venv/bin/python benchmarks/bench_workbook_recalc.py [reps]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salesgoal_xl.workbook.builder import build_workbook, fiscal_months, save_workbook
from tests import libreoffice

PAIRS = 10


def leaf_targets(reps: int) -> pd.DataFrame:
    """reps x 12 months x PAIRS rows of distinct integer targets."""
    months = fiscal_months(2026, 1)
    rows = [
        {
            "period": period,
            "rep_id": f"R{r:05d}",
            "region": f"G{r % 7}",
            "channel": f"C{p % 2}",
            "product": f"P{p // 2}",
            "target": 1_000 + r + 10 * m + p,
        }
        for r in range(reps)
        for m, period in enumerate(months)
        for p in range(PAIRS)
    ]
    return pd.DataFrame(rows)


def main() -> None:
    """Build, save, recalculate; print each step's time and the checks' results."""
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    folder = Path(tempfile.mkdtemp(prefix="salesgoal-bench-"))
    targets = leaf_targets(reps)
    start = time.perf_counter()
    wb = build_workbook("en", fiscal_year=2026, first_month=1, data={"tblTargets": targets})
    built = time.perf_counter()
    path = save_workbook(wb, folder / "large.xlsx")
    saved = time.perf_counter()
    print(f"{len(targets):,} target rows, {reps:,} matrix rows")
    print(f"build {built - start:.1f} s, save {saved - built:.1f} s")

    plain = openpyxl.load_workbook(path)
    for ws in plain.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = None
    baseline = folder / "baseline.xlsx"
    plain.save(baseline)

    libreoffice.recalculate([baseline], folder / "warm")  # first start creates the profile
    t0 = time.perf_counter()
    libreoffice.recalculate([baseline], folder / "b")
    t1 = time.perf_counter()
    (out,) = libreoffice.recalculate([path], folder / "r")
    t2 = time.perf_counter()
    print(f"LibreOffice load+save without formulas: {t1 - t0:.1f} s")
    print(f"LibreOffice load+recalc+save with formulas: {t2 - t1:.1f} s")
    values = openpyxl.load_workbook(out, data_only=True, read_only=True)
    checks = values["Targets"].iter_rows(min_row=4, max_row=11, min_col=14, max_col=14)
    print("checks:", [row[0].value for row in checks])
    print("errors:", len(libreoffice.error_cells(out)) if reps <= 200 else "not scanned")


if __name__ == "__main__":
    main()
