"""`demo`: a planning workbook filled with the made-up demo company, ready for propose and split;
`demo-actuals`: a CRM export of the demo's first half-year of deals, to import and evaluate."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from salesgoal_xl.commands.propose import COMPANY_ROW
from salesgoal_xl.core.calendar import FiscalCalendar, parse_month
from salesgoal_xl.core.demo import DemoCompany, build_demo_company
from salesgoal_xl.core.demo_actuals import (
    CENTS,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DemoDeals,
    generate_demo_deals,
)
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.problems import Problem, ProblemsFound
from salesgoal_xl.core.split import DEFAULT_RULES
from salesgoal_xl.workbook.port import ProgressCallback, WorkbookPort
from salesgoal_xl.workbook.schema import SETTINGS

DEFAULT_KPIS = (
    # (kpi, name, weight, direction, cap): attainment dominates, as in most sales plans.
    ("attainment", "Target attainment", Decimal("0.7"), "higher", Decimal("1.5")),
    ("growth", "Growth vs last year", Decimal("0.2"), "higher", Decimal("1.5")),
    ("deals", "Deals closed", Decimal("0.1"), "higher", Decimal("1.5")),
)


DEMO_METHODS: dict[str, str] = {"region": "forecast"}
"""Where the demo departs from a new plan's rules: regions share the final target as they
share the forecast (each region's own trend), so a region whose history grows slowly is not
asked for the company's growth (docs/split.md, "The demo's defaults")."""


def split_rules_frame() -> pd.DataFrame:
    """The demo's split rules as tblSplitRules rows: the defaults, with DEMO_METHODS."""
    return pd.DataFrame(
        [
            {
                "level": level,
                "method": DEMO_METHODS.get(level, method),
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
        "tblAdjustments": sample_adjustment(company),
    }


SAMPLE_REGION, SAMPLE_NEW_TARGET = "SOUTH", 9_830_000
"""The demo's one approved request: SOUTH's year cut from 10,690,300 (its reps' split targets)
to 9,830,000 from month seven, about 15% off its second half (5,768,400), with the other
regions absorbing the difference so the company target the board agreed stays. The demo's
half-year of deals (demo-actuals) puts 9 of SOUTH's 12 reps below 70%, which is what
evaluate's re-targeting rule flags."""


def sample_adjustment(company: DemoCompany) -> pd.DataFrame:
    """tblAdjustments with the demo's one approved, not yet applied request."""
    settings = company.settings
    months = FiscalCalendar(settings.fiscal_year, settings.first_month).months
    return pd.DataFrame(
        [
            {
                "adj_id": "ADJ-001",
                "date": dt.date(*parse_month(months[6]), 1) - dt.timedelta(days=3),
                "level": "region",
                "code": SAMPLE_REGION,
                "from_period": months[6],
                "new_target": SAMPLE_NEW_TARGET,
                "keep_parent_total": "yes",
                "reason_category": "market",
                "description": "South: 9 of 12 reps below 70% at mid-year after a large "
                "customer moved its buying to head office; other regions absorb the gap",
                "requested_by": "Regional director South",
                "approved_by": "CFO",
                "status": "approved",
            }
        ],
        dtype=object,
    )


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


# --- the demo's CRM export ----------------------------------------------------------------

CRM_HEADERS = (
    # What a CRM's "won opportunities" report calls its columns; import-actuals matches
    # Close Date, Opportunity Owner, Sales Channel, Product Line, Revenue and Deal Count by the
    # documented aliases and ignores the rest.
    "Opportunity ID",
    "Account Name",
    "Stage",
    "Close Date",
    "Opportunity Owner",
    "Sales Channel",
    "Product Line",
    "Revenue",
    "Deal Count",
)


@dataclass(frozen=True)
class DemoActualsSummary:
    """What demo-actuals wrote and what the deals are meant to show."""

    path: Path
    deals: DemoDeals


def write_demo_actuals(
    port: WorkbookPort,
    out: Path,
    months: int = DEFAULT_MONTHS,
    *,
    force: bool = False,
    seed: int = DEFAULT_SEED,
) -> DemoActualsSummary:
    """Write a CRM-style CSV of deals for the first `months` months of the split plan behind
    `port` (its leaf targets read as evaluate reads them); the plan itself is not changed."""
    from salesgoal_xl.commands.evaluate import leaf_targets, not_split

    if out.exists() and not force:
        raise SalesgoalError(f"{out} already exists; pass --force to replace it.")
    port.progress(0.1, "reading the leaf targets")
    problems: list[Problem] = []
    data = port.read_table("tblTargets")
    targets = leaf_targets(data, problems)
    if not problems and targets.empty:
        problems.append(not_split(data, "the demo's deals are drawn around them"))
    if problems:
        raise ProblemsFound(problems, port.label)
    port.progress(0.4, "drawing the deals")
    deals = generate_demo_deals(targets, months, seed)
    port.progress(0.8, "writing the export")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(crm_csv(deals.deals))
    port.progress(1.0, "done")
    return DemoActualsSummary(out, deals)


def crm_csv(deals: pd.DataFrame) -> bytes:
    """The deals as a CRM export: UTF-8, CRLF, ISO close dates, amounts like "12,345.67"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CRM_HEADERS)
    columns = ["deal_id", "account", "close_date", "rep_name", "channel", "product"]
    for (deal, account, day, owner, channel, product), cents, count in zip(
        deals[columns].itertuples(index=False, name=None),
        (int(c) for c in deals["cents"]),
        (int(c) for c in deals["deal_count"]),
        strict=True,
    ):
        amount = f"{cents // CENTS:,}.{cents % CENTS:02d}"
        writer.writerow(
            (deal, account, "Closed Won", day.isoformat(), owner, channel, product, amount, count)
        )
    return buffer.getvalue().encode("utf-8")
