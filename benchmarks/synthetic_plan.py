"""A large synthetic plan for benchmarks: N reps x P products, three years of monthly history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesgoal_xl.commands.demo import kpis_frame, split_rules_frame
from salesgoal_xl.workbook import schema


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
