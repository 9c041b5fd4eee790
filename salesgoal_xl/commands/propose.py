"""`propose`: baseline, forecast, market figure, range, flags and SMART checks for the plan.

Reads history, market assumptions and the settings through the port; writes tblProposal
(a company row and one per region) and tblSmart. Typed user inputs in tblProposal (strategic
input, final target) are kept from one run to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

import pandas as pd

from salesgoal_xl.commands.inputs import (
    PlanSettings,
    load_settings,
    money_amount,
    to_decimal,
)
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.errors import ProposalError, SalesgoalError
from salesgoal_xl.core.forecast import forecast_plan_year, monthly_actuals
from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, error
from salesgoal_xl.core.proposal import (
    COMPANY_SCOPE,
    Language,
    MarketAssumption,
    Proposal,
    ProposalSettings,
    build_proposal,
)
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.port import TableData, WorkbookPort

COMPANY_ROW: Final = "Company"
"""How the company row's scope is written in tblProposal (read back case-insensitively)."""

FinalChoice = Literal["keep", "conservative", "base", "stretch"]
FINAL_CHOICES: tuple[FinalChoice, ...] = ("keep", "conservative", "base", "stretch")


def parse_final(text: str) -> FinalChoice:
    """The --final option checked against its choices."""
    for choice in FINAL_CHOICES:
        if text == choice:
            return choice
    raise SalesgoalError(f"--final must be one of {', '.join(FINAL_CHOICES)} (got {text!r}).")


@dataclass(frozen=True)
class ProposeSummary:
    """The company proposal and the per-region rows that were (or would be) written."""

    company: Proposal
    regions: tuple[Proposal, ...]
    written: bool


def run_propose(
    port: WorkbookPort, *, final: FinalChoice = "keep", dry_run: bool = False
) -> ProposeSummary:
    """Build the proposal; `final` sets a blank (or any, if not 'keep') final target."""
    port.progress(0.0, "reading history and market")
    settings = load_settings(port)
    language: Language = settings["language"]
    proposal_settings = _proposal_settings(settings)
    plan_start, _ = proposal_settings.plan_periods
    history = port.read_table("tblHistory").frame
    history = history[[str(p) < plan_start for p in history["period"]]]
    reps = port.read_table("tblReps").frame
    markets = _markets(port.read_table("tblMarket"))
    existing = port.read_table("tblProposal")
    typed = _typed_inputs(existing)

    port.progress(0.2, "forecasting the company")
    company = _proposal_for(
        COMPANY_SCOPE, history, proposal_settings, markets, typed, final, port.label
    )
    regions = []
    region_of = {str(r): str(g) for r, g in zip(reps["rep_id"], reps["region"], strict=True)}
    by_region = history.assign(region=[region_of.get(str(r), "") for r in history["rep_id"]])
    names = sorted({g for g in region_of.values() if g})
    for done, region in enumerate(names):
        port.progress(0.3 + 0.5 * done / max(len(names), 1), f"forecasting region {region}")
        own = [m for m in markets if m.region == region]
        regions.append(
            _proposal_for(
                region,
                by_region[by_region["region"] == region],
                proposal_settings,
                own,
                typed,
                "keep",
                port.label,
            )
        )
    if not dry_run:
        port.write_table("tblProposal", _proposal_frame(company, regions, language))
        port.write_table("tblSmart", _smart_frame(company, language))
        port.commit()
    port.progress(1.0, "done")
    return ProposeSummary(company, tuple(regions), not dry_run)


def _proposal_settings(settings: PlanSettings) -> ProposalSettings:
    unit = settings["rounding_unit"]
    return ProposalSettings(
        fiscal_year=int(settings["fiscal_year"]),
        first_month=int(settings["first_month"]),
        stretch=_dec(settings["stretch"]),
        too_low_below=_dec(settings["challenge_low"]),
        too_high_above=_dec(settings["challenge_high"]),
        market_tolerance=_dec(settings["market_tolerance"]),
        rounding_unit=int(unit) if int(unit) == unit and unit >= 1 else 1,
    )


def _dec(value: object) -> Decimal:
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-6"))
    return to_decimal(value)


def _markets(data: TableData) -> list[MarketAssumption]:
    markets = []
    frame = data.frame
    problems: list[Problem] = []
    for row in range(len(frame)):
        region, size, share = (frame[k][row] for k in ("region", "market_size", "target_share"))
        if is_blank(region) or is_blank(size) or is_blank(share):
            continue
        try:
            markets.append(
                MarketAssumption(str(region).strip(), int(money_amount(size)), to_decimal(share))
            )
        except ValueError as exc:
            problems.append(
                error(
                    ProblemCode.NOT_A_NUMBER,
                    f"market assumption: {exc}",
                    sheet=data.sheet,
                    cell=data.cell(row, "market_size"),
                )
            )
    if problems:
        raise ProblemsFound(problems)
    return markets


def _typed_inputs(data: TableData) -> dict[str, dict[str, int | None]]:
    """Strategic inputs and final targets the user typed, by scope (kept across runs)."""
    typed: dict[str, dict[str, int | None]] = {}
    frame = data.frame
    for row in range(len(frame)):
        scope = frame["scope"][row]
        if is_blank(scope):
            continue
        values: dict[str, int | None] = {}
        for key in ("strategic", "final_target"):
            raw = frame[key][row]
            values[key] = None if is_blank(raw) else int(money_amount(raw))
        typed[str(scope).strip().casefold()] = values
    return typed


def _proposal_for(
    scope: str,
    history: pd.DataFrame,
    settings: ProposalSettings,
    markets: list[MarketAssumption],
    typed: dict[str, dict[str, int | None]],
    final: FinalChoice,
    label: str,
) -> Proposal:
    plan_start, _ = settings.plan_periods
    last_year = FiscalCalendar(settings.fiscal_year - 1, settings.first_month).months
    monthly = monthly_actuals(history.assign(amount=pd.to_numeric(history["amount"])))
    baseline = int(monthly[monthly.index.isin(last_year)].sum())
    mine = typed.get(scope.casefold(), {})
    try:
        forecast = forecast_plan_year(
            monthly, plan_start=plan_start, rounding_unit=settings.rounding_unit
        )
        proposal = build_proposal(
            baseline=baseline,
            forecast=forecast,
            settings=settings,
            markets=markets,
            strategic_input=mine.get("strategic"),
            final_target=mine.get("final_target"),
            scope=scope,
        )
        if final == "keep":
            return proposal
        # An explicit choice replaces whatever final target was there.
        return build_proposal(
            baseline=baseline,
            forecast=forecast,
            settings=settings,
            markets=markets,
            strategic_input=mine.get("strategic"),
            final_target=getattr(proposal.recommended, final),
            scope=scope,
        )
    except ProposalError as exc:
        raise ProblemsFound([error(ProblemCode.NO_HISTORY, f"{scope}: {exc}")], label) from None


def _proposal_frame(
    company: Proposal,
    regions: list[Proposal],
    language: Language,
) -> pd.DataFrame:
    rows = []
    for item in (company, *regions):
        entered = item.final_target_entered
        rows.append(
            {
                "scope": scope_label(item.scope),
                "baseline": item.baseline,
                "forecast": item.forecast,
                "market_figure": item.market_figure,
                "strategic": item.strategic_input,
                "conservative": item.recommended.conservative,
                "base": item.recommended.base,
                "stretch": item.recommended.stretch,
                "final_target": item.final_target if entered else None,
                "flags": item.flags_text(language),
            }
        )
    return pd.DataFrame(rows)


def scope_label(scope: str) -> str:
    """The scope as people read it: 'Company' for the company row, else the region code."""
    return COMPANY_ROW if scope == COMPANY_SCOPE else scope


def _smart_frame(company: Proposal, language: Language) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "criterion": check.name(language),
                "status": check.status.value,
                "reason": check.reason.text(language),
            }
            for check in company.smart
        ]
    )
