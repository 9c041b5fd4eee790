"""Benchmark: `split` end to end on a 1,000-rep x 10-product x 12-month plan (120,000 leaves).

Prints, from one run:
- the total time of split on the file (open, read, compute, write, atomic save), with its parts;
- the I/O floor: openpyxl alone writing the same 120,000 x 11 cells in write-only mode;
- the peak memory of the split process.
Targets: total within 2x of the floor, compute under 10% of the total, peak under 2 GB.

    .venv/bin/python benchmarks/bench_split.py [--reps 1000] [--products 10]
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


def split_in_this_process(path: Path) -> dict[str, float]:
    """Run split on `path` as the CLI does, timing its phases; returns seconds and peak MB."""
    from salesgoal_xl.commands.inputs import load_settings
    from salesgoal_xl.commands.split import build_request
    from salesgoal_xl.core.split import split_plan
    from salesgoal_xl.workbook.package_port import PackagePort

    start = time.perf_counter()
    port = PackagePort(path)
    request = build_request(port, load_settings(port))
    read = time.perf_counter()
    result = split_plan(request)
    computed = time.perf_counter()
    port.write_table("tblTargets", result.leaves)
    port.commit()
    written = time.perf_counter()
    if port.fast_writes != ["tblTargets"]:
        raise SystemExit("the part-wise write was not used; the benchmark would mislead")
    return {
        "open_and_read": read - start,
        "compute": computed - read,
        "write_and_save": written - computed,
        "total": written - start,
        "rows": float(len(result.leaves)),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def io_floor(rows: int, path: Path) -> float:
    """Seconds for openpyxl write-only to write `rows` x 11 cells like tblTargets' rows."""
    from openpyxl import Workbook

    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Targets")
    ws.append(
        [
            "Period",
            "Quarter",
            "Region",
            "Team",
            "Rep ID",
            "Rep name",
            "Channel",
            "Product",
            "Target",
            "Method",
            "Matrix key",
        ]
    )
    for i in range(rows):
        r = i + 2
        ws.append(
            [
                f"2026-{i % 12 + 1:02d}",
                f"Q{i % 12 // 3 + 1}",
                "RG1",
                "T001",
                f"R{i // 120:05d}",
                f"Rep {i // 120}",
                "DIR",
                f"P{i % 10:02d}",
                1200 + i % 700,
                "history>history>capacity; month:seasonal; mix:matrix",
                f"=(INT(N(K{r - 1})/100)+IF(E{r}=E{r - 1},0,1))*100+1",
            ]
        )
    wb.save(path)
    return time.perf_counter() - start


def main() -> None:
    from benchmarks.synthetic_plan import size_parser

    args = size_parser(__doc__).parse_args()
    if args.child:
        print(json.dumps(split_in_this_process(args.child)))
        return

    from benchmarks.synthetic_plan import proposed_plan

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "synthetic-plan.xlsx"
        start = time.perf_counter()
        tables = proposed_plan(plan, args.reps, args.products)
        print(
            f"built and proposed the synthetic plan: {args.reps:,} reps x {args.products} "
            "products, "
            f"{len(tables['tblHistory']):,} history rows, "
            f"{plan.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(plan)],
            check=False,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            raise SystemExit(f"split failed:\n{child.stdout}\n{child.stderr}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        floor = io_floor(int(figures["rows"]), Path(tmp) / "floor.xlsx")

    total = figures["total"]
    print(f"split, end to end          {total:7.2f} s  ({int(figures['rows']):,} leaf rows)")
    print(f"  open + read tables       {figures['open_and_read']:7.2f} s")
    print(
        f"  compute                  {figures['compute']:7.2f} s  "
        f"({figures['compute'] / total:.0%} of total; target < 10%)"
    )
    print(f"  write + atomic save      {figures['write_and_save']:7.2f} s")
    print(f"openpyxl write-only floor  {floor:7.2f} s  (same cells)")
    print(f"total / floor              {total / floor:7.2f} x  (target <= 2x)")
    print(f"peak memory of split       {figures['peak_mb']:7.0f} MB (target < 2,048 MB)")


if __name__ == "__main__":
    main()
