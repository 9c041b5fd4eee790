"""Benchmark: live round trips of `split` on the demo plan, per table, and its time.

Runs split live on the demo plan (`salesgoal demo`, then `propose --final base`) opened in a
headless LibreOffice through UNO, counting every call to the live-workbook interface by
table; then the same split through the xlwings adapter on the recording double, counting
the calls that would cross to Excel. Target: a small constant per table, not per row.
Also prints the time of the live split and of the CLI's split on the same file.

    .venv/bin/python benchmarks/bench_live.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class CountingBook:
    """A live workbook passing every call through, counted by method and table."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.calls: Counter[tuple[str, str]] = Counter()

    @property
    def name(self) -> str:
        return str(self.book.name)

    def __getattr__(self, method: str) -> Any:
        target = getattr(self.book, method)

        def counted(*args: Any) -> Any:
            table = (
                args[0] if args and method in ("read_table", "write_table", "cells_below") else ""
            )
            self.calls[(method, table)] += 1
            return target(*args)

        return counted


def main() -> None:
    from salesgoal_xl.addin.live_uno import UnoWorkbook
    from salesgoal_xl.addin.live_xlwings import XlwingsWorkbook
    from salesgoal_xl.commands.demo import write_demo_workbook
    from salesgoal_xl.commands.propose import run_propose
    from salesgoal_xl.commands.split import run_split
    from salesgoal_xl.workbook.live import run_live
    from salesgoal_xl.workbook.package_port import PackagePort
    from tests.addin.xlwings_double import book_from_file
    from tests.libreoffice import HeadlessOffice

    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    plan = Path(write_demo_workbook(folder / "plan.xlsx", "en", force=True))
    run_propose(PackagePort(plan), final="base")
    cli_copy = folder / "cli.xlsx"
    shutil.copy(plan, cli_copy)
    started = time.perf_counter()
    run_split(PackagePort(cli_copy))
    cli_seconds = time.perf_counter() - started

    with HeadlessOffice() as office:
        document = office.load(plan)
        counting = CountingBook(UnoWorkbook(document))
        started = time.perf_counter()
        summary = run_live(counting, run_split)
        live_seconds = time.perf_counter() - started
        document.close(True)

    print(f"split live in LibreOffice on the demo: {summary.leaf_rows:,} leaf rows")
    print(f"{'interface call':<16} {'table':<16} {'count':>5}")
    for (method, table), count in sorted(counting.calls.items()):
        print(f"{method:<16} {table or '-':<16} {count:>5}")
    tables = {t for (m, t) in counting.calls if t}
    total = sum(counting.calls.values())
    print(f"total {total} interface calls for {len(tables)} tables")
    print(f"time: live split {live_seconds:.1f} s (LibreOffice), CLI split {cli_seconds:.1f} s")

    book = book_from_file(plan)
    run_live(XlwingsWorkbook(book), run_split)
    by_kind = Counter(call.split()[0].split("=")[0] for call in book.recorder.calls)
    print(
        "xlwings calls to Excel (recording double): "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(by_kind.items()))
        + f"; total {len(book.recorder.calls)}"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
