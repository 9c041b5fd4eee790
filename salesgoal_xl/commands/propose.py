"""`propose`: baseline, forecast, market figure, range, flags and SMART checks for the plan.

Reads history, market assumptions and the settings through the port; writes tblProposal
(a company row and one per region), tblSmart and tblBacktest (each scope's forecast method,
chosen by back-test, with every candidate's error). Typed user inputs in tblProposal
(strategic input, final target) are kept from one run to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, cast

import pandas as pd

from salesgoal_xl.commands.inputs import (
    PlanSettings,
    cell_amount,
    cell_number,
    empty_table,
    history_amounts,
    load_settings,
    to_decimal,
)
from salesgoal_xl.core.backtest import Backtest, choose_forecast, method_name, parameters_text
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.errors import ProposalError, SalesgoalError
from salesgoal_xl.core.forecast import monthly_actuals
from salesgoal_xl.core.money import round_half_up
from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, Source, error
from salesgoal_xl.core.proposal import (
    COMPANY_LABELS,
    COMPANY_SCOPE,
    MarketAssumption,
    Proposal,
    ProposalInputsInvalid,
    ProposalSettings,
    build_proposal,
    is_company_scope,
    reconcile_regions,
)
from salesgoal_xl.core.proposal_text import Language, message
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.port import TableData, WorkbookPort

BACKTEST_TABLE: Final = "tblBacktest"
COMPANY_ROW: Final = COMPANY_LABELS["en"]
"""How propose writes the company row's scope (read back in any language and case)."""

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
    """The company proposal and the per-region rows that were (or would be) written, and the
    back-test that chose each scope's forecast method (company first, then the regions)."""

    company: Proposal
    regions: tuple[Proposal, ...]
    written: bool
    backtests: tuple[Backtest, ...] = ()


def run_propose(
    port: WorkbookPort, *, final: FinalChoice = "keep", dry_run: bool = False
) -> ProposeSummary:
    """Build the proposal; `final` sets a blank (or any, if not 'keep') final target.

    Every problem in the inputs is collected, each at its cell, before anything is written;
    `check` runs this with `dry_run` so it refuses exactly what propose would.
    """
    port.progress(0.0, "reading history and market")
    settings = load_settings(port)
    language: Language = settings["language"]
    proposal_settings = _proposal_settings(settings)
    plan_start, _ = proposal_settings.plan_periods
    problems: list[Problem] = []
    history_data = port.read_table("tblHistory")
    history = history_amounts(history_data, problems)
    history = history.loc[[str(p) < plan_start for p in history["period"]]]
    reps = port.read_table("tblReps").frame
    markets = _markets(port.read_table("tblMarket"), problems)
    typed = _typed_inputs(port.read_table("tblProposal"), problems)
    if problems:
        raise ProblemsFound(problems, port.label)
    if history.empty:
        raise ProblemsFound([_no_history(history_data, plan_start)], port.label)

    port.progress(0.2, "forecasting the company")
    inputs = _ScopeInputs(history_data.source(), proposal_settings, typed, port.label)
    company, company_test = _proposal_for(COMPANY_SCOPE, history, markets, final, inputs)
    regions = []
    backtests = [company_test]
    region_of = {str(r): str(g) for r, g in zip(reps["rep_id"], reps["region"], strict=True)}
    by_region = history.assign(region=[region_of.get(str(r), "") for r in history["rep_id"]])
    names = sorted({g for g in region_of.values() if g})
    for done, region in enumerate(names):
        port.progress(0.3 + 0.5 * done / max(len(names), 1), f"forecasting region {region}")
        own = [m for m in markets if m.region == region]
        mine = by_region[by_region["region"] == region]
        proposal, backtest = _proposal_for(region, mine, own, "keep", inputs)
        regions.append(proposal)
        backtests.append(backtest)
    # The region rows add up to the company row; each region's own forecast stays in tblBacktest.
    regions = list(reconcile_regions(company, regions, proposal_settings))
    if not dry_run:
        port.write_table("tblProposal", _proposal_frame(company, regions, language))
        port.write_table("tblSmart", _smart_frame(company, language))
        # A plan made before the back-test existed has no table for it; its proposal still runs.
        if port.has_table(BACKTEST_TABLE):
            scopes = [company.scope, *(r.scope for r in regions)]
            port.write_table(BACKTEST_TABLE, backtest_frame(scopes, backtests, language))
        port.commit()
    port.progress(1.0, "done")
    return ProposeSummary(company, tuple(regions), not dry_run, tuple(backtests))


def _no_history(data: TableData, plan_start: str) -> Problem:
    """The step still to do on a new plan: propose forecasts from past actuals."""
    return empty_table(
        data,
        f"has no actuals before {plan_start}; propose forecasts the target from past months "
        "(24 or more give a seasonal forecast)",
        "paste last years' actuals into the History sheet (period, rep, channel, product, amount)",
    )


def as_checked_int(amount: int | Decimal | None) -> int | None:
    """An exact amount handed to the core, which names it at its cell unless it is whole.

    Cutting cents here would change what the user typed; the core refuses them instead.
    """
    return cast(int | None, amount)


@dataclass(frozen=True)
class _ScopeInputs:
    """What every scope's proposal shares: where history lives, settings, typed inputs."""

    history_source: Source
    settings: ProposalSettings
    typed: dict[str, TypedInputs]
    label: str


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
        return round_half_up(value, Decimal("1e-6"))
    return to_decimal(value)


def _markets(data: TableData, problems: list[Problem]) -> list[MarketAssumption]:
    """Each region's market row, exact; bad cells become problems at their cells."""
    markets = []
    frame = data.frame
    for row in range(len(frame)):
        region = frame["region"][row]
        size = cell_amount(data, row, "market_size", problems, label="Market size")
        share = cell_number(data, row, "target_share", problems, label="Target share")
        if is_blank(region) or size is None or share is None:
            continue
        markets.append(
            MarketAssumption(
                str(region).strip(),
                cast(int, size),  # cents are named at the cell by the core
                share,
                size_source=data.source(row, "market_size"),
                share_source=data.source(row, "target_share"),
            )
        )
    return markets


@dataclass(frozen=True)
class TypedInputs:
    """What the user typed in tblProposal for one scope, exact, with the cells it sits in."""

    strategic: int | Decimal | None
    final_target: int | Decimal | None
    sources: dict[str, Source]


def _typed_inputs(data: TableData, problems: list[Problem]) -> dict[str, TypedInputs]:
    """Strategic inputs and final targets the user typed, by scope (kept across runs).

    The company row is found under any of its spellings ('Company', '全公司', ...).
    """
    typed: dict[str, TypedInputs] = {}
    frame = data.frame
    for row in range(len(frame)):
        scope = frame["scope"][row]
        if is_blank(scope):
            continue
        key = COMPANY_SCOPE if is_company_scope(scope) else str(scope).strip().casefold()
        typed[key] = TypedInputs(
            cell_amount(data, row, "strategic", problems, label="Strategic input"),
            cell_amount(data, row, "final_target", problems, label="Final target"),
            {
                "strategic input": data.source(row, "strategic"),
                "final target": data.source(row, "final_target"),
            },
        )
    return typed


def _proposal_for(
    scope: str,
    history: pd.DataFrame,
    markets: list[MarketAssumption],
    final: FinalChoice,
    inputs: _ScopeInputs,
) -> tuple[Proposal, Backtest]:
    settings = inputs.settings
    plan_start, _ = settings.plan_periods
    last_year = FiscalCalendar(settings.fiscal_year - 1, settings.first_month).months
    try:
        monthly = monthly_actuals(history)
        baseline = int(monthly[monthly.index.isin(last_year)].sum())
        mine = inputs.typed.get(scope.casefold(), TypedInputs(None, None, {}))
        backtest = choose_forecast(
            monthly, plan_start=plan_start, rounding_unit=settings.rounding_unit
        )
        forecast = backtest.forecast
        proposal = build_proposal(
            baseline=baseline,
            forecast=forecast,
            settings=settings,
            markets=markets,
            strategic_input=as_checked_int(mine.strategic),
            final_target=as_checked_int(mine.final_target),
            scope=scope,
            sources=mine.sources,
        )
        if final == "keep":
            return proposal, backtest
        # An explicit choice replaces whatever final target was there.
        chosen = build_proposal(
            baseline=baseline,
            forecast=forecast,
            settings=settings,
            markets=markets,
            strategic_input=as_checked_int(mine.strategic),
            final_target=getattr(proposal.recommended, final),
            scope=scope,
            sources=mine.sources,
        )
        return chosen, backtest
    except ProposalInputsInvalid as exc:
        raise ProblemsFound(exc.problems, inputs.label) from None
    except ProposalError as exc:
        name = COMPANY_ROW if scope == COMPANY_SCOPE else f"region {scope}"
        problem = error(
            ProblemCode.NO_HISTORY,
            f"{name}: {exc}",
            source=inputs.history_source,
            hint="fill in the missing months in the History sheet",
        )
        raise ProblemsFound([problem], inputs.label) from None


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


def backtest_frame(
    scopes: list[str], backtests: list[Backtest], language: Language
) -> pd.DataFrame:
    """tblBacktest: per scope, one row per candidate (or the one method used without a
    back-test), its held-out MAPE and parameters; the chosen row carries the plan forecast."""
    yes = message("backtest.yes", language)
    rows = []
    for scope, test in zip(scopes, backtests, strict=True):
        held_out = "" if test.held_out is None else f"{test.held_out[0]} – {test.held_out[1]}"
        candidates = [(c.method, c.mape, c.parameters, c.note(language)) for c in test.candidates]
        if test.chosen not in [c.method for c in test.candidates]:
            candidates.append((test.chosen, None, {}, ""))
        for method, mape, parameters, note in candidates:
            chosen = method is test.chosen
            rows.append(
                {
                    "scope": scope_label(scope),
                    "method": method_name(method, language),
                    "held_out": held_out if mape is not None else "",
                    "mape": mape,
                    "backtest_parameters": parameters_text(parameters),
                    "chosen": yes if chosen else "",
                    "plan_parameters": parameters_text(test.forecast.parameters) if chosen else "",
                    "forecast": test.forecast.total if chosen else None,
                    "reason": test.reason(language) if chosen else note,
                }
            )
    return pd.DataFrame(rows)
