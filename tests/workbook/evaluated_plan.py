"""The demo plan taken through the whole command line up to `evaluate`, with uneven actuals."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.workbook.package_port import PackagePort

ACTUAL_MONTHS = 6
runner = CliRunner()


def run_cli(*args: str) -> str:
    """Run one `salesgoal` command; fail with its output unless it exits 0."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def rep_rate(rep_id: str) -> float:
    """A made-up, uneven share of target each rep sells: 55% to 130% in steps over the reps."""
    number = int("".join(ch for ch in rep_id if ch.isdigit()) or 0)
    return 0.55 + (number * 37 % 16) * 0.05


def evaluated_demo(folder: Path, lang: str = "en") -> Path:
    """demo, propose, split, six months of CRM-style actuals imported, evaluate: the plan."""
    path = folder / f"evaluated-{lang}.xlsx"
    run_cli("demo", str(path), "--lang", lang, "--force")
    run_cli("propose", str(path), "--final", "base")
    run_cli("split", str(path))
    targets = PackagePort(path).read_table("tblTargets").frame
    periods = sorted(set(targets["period"]))[:ACTUAL_MONTHS]
    source = folder / f"actuals-{lang}.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Period", "Rep ID", "Channel", "Product", "Amount"])
        for row in targets[targets["period"].isin(periods)].itertuples():
            amount = int(int(row.target) * rep_rate(str(row.rep_id)))
            writer.writerow([row.period, row.rep_id, row.channel, row.product, amount])
    run_cli("import-actuals", str(path), str(source))
    run_cli("evaluate", str(path))
    return path
