"""Benchmark: `import-actuals` end to end, ~500,000 CRM deal rows into the 120,000-leaf plan.

The synthetic plan is bench_split's (1,000 reps x 10 products x 12 months, one channel, three
years of history); the export is six months of deals, about 8 per rep, product and month,
with CRM headers, ISO date-times and thousands separators ("12,345.67").

Prints, from one run:
- the total time of import-actuals on the file (open, read the export, check and sum every
  row, write tblActuals part-wise, atomic save), with its parts;
- the I/O floor, measured in the same run: pandas read_csv of the same export plus openpyxl
  write-only writing the same output cells;
- the peak memory of the import process.
Targets: total within 2x of the floor, peak under 2 GB.

    .venv/bin/python benchmarks/bench_import.py [--reps 1000] [--products 10] [--deals 500000]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTHS = 6


def write_export(path: Path, reps: int, products: int, deals: int, seed: int = 11) -> None:
    """A CRM export of `deals` won deals over the first six months of FY2026."""
    rng = np.random.default_rng(seed)
    rep = rng.integers(1, reps + 1, size=deals)
    product = rng.integers(1, products + 1, size=deals)
    month = rng.integers(1, MONTHS + 1, size=deals)
    day = rng.integers(1, 29, size=deals)
    cents = rng.integers(10_000, 2_000_000, size=deals)
    frame = pd.DataFrame(
        {
            "Opportunity ID": np.arange(1, deals + 1),
            "Stage": "Closed Won",
            "Close Date": [
                f"2026-{m:02d}-{d:02d}T{d % 24:02d}:15:00" for m, d in zip(month, day, strict=True)
            ],
            "Owner ID": [f"R{r:05d}" for r in rep],
            "Channel": "DIR",
            "Product Line": [f"P{p:02d}" for p in product],
            "Amount": [f"{c // 100:,}.{c % 100:02d}" for c in cents],
        }
    )
    frame.to_csv(path, index=False)


def import_in_this_process(plan: Path, export: Path) -> dict[str, float]:
    """Run import-actuals on `plan` as the CLI does; seconds per phase and peak MB."""
    from salesgoal_xl.commands.imports import ImportOptions, run_import_actuals
    from salesgoal_xl.workbook.package_port import PackagePort

    phases: dict[str, float] = {}
    start = time.perf_counter()
    last: list[float | str] = [start, "open"]

    def progress(_fraction: float, message: str) -> None:
        now = time.perf_counter()
        phases[str(last[1])] = phases.get(str(last[1]), 0.0) + now - float(last[0])
        last[:] = [now, message.split(" ")[0]]

    port = PackagePort(plan, progress=progress)
    summary = run_import_actuals(port, export, ImportOptions())
    total = time.perf_counter() - start
    if port.fast_writes != ["tblActuals"]:
        raise SystemExit("the part-wise write was not used; the benchmark would mislead")
    return {
        "total": total,
        "source_rows": float(summary.source_rows),
        "rows": float(summary.rows),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **{f"phase {k}": v for k, v in phases.items()},
    }


def io_floor(export: Path, rows: int, path: Path) -> tuple[float, float]:
    """Seconds for pandas to read the export, and for openpyxl write-only to write `rows`
    rows of tblActuals' six cells."""
    from openpyxl import Workbook

    start = time.perf_counter()
    pd.read_csv(export)
    read = time.perf_counter() - start
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Actuals")
    ws.append(["Period", "Rep ID", "Channel", "Product", "Amount", "Deals"])
    for i in range(rows):
        ws.append(
            [f"2026-{i % 6 + 1:02d}", f"R{i // 60:05d}", "DIR", f"P{i % 10:02d}", 123456.78 + i, 8]
        )
    wb.save(path)
    return read, time.perf_counter() - start


def main() -> None:
    from benchmarks.synthetic_plan import size_parser

    args = size_parser(__doc__, deals=True, child_files=2).parse_args()
    if args.child:
        print(json.dumps(import_in_this_process(*args.child)))
        return

    from benchmarks.synthetic_plan import synthetic_tables
    from salesgoal_xl.commands.new import new_workbook

    with tempfile.TemporaryDirectory() as tmp:
        plan, export = Path(tmp) / "synthetic-plan.xlsx", Path(tmp) / "crm-deals.csv"
        start = time.perf_counter()
        tables = synthetic_tables(args.reps, args.products)
        new_workbook(plan, data=tables, year=2026)
        print(
            f"built the synthetic plan: {args.reps:,} reps x {args.products} products "
            f"({args.reps * args.products * 12:,} leaves), {len(tables['tblHistory']):,} "
            f"history rows, {plan.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - start:.1f} s"
        )
        write_export(export, args.reps, args.products, args.deals)
        print(f"wrote the export: {args.deals:,} deal rows, {export.stat().st_size / 1e6:.1f} MB")
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(plan), str(export)],
            check=False,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            raise SystemExit(f"import failed:\n{child.stdout}\n{child.stderr}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        read, write = io_floor(export, int(figures["rows"]), Path(tmp) / "floor.xlsx")

    total, floor = figures["total"], read + write
    print(
        f"import-actuals, end to end  {total:7.2f} s  ({int(figures['source_rows']):,} deal "
        f"rows -> {int(figures['rows']):,} actuals rows)"
    )
    for key, seconds in figures.items():
        if key.startswith("phase "):
            print(f"  {key[6:]:<26}{seconds:7.2f} s")
    print(f"floor: pandas read_csv      {read:7.2f} s")
    print(f"floor: openpyxl write-only  {write:7.2f} s  (same output cells)")
    print(f"total / floor               {total / floor:7.2f} x  (target <= 2x)")
    print(f"peak memory of the import   {figures['peak_mb']:7.0f} MB (target < 2,048 MB)")


if __name__ == "__main__":
    main()
