"""Each check finds its failure family at the right cell; a good plan is clean in every language."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.cell import get_column_letter, range_boundaries

from salesgoal_xl.core.problems import Problem, ProblemCode, Severity, Source, error
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.checks import (
    ALL_CHECKS,
    SAME_PROBLEM_LIMIT,
    fiscal_months,
    run_checks,
    summarise_runs,
)
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table
from tests.workbook.bad_tables import (
    BAD_TABLE_CASES,
    BadCase,
    Plan,
    build_workbook,
    data_cell,
    good_plan,
    reopen,
)


def _checked(plan: Plan) -> list[Problem]:
    return run_checks(reopen(build_workbook(plan)))


def _set_setting(plan: Plan, label: str, value: object) -> None:
    for row in plan["tblSettings"]:
        if row["setting"] == label:
            row["value"] = value


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_good_plan_is_clean(lang: str) -> None:
    """The reference plan, laid out in any language, gives no problem at all."""
    assert run_checks(reopen(build_workbook(lang=lang))) == []


@pytest.mark.parametrize("case", BAD_TABLE_CASES, ids=lambda c: c.name)
def test_each_bad_case_gives_its_code(case: BadCase) -> None:
    """Every failure family is reported with its own stable code (and cell, where pinned)."""
    problems = run_checks(reopen(case.build()))
    assert case.code in {p.code for p in problems}, [p.format() for p in problems]
    if case.cell:
        assert case.cell in {p.where for p in problems if p.code is case.code}


def test_bad_table_cases_cover_every_family_once_at_least() -> None:
    """The corpus of data-level bad workbooks is large and names distinct cases."""
    names = [c.name for c in BAD_TABLE_CASES]
    assert len(names) == len(set(names)) >= 30


def test_checks_are_listed_in_one_tuple_of_plain_functions() -> None:
    """ALL_CHECKS holds the check functions, each named check_*, each with a docstring."""
    assert all(c.__name__.startswith("check_") and c.__doc__ for c in ALL_CHECKS)
    assert len({c.__name__ for c in ALL_CHECKS}) == len(ALL_CHECKS)


def test_all_problems_are_collected_not_just_the_first() -> None:
    """Several different faults in one workbook are all reported in one run."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "1.000,50"
    plan["tblReps"][0]["team"] = "T9"
    plan["tblKpis"][0]["weight"] = 0.5
    plan["tblActuals"][0]["period"] = "2026-13"
    codes = {p.code for p in _checked(plan)}
    assert {
        ProblemCode.LOCALE_NUMBER,
        ProblemCode.UNKNOWN_CODE,
        ProblemCode.SHARES_NOT_100,
        ProblemCode.BAD_PERIOD,
    } <= codes


def test_thousands_of_rows_with_one_unknown_code_give_one_problem() -> None:
    """An unknown rep id shared by 3,000 rows is one problem: first cell, a few more, a count."""
    plan = good_plan()
    row = plan["tblTargets"][0]
    plan["tblTargets"] = [dict(row, rep_id="R99", target=400) for _ in range(3_000)]
    problems = [p for p in _checked(plan) if p.code is ProblemCode.UNKNOWN_CODE]
    assert len(problems) == 1
    assert problems[0].cell == "F3"
    assert "3,000 cells" in problems[0].message and "F4" in problems[0].message


def test_many_distinct_unknown_codes_are_summed_up() -> None:
    """Past twenty distinct unknown codes in a column, the rest come as one summary line."""
    plan = good_plan()
    for i, row in enumerate(plan["tblTargets"]):
        row["rep_id"] = f"X{i}"
    problems = [p for p in _checked(plan) if p.code is ProblemCode.UNKNOWN_CODE]
    assert len(problems) == 21
    assert problems[-1].message.startswith("4 more unknown")


def test_negative_history_amount_is_only_a_warning() -> None:
    """Returns can make a month negative: a warning in history, an error in a target."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = -10
    plan["tblMarket"][0]["market_size"] = -10
    severities = {
        p.sheet: p.severity for p in _checked(plan) if p.code is ProblemCode.NEGATIVE_AMOUNT
    }
    assert severities == {"History": Severity.WARNING, "Target setting": Severity.ERROR}


def test_number_stored_as_text_is_a_warning_and_locale_text_an_error() -> None:
    """'50000' as text is read with a warning; '1,000' as text is ambiguous, so an error."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "40100"
    plan["tblHistory"][1]["amount"] = "1,000"
    found = {p.code: p for p in _checked(plan)}
    assert found[ProblemCode.NUMBER_AS_TEXT].severity is Severity.WARNING
    assert found[ProblemCode.LOCALE_NUMBER].severity is Severity.ERROR
    assert "1 or 1,000" in found[ProblemCode.LOCALE_NUMBER].message


def test_text_that_looks_like_a_formula_is_not_a_formula() -> None:
    """A note typed as the text '=HYPERLINK(...)' is text, not a formula in an input."""
    wb = build_workbook()
    cell = data_cell(wb, "tblApprovals", "note", 0)
    cell.value = "=HYPERLINK(1)"
    cell.data_type = "s"
    assert run_checks(reopen(wb)) == []


def test_duplicate_key_names_both_cells() -> None:
    """A duplicated key (case-insensitive) names the first and the second cell."""
    plan = good_plan()
    plan["tblChannels"][1]["channel"] = "dir"
    wb = build_workbook(plan)
    first, second = (data_cell(wb, "tblChannels", "channel", i).coordinate for i in (0, 1))
    [dup] = [p for p in run_checks(reopen(wb)) if p.code is ProblemCode.DUPLICATE_KEY]
    assert f"{first} and {second}" in dup.message and dup.cell == second


@pytest.mark.parametrize(
    ("fiscal_year", "first_month", "first", "last"),
    [(2026, 1, (2026, 1), (2026, 12)), (2026, 4, (2025, 4), (2026, 3))],
)
def test_fiscal_year_is_named_by_the_year_it_ends(
    fiscal_year: int, first_month: int, first: tuple[int, int], last: tuple[int, int]
) -> None:
    """FY2026 starting in April runs 2025-04..2026-03; starting in January, 2026-01..2026-12."""
    months = fiscal_months(fiscal_year, first_month)
    assert len(months) == 12 and min(months) == first and max(months) == last


def test_periods_follow_the_fiscal_year_setting() -> None:
    """With the year starting in April, 2026-04 targets lie outside FY2026 and 2025-04 inside."""
    plan = good_plan()
    _set_setting(plan, "First month of fiscal year", 4)
    for i, row in enumerate(plan["tblTargets"]):
        row["period"] = "2025-04" if i else "2026-04"
    plan["tblOverrides"][0]["period"] = "2025-05"
    plan["tblActuals"][0]["period"] = "2026-W10"
    outside = [p for p in _checked(plan) if p.code is ProblemCode.PERIOD_OUTSIDE_YEAR]
    assert [(p.sheet, p.cell) for p in outside] == [("Targets", "A3")]


def test_over_assignment_allows_leaf_targets_above_the_company_target() -> None:
    """Leaf targets may exceed the final target by the over-assignment setting, not more."""
    plan = good_plan()
    plan["tblProposal"][0]["final_target"] = 1_150_000
    assert ProblemCode.CHILDREN_NOT_SUM in {p.code for p in _checked(plan)}
    _set_setting(plan, "Over-assignment", 0.05)
    assert _checked(plan) == []


def test_kpi_weights_typed_as_whole_percent_get_a_hint() -> None:
    """Weights 60 and 40 add to 100, not 100%: the hint says to type 60% instead."""
    plan = good_plan()
    plan["tblKpis"][0]["weight"] = 60
    plan["tblKpis"][1]["weight"] = 40
    [shares] = [p for p in _checked(plan) if p.code is ProblemCode.SHARES_NOT_100]
    assert shares.cell == "C3:C4" and "40%" in shares.hint


def test_level_codes_are_checked_at_their_level() -> None:
    """An override for level 'team' must name a team, and a 'time' code must be a period."""
    plan = good_plan()
    plan["tblOverrides"].append({"level": "team", "code": "R01", "target": 5})
    plan["tblWeights"].append({"level": "time", "code": "March", "weight": 1})
    unknown = [p for p in _checked(plan) if p.code is ProblemCode.UNKNOWN_CODE]
    assert {p.sheet for p in unknown} == {"Decomposition"} and len(unknown) == 2


def test_runs_of_the_same_problem_are_summed_up_per_column() -> None:
    """Past the limit, the same code in the same column is one summary line with a range."""
    problems = [
        error(
            ProblemCode.NOT_A_NUMBER,
            "x",
            source=Source("History", f"E{i}", "tblHistory", "amount", i - 3),
        )
        for i in range(3, 103)
    ]
    problems.append(error(ProblemCode.NOT_A_NUMBER, "y", sheet="History", cell="E200"))
    kept = summarise_runs(problems)
    assert len(kept) == SAME_PROBLEM_LIMIT + 2  # the one without a data row stands alone
    assert kept[-2].cell == f"E{3 + SAME_PROBLEM_LIMIT}:E102"
    assert kept[-2].source.row is None and kept[-1].message == "y"


def test_checks_run_through_any_port() -> None:
    """Without a file, checks run over the port's frames (a MemoryPort here)."""
    plan = copy.deepcopy(good_plan())
    plan["tblHistory"][0]["rep_id"] = "R77"
    frames = {
        name: pd.DataFrame(rows, columns=list(schema.table(name).keys))
        for name, rows in plan.items()
    }
    for spec in schema.TABLES:
        frames.setdefault(spec.name, pd.DataFrame(columns=list(spec.keys)))
    codes = [p.code for p in run_checks(MemoryPort(frames))]
    assert codes == [ProblemCode.UNKNOWN_CODE]


def test_split_rule_over_assignment_counts_too() -> None:
    """A rep-level over-assignment in tblSplitRules widens the allowed total like the setting."""
    plan = good_plan()
    plan["tblProposal"][0]["final_target"] = 1_150_000
    plan["tblSplitRules"][0]["over_assignment"] = 0.05
    assert _checked(plan) == []


def test_formula_columns_alone_do_not_make_a_row() -> None:
    """A blank row whose only content is a live formula column is not data (templates have one)."""
    wb = build_workbook()
    data_cell(wb, "tblMarket", "market_figure", 1).value = "=1+1"
    found = find_table(wb, "tblMarket")
    assert found is not None
    _, min_row, max_col, max_row = range_boundaries(found[1].ref)
    found[1].ref = f"A{min_row}:{get_column_letter(max_col)}{max_row + 1}"
    assert run_checks(reopen(wb)) == []


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["#REF!", "#N/A", "=SUM(A1:A2)", "1.000,50", "2026-W53", "R01", "Q1"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), CELL_VALUES), min_size=1, max_size=8))
def test_checks_never_raise_whatever_the_cells_hold(edits: list[tuple[int, object]]) -> None:
    """Any values typed into any table cells give problems with cells, never an exception."""
    wb = build_workbook()
    plan = good_plan()
    targets = [
        (name, key, row)
        for name, rows in plan.items()
        for row in range(len(rows))
        for key in schema.table(name).keys
    ]
    for pick, value in edits:
        name, key, row = targets[pick % len(targets)]
        data_cell(wb, name, key, row).value = value
    for problem in run_checks(wb):
        assert problem.sheet and problem.message, problem
