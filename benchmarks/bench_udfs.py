"""Per-call cost of the worksheet functions in Python (run by `make bench`; prints, not a test).

Measures the Python side of one cell's call, with arguments shaped as xlwings passes them
(floats, a 1,000-row column as a list of rows). The COM round trip from Excel to Python comes
on top and cannot be measured without Excel. Targets: SG_RISK under 50 us a call, SG_ALLOCATE
over 1,000 weights under 2 ms a call.
"""

from __future__ import annotations

import os
import random
import timeit
from collections.abc import Callable
from typing import Any

from salesgoal_xl.addin import udfs

RISK_TARGET_US = 50.0
ALLOCATE_TARGET_MS = 2.0


def per_call_seconds(call: Callable[[], Any], number: int) -> float:
    """The best of fifteen timings of ``number`` calls, per call (the least disturbed run)."""
    return min(timeit.repeat(call, number=number, repeat=15)) / number


def main() -> None:
    """Time SG_RISK and SG_ALLOCATE and say whether each meets its target."""
    risk = udfs.sg_risk(82_000.0, 100_000.0, 250_000.0, 6.0, 20_000.0)
    assert risk[0][0] == "amber", risk
    risk_us = 1e6 * per_call_seconds(
        lambda: udfs.sg_risk(82_000.0, 100_000.0, 250_000.0, 6.0, 20_000.0), 1_000
    )

    rng = random.Random(20260)
    weights = [[round(rng.uniform(0.5, 200.0), 2)] for _ in range(1_000)]
    whole = udfs.sg_allocate(12_345_600.0, weights, 100.0)
    assert sum(row[0] for row in whole) == 12_345_600.0, "parts must add up to the total"
    allocate_ms = 1e3 * per_call_seconds(lambda: udfs.sg_allocate(12_345_600.0, weights, 100.0), 20)

    # Timings scale with how busy the machine is; say so beside them.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, value, unit, target in (
        ("SG_RISK", risk_us, "us", RISK_TARGET_US),
        ("SG_ALLOCATE, 1,000 weights", allocate_ms, "ms", ALLOCATE_TARGET_MS),
    ):
        verdict = "within" if value < target else "OVER"
        print(f"{name:<28} {value:8.1f} {unit} per call ({verdict} the {target:g} {unit} target)")


if __name__ == "__main__":
    main()
