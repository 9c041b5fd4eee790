"""evaluate on a small hand-computed plan and on the split demo, through the in-memory port,
check agreeing with it, and the CLI on a real file."""

from __future__ import annotations

import json
import statistics
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.check import command_problems, run_check
from salesgoal_xl.commands.demo import demo_tables
from salesgoal_xl.commands.evaluate import run_evaluate
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.demo import build_demo_company
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, Severity
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import MemoryPort
from salesgoal_xl.workbook.reader import find_table

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
# rep: (team, region, monthly targets, actuals of the first six months, last year per month)
REPS: dict[str, tuple[str, str, list[int], list[int], int]] = {
    "A": ("T1", "N", [1000] * 12, [900] * 6, 1000),
    "B": ("T1", "N", [500] * 6 + [1500] * 6, [400] * 6, 500),
    "C": ("T2", "S", [1000] * 12, [1200] * 6, 1000),
    "D": ("T2", "S", [1000] * 12, [600] * 5 + [1400], 800),
}
DEALS = {"A": 2, "B": 1, "C": 3, "D": 2}


def _settings(**values: object) -> pd.DataFrame:
    chosen = {s.key: s.default for s in schema.SETTINGS}
    chosen.update(values)
    return pd.DataFrame(
        {"setting": list(chosen), "value": pd.Series(chosen.values(), dtype=object)}
    )


def small_plan(*, actuals: bool = True, **settings: object) -> MemoryPort:
    """Four reps in two regions, one channel and product, FY2026 from January, six months
    of actuals; rounding unit 100."""
    tables = {t.name: pd.DataFrame(columns=list(t.keys)) for t in schema.TABLES}
    defaults: dict[str, object] = {"retarget_attainment": Decimal("0.75"), "retarget_share": 0.4}
    tables["tblSettings"] = _settings(**{**defaults, **settings})
    tables["tblTargets"] = pd.DataFrame(
        [
            {
                "period": month,
                "month": month,
                "region": region,
                "team": team,
                "rep_id": rep,
                "rep_name": f"Rep {rep}",
                "channel": "DIR",
                "product": "P1",
                "target": target,
            }
            for rep, (team, region, targets, _a, _h) in REPS.items()
            for month, target in zip(MONTHS, targets, strict=True)
        ]
    )
    if actuals:
        tables["tblActuals"] = pd.DataFrame(
            [
                {
                    "period": month,
                    "rep_id": rep,
                    "channel": "DIR",
                    "product": "P1",
                    "amount": amount,
                    "deals": DEALS[rep],
                }
                for rep, (_t, _r, _tg, done, _h) in REPS.items()
                for month, amount in zip(MONTHS, done, strict=False)
            ]
        )
    tables["tblHistory"] = pd.DataFrame(
        [
            {"period": f"2025-{m:02d}", "rep_id": rep, "channel": "DIR", "product": "P1",
             "amount": last}
            for rep, (_t, _r, _tg, _a, last) in REPS.items()
            for m in range(1, 13)
        ]
    )  # fmt: skip
    tables["tblKpis"] = pd.DataFrame(
        [
            {"kpi": "attainment", "weight": 0.7, "direction": "higher", "cap": 1.5},
            {"kpi": "growth", "weight": 0.3, "direction": "higher", "cap": 1.5},
        ]
    )
    return MemoryPort(tables, label="small.xlsx")


def _row(frame: pd.DataFrame, **match: object) -> dict[str, Any]:
    hit = frame
    for key, value in match.items():
        hit = hit[hit[key] == value]
    assert len(hit) == 1, match
    return dict(hit.iloc[0])


def test_rep_figures_are_the_hand_computed_ones() -> None:
    """Target, actual, expectation, projection (actual + remaining target x pace) and the run
    rate still needed (rounded up to the unit) per rep, as of June, computed by hand."""
    port = small_plan()
    summary = run_evaluate(port)
    tracking = port.tables["tblTracking"]
    assert summary.as_of == "2026-06"
    expected = {
        # rep: (actual, expected, annual, projection, run rate, best, behind, risk)
        "A": (5400, 6000, 12000, 10800, 1100, 900, 0, "green"),
        "B": (2400, 3000, 12000, 9600, 1600, 400, 6, "red"),
        "C": (7200, 6000, 12000, 14400, 800, 1200, 0, "green"),
        "D": (4400, 6000, 12000, 8800, 1300, 1400, 6, "red"),
    }
    for rep, (actual, due, annual, landing, rate, best, behind, risk) in expected.items():
        row = _row(tracking, rep_id=rep)
        assert row["actual_to_date"] == actual
        assert row["target_to_date"] == row["expected_to_date"] == due
        assert row["annual_target"] == annual
        assert row["projection"] == landing
        assert row["required_run_rate"] == rate
        assert row["best_period"] == best
        assert row["behind_periods"] == behind
        assert row["risk"] == risk, (rep, row["reason"])
        assert row["period"] == "2026-06"


def test_each_risk_rule_gives_its_level_and_a_reason_to_act_on() -> None:
    """At pace 90% green (not below the amber threshold); pace 80% is amber by pace but red
    because 1,600 a month is 4x the best month (out of reach above 1.5x); pace 73% red by
    pace; ahead of pace green with no demand."""
    port = small_plan()
    run_evaluate(port)
    tracking = port.tables["tblTracking"]
    assert _row(tracking, rep_id="A")["reason"] == (
        "behind seasonal pace by 10%; needs 1.2x the best month so far"
    )
    assert _row(tracking, rep_id="B")["reason"] == (
        "behind seasonal pace by 20%; needs 4.0x the best month so far "
        "(out of reach: more than 1.5x the best so far)"
    )
    assert _row(tracking, rep_id="C")["reason"] == "ahead of seasonal pace by 20%"
    assert _row(tracking, rep_id="D")["reason"] == (
        "behind seasonal pace by 27%; needs 0.9x the best month so far"
    )


def test_a_higher_reach_limit_leaves_the_pace_rule_alone() -> None:
    """With ReachLimit 5 the 4x run rate is within reach, so B is amber by its 80% pace."""
    port = small_plan(reach_limit=5)
    run_evaluate(port)
    row = _row(port.tables["tblTracking"], rep_id="B")
    assert row["risk"] == "amber"
    assert row["reason"] == "behind seasonal pace by 20%; needs 4.0x the best month so far"


def test_the_same_figures_by_company_region_team_channel_and_product() -> None:
    """tblTrackingUnits sums the reps: the company row by hand, and every level's rows add up."""
    port = small_plan()
    run_evaluate(port)
    units = port.tables["tblTrackingUnits"]
    assert sorted(set(units["level"])) == ["channel", "company", "product", "region", "team"]
    company = _row(units, level="company")
    assert company["code"] == "TOTAL"
    assert company["actual_to_date"] == 19400
    assert company["expected_to_date"] == 21000
    assert company["annual_target"] == 48000
    # 19,400 + 27,000 x 19,400 / 21,000 = 44,342.86, half-up to the unit of 100.
    assert company["projection"] == 44300
    assert company["required_run_rate"] == 4800  # 28,600 / 6 = 4,766.67, up to 4,800
    assert company["best_period"] == 3900
    assert company["reason"] == "behind seasonal pace by 8%; needs 1.2x the best month so far"
    for level in ("region", "team", "channel", "product"):
        rows = units[units["level"] == level]
        assert sum(rows["actual_to_date"]) == 19400
        assert sum(rows["annual_target"]) == 48000
    south = _row(units, level="region", code="S")
    assert (south["actual_to_date"], south["projection"]) == (11600, 23200)


def test_early_warnings_and_retarget_suggestions() -> None:
    """B and D, and so B's team T1 and region N, were behind pace six months running
    (WarnPeriods 3); region S has 1 of 2 reps
    below 75% at mid-year (more than 40%), so it is suggested for re-targeting from July at its
    projected landing; region N (B at 80%) is not."""
    port = small_plan()
    run_evaluate(port)
    warnings = port.tables["tblWarnings"]
    early = warnings[warnings["kind"] == "early_warning"]
    assert {(r["level"], r["code"]) for _, r in early.iterrows()} == {
        ("rep", "B"),
        ("rep", "D"),
        ("team", "T1"),
        ("region", "N"),
    }
    assert all("6 months in a row" in m for m in early["message"])
    retarget = warnings[warnings["kind"] == "retarget"]
    assert list(retarget["code"]) == ["S"]
    row = dict(retarget.iloc[0])
    assert (row["level"], row["period"], row["suggested_target"]) == ("region", "2026-07", 23200)
    assert "1 of 2 reps (50%) are below 75% attainment" in row["message"]


def test_no_retarget_suggestion_before_the_trigger_point() -> None:
    """As of March a quarter of the year is gone, before RetargetAfter (50%): no suggestion."""
    port = small_plan()
    run_evaluate(port, as_of="2026-03")
    assert "retarget" not in set(port.tables["tblWarnings"]["kind"])


def test_as_of_an_earlier_period_and_a_date_inside_one() -> None:
    """--as-of 2026-03 counts three months; a date counts its month by working days (June 2026
    in the US: 21 working days, Juneteenth off, 11 of them by the 15th)."""
    port = small_plan()
    run_evaluate(port, as_of="2026-03")
    row = _row(port.tables["tblTracking"], rep_id="A")
    assert (row["actual_to_date"], row["expected_to_date"], row["period"]) == (
        2700,
        3000,
        "2026-03",
    )
    run_evaluate(port, as_of="2026-06-15")
    row = _row(port.tables["tblTracking"], rep_id="A")
    # 5,000 + 1,000 x 11 / 21 = 5,523.8, half-up to whole currency units.
    assert row["expected_to_date"] == 5524
    assert row["target_to_date"] == 6000
    with pytest.raises(ProblemsFound) as refused:
        run_evaluate(port, as_of="2027-01")
    assert refused.value.problems[0].code is ProblemCode.BAD_PERIOD


def test_scorecard_matches_a_hand_computation() -> None:
    """Score = 0.7 x attainment + 0.3 x growth vs the same months last year; bands A >= 1.1,
    B >= 0.95, C >= 0.8; ranks per level."""
    port = small_plan()
    run_evaluate(port)
    card = port.tables["tblScorecard"]
    expected = {
        "A": (Decimal("0.9000"), 2, "C", Decimal("-0.1000")),
        "B": (Decimal("0.8000"), 3, "C", Decimal("-0.2000")),
        "C": (Decimal("1.2000"), 1, "A", Decimal("0.2000")),
        # 0.7 x 4,400/6,000 + 0.3 x 4,400/4,800 = 0.788333
        "D": (Decimal("0.7883"), 4, "D", Decimal("-0.0833")),
    }
    for rep, (score, rank, grade, growth) in expected.items():
        row = _row(card, level="rep", rep_id=rep)
        assert (row["score"], row["rank"], row["band"], row["growth"]) == (
            score,
            rank,
            grade,
            growth,
        )
    t1, t2 = _row(card, level="team", team="T1"), _row(card, level="team", team="T2")
    assert (t1["score"], t1["rank"], t1["band"]) == (Decimal("0.8667"), 2, "C")
    # 0.7 x 11,600/12,000 + 0.3 x 11,600/10,800 = 0.998889
    assert (t2["score"], t2["rank"], t2["band"]) == (Decimal("0.9989"), 1, "B")


def test_a_deals_kpi_without_a_goal_scores_the_median_rep_at_100_percent() -> None:
    """Deals to date 12, 6, 18, 12: the median rep's 12 scores 1; a team's goal is 12 per rep;
    the cap of 120% holds (C's 18 / 12 = 1.5 scores 1.2)."""
    port = small_plan()
    port._tables["tblKpis"] = pd.DataFrame([{"kpi": "deals", "weight": 1, "cap": 1.2}])
    run_evaluate(port)
    card = port.tables["tblScorecard"]
    scores = {r: _row(card, level="rep", rep_id=r)["score"] for r in "ABCD"}
    assert scores == {
        "A": Decimal("1.0000"),
        "B": Decimal("0.5000"),
        "C": Decimal("1.2000"),
        "D": Decimal("1.0000"),
    }
    assert _row(card, level="team", team="T1")["score"] == Decimal("0.7500")
    assert _row(card, level="team", team="T1")["deals"] == 18


def _direct_gini(values: list[float]) -> float:
    n, total = len(values), sum(values)
    return sum(abs(a - b) for a in values for b in values) / (2 * n * total)


def test_fairness_figures_against_independent_computations() -> None:
    """Share at quota, median, interquartile range, Gini (the direct O(n^2) formula), the
    target-size correlation (statistics.correlation) and the median target / last year."""
    port = small_plan()
    run_evaluate(port)
    fairness = port.tables["tblFairness"].set_index("metric")
    attainment = [0.9, 0.8, 1.2, 4400 / 6000]
    quartiles = statistics.quantiles(attainment, n=4, method="inclusive")
    assert fairness.at["share_at_quota", "value"] == 0.25
    assert fairness.at["median_attainment", "value"] == pytest.approx(0.85, abs=1e-4)
    assert fairness.at["attainment_spread", "value"] == pytest.approx(
        quartiles[2] - quartiles[0], abs=1e-4
    )
    assert fairness.at["gini_attainment", "value"] == pytest.approx(
        _direct_gini(attainment), abs=1e-4
    )
    size = statistics.correlation([6000, 3000, 6000, 6000], attainment)
    assert fairness.at["size_correlation", "value"] == pytest.approx(size, abs=1e-4)
    # 12,000 over last year's 12,000, 6,000, 12,000 and 9,600: median of 1, 2, 1, 1.25.
    assert fairness.at["target_difficulty", "value"] == 1.125
    comment = fairness.at["share_at_quota", "comment"]
    assert comment.startswith("below the healthy band") and "55% to 70%" in comment
    assert fairness.at["target_difficulty", "comment"].startswith("healthy")
    assert (fairness.at["share_at_quota", "low"], fairness.at["share_at_quota", "high"]) == (
        0.55,
        0.7,
    )


def test_fairness_bands_come_from_the_settings() -> None:
    """With the quota band set to 20-30% the same 25% is healthy."""
    port = small_plan(fair_quota_low=0.2, fair_quota_high=0.3)
    run_evaluate(port)
    fairness = port.tables["tblFairness"].set_index("metric")
    assert fairness.at["share_at_quota", "comment"].startswith("healthy")


def test_money_columns_are_exact_not_floats() -> None:
    """Every money figure written is an int or a Decimal; cents in actuals stay cents."""
    port = small_plan()
    actuals = port._tables["tblActuals"]
    actuals["amount"] = actuals["amount"].astype(object)
    actuals.loc[0, "amount"] = 900.25
    run_evaluate(port)
    row = _row(port.tables["tblTracking"], rep_id="A")
    assert row["actual_to_date"] == Decimal("5400.25")
    for key in ("target_to_date", "actual_to_date", "expected_to_date", "projection"):
        for value in port.tables["tblTrackingUnits"][key]:
            assert isinstance(value, int | Decimal), (key, value)


def test_dry_run_writes_nothing() -> None:
    """--dry-run computes the same figures and commits nothing."""
    port = small_plan()
    summary = run_evaluate(port, dry_run=True)
    assert port.commits == 0 and not summary.written
    assert len(summary.tracking) == 4


def test_no_actuals_is_a_step_to_do_naming_tbl_actuals() -> None:
    """A plan without actuals is refused with NO_ACTUALS at tblActuals; check lists it as a step
    to do (info) without failing a plan propose and split accept."""
    port = small_plan(actuals=False)
    with pytest.raises(ProblemsFound) as refused:
        run_evaluate(port)
    (problem,) = refused.value.problems
    assert problem.code is ProblemCode.NO_ACTUALS
    assert problem.source.table == "tblActuals"
    assert "tblActuals" in problem.message
    listed = command_problems(port, [])
    steps = [p for p in listed if p.code is ProblemCode.NO_ACTUALS]
    assert steps and steps[0].severity is Severity.INFO


def test_check_reports_what_evaluate_refuses_at_the_same_cell() -> None:
    """An unknown KPI and an actual for a rep without a target: evaluate refuses both, and
    check's dry run lists both with the same code at the same cell."""
    port = small_plan()
    port._tables["tblKpis"].loc[1, "kpi"] = "margin"
    port._tables["tblActuals"].loc[3, "rep_id"] = "ZZ"
    with pytest.raises(ProblemsFound) as refused:
        run_evaluate(port)
    places = {(p.code, p.source.table, p.cell) for p in refused.value.problems}
    assert (ProblemCode.UNKNOWN_CODE, "tblKpis", "A3") in places
    assert (ProblemCode.UNKNOWN_CODE, "tblActuals", "B5") in places
    listed = {(p.code, p.source.table, p.cell) for p in command_problems(port, [])}
    assert places <= listed
    assert run_check(port, write=False).exit_code == 1


def test_blank_and_broken_periods_get_the_checks_codes() -> None:
    """A blank period is BLANK_VALUE, text that is no period BAD_PERIOD, an Excel error
    ERROR_VALUE, a period the targets lack PERIOD_OUTSIDE_YEAR: each at its cell."""
    port = small_plan()
    actuals = port._tables["tblActuals"]
    actuals["period"] = actuals["period"].astype(object)
    actuals.loc[0, "period"] = None
    actuals.loc[1, "period"] = "June"
    actuals.loc[2, "period"] = "#VALUE!"
    actuals.loc[3, "period"] = "2027-01"
    with pytest.raises(ProblemsFound) as refused:
        run_evaluate(port)
    places = {(p.code, p.cell) for p in refused.value.problems}
    assert places == {
        (ProblemCode.BLANK_VALUE, "A2"),
        (ProblemCode.BAD_PERIOD, "A3"),
        (ProblemCode.ERROR_VALUE, "A4"),
        (ProblemCode.PERIOD_OUTSIDE_YEAR, "A5"),
    }


# --- the split demo --------------------------------------------------------------------------


@cache
def _split_demo() -> dict[str, pd.DataFrame]:
    tables = {t.name: pd.DataFrame(columns=list(t.keys)) for t in schema.TABLES}
    tables.update(demo_tables(build_demo_company()))
    port = MemoryPort(tables, label="demo.xlsx")
    run_propose(port, final="base")
    run_split(port)
    return dict(port.tables)


def _six_months_of_actuals(targets: pd.DataFrame) -> pd.DataFrame:
    """Actuals at 95% of target (whole currency units) for the first six fiscal months."""
    periods = sorted(set(targets["period"]))[:6]
    done = targets[targets["period"].isin(periods)]
    return pd.DataFrame(
        {
            "period": done["period"].to_list(),
            "rep_id": done["rep_id"].to_list(),
            "channel": done["channel"].to_list(),
            "product": done["product"].to_list(),
            "amount": [int(t) * 95 // 100 for t in done["target"]],
        }
    )


def test_demo_as_of_defaults_to_the_last_month_with_actuals() -> None:
    """On the split demo with six months of actuals, as-of is the sixth month; every rep has a
    row, the company row sums the reps, and the money adds up to the targets."""
    tables = _split_demo()
    targets = tables["tblTargets"]
    port = MemoryPort({**tables, "tblActuals": _six_months_of_actuals(targets)})
    summary = run_evaluate(port)
    periods = sorted(set(targets["period"]))
    assert summary.as_of == periods[5]
    tracking = port.tables["tblTracking"]
    assert set(tracking["rep_id"]) == set(targets["rep_id"])
    company = _row(port.tables["tblTrackingUnits"], level="company")
    assert company["annual_target"] == sum(targets["target"])
    assert company["actual_to_date"] == sum(tracking["actual_to_date"])
    assert all(isinstance(r, str) and r for r in tracking["reason"])
    assert set(port.tables["tblScorecard"]["level"]) == {"rep", "team"}


def test_evaluate_on_a_file_from_the_command_line(tmp_path: Path) -> None:
    """demo, propose, split, actuals typed into the file with openpyxl, then `salesgoal
    evaluate --json` exits 0, writes one Tracking row per rep, and check no longer lists
    NO_ACTUALS as a step to do."""
    path = tmp_path / "plan.xlsx"
    for args in (
        ["demo", str(path)],
        ["propose", str(path), "--final", "base"],
        ["split", str(path)],
    ):
        assert runner.invoke(app, args).exit_code == 0
    before = runner.invoke(app, ["check", "--no-write", "--json", str(path)])
    assert before.exit_code == 0, before.output
    assert "NO_ACTUALS" in {p["code"] for p in json.loads(before.stdout)["problems"]}
    targets = PackagePort(path).read_table("tblTargets").frame
    actuals = _six_months_of_actuals(targets)
    wb = load_workbook(path)
    found = find_table(wb, "tblActuals")
    assert found is not None
    ws, table = found
    min_col, min_row, _max_col, _max_row = range_boundaries(table.ref)
    for offset, row in enumerate(actuals.itertuples(index=False), start=1):
        for column, value in enumerate(row):
            ws.cell(min_row + offset, min_col + column, value)
    table.ref = (
        f"{get_column_letter(min_col)}{min_row}:"
        f"{get_column_letter(min_col + 4)}{min_row + len(actuals)}"
    )
    wb.save(path)
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    reps = set(targets["rep_id"])
    assert report["written"] is True and report["as_of"] == sorted(set(targets["period"]))[5]
    assert {r["rep_id"] for r in report["tracking"]} == reps
    written = PackagePort(path).read_table("tblTracking").frame
    assert set(written["rep_id"]) == reps
    after = runner.invoke(app, ["check", "--no-write", "--json", str(path)])
    assert "NO_ACTUALS" not in {p["code"] for p in json.loads(after.stdout)["problems"]}


def test_a_number_no_date_can_be_is_named_at_its_cell_as_check_names_it(tmp_path: Path) -> None:
    """A huge number typed in an actual's Period cell is BAD_PERIOD (or outside the plan) at
    that cell for evaluate, and check lists the same code at the same cell; no internal error."""
    path = tmp_path / "plan.xlsx"
    for args in (
        ["demo", str(path)],
        ["propose", str(path), "--final", "base"],
        ["split", str(path)],
    ):
        assert runner.invoke(app, args).exit_code == 0
    wb = load_workbook(path)
    found = find_table(wb, "tblActuals")
    assert found is not None
    ws, table = found
    min_col, min_row, _max_col, _max_row = range_boundaries(table.ref)
    for column, value in enumerate([-6.5e16, "R001", "DIRECT", "P1", 100]):
        ws.cell(min_row + 1, min_col + column, value)
    table.ref = (
        f"{get_column_letter(min_col)}{min_row}:{get_column_letter(min_col + 4)}{min_row + 1}"
    )
    wb.save(path)
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    refused = {(p["code"], p["cell"]) for p in json.loads(result.stdout)["problems"]}
    period_cell = f"{get_column_letter(min_col)}{min_row + 1}"
    assert any(cell == period_cell for _code, cell in refused), refused
    check = runner.invoke(app, ["check", "--no-write", "--json", str(path)])
    listed = {(p["code"], p["cell"]) for p in json.loads(check.stdout)["problems"]}
    assert refused <= listed


runner = CliRunner()
