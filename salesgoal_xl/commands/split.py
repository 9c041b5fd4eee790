"""`split`: read the final target, rules, locks and org through the port; write tblTargets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from salesgoal_xl.commands.approvals import stage_new_version
from salesgoal_xl.commands.inputs import (
    PlanSettings,
    cell_amount,
    checked_dates,
    checked_numbers,
    empty_table,
    history_amounts,
    load_settings,
    text_codes,
    to_decimal,
    to_fraction_percent,
    unit_amount,
)
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.money import from_units, is_int_amount, unit_fraction
from salesgoal_xl.core.problems import NOWHERE, Problem, ProblemCode, ProblemsFound, Source, error
from salesgoal_xl.core.proposal import COMPANY_LABELS, is_company_scope
from salesgoal_xl.core.split import (
    LevelRule,
    Lock,
    SplitInfeasible,
    SplitRequest,
    SplitResult,
    infeasible,
    split_plan,
)
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.port import TableData, WorkbookPort


@dataclass(frozen=True)
class SplitSummary:
    """What `split` did: totals per level, year-on-year changes, and whether it wrote."""

    total: object
    final_target: object
    leaf_rows: int
    level_totals: dict[str, pd.DataFrame]
    last_year: dict[str, dict[str, float]]
    methods: dict[str, str]
    over_assignment: dict[str, Fraction]
    rep_plan: pd.DataFrame | None
    written: bool
    changed_rows: int


REP_PLAN = "tblRepPlan"  # one row per rep with the reason (workbooks before 0.x lack it)


def run_split(port: WorkbookPort, *, dry_run: bool = False) -> SplitSummary:
    """Compute every leaf target and (unless `dry_run`) write tblTargets in one commit."""
    port.progress(0.0, "reading the workbook")
    settings = load_settings(port)
    request = build_request(port, settings)
    try:
        result = split_plan(request, progress=lambda f, m: port.progress(0.1 + 0.75 * f, m))
    except SplitInfeasible as exc:
        raise ProblemsFound(exc.problems, port.label) from None
    except SalesgoalError as exc:  # a core rule the inputs broke that no reader names yet
        raise ProblemsFound([infeasible(str(exc))], port.label) from None
    result = _with_adjustments(port, request, result)
    previous = port.read_table("tblTargets").frame
    changed = _changed_rows(previous, result.leaves)
    if not dry_run:
        port.progress(0.9, "writing leaf targets")
        port.write_table("tblTargets", result.leaves)
        if result.rep_plan is not None and port.has_table(REP_PLAN):
            port.write_table(REP_PLAN, result.rep_plan)
        stage_new_version(port, previous, result.leaves)
        port.commit()
    port.progress(1.0, "done")
    return SplitSummary(
        total=result.total,
        final_target=request.total,
        leaf_rows=len(result.leaves),
        level_totals=dict(result.level_totals),
        last_year=_last_year_totals(request),
        methods=dict(result.method_by_level),
        over_assignment=dict(result.over_assignment),
        rep_plan=result.rep_plan,
        written=not dry_run,
        changed_rows=changed,
    )


def _with_adjustments(
    port: WorkbookPort, request: SplitRequest, result: SplitResult
) -> SplitResult:
    """The fresh split with the log's applied adjustments applied again (commands.adjust), so
    approved changes survive a re-split; the level totals and the Rep plan follow."""
    from salesgoal_xl.commands.adjust import rep_plan_after, replay_applied

    unit = unit_fraction(request.unit)
    months = list(FiscalCalendar(request.fiscal_year, request.first_month).months)
    # The split's own rule for writing money (ints when the unit and the total are whole).
    as_int = is_int_amount(request.unit) and is_int_amount(request.total)
    leaves, before, after, applied = replay_applied(
        port, result.leaves, unit, months, as_int=as_int
    )
    if not applied:
        return result
    totals = {
        level: pd.DataFrame(
            {
                "code": [str(c) for c in sums.index],
                "target": pd.Series(
                    [from_units(int(v), unit, as_int=as_int) for v in sums.to_numpy()],
                    dtype=object,
                ),
            }
        )
        for level, column in (("region", "region"), ("team", "team"), ("rep", "rep_id"))
        for sums in [pd.Series(after).groupby(leaves[column].astype(str).to_numpy()).sum()]
    }
    plan = result.rep_plan
    if plan is not None:
        plan = rep_plan_after(plan, request, leaves, before, after, applied)
    return replace(
        result,
        leaves=leaves,
        level_totals={**result.level_totals, **totals},
        total=from_units(int(after.sum()), unit, as_int=as_int),
        rep_plan=plan,
    )


def build_request(port: WorkbookPort, settings: PlanSettings) -> SplitRequest:
    """Gather the split's inputs from the workbook, collecting every problem before failing.

    Cells are read by the checks' policy (`inputs.cell_number`), so `check`, which runs this
    as the split's dry run, names the same problems at the same cells.
    """
    problems: list[Problem] = []
    proposal = port.read_table("tblProposal")
    total, total_source = _final_target(proposal, settings["rounding_unit"], problems)
    rules = _rules(port.read_table("tblSplitRules"), problems)
    region_forecasts, region_finals = _region_rows(proposal, settings["rounding_unit"], problems)
    locks = [*region_finals, *read_locks(port.read_table("tblOverrides"), problems)]
    rep_data = port.read_table("tblReps")
    reps = checked_numbers(rep_data, ("capacity", "potential"), problems)
    dates = checked_dates(rep_data, ("start_date", "end_date"), problems)
    reps[["start_date", "end_date"]] = dates[["start_date", "end_date"]]
    reps = reps.loc[[not is_blank(v) for v in reps["rep_id"]]].reset_index(drop=True)
    history = history_amounts(port.read_table("tblHistory"), problems)
    weights = port.read_table("tblWeights").frame if port.has_table("tblWeights") else None
    channel_data, product_data = port.read_table("tblChannels"), port.read_table("tblProducts")
    channels = text_codes(channel_data.frame, "channel")
    products = text_codes(product_data.frame, "product")
    for data, codes, what in (
        (rep_data, reps["rep_id"], "reps (ID, name, team, region)"),
        (channel_data, channels, "channels"),
        (product_data, products, "product lines"),
    ):
        if len(codes) == 0:
            problems.append(
                empty_table(data, "is empty: split needs it", f"list the plan's {what} first")
            )
    if problems:
        raise ProblemsFound(problems, port.label)
    return SplitRequest(
        total=total,
        unit=settings["rounding_unit"],
        fiscal_year=int(settings["fiscal_year"]),
        first_month=int(settings["first_month"]),
        reps=reps,
        history=history,
        channels=channels,
        products=products,
        rules=rules,
        locks=locks,
        weights=weights,
        over_assignment=Fraction(settings["over_assignment"]),
        over_assignment_source=settings.where("over_assignment"),
        max_rise=Fraction(settings["max_rise"]),
        blend_history=Fraction(settings["blend_history"]),
        max_cut=Fraction(settings["max_cut"]),
        total_source=total_source,
        granularity=str(settings["granularity"]),
        country=str(settings["country"]).strip() or None,
        country_source=settings.where("country"),
        region_forecasts=region_forecasts,
        region_forecasts_source=proposal.source(),
    )


def _region_rows(
    proposal: TableData, unit: object, problems: list[Problem]
) -> tuple[dict[str, int | Decimal], list[Lock]]:
    """The region rows of tblProposal: each region's Trend forecast (what the "forecast" rule
    weighs) and the final targets typed for regions, which the split keeps as annual region
    locks (the rest of the company's target is split over the other regions by their rule)."""
    forecasts: dict[str, int | Decimal] = {}
    locks: list[Lock] = []
    frame = proposal.frame
    for row, scope in enumerate(frame["scope"]):
        if is_blank(scope) or is_company_scope(scope):
            continue
        region = str(scope).strip()
        forecast = cell_amount(proposal, row, "forecast", problems, label="Trend forecast")
        if forecast is not None:
            forecasts[region] = forecast
        if is_blank(frame["final_target"][row]):
            continue
        amount = _multiple_of_unit(proposal, row, unit, problems)
        if amount is not None:
            locks.append(Lock("region", region, None, amount, proposal.source(row, "final_target")))
    return forecasts, locks


def _multiple_of_unit(
    proposal: TableData, row: int, unit: object, problems: list[Problem]
) -> int | Decimal | None:
    """A final target cell, exact; unreadable or between rounding units is a problem at it."""
    step = unit_fraction(unit)
    return unit_amount(proposal, row, "final_target", step, problems, label="Final target")


def _final_target(
    proposal: TableData, unit: object, problems: list[Problem]
) -> tuple[int | Decimal, Source]:
    """The company's final target, exact; blank, unreadable or between rounding units is a
    problem at its cell (the same code propose gives a target with cents)."""
    frame = proposal.frame
    for row, scope in enumerate(frame["scope"]):
        if not is_company_scope(scope):
            continue
        cell = proposal.cell(row, "final_target")
        raw = frame["final_target"][row]
        if is_blank(raw):
            problems.append(
                error(
                    ProblemCode.NO_TARGET,
                    "the company's final target is blank",
                    sheet=proposal.sheet,
                    cell=cell,
                    hint="run propose, then type the agreed target in Final target",
                )
            )
            return 0, proposal.source(row, "final_target")
        amount = _multiple_of_unit(proposal, row, unit, problems)
        return (0 if amount is None else amount), proposal.source(row, "final_target")
    problems.append(
        error(
            ProblemCode.NO_TARGET,
            f"tblProposal has no {COMPANY_LABELS['en']!r} row",
            source=proposal.source(),
            hint="run propose to fill the proposal",
        )
    )
    return 0, NOWHERE


def _rules(data: TableData, problems: list[Problem]) -> dict[str, LevelRule]:
    rules: dict[str, LevelRule] = {}
    frame = data.frame
    for row in range(len(frame)):
        level, method = frame["level"][row], frame["method"][row]
        if is_blank(level) or is_blank(method):
            continue
        lookback = 12
        if not is_blank(frame["lookback"][row]):
            try:
                lookback = int(to_decimal(frame["lookback"][row]))
            except ValueError as exc:
                problems.append(
                    error(
                        ProblemCode.NOT_A_NUMBER,
                        f"lookback: {exc}",
                        sheet=data.sheet,
                        cell=data.cell(row, "lookback"),
                    )
                )
        over = None
        if not is_blank(frame["over_assignment"][row]):
            try:
                over = to_fraction_percent(frame["over_assignment"][row])
            except ValueError as exc:
                problems.append(
                    error(
                        ProblemCode.NOT_A_NUMBER,
                        f"over-assignment: {exc}",
                        sheet=data.sheet,
                        cell=data.cell(row, "over_assignment"),
                    )
                )
        key = str(level).strip()
        rules[key] = LevelRule(
            key,
            str(method).strip(),
            lookback,
            over,
            data.source(row, "method"),
        )
    return rules


def read_locks(data: TableData, problems: list[Problem]) -> list[Lock]:
    """tblOverrides as locks; a lock without a readable target is a problem at its cell."""
    locks = []
    frame = data.frame
    for row in range(len(frame)):
        level, code, target = frame["level"][row], frame["code"][row], frame["target"][row]
        if is_blank(level) and is_blank(code) and is_blank(target):
            continue
        amount = cell_amount(data, row, "target", problems, label="Locked target")
        if amount is None:
            if is_blank(target):
                problems.append(
                    error(
                        ProblemCode.BLANK_VALUE,
                        "a lock needs a target",
                        source=data.source(row, "target"),
                        hint="type the locked amount, or delete the row",
                    )
                )
            continue
        period = frame["period"][row]
        locks.append(
            Lock(
                str(level).strip(),
                "" if is_blank(code) else str(code).strip(),
                None if is_blank(period) else str(period).strip(),
                amount,
                data.source(row, "target"),
            )
        )
    return locks


def _changed_rows(previous: pd.DataFrame, leaves: pd.DataFrame) -> int:
    # A week crossing months has a row in each month, so Month is part of a leaf's key.
    keys = ["period", "month", "rep_id", "channel", "product"]
    if previous.empty or not set(keys) <= set(previous.columns):
        return len(leaves)
    old = {
        tuple(str(v) for v in k): t for *k, t in previous[[*keys, "target"]].itertuples(index=False)
    }
    new = {
        tuple(str(v) for v in k): t for *k, t in leaves[[*keys, "target"]].itertuples(index=False)
    }
    changed = sum(1 for k, t in new.items() if k not in old or _num(old[k]) != _num(t))
    return changed + sum(1 for k in old if k not in new)


def _num(value: object) -> object:
    try:
        return to_decimal(value)
    except ValueError:
        return value


def _last_year_totals(request: SplitRequest) -> dict[str, dict[str, float]]:
    """Last fiscal year's actuals per region, team and rep: the baseline propose uses too."""
    history = request.history
    if history.empty:
        return {}
    months = FiscalCalendar(request.fiscal_year - 1, request.first_month).months
    recent = history[history["period"].astype(str).isin(months)]
    recent = recent.assign(amount=pd.to_numeric(recent["amount"], errors="coerce").fillna(0))
    reps = request.reps.set_index("rep_id")
    joined = recent.join(reps[["team", "region"]], on="rep_id")
    return {
        level: {str(k): float(v) for k, v in joined.groupby(column)["amount"].sum().items()}
        for level, column in (("region", "region"), ("team", "team"), ("rep", "rep_id"))
    }


__all__ = ["SplitResult", "SplitSummary", "build_request", "read_locks", "run_split"]
