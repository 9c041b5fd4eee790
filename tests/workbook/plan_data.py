"""A small, complete plan built in code: 3 regions, 5 reps, 2 channels, 2 products, a year of
targets, three months of actuals and tracking rows; plus what its formulas must show."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from salesgoal_xl.workbook.builder import fiscal_months

FISCAL_YEAR = 2026
FIRST_MONTH = 4
REGIONS = ("NORTH", "SOUTH", "EAST")
REPS = (
    ("R01", "Alice Chen", "T1", "NORTH"),
    ("R02", "Bob Lin", "T1", "NORTH"),
    ("R03", "Carol Wu", "T2", "SOUTH"),
    ("R04", "Dan Ho", "T2", "SOUTH"),
    ("R05", "Eve Tsai", "T3", "EAST"),
)
CHANNELS = ("DIRECT", "PARTNER")
PRODUCTS = ("HW", "SW")
ACTUAL_MONTHS = 3
HOSTILE_TEXT = '=HYPERLINK("http://example.invalid","click")'


def target_for(rep_index: int, month_index: int, channel: int, product: int) -> int:
    """A deterministic, uneven leaf target."""
    return 1_000 * (rep_index + 1) + 100 * month_index + 37 * channel + 11 * product


def actual_for(rep_index: int, month_index: int, channel: int, product: int) -> int:
    """Actuals run a little behind or ahead of target, differently per rep."""
    return target_for(rep_index, month_index, channel, product) * (80 + 7 * rep_index) // 100


def sample_data() -> dict[str, pd.DataFrame]:
    """Every table the formulas read, keyed by table name, columns by schema key."""
    months = fiscal_months(FISCAL_YEAR, FIRST_MONTH)
    targets, actuals = [], []
    for r, (rep, name, team, region) in enumerate(REPS):
        for m, period in enumerate(months):
            for c, channel in enumerate(CHANNELS):
                for p, product in enumerate(PRODUCTS):
                    targets.append(
                        {
                            "period": period,
                            "quarter": f"Q{m // 3 + 1}",
                            "region": region,
                            "team": team,
                            "rep_id": rep,
                            "rep_name": name,
                            "channel": channel,
                            "product": product,
                            "target": target_for(r, m, c, p),
                            "method": "seasonal",
                        }
                    )
                    if m < ACTUAL_MONTHS:
                        actuals.append(
                            {
                                "period": period,
                                "rep_id": rep,
                                "channel": channel,
                                "product": product,
                                "amount": actual_for(r, m, c, p),
                            }
                        )
    target_frame = pd.DataFrame(targets)
    # Written newest month first: fill_table must restore rep/period order for the matrix.
    target_frame = target_frame.sort_values("period", ascending=False, kind="stable")
    actual_frame = pd.DataFrame(actuals)
    tracking = []
    to_date = set(months[:ACTUAL_MONTHS])
    for rep, name, team, region in REPS:
        mine = target_frame[target_frame["rep_id"] == rep]
        done = actual_frame[actual_frame["rep_id"] == rep]
        target_to_date = int(mine[mine["period"].isin(to_date)]["target"].sum())
        actual_to_date = int(done["amount"].sum())
        annual = int(mine["target"].sum())
        tracking.append(
            {
                "rep_id": rep,
                "rep_name": name,
                "team": team,
                "region": region,
                "period": months[ACTUAL_MONTHS - 1],
                "target_to_date": target_to_date,
                "actual_to_date": actual_to_date,
                "expected_to_date": target_to_date,
                "annual_target": annual,
                "projection": actual_to_date * 4,
                "required_run_rate": (annual - actual_to_date) // 9,
                "risk": "green" if actual_to_date >= 0.9 * target_to_date else "amber",
                "reason": "behind seasonal pace" if actual_to_date < target_to_date else "",
            }
        )
    total = int(target_frame["target"].sum())
    return {
        "tblRegions": pd.DataFrame({"region": REGIONS, "region_name": ["North", "South", "East"]}),
        "tblTeams": pd.DataFrame(
            {"team": ["T1", "T2", "T3"], "team_name": ["One", "Two", "Three"], "region": REGIONS}
        ),
        "tblReps": pd.DataFrame(
            {
                "rep_id": [r[0] for r in REPS],
                "rep_name": [r[1] for r in REPS],
                "team": [r[2] for r in REPS],
                "region": [r[3] for r in REPS],
                "manager": ["Mia", "Mia", "Ken", "Ken", "Ann"],
                "start_date": [dt.date(2020 + i, 1 + i, 1) for i in range(len(REPS))],
                "capacity": [1.0, 1.0, 0.8, 1.0, 0.5],
                "potential": [500_000, 450_000, 400_000, 380_000, 300_000],
            }
        ),
        "tblChannels": pd.DataFrame({"channel": CHANNELS, "channel_name": ["Direct", "Partner"]}),
        "tblProducts": pd.DataFrame({"product": PRODUCTS}),
        "tblHistory": actual_frame.assign(
            period=actual_frame["period"].str.replace("2025", "2024")
        ),
        "tblMarket": pd.DataFrame(
            {
                "region": REGIONS,
                "market_size": [4_000_000, 3_000_000, 2_500_000],
                "target_share": [0.125, 0.1, 0.0833],
            }
        ),
        "tblProposal": pd.DataFrame(
            {
                "scope": ["Company", "NORTH"],
                "baseline": [total - 50_000, 100_000],
                "forecast": [total - 20_000, 0],
                "market_figure": [total + 10_000, 120_000],
                "final_target": [total, 110_000],
            }
        ),
        "tblTargets": target_frame,
        "tblActuals": actual_frame,
        "tblTracking": pd.DataFrame(tracking),
        "tblScorecard": pd.DataFrame(
            {
                "rep_id": [t["rep_id"] for t in tracking],
                "target": [t["target_to_date"] for t in tracking],
                "actual": [t["actual_to_date"] for t in tracking],
            }
        ),
        "tblAdjustments": pd.DataFrame(
            {
                "adj_id": ["A1", "A2"],
                "date": [dt.date(2025, 6, 1), dt.date(2025, 7, 1)],
                "level": ["rep", "rep"],
                "code": ["R01", "R02"],
                "from_period": [months[6], months[7]],
                "old_target": [1000, None],
                "new_target": [1200, 900],
                "reason_category": ["market", "other"],
                "description": [HOSTILE_TEXT, "+cmd|' /C calc'!A0"],
            }
        ),
    }
