"""`demo`: a planning workbook filled with the made-up demo company, ready for propose and split."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from salesgoal_xl.commands.propose import COMPANY_ROW
from salesgoal_xl.core.demo import DemoCompany, build_demo_company
from salesgoal_xl.core.split import DEFAULT_RULES
from salesgoal_xl.workbook.port import ProgressCallback
from salesgoal_xl.workbook.schema import SETTINGS

DEFAULT_KPIS = (
    # (kpi, name, weight, direction, cap): attainment dominates, as in most sales plans.
    ("attainment", "Target attainment", Decimal("0.7"), "higher", Decimal("1.5")),
    ("growth", "Growth vs last year", Decimal("0.2"), "higher", Decimal("1.5")),
    ("deals", "Deals closed", Decimal("0.1"), "higher", Decimal("1.5")),
)


def split_rules_frame() -> pd.DataFrame:
    """The default split rules as tblSplitRules rows."""
    return pd.DataFrame(
        [
            {
                "level": level,
                "method": method,
                "lookback": lookback,
                "over_assignment": None,
                "note": None,
            }
            for level, method, lookback in DEFAULT_RULES
        ]
    )


def kpis_frame() -> pd.DataFrame:
    """The default KPI weights as tblKpis rows."""
    return pd.DataFrame(
        [
            {"kpi": kpi, "kpi_name": name, "weight": weight, "direction": direction, "cap": cap}
            for kpi, name, weight, direction, cap in DEFAULT_KPIS
        ]
    )


def demo_tables(company: DemoCompany, language: str = "en") -> dict[str, pd.DataFrame]:
    """The demo company as workbook tables (keys are table names, columns schema keys)."""
    settings = company.settings.as_frame()
    settings.loc[settings["setting"] == "language", "value"] = language
    # Settings the demo does not choose (tracking and evaluation thresholds) at their defaults,
    # so a plan held in memory lists every setting, as a built workbook does.
    missing = [s for s in SETTINGS if s.key not in set(settings["setting"])]
    if missing:
        defaults = pd.DataFrame(
            {
                "setting": [s.key for s in missing],
                "value": pd.Series([s.default for s in missing], dtype=object),
            }
        )
        settings = pd.concat([settings, defaults], ignore_index=True)
    return {
        "tblSettings": settings,
        "tblRegions": company.regions,
        "tblTeams": company.teams[["team", "team_name", "region"]],
        "tblReps": company.reps,
        "tblChannels": company.channels,
        "tblProducts": company.products,
        "tblHistory": company.history,
        "tblMarket": company.markets,
        "tblProposal": pd.DataFrame([{"scope": COMPANY_ROW, "strategic": company.strategic_input}]),
        "tblSplitRules": split_rules_frame(),
        "tblKpis": kpis_frame(),
    }


def write_demo_workbook(
    path: Path,
    language: str = "en",
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> Path:
    """Build the demo company's planning workbook at `path` (refusing to overwrite unless
    `force`); propose and split then run on it like on any user's file."""
    from salesgoal_xl.commands.new import new_workbook

    report = progress or (lambda _fraction, _message: None)
    report(0.05, "generating the demo company")
    company = build_demo_company()
    report(0.3, "building the workbook")
    return new_workbook(
        path,
        lang=language,
        year=company.settings.fiscal_year,
        first_month=company.settings.first_month,
        force=force,
        data=demo_tables(company, language),
    )
