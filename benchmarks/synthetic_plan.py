"""A large synthetic plan for benchmarks: N reps x P products, three years of monthly history."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from salesgoal_xl.commands.demo import kpis_frame, split_rules_frame
from salesgoal_xl.workbook import schema


def size_parser(doc: str, *, deals: bool = False, child_files: int = 1) -> argparse.ArgumentParser:
    """The command line of a benchmark on a synthetic plan: its size (reps, products and,
    for the imports, deals), and the hidden --child the benchmark re-runs itself with, to
    measure in a fresh process (`child_files` paths)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--products", type=int, default=10)
    if deals:
        parser.add_argument("--deals", type=int, default=500_000)
    nargs = None if child_files == 1 else child_files
    parser.add_argument("--child", nargs=nargs, type=Path, help=argparse.SUPPRESS)
    return parser


def proposed_plan(path: Path, reps: int, products: int) -> dict[str, pd.DataFrame]:
    """Write the synthetic plan to `path` and run propose on it (the company's final target
    kept), as a person does before splitting: the regions' forecasts the split rules use
    come from it. Returns the tables the plan was built from."""
    from salesgoal_xl.commands.new import new_workbook
    from salesgoal_xl.commands.propose import run_propose
    from salesgoal_xl.workbook.package_port import PackagePort

    tables = synthetic_tables(reps, products)
    new_workbook(path, data=tables, year=2026)
    run_propose(PackagePort(path))
    return tables


def synthetic_tables(
    reps: int = 1_000, products: int = 10, fiscal_year: int = 2026, seed: int = 7
) -> dict[str, pd.DataFrame]:
    """Workbook tables for a plan of `reps` reps selling `products` products in one channel."""
    rng = np.random.default_rng(seed)
    regions = [f"RG{i}" for i in range(1, 6)]
    teams = [f"T{i:03d}" for i in range(1, reps // 10 + 1)]
    team_region = {t: regions[i % len(regions)] for i, t in enumerate(teams)}
    rep_ids = [f"R{i:05d}" for i in range(1, reps + 1)]
    rep_team = [teams[i % len(teams)] for i in range(reps)]
    product_codes = [f"P{i:02d}" for i in range(1, products + 1)]
    months = [f"{y}-{m:02d}" for y in range(fiscal_year - 3, fiscal_year) for m in range(1, 13)]
    season = np.array([0.9, 0.85, 1.0, 0.95, 1.0, 0.9, 0.8, 0.8, 1.0, 1.1, 1.2, 1.5])
    base = rng.uniform(500, 3000, size=(reps, products))
    growth = np.array([1.0 + 0.08 * (int(m[:4]) - fiscal_year + 3) for m in months])
    month_factor = season[[int(m[5:]) - 1 for m in months]] * growth
    amounts = base[:, None, :] * month_factor[None, :, None]
    amounts *= rng.normal(1.0, 0.05, size=amounts.shape)
    history = pd.DataFrame(
        {
            "period": np.tile(np.repeat(months, products), reps),
            "rep_id": np.repeat(rep_ids, len(months) * products),
            "channel": "DIR",
            "product": np.tile(product_codes, reps * len(months)),
            "amount": np.round(amounts.reshape(-1)).astype(np.int64),
        }
    )
    settings = pd.DataFrame(
        {
            "setting": [s.key for s in schema.SETTINGS],
            "value": pd.Series([s.default for s in schema.SETTINGS], dtype=object),
        }
    )
    settings.loc[settings["setting"] == "fiscal_year", "value"] = fiscal_year
    total = int(history[history["period"].str.startswith(str(fiscal_year - 1))]["amount"].sum())
    return {
        "tblSettings": settings,
        "tblRegions": pd.DataFrame({"region": regions, "region_name": regions}),
        "tblTeams": pd.DataFrame(
            {"team": teams, "team_name": teams, "region": [team_region[t] for t in teams]}
        ),
        "tblReps": pd.DataFrame(
            {
                "rep_id": rep_ids,
                "rep_name": [f"Rep {i}" for i in range(1, reps + 1)],
                "team": rep_team,
                "region": [team_region[t] for t in rep_team],
                "manager": "",
                "start_date": None,
                "end_date": None,
                "capacity": 1.0,
                "potential": 0,
            }
        ),
        "tblChannels": pd.DataFrame({"channel": ["DIR"], "channel_name": ["Direct"]}),
        "tblProducts": pd.DataFrame(
            {"product": product_codes, "product_name": product_codes, "launch_date": None}
        ),
        "tblHistory": history,
        "tblProposal": pd.DataFrame(
            [{"scope": "Company", "final_target": (total * 11 // 10) // 100 * 100}]
        ),
        "tblSplitRules": split_rules_frame(),
        "tblKpis": kpis_frame(),
    }
