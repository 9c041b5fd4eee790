"""`evaluate`: read leaf targets, actuals, history and KPIs through the port; write tracking per
rep and per unit, early warnings and re-targeting suggestions, scorecards and fairness figures.

docs/evaluate.md defines every figure. The figures come from ``core.tracking`` (pace,
projection, run rate, risk) and ``core.evaluation``; this module only gathers exact inputs,
with problems at their cells, and lays the results out as the schema's tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from salesgoal_xl.commands.inputs import (
    PlanSettings,
    cell_amount,
    cell_number,
    history_amounts,
    load_settings,
)
from salesgoal_xl.core.calendar import month_days, period_text, working_days
from salesgoal_xl.core.evaluation import (
    FairnessBands,
    Kpi,
    RetargetRule,
    TrackingRules,
    UnitTracking,
    attainment_positions,
    band,
    fairness_figures,
    money,
    ranks,
    retarget_due,
    track_unit,
    weighted_score,
)
from salesgoal_xl.core.money import to_fraction, unit_fraction
from salesgoal_xl.core.problems import (
    NOWHERE,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    error,
)
from salesgoal_xl.workbook.cells import error_value_problem, is_blank, parse_period
from salesgoal_xl.workbook.port import TableData, WorkbookPort

KNOWN_KPIS = ("attainment", "growth", "deals")
"""What a tblKpis row can measure: attainment to date, growth versus the same months last year,
and the deal count of tblActuals' Deals column."""

UNIT_LEVELS = ("company", "region", "team", "channel", "product")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class EvaluationInputs:
    """Everything evaluate reads, exact and checked."""

    periods: tuple[str, ...]
    targets: pd.DataFrame  # period, rep_id, rep_name, team, region, channel, product, target
    actuals: pd.DataFrame  # period, rep_id, channel, product, amount (Fraction), deals
    has_deals: bool
    months_of: dict[str, str]  # plan period -> its fiscal month
    history: dict[tuple[str, str], Fraction]  # (rep_id, month) -> last years' actual
    kpis: tuple[Kpi, ...]
    as_of: str
    elapsed_in_period: Fraction | None


@dataclass(frozen=True)
class EvaluateSummary:
    """What evaluate computed (the frames it writes) and whether it wrote them."""

    as_of: str
    tracking: pd.DataFrame
    units: pd.DataFrame
    warnings: pd.DataFrame
    scorecard: pd.DataFrame
    fairness: pd.DataFrame
    written: bool


def run_evaluate(
    port: WorkbookPort, *, as_of: str | None = None, dry_run: bool = False
) -> EvaluateSummary:
    """Compute every tracking and evaluation table and (unless `dry_run`) write them at once."""
    port.progress(0.0, "reading the workbook")
    settings = load_settings(port)
    inputs = read_inputs(port, settings, as_of)
    port.progress(0.5, "tracking every unit")
    rules = TrackingRules(
        amber_below=settings["amber_threshold"],
        red_below=settings["red_threshold"],
        reach_limit=settings["reach_limit"],
        unit=unit_fraction(settings["rounding_unit"]),
        period_word="week" if settings["granularity"] == "week" else "month",
    )
    rep_figures = _track(inputs, rules, "rep_id")
    tracking = _rep_tracking(inputs, rep_figures)
    units = _unit_tracking(inputs, rules)
    warnings = _warnings(inputs, settings, tracking, units)
    port.progress(0.8, "scoring and fairness")
    scorecard = _scorecard(inputs, settings, rep_figures)
    fairness = _fairness(inputs, settings, rep_figures)
    if not dry_run:
        port.progress(0.9, "writing tracking and evaluation")
        port.write_table("tblTracking", tracking)
        port.write_table("tblTrackingUnits", units)
        port.write_table("tblWarnings", warnings)
        port.write_table("tblScorecard", scorecard)
        port.write_table("tblFairness", fairness)
        port.commit()
    port.progress(1.0, "done")
    return EvaluateSummary(
        inputs.as_of, tracking, units, warnings, scorecard, fairness, written=not dry_run
    )


# --- reading ---------------------------------------------------------------------------------


def read_inputs(port: WorkbookPort, settings: PlanSettings, as_of: str | None) -> EvaluationInputs:
    """Gather evaluate's inputs, collecting every problem before failing."""
    problems: list[Problem] = []
    targets_data = port.read_table("tblTargets")
    targets = leaf_targets(targets_data, problems)
    if targets.empty and not problems:
        raise ProblemsFound(
            [not_split(targets_data, "evaluate measures actuals against them")], port.label
        )
    periods = tuple(sorted(set(targets["period"])))
    months_of = dict(zip(targets["period"], targets["month"], strict=True))
    actuals_data = port.read_table("tblActuals")
    reps = set(targets["rep_id"])
    actuals, has_deals = _actuals(actuals_data, set(periods), reps, problems)
    history = _history(port, problems)
    kpis = _kpis(port.read_table("tblKpis"), problems)
    if problems:
        raise ProblemsFound(problems, port.label)
    if actuals.empty:
        raise ProblemsFound(
            [
                error(
                    ProblemCode.NO_ACTUALS,
                    "tblActuals has no actuals yet: evaluate measures them against the targets",
                    source=actuals_data.source(),
                    hint="type or import the actuals (period, rep, channel, product, amount)",
                )
            ],
            port.label,
        )
    chosen, elapsed = _as_of(as_of, periods, actuals, settings, port.label)
    return EvaluationInputs(
        periods, targets, actuals, has_deals, months_of, history, kpis, chosen, elapsed
    )


def not_split(data: TableData, why: str) -> Problem:
    """NOT_SPLIT at tblTargets: a step that needs the leaf targets before split has run."""
    return error(
        ProblemCode.NOT_SPLIT,
        f"tblTargets has no leaf targets: {why}",
        source=data.source(),
        hint="run split first",
    )


def leaf_targets(data: TableData, problems: list[Problem]) -> pd.DataFrame:
    """tblTargets as exact leaf targets (period, month, rep_id, rep_name, team, region,
    channel, product, target as a Fraction); unreadable targets become problems."""
    frame = data.frame
    keep: list[int] = []
    amounts: list[Fraction] = []
    for row, (period, raw) in enumerate(zip(frame["period"], frame["target"], strict=True)):
        if is_blank(period) and is_blank(raw):
            continue
        value = (
            raw if type(raw) is int else cell_amount(data, row, "target", problems, label="Target")
        )
        if value is None:
            continue
        keep.append(row)
        amounts.append(to_fraction(value, "target"))
    out = frame.loc[keep, ["period", "month", "rep_id", "rep_name", "team", "region"]].copy()
    for key in ("channel", "product"):
        out[key] = frame.loc[keep, key]
    out = out.astype(object).where(out.notna(), "")
    for key in out.columns:
        out[key] = [str(v).strip() for v in out[key]]
    out["month"] = [m or p for m, p in zip(out["month"], out["period"], strict=True)]
    out = out.reset_index(drop=True)
    out["target"] = pd.Series(amounts, dtype=object)
    return out


def _actuals(
    data: TableData, periods: set[str], reps: set[str], problems: list[Problem]
) -> tuple[pd.DataFrame, bool]:
    frame = data.frame
    has_deals = "deals" in frame.columns and any(not is_blank(v) for v in frame["deals"])
    rows: list[dict[str, object]] = []
    blank_rows: dict[str, list[int]] = {}
    for row in range(len(frame)):
        period, rep, raw = frame["period"][row], frame["rep_id"][row], frame["amount"][row]
        if is_blank(period) and is_blank(rep) and is_blank(raw):
            continue
        if is_blank(period) or is_blank(rep):
            blank_rows.setdefault("period" if is_blank(period) else "rep_id", []).append(row)
            continue
        label = period_text(period)
        bad = _bad_period(period, label)
        if bad is not None:
            problems.append(
                Problem(bad[0], Severity.ERROR, bad[1], data.source(row, "period"), bad[2])
            )
            continue
        if label not in periods:
            problems.append(
                error(
                    ProblemCode.PERIOD_OUTSIDE_YEAR,
                    f"Period {period!r} is not a period of the plan's leaf targets",
                    source=data.source(row, "period"),
                    hint="type a period of the plan year, like the ones in tblTargets",
                )
            )
            continue
        rep_id = str(rep).strip()
        if rep_id not in reps:
            problems.append(
                error(
                    ProblemCode.UNKNOWN_CODE,
                    f"Rep ID {rep_id!r} has no target in tblTargets",
                    source=data.source(row, "rep_id"),
                    hint="use a rep ID of tblReps, and run split after adding a rep",
                )
            )
            continue
        amount = cell_amount(data, row, "amount", problems, label="Amount")
        deals = None
        if has_deals:
            number = cell_number(data, row, "deals", problems, label="Deals")
            deals = None if number is None else int(number)
        if amount is None:
            continue
        rows.append(
            {
                "period": label,
                "rep_id": rep_id,
                "channel": _text(frame["channel"][row]),
                "product": _text(frame["product"][row]),
                "amount": to_fraction(amount, "amount"),
                "deals": deals or 0,
            }
        )
    for key, blank in blank_rows.items():  # as the checks say it: once, at the first cell
        label = "Period" if key == "period" else "Rep ID"
        cells = ", ".join(data.cell(r, key) for r in blank[:10])
        problems.append(
            error(
                ProblemCode.BLANK_VALUE,
                f"{label} is empty in {len(blank):,} row(s) of tblActuals: {cells}",
                source=data.source(blank[0], key),
                hint="fill in the cells, or delete the rows",
            )
        )
    columns = ["period", "rep_id", "channel", "product", "amount", "deals"]
    return pd.DataFrame(rows, columns=columns), has_deals


def _bad_period(value: object, label: str) -> tuple[ProblemCode, str, str] | None:
    """The checks' codes for a period cell that is no period: an Excel error value, or text
    that is neither a month nor an ISO week (the same cell check names)."""
    error_value = error_value_problem(value, "Period")
    if error_value is not None:
        return error_value
    if parse_period(label) is None:
        return (
            ProblemCode.BAD_PERIOD,
            f"Period must be a month like 2026-04 or an ISO week like 2026-W15 (got {value!r})",
            "type the period as text: year, dash, two-digit month",
        )
    return None


def _text(value: object) -> str:
    return "" if is_blank(value) else str(value).strip()


def _history(port: WorkbookPort, problems: list[Problem]) -> dict[tuple[str, str], Fraction]:
    if not port.has_table("tblHistory"):
        return {}
    frame = history_amounts(port.read_table("tblHistory"), problems)
    totals: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for rep, period, amount in zip(frame["rep_id"], frame["period"], frame["amount"], strict=True):
        if not is_blank(rep):
            totals[(str(rep).strip(), str(period))] += to_fraction(amount, "amount")
    return dict(totals)


def _kpis(data: TableData, problems: list[Problem]) -> tuple[Kpi, ...]:
    frame = data.frame
    kpis: list[Kpi] = []
    for row in range(len(frame)):
        code = frame["kpi"][row]
        if is_blank(code):
            continue
        kpi = str(code).strip().casefold()
        if kpi not in KNOWN_KPIS:
            problems.append(
                error(
                    ProblemCode.UNKNOWN_CODE,
                    f"KPI {str(code)!r} is not one evaluate can measure",
                    source=data.source(row, "kpi"),
                    hint=f"use one of {', '.join(KNOWN_KPIS)}",
                )
            )
            continue
        numbers = {}
        for key, label in (
            ("weight", "Weight"),
            ("cap", "Score cap"),
            ("goal", "Goal"),
            ("threshold", "Threshold"),
        ):
            value = cell_number(data, row, key, problems, label=label) if key in frame else None
            numbers[key] = None if value is None else Fraction(value)
        direction = "higher" if is_blank(frame["direction"][row]) else str(frame["direction"][row])
        kpis.append(
            Kpi(
                kpi,
                numbers["weight"] or Fraction(0),
                direction.strip().casefold(),
                numbers["cap"],
                numbers["goal"] or (Fraction(0) if kpi == "deals" else Fraction(1)),
                numbers["threshold"],
            )
        )
    return tuple(kpis)


def _as_of(
    given: str | None,
    periods: Sequence[str],
    actuals: pd.DataFrame,
    settings: PlanSettings,
    label: str,
) -> tuple[str, Fraction | None]:
    """The as-of period (default: the last period with actuals) and, for a date, the share of
    that period's working days elapsed by it."""
    if given is None:
        with_actuals = set(actuals["period"])
        return max(p for p in periods if p in with_actuals), None
    text = given.strip()
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            period = _period_of(day, settings)
            if period in periods:
                return period, _elapsed(day, period, settings)
    elif text in periods:
        return text, None
    raise ProblemsFound(
        [
            error(
                ProblemCode.BAD_PERIOD,
                f"--as-of {given!r} is not a period of the plan ({periods[0]} to {periods[-1]}) "
                "nor a date inside one",
                source=NOWHERE,
                hint="give a period like the ones in tblTargets, or a date like 2026-06-15",
            )
        ],
        label,
    )


def _period_of(day: dt.date, settings: PlanSettings) -> str:
    if settings["granularity"] == "week":
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def _elapsed(day: dt.date, period: str, settings: PlanSettings) -> Fraction:
    """Working days of `period` up to `day` over all its working days (calendar days if none)."""
    if "-W" in period:
        year, week = period.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        last = first + dt.timedelta(days=6)
    else:
        first, last = month_days(period)
    country = str(settings["country"]).strip() or None
    total = working_days(first, last, country)
    if total == 0:
        return Fraction((day - first).days + 1, (last - first).days + 1)
    return Fraction(working_days(first, day, country), total)


# --- tracking --------------------------------------------------------------------------------


def _series(
    inputs: EvaluationInputs, key: str
) -> dict[str, tuple[list[Fraction], list[Fraction], int]]:
    """Per unit of column `key`: target and actual per plan period, and deals up to as-of."""
    index = {p: i for i, p in enumerate(inputs.periods)}
    as_of = index[inputs.as_of]
    n = len(inputs.periods)
    targets: dict[str, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * n)
    actuals: dict[str, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * n)
    deals: dict[str, int] = defaultdict(int)
    frame = inputs.targets.assign(company="")
    for unit, period, amount in frame[[key, "period", "target"]].itertuples(index=False):
        targets[unit][index[period]] += amount
    org = inputs.targets.drop_duplicates("rep_id").set_index("rep_id")[["team", "region"]]
    done = inputs.actuals.join(org, on="rep_id").assign(company="")
    for unit, period, amount, count in done[[key, "period", "amount", "deals"]].itertuples(
        index=False
    ):
        actuals[unit][index[period]] += amount
        if index[period] <= as_of:
            deals[unit] += int(count)
    return {
        unit: (targets[unit], actuals[unit], deals[unit])
        for unit in sorted(set(targets) | set(actuals))
    }


def _track(
    inputs: EvaluationInputs, rules: TrackingRules, key: str
) -> dict[str, tuple[UnitTracking, int]]:
    """Every unit of column `key` tracked as of the as-of period, with its deals to date."""
    as_of = inputs.periods.index(inputs.as_of)
    return {
        unit: (
            track_unit(t, a, as_of, rules, expected_in_period=inputs.elapsed_in_period),
            deals,
        )
        for unit, (t, a, deals) in _series(inputs, key).items()
    }


def _figure_row(figure: UnitTracking, as_of: str) -> dict[str, object]:
    return {
        "period": as_of,
        "target_to_date": money(figure.target_to_date),
        "actual_to_date": money(figure.actual_to_date),
        "expected_to_date": money(figure.expected_to_date),
        "annual_target": money(figure.annual_target),
        "projection": figure.projection,
        "required_run_rate": figure.required_run_rate,
        "best_period": None if figure.best_period is None else money(figure.best_period),
        "behind_periods": figure.behind_periods,
        "risk": figure.level.value,
        "reason": figure.reason,
    }


def _rep_tracking(
    inputs: EvaluationInputs, figures: dict[str, tuple[UnitTracking, int]]
) -> pd.DataFrame:
    org = inputs.targets.drop_duplicates("rep_id").set_index("rep_id")
    places = attainment_positions(
        {
            rep: figure.actual_to_date / figure.target_to_date if figure.target_to_date else None
            for rep, (figure, _deals) in figures.items()
        }
    )
    rows = [
        {
            "rep_id": rep,
            "rep_name": org.at[rep, "rep_name"],
            "team": org.at[rep, "team"],
            "region": org.at[rep, "region"],
            **_figure_row(figure, inputs.as_of),
            "attainment_position": places.get(rep),
        }
        for rep, (figure, _deals) in figures.items()
    ]
    return pd.DataFrame(rows, dtype=object)


def _unit_tracking(inputs: EvaluationInputs, rules: TrackingRules) -> pd.DataFrame:
    """The same figures by company, region, team, channel and product line."""
    rows = []
    for level in UNIT_LEVELS:
        for unit, (figure, _deals) in _track(inputs, rules, level).items():
            code = unit or ("TOTAL" if level == "company" else "")
            rows.append({"level": level, "code": code, **_figure_row(figure, inputs.as_of)})
    return pd.DataFrame(rows, dtype=object)


def _warnings(
    inputs: EvaluationInputs,
    settings: PlanSettings,
    tracking: pd.DataFrame,
    units: pd.DataFrame,
) -> pd.DataFrame:
    """Units behind pace for WarnPeriods periods in a row, and re-targeting suggestions."""
    rows: list[dict[str, object]] = []
    limit = int(settings["warn_periods"])
    next_index = inputs.periods.index(inputs.as_of) + 1
    from_period = inputs.periods[next_index] if next_index < len(inputs.periods) else None
    word = "weeks" if settings["granularity"] == "week" else "months"
    behind = [("rep", r) for r in tracking.to_dict("records")]
    behind += [(str(r["level"]), r) for r in units.to_dict("records")]
    for level, row in behind:
        streak = int(row["behind_periods"])
        if streak >= limit:
            code = row["rep_id"] if level == "rep" else row["code"]
            rows.append(
                {
                    "kind": "early_warning",
                    "level": level,
                    "code": code,
                    "period": inputs.as_of,
                    "suggested_target": None,
                    "message": f"behind seasonal pace for {streak} {word} in a row "
                    f"(warning from {limit}): {row['reason']}",
                }
            )
    rule = RetargetRule(
        settings["retarget_share"], settings["retarget_attainment"], settings["retarget_after"]
    )
    elapsed = Fraction(next_index, len(inputs.periods))
    projections = {(r["level"], r["code"]): r["projection"] for r in units.to_dict("records")}
    for region, group in tracking.groupby("region", sort=True):
        attainments = [
            _ratio(a, t)
            for a, t in zip(group["actual_to_date"], group["target_to_date"], strict=True)
        ]
        due = retarget_due(attainments, elapsed, rule)
        if due is None:
            continue
        below, counted = due
        rows.append(
            {
                "kind": "retarget",
                "level": "region",
                "code": region,
                "period": from_period,
                "suggested_target": projections.get(("region", region)),
                "message": f"{below} of {counted} reps ({below / counted:.0%}) are below "
                f"{float(rule.attainment):.0%} attainment with {float(elapsed):.0%} of the year "
                f"gone (trigger: more than {float(rule.share):.0%}); consider an adjustment "
                "request re-spreading the region's remainder (suggested: its projected landing)",
            }
        )
    columns = ["kind", "level", "code", "period", "suggested_target", "message"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _ratio(actual: object, target: object) -> Fraction | None:
    exact_target = to_fraction(target, "target")
    if exact_target <= 0:
        return None
    return to_fraction(actual, "actual") / exact_target


# --- scorecards and fairness -----------------------------------------------------------------


def _last_year(inputs: EvaluationInputs, rep: str) -> Fraction | None:
    """The rep's actual in the same fiscal months one year earlier, up to the as-of period."""
    months = {inputs.months_of[p] for p in inputs.periods[: inputs.periods.index(inputs.as_of) + 1]}
    total = Fraction(0)
    found = False
    for month in months:
        year, number = month.split("-")
        value = inputs.history.get((rep, f"{int(year) - 1:04d}-{number}"))
        if value is not None:
            total += value
            found = True
    return total if found and total > 0 else None


def _measures(
    inputs: EvaluationInputs,
    target: Fraction,
    actual: Fraction,
    last_year: Fraction | None,
    deals: int,
) -> dict[str, Fraction | None]:
    return {
        "attainment": actual / target if target > 0 else None,
        "growth": actual / last_year if last_year else None,
        "deals": Fraction(deals) if inputs.has_deals else None,
    }


def _scorecard(
    inputs: EvaluationInputs,
    settings: PlanSettings,
    rep_figures: dict[str, tuple[UnitTracking, int]],
) -> pd.DataFrame:
    org = inputs.targets.drop_duplicates("rep_id").set_index("rep_id")
    kpis = [k for k in inputs.kpis if k.code != "deals" or inputs.has_deals]
    limits = (settings["band_a"], settings["band_b"], settings["band_c"])
    entries: list[dict[str, object]] = []
    team_sums: dict[str, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 3 + [Fraction(0)])
    for rep, (figure, deals) in sorted(rep_figures.items()):
        last = _last_year(inputs, rep)
        entries.append(
            {
                "level": "rep",
                "rep_id": rep,
                "rep_name": org.at[rep, "rep_name"],
                "team": org.at[rep, "team"],
                "region": org.at[rep, "region"],
                "values": _measures(
                    inputs, figure.expected_to_date, figure.actual_to_date, last, deals
                ),
                "target": figure.expected_to_date,
                "actual": figure.actual_to_date,
                "deals": deals,
            }
        )
        sums = team_sums[str(org.at[rep, "team"])]
        sums[0] += figure.expected_to_date
        sums[1] += figure.actual_to_date
        sums[2] += last or 0
        sums[3] += deals
    team_region = org.drop_duplicates("team").set_index("team")["region"]
    team_size = org.groupby("team").size()
    for team, (target, actual, last, team_deals) in sorted(team_sums.items()):
        entries.append(
            {
                "level": "team",
                "rep_id": "",
                "rep_name": "",
                "team": team,
                "region": team_region[team],
                "values": _measures(inputs, target, actual, last or None, int(team_deals)),
                "target": target,
                "actual": actual,
                "deals": int(team_deals),
                "reps": int(team_size[team]),
            }
        )
    deals_goal = _deals_goal(kpis, [e for e in entries if e["level"] == "rep"])
    for entry in entries:
        per_rep = kpis
        if deals_goal is not None:
            scale = int(entry.get("reps", 1))  # type: ignore[call-overload]
            per_rep = [
                Kpi(k.code, k.weight, k.direction, k.cap, deals_goal * scale, k.threshold)
                if k.code == "deals"
                else k
                for k in kpis
            ]
        values = entry["values"]
        assert isinstance(values, dict)
        entry["score"] = weighted_score(values, per_rep)
    rows = []
    for level in ("rep", "team"):
        level_entries = [e for e in entries if e["level"] == level]
        level_ranks = ranks([e["score"] for e in level_entries])  # type: ignore[misc]
        for entry, rank in zip(level_entries, level_ranks, strict=True):
            score = entry["score"]
            assert isinstance(score, Fraction)
            values = entry["values"]
            assert isinstance(values, dict)
            growth = values["growth"]
            rows.append(
                {
                    "level": level,
                    "rep_id": entry["rep_id"],
                    "rep_name": entry["rep_name"],
                    "team": entry["team"],
                    "region": entry["region"],
                    "target": money(entry["target"]),  # type: ignore[arg-type]
                    "actual": money(entry["actual"]),  # type: ignore[arg-type]
                    "growth": None if growth is None else _four(growth - 1),
                    "deals": entry["deals"] if inputs.has_deals else None,
                    "score": _four(score),
                    "rank": rank,
                    "band": band(score, limits),
                }
            )
    return pd.DataFrame(rows, dtype=object)


def _deals_goal(kpis: Sequence[Kpi], reps: Sequence[dict[str, object]]) -> Fraction | None:
    """A deals KPI without a goal scores 100% at the median rep's count."""
    for kpi in kpis:
        if kpi.code == "deals" and kpi.goal == 0:
            counts = sorted(int(r["deals"]) for r in reps)  # type: ignore[call-overload]
            if not counts:
                return None
            middle = len(counts) // 2
            median = (
                Fraction(counts[middle])
                if len(counts) % 2
                else Fraction(counts[middle - 1] + counts[middle], 2)
            )
            return median if median > 0 else Fraction(1)
        if kpi.code == "deals":
            return kpi.goal
    return None


def _four(value: Fraction) -> Decimal:
    """A ratio as a Decimal to four places, half-up (scores and shares are not money)."""
    scaled = value * 10_000
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    if scaled < 0:
        whole = -((-scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator))
    return Decimal(whole).scaleb(-4)


def _fairness(
    inputs: EvaluationInputs,
    settings: PlanSettings,
    rep_figures: dict[str, tuple[UnitTracking, int]],
) -> pd.DataFrame:
    targets, attainments, difficulties = [], [], []
    for rep, (figure, _deals) in sorted(rep_figures.items()):
        if figure.expected_to_date > 0:
            targets.append(figure.expected_to_date)
            attainments.append(figure.actual_to_date / figure.expected_to_date)
        last_year = _last_full_year(inputs, rep)
        if last_year is not None and figure.annual_target > 0:
            difficulties.append(figure.annual_target / last_year)
    bands = FairnessBands(
        quota_share=(float(settings["fair_quota_low"]), float(settings["fair_quota_high"])),
        median=(float(settings["fair_median_low"]), float(settings["fair_median_high"])),
        spread_max=float(settings["fair_spread_max"]),
        gini_max=float(settings["fair_gini_max"]),
        correlation_max=float(settings["fair_correlation_max"]),
        difficulty=(
            float(settings["fair_difficulty_low"]),
            float(settings["fair_difficulty_high"]),
        ),
    )
    figures = fairness_figures(targets, attainments, difficulties, bands)
    return pd.DataFrame(
        [
            {
                "metric": f.metric,
                "value": None if f.value is None else round(f.value, 4),
                "low": f.low,
                "high": f.high,
                "comment": f.verdict,
            }
            for f in figures
        ],
        dtype=object,
    )


def _last_full_year(inputs: EvaluationInputs, rep: str) -> Fraction | None:
    """The rep's actual over the twelve months before the plan year (None without any)."""
    months = sorted(set(inputs.months_of.values()))
    total, found = Fraction(0), False
    for month in months:
        year, number = month.split("-")
        value = inputs.history.get((rep, f"{int(year) - 1:04d}-{number}"))
        if value is not None:
            total += value
            found = True
    return total if found and total > 0 else None
