"""Business-rule checks: KPI weights that must total 100%, and leaf targets that must add up to
the company's final target under the same exact over-assignment rule split applies."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

from salesgoal_xl.core.adjustment import company_change
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.money import max_cascade_units, to_fraction, to_units, unit_fraction
from salesgoal_xl.core.problems import Category, Problem, ProblemCode, error
from salesgoal_xl.core.proposal import is_company_scope
from salesgoal_xl.workbook.cells import choice_code, code_text, format_number, is_blank
from salesgoal_xl.workbook.checks.context import CheckContext, live_values, number_or_none
from salesgoal_xl.workbook.reader import TableRead
from salesgoal_xl.workbook.schema import ADJUSTMENT_STATUSES, SPLIT_LEVELS, YES_NO


def check_kpi_weights(ctx: CheckContext) -> list[Problem]:
    """KPI weights must add up to 100%."""
    read = ctx.found("tblKpis")
    if read is None or "weight" not in read.header_cells or not read.live_rows:
        return []
    weights = [number_or_none(v) for _, v in live_values(read, "weight")]
    numbers = [w for w in weights if w is not None]
    if len(numbers) != len(weights):
        return []  # the cell checks already name the unreadable weights
    total = sum(numbers)
    if math.isclose(total, 1.0, abs_tol=1e-6):
        return []
    hint = "adjust the weights so they total 100%"
    if math.isclose(total, 100.0, abs_tol=1e-4):
        hint = "weights are percentages: type 40% (or 0.4), not 40"
    return [
        error(
            ProblemCode.SHARES_NOT_100,
            f"KPI weights add up to {total:.2%}, not 100%",
            source=replace(read.data.source(), cell=read.column_range("weight"), column="weight"),
            hint=hint,
            category=Category.RULE,
        )
    ]


def check_targets_sum(ctx: CheckContext) -> list[Problem]:
    """Leaf targets must add up to the company's final target (plus allowed over-assignment)."""
    targets = ctx.found("tblTargets")
    proposal = ctx.found("tblProposal")
    if targets is None or proposal is None or not targets.live_rows:
        return []
    if "target" not in targets.header_cells or "final_target" not in proposal.header_cells:
        return []
    company = _company_row(proposal)
    if company is None:
        return []
    final = number_or_none(proposal.data.frame.at[company, "final_target"])
    if final is None:
        return []
    leaves = [number_or_none(v) for _, v in live_values(targets, "target")]
    total = sum((to_fraction(v, "target") for v in leaves if v is not None), Fraction(0))
    exact_final = to_fraction(final, "final target")
    try:
        unit = unit_fraction(ctx.settings.get("rounding_unit", 1))
        final_units = to_units(exact_final, unit, "final target")
    except AllocationError:
        return []  # a final target between units: split's dry run names that cell
    rates = _over_assignment_rates(ctx)
    groups = {
        key: len({code_text(v) for _, v in live_values(targets, key) if not is_blank(v)})
        for key in ("region", "team")
        if key in targets.header_cells
    }
    # The same rule split applies, exact: each level's children add up to round-half-up of
    # parent x (1 + rate), level after level (core.money.max_cascade_units).
    levels = [
        (rates["region"], 1),
        (rates["team"], groups.get("region", 1)),
        (rates["rep"], groups.get("team", 1)),
    ]
    ceiling = max_cascade_units(final_units, levels) * unit
    # Approved adjustments that did not keep their parent's total moved the company's too.
    moved = _adjusted_by(ctx)
    if exact_final + moved <= total <= ceiling + moved:
        return []
    over = any(rate > 0 for rate in rates.values())
    allowed = format_number(float(exact_final + moved))
    if over:
        allowed += f" to {format_number(float(ceiling + moved))}"
    if moved:
        allowed += f" (with {format_number(float(moved))} from applied adjustments)"
    shown = ", ".join(f"{level} {float(rate):.1%}" for level, rate in rates.items() if rate)
    return [
        error(
            ProblemCode.CHILDREN_NOT_SUM,
            f"leaf targets in {targets.name} add up to {format_number(float(total))}, but the "
            f"company's final target ({proposal.data.sheet}!"
            f"{proposal.data.cell(company, 'final_target')}) allows {allowed} "
            f"(over-assignment {shown or 'none'})",
            source=replace(
                targets.data.source(), cell=targets.column_range("target"), column="target"
            ),
            hint="run Split targets again, or correct the final target",
            category=Category.RULE,
        )
    ]


def _adjusted_by(ctx: CheckContext) -> Fraction:
    log = ctx.found("tblAdjustments")
    keys = ("status", "keep_parent_total", "new_target", "old_target")
    if log is None or not set(keys) <= set(log.header_cells):
        return Fraction(0)
    frame = log.data.frame
    rows = []
    for row in log.live_rows:
        fields = {k: frame.at[row, k] for k in keys}
        # The log is read as typed: a zh workbook says 已生效 and 是 for applied and yes.
        fields["status"] = choice_code(ADJUSTMENT_STATUSES, fields["status"])
        fields["keep_parent_total"] = choice_code(YES_NO, fields["keep_parent_total"])
        rows.append(fields)
    return company_change(rows)


def _over_assignment_rates(ctx: CheckContext) -> dict[str, Fraction]:
    """Each org level's over-assignment as split reads it: tblSplitRules, else the setting
    for reps; exact fractions (5% is 1/20)."""
    setting = ctx.settings.get("over_assignment") or 0
    rates = {"region": Fraction(0), "team": Fraction(0), "rep": to_fraction(setting, "setting")}
    rules = ctx.found("tblSplitRules")
    if rules is not None and {"level", "over_assignment"} <= set(rules.header_cells):
        frame = rules.data.frame
        for row in rules.live_rows:
            level = choice_code(SPLIT_LEVELS, frame.at[row, "level"]) or ""
            pct = number_or_none(frame.at[row, "over_assignment"])
            if level in rates and pct is not None:
                rates[level] = max(to_fraction(pct, "over-assignment"), Fraction(0))
    return rates


def _company_row(proposal: TableRead) -> int | None:
    rows = list(proposal.live_rows)
    for row, value in live_values(proposal, "scope"):
        if is_company_scope(code_text(value)):
            return row
    return rows[0] if len(rows) == 1 else None
