"""Regions that reconcile: the region rows of tblProposal add up to the company row, region
final targets can be typed and are kept by split, and regions can be split by forecast."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from salesgoal_xl.commands.check import run_check
from salesgoal_xl.commands.demo import split_rules_frame
from salesgoal_xl.commands.propose import BACKTEST_TABLE, run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, Severity
from salesgoal_xl.workbook.port import MemoryPort
from tests.commands.test_propose_split import demo_port

FIGURES = ("baseline", "forecast", "market_figure", "conservative", "base", "stretch")


def _rules(**methods: str) -> pd.DataFrame:
    rules = split_rules_frame()
    for level, method in methods.items():
        rules.loc[rules["level"] == level, "method"] = method
    return rules


def _region_totals(port: MemoryPort, summary_totals: pd.DataFrame) -> dict[str, int]:
    rows = zip(summary_totals["code"], summary_totals["target"], strict=True)
    return {str(code): int(target) for code, target in rows}


def _region_forecasts(proposal: pd.DataFrame) -> dict[str, int]:
    rows = zip(proposal["scope"][1:], proposal["forecast"][1:], strict=True)
    return {str(scope): int(forecast) for scope, forecast in rows}


def _type_final(port: MemoryPort, scope: str, amount: int | None) -> None:
    proposal = port.tables["tblProposal"].astype(object)
    proposal.loc[proposal["scope"] == scope, "final_target"] = amount
    port.tables["tblProposal"] = proposal


def test_every_figure_column_of_the_regions_adds_up_to_the_company_row() -> None:
    """Baseline and market bottom-up, forecast, conservative, base and stretch top-down: each
    column of the region rows sums exactly to the company's, in rounding units."""
    port = demo_port()
    run_propose(port, final="base")
    proposal = port.tables["tblProposal"]
    company, regions = proposal.iloc[0], proposal.iloc[1:]
    assert company["scope"] == "Company" and len(regions) == 4
    for column in FIGURES:
        assert sum(int(v) for v in regions[column]) == int(company[column]), column
    for column in ("forecast", "conservative", "base", "stretch"):
        assert all(int(v) % 100 == 0 for v in regions[column]), column


def test_each_region_keeps_its_share_of_its_own_forecast() -> None:
    """A region's reconciled forecast is the company's times its own forecast's share (to
    one rounding unit); its own forecast stays in tblBacktest's chosen row."""
    port = demo_port()
    summary = run_propose(port, final="base")
    backtest = port.tables[BACKTEST_TABLE]
    chosen = backtest[backtest["chosen"] == "yes"].set_index("scope")["forecast"]
    own = {r.scope: int(chosen[r.scope]) for r in summary.regions}
    # The demo's regions forecast 58,057,600 together against the company's 62,481,800.
    assert sum(own.values()) < summary.company.forecast
    for region in summary.regions:
        exact = Fraction(summary.company.forecast * own[region.scope], sum(own.values()))
        assert abs(region.forecast - exact) < 100, region.scope
        assert region.recommended.base == region.forecast
    # Flags are judged on the reconciled figures: WEST's forecast is still far below its
    # market (13.4M against 16.3M), SOUTH's is within 15% of its 9.3M.
    flags = {r.scope: r.far_from_market for r in summary.regions}
    assert flags == {"EAST": False, "NORTH": False, "SOUTH": False, "WEST": True}


def test_regions_split_by_forecast_share_the_final_target_as_they_share_the_forecast() -> None:
    """Method 'forecast' on the region rule: each region gets the final target times its
    Trend forecast's share of the regions' (tblProposal), to one rounding unit."""
    port = demo_port(tblSplitRules=_rules(region="forecast"))
    run_propose(port, final="base")
    summary = run_split(port)
    assert summary.methods["region"] == "forecast"
    proposal = port.tables["tblProposal"]
    final = int(proposal["final_target"][0])
    forecasts = _region_forecasts(proposal)
    totals = _region_totals(port, summary.level_totals["region"])
    assert sum(totals.values()) == final
    for region, target in totals.items():
        exact = Fraction(final * forecasts[region], sum(forecasts.values()))
        assert abs(target - exact) < 100, region
    # SOUTH's own forecast grows least: by forecast it gets less than by last year's share.
    by_history = run_split(demo_port_after_propose(), dry_run=True).level_totals["region"]
    assert totals["SOUTH"] < _region_totals(port, by_history)["SOUTH"]
    assert port.tables["tblTargets"]["method"].str.startswith("forecast>").all()


def demo_port_after_propose() -> MemoryPort:
    port = demo_port(tblSplitRules=_rules(region="history"))
    run_propose(port, final="base")
    return port


def test_a_typed_region_final_target_is_kept_and_the_rest_is_split_over_the_others() -> None:
    """SOUTH's final target typed in tblProposal survives propose, split keeps it exactly and
    the other regions share the rest by their rule; check is clean."""
    port = demo_port(tblSplitRules=_rules(region="forecast"))
    run_propose(port, final="base")
    _type_final(port, "SOUTH", 9_500_000)
    summary = run_propose(port)
    south = next(r for r in summary.regions if r.scope == "SOUTH")
    assert south.final_target_entered and south.final_target == 9_500_000
    proposal = port.tables["tblProposal"]
    assert proposal.loc[proposal["scope"] == "SOUTH", "final_target"].tolist() == [9_500_000]
    assert proposal.loc[proposal["scope"] == "EAST", "final_target"].isna().all()

    split = run_split(port)
    totals = _region_totals(port, split.level_totals["region"])
    final = int(proposal["final_target"][0])
    assert totals["SOUTH"] == 9_500_000
    assert sum(totals.values()) == final
    others = _region_forecasts(proposal)
    del others["SOUTH"]
    for region, forecast in others.items():
        exact = Fraction((final - 9_500_000) * forecast, sum(others.values()))
        assert abs(totals[region] - exact) < 100, region
    errors = run_check(port, write=False).problems
    assert [p for p in errors if p.severity is Severity.ERROR] == []


def test_region_final_targets_that_exceed_the_company_target_name_their_cells() -> None:
    """Region final targets adding up to more than the company's stop split (and check) with
    SPLIT_INFEASIBLE at the typed cells; nothing is written."""
    port = demo_port()
    run_propose(port, final="base")
    _type_final(port, "EAST", 40_000_000)
    _type_final(port, "NORTH", 40_000_000)
    commits = port.commits
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    cells = {p.cell for p in caught.value.problems if p.code is ProblemCode.SPLIT_INFEASIBLE}
    column = _final_column(port)
    assert {f"{column}3", f"{column}4"} <= cells
    assert port.commits == commits
    checked = run_check(port, write=False)
    assert checked.exit_code == 1
    assert {p.cell for p in checked.problems if p.code is ProblemCode.SPLIT_INFEASIBLE} >= cells


def _final_column(port: MemoryPort) -> str:
    """The column letter MemoryPort gives tblProposal's Final target."""
    data = port.read_table("tblProposal")
    return "".join(ch for ch in data.cell(0, "final_target") if ch.isalpha())


def test_a_region_locked_twice_names_both_cells() -> None:
    """A final target typed for SOUTH and an annual SOUTH lock in tblOverrides: one lock too
    many, named at the lock with the other cell in the message."""
    locks = pd.DataFrame(
        [{"level": "region", "code": "SOUTH", "period": None, "target": 9_000_000, "reason": "x"}]
    )
    port = demo_port(tblOverrides=locks)
    run_propose(port, final="base")
    _type_final(port, "SOUTH", 9_500_000)
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    (twice,) = [p for p in caught.value.problems if "locked twice" in p.message]
    final_cell = port.read_table("tblProposal").source(3, "final_target")
    assert f"also at {final_cell}" in twice.message
    assert twice.sheet == port.read_table("tblOverrides").sheet


def test_forecast_splits_regions_only_and_needs_the_proposal() -> None:
    """'forecast' on the team rule is refused at the rule's cell; on the region rule with no
    region rows in tblProposal it says to run propose."""
    port = demo_port(tblSplitRules=_rules(team="forecast"))
    run_propose(port, final="base")
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    (problem,) = caught.value.problems
    assert "splits regions only" in problem.message
    assert problem.cell == port.read_table("tblSplitRules").cell(2, "method")

    port = demo_port(tblSplitRules=_rules(region="forecast"))
    run_propose(port, final="base")
    proposal = port.tables["tblProposal"]
    port.tables["tblProposal"] = proposal.iloc[:1].reset_index(drop=True)
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 4 and all("run propose" in m for m in messages)
