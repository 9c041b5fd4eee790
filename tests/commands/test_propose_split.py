"""propose and split on the demo company, through the in-memory port."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from functools import cache

import pandas as pd
import pytest

from salesgoal_xl.commands.demo import demo_tables
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.demo import build_demo_company
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, Severity
from salesgoal_xl.views import split_totals_line
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.checks import run_checks
from salesgoal_xl.workbook.port import MemoryPort


@cache
def _demo_frames() -> dict[str, pd.DataFrame]:
    return demo_tables(build_demo_company())


def demo_port(**replace: pd.DataFrame) -> MemoryPort:
    """A port holding every schema table: the demo company's data, the rest empty."""
    tables = {t.name: pd.DataFrame(columns=list(t.keys)) for t in schema.TABLES}
    tables.update(_demo_frames())
    tables.update(replace)
    return MemoryPort(tables, label="demo.xlsx")


@pytest.fixture(scope="module")
def split_port() -> MemoryPort:
    port = demo_port()
    run_propose(port, final="base")
    run_split(port)
    return port


def test_propose_writes_company_and_region_rows() -> None:
    """propose fills one company row and one row per region, and five SMART rows."""
    port = demo_port()
    summary = run_propose(port)
    proposal = port.tables["tblProposal"]
    assert list(proposal["scope"]) == ["Company", "EAST", "NORTH", "SOUTH", "WEST"]
    assert len(port.tables["tblSmart"]) == 5
    assert summary.company.forecast > summary.company.baseline > 0


def test_propose_keeps_a_typed_final_target() -> None:
    """A final target the user typed survives a new propose run and is judged."""
    typed = pd.DataFrame([{"scope": "Company", "final_target": 99_000_000}])
    port = demo_port(tblProposal=typed)
    summary = run_propose(port)
    assert summary.company.final_target == 99_000_000
    assert port.tables["tblProposal"]["final_target"][0] == 99_000_000


def test_split_adds_up_to_the_final_target_with_over_assignment() -> None:
    """Regions add up to the final target; each team's reps to the team plus 5%, to the unit."""
    port = demo_port()
    run_propose(port, final="base")
    summary = run_split(port)
    final = int(port.tables["tblProposal"]["final_target"][0])
    assert sum(summary.level_totals["region"]["target"]) == final
    leaves = port.tables["tblTargets"]
    assert (leaves["target"] % 100 == 0).all()
    by_team = leaves.groupby("team")["target"].sum()
    for team, team_total in zip(
        *summary.level_totals["team"].to_dict("list").values(), strict=True
    ):
        units = team_total // 100
        assert by_team[team] == (units * 105 + 50) // 100 * 100  # halves up, whole units


def test_demo_split_shows_the_q4_peak(split_port: MemoryPort) -> None:
    """The demo's seasonality carries into the plan: Q4 gets more than Q3."""
    by_quarter = split_port.tables["tblTargets"].groupby("quarter")["target"].sum()
    assert by_quarter["Q4"] > by_quarter["Q3"]


def test_new_hires_have_no_target_before_they_start(split_port: MemoryPort) -> None:
    """Reps hired during the plan year get no target in the months before they start."""
    reps = _demo_frames()["tblReps"]
    targets = split_port.tables["tblTargets"]
    hires = reps[[str(d) >= "2026-01-01" for d in reps["start_date"]]]
    assert len(hires) >= 1
    for rep_id, start in zip(hires["rep_id"], hires["start_date"], strict=True):
        periods = targets[targets["rep_id"] == rep_id]["period"]
        assert (periods > str(start)[:7]).all()


def test_leavers_have_no_target_after_they_leave(split_port: MemoryPort) -> None:
    """Reps leaving during the plan year get no target after their end month."""
    reps = _demo_frames()["tblReps"]
    targets = split_port.tables["tblTargets"]
    leavers = reps[reps["end_date"].notna()]
    assert len(leavers) >= 1
    for rep_id, end in zip(leavers["rep_id"], leavers["end_date"], strict=True):
        periods = targets[targets["rep_id"] == rep_id]["period"]
        assert (periods <= str(end)[:7]).all()


def test_split_twice_gives_the_same_targets(split_port: MemoryPort) -> None:
    """Running split again on its own output changes nothing."""
    before = split_port.tables["tblTargets"].copy()
    summary = run_split(split_port)
    pd.testing.assert_frame_equal(before, split_port.tables["tblTargets"])
    assert summary.changed_rows == 0


def test_split_without_final_target_fails_and_writes_nothing() -> None:
    """A blank final target stops split with NO_TARGET naming the cell; nothing is written."""
    port = demo_port()
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    assert caught.value.problems[0].code is ProblemCode.NO_TARGET
    assert port.commits == 0
    assert port.tables["tblTargets"].empty


def test_infeasible_lock_fails_naming_the_lock_cell() -> None:
    """A rep locked above its team's total fails with SPLIT_INFEASIBLE and writes nothing."""
    locks = pd.DataFrame(
        [{"level": "rep", "code": "R001", "period": None, "target": 900_000_000, "reason": "x"}]
    )
    port = demo_port(tblOverrides=locks)
    run_propose(port, final="base")
    commits = port.commits
    with pytest.raises(ProblemsFound) as caught:
        run_split(port)
    problem = caught.value.problems[0]
    assert problem.code is ProblemCode.SPLIT_INFEASIBLE
    assert problem.cell
    assert port.commits == commits


def test_dry_run_reports_but_does_not_write() -> None:
    """split --dry-run computes the rows but leaves the workbook as it was."""
    port = demo_port()
    run_propose(port, final="base")
    commits = port.commits
    summary = run_split(port, dry_run=True)
    assert summary.leaf_rows > 0 and not summary.written
    assert port.commits == commits
    assert port.tables["tblTargets"].empty


def test_weekly_split_of_an_april_year_checks_clean() -> None:
    """A weekly split of FY2027 (April to March) passes every check, including the year rule.

    Its last week, 2027-W13/W14, has its Thursday in April 2027, outside the plan year, yet
    its March days belong to March: the Month column decides.
    """
    frames = demo_tables(build_demo_company(fiscal_year=2027, first_month=4))
    settings = frames["tblSettings"].copy()
    settings.loc[settings["setting"] == "granularity", "value"] = "week"
    tables = {t.name: pd.DataFrame(columns=list(t.keys)) for t in schema.TABLES}
    tables.update(frames)
    tables["tblSettings"] = settings
    port = MemoryPort(tables, label="april.xlsx")
    run_propose(port, final="base")
    run_split(port)
    targets = port.tables["tblTargets"]
    assert targets["period"].str.fullmatch(r"\d{4}-W\d\d").all()
    assert targets["month"].min() == "2026-04" and targets["month"].max() == "2027-03"
    assert "2027-W13" in set(targets[targets["month"] == "2027-03"]["period"])
    errors = [p for p in run_checks(port) if p.severity is Severity.ERROR]
    assert errors == []
    assert run_split(port).changed_rows == 0
    # Both halves of a week crossing months are told apart: touching the June half of
    # 2026-W27 (29 June - 5 July) counts as one changed row.
    tampered = port.tables["tblTargets"].copy()
    first = tampered.index[(tampered["period"] == "2026-W27") & (tampered["month"] == "2026-06")][0]
    tampered.loc[first, "target"] += 100
    port.tables["tblTargets"] = tampered  # type: ignore[index]
    assert run_split(port, dry_run=True).changed_rows == 1


def test_the_quota_sum_is_shown_apart_from_the_final_target() -> None:
    """With 5% over-assignment, the summary names both figures, their difference and the rate;
    without it, it says the leaves add up to the final target exactly."""
    port = demo_port()
    run_propose(port, final="base")
    summary = run_split(port)
    final = int(port.tables["tblProposal"]["final_target"][0])
    quotas = int(port.tables["tblTargets"]["target"].sum())
    assert summary.over_assignment == {"rep": Fraction(1, 20)}
    line = split_totals_line(summary)
    assert line.startswith(f"final target {final:,}; quota sum {quotas:,} (+")
    assert f"{quotas - final:,} above the final target: over-assignment rep 5%" in line
    flat = replace(summary, total=final, over_assignment={})
    assert split_totals_line(flat) == (
        f"final target {final:,}; the leaf targets add up to it exactly"
    )
