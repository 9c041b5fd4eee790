"""Benchmark: `evaluate` end to end on the 120,000-leaf plan with six months of actuals.

The plan is bench_split's synthetic plan (1,000 reps x 10 products x 12 months), split, with
bench_import's CRM export of about 500,000 deal rows imported (each step in its own process,
as a user runs them). Then, in a fresh process, evaluate as the CLI runs it.

Prints, from one run:
- the total time of evaluate on the file (open, read the inputs, track every unit, score,
  judge fairness, write every tracking and evaluation table, atomic save), with its parts;
- the I/O floor, measured in the same run: openpyxl read-only iterating the cells evaluate
  reads (tblTargets and tblActuals) plus openpyxl write-only writing as many output cells as
  evaluate wrote (the same tables, rows and columns);
- the peak memory of the evaluate process.
Targets: total within 2x of the floor, peak under 2 GB.

    .venv/bin/python benchmarks/bench_evaluate.py [--reps 1000] [--products 10] [--deals 500000]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def evaluate_in_this_process(plan: Path) -> dict[str, object]:
    """Run evaluate on `plan` as the CLI does; seconds per phase, peak MB and what it wrote."""
    from salesgoal_xl.commands.evaluate import run_evaluate
    from salesgoal_xl.workbook.package_port import PackagePort

    phases: dict[str, float] = {}
    start = time.perf_counter()
    last: list[object] = [start, "opening"]

    def progress(_fraction: float, message: str) -> None:
        now = time.perf_counter()
        name = str(last[1])
        phases[name] = phases.get(name, 0.0) + now - float(str(last[0]))
        last[:] = [now, message]

    port = PackagePort(plan, progress=progress)
    written: dict[str, list[int]] = {}
    write_table = port.write_table

    def counting(name: str, frame: object, *args: object, **kwargs: object) -> object:
        shape = getattr(frame, "shape", (0, 0))
        written[name] = [int(shape[0]), int(shape[1])]
        return write_table(name, frame, *args, **kwargs)  # type: ignore[arg-type]

    port.write_table = counting  # type: ignore[method-assign, assignment]
    summary = run_evaluate(port)
    total = time.perf_counter() - start
    progress(1.0, "")
    return {
        "total": total,
        "as_of": str(summary.as_of),
        "written": written,
        "fast_writes": list(port.fast_writes),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "phases": {k: v for k, v in phases.items() if k},
    }


def read_floor(plan: Path) -> tuple[float, int]:
    """Seconds for openpyxl read-only to iterate every cell of the Targets and Actuals sheets
    (what evaluate must read), and how many cells that was."""
    from openpyxl import load_workbook

    from salesgoal_xl.workbook import schema

    sheets = {
        s.label.get("en") for s in schema.SHEETS if {"tblTargets", "tblActuals"} & set(s.tables)
    }
    start = time.perf_counter()
    wb = load_workbook(plan, read_only=True, data_only=True)
    cells = 0
    for name in sheets:
        for row in wb[name].iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    return time.perf_counter() - start, cells


def write_floor(written: dict[str, list[int]], path: Path) -> tuple[float, int]:
    """Seconds for openpyxl write-only to write the same tables' rows x columns (numbers and
    short texts, one sheet per table), and how many cells that was."""
    from openpyxl import Workbook

    start = time.perf_counter()
    wb = Workbook(write_only=True)
    cells = 0
    for name, (rows, columns) in written.items():
        ws = wb.create_sheet(name[:31])
        ws.append([f"Column {c}" for c in range(columns)])
        for r in range(rows):
            ws.append([r * 1.25 + c if c % 3 else f"R{r:05d}" for c in range(columns)])
        cells += (rows + 1) * columns
    wb.save(path)
    return time.perf_counter() - start, cells


def _child(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    from benchmarks.synthetic_plan import size_parser

    args = size_parser(__doc__, deals=True).parse_args()
    if args.child:
        print(json.dumps(evaluate_in_this_process(args.child)))
        return

    from benchmarks.bench_import import write_export
    from benchmarks.synthetic_plan import proposed_plan

    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        plan, export = Path(tmp) / "synthetic-plan.xlsx", Path(tmp) / "crm-deals.csv"
        start = time.perf_counter()
        proposed_plan(plan, args.reps, args.products)
        split = json.loads(_child(str(here / "bench_split.py"), "--child", str(plan)))
        write_export(export, args.reps, args.products, args.deals)
        imported = json.loads(
            _child(str(here / "bench_import.py"), "--child", str(plan), str(export))
        )
        print(
            f"prepared the plan in {time.perf_counter() - start:.1f} s: "
            f"{int(split['rows']):,} leaf targets, {int(imported['source_rows']):,} deal rows "
            f"-> {int(imported['rows']):,} actuals rows, {plan.stat().st_size / 1e6:.1f} MB"
        )
        figures = json.loads(_child(__file__, "--child", str(plan)))
        read, read_cells = read_floor(plan)
        write, write_cells = write_floor(figures["written"], Path(tmp) / "floor.xlsx")

    total, floor = float(figures["total"]), read + write
    rows = sum(r for r, _ in figures["written"].values())
    print(
        f"evaluate, end to end        {total:7.2f} s  (as of {figures['as_of']}; "
        f"{len(figures['written'])} tables, {rows:,} rows written; part-wise: "
        f"{', '.join(figures['fast_writes']) or 'none'})"
    )
    for phase, seconds in figures["phases"].items():
        print(f"  {phase[:40]:<40}{seconds:7.2f} s")
    print(f"floor: openpyxl read-only   {read:7.2f} s  ({read_cells:,} input cells)")
    print(f"floor: openpyxl write-only  {write:7.2f} s  ({write_cells:,} output cells)")
    print(f"total / floor               {total / floor:7.2f} x  (target <= 2x)")
    print(f"peak memory of evaluate     {figures['peak_mb']:7.0f} MB (target < 2,048 MB)")


if __name__ == "__main__":
    main()
