"""The CLI's view of command results: summary tables for people, JSON for machines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from salesgoal_xl import console
from salesgoal_xl.commands.evaluate import EvaluateSummary
from salesgoal_xl.commands.propose import ProposeSummary, scope_label
from salesgoal_xl.commands.split import SplitSummary
from salesgoal_xl.core.proposal import Proposal
from salesgoal_xl.workbook.package_port import PackagePort


def file_port(path: Path, report: Callable[[float, str], None]) -> PackagePort:
    """The file adapter of the workbook port, reporting progress to the CLI.

    The package adapter reads only the tables a command asks for and rewrites only the
    parts it owns; it hands over to the openpyxl adapter when a table shares its sheet.
    """
    return PackagePort(path, progress=report)


def show_proposal(summary: ProposeSummary | None, *, as_json: bool) -> None:
    """The proposal as a table per scope, plus the SMART checklist."""
    if summary is None:
        return
    rows = [summary.company, *summary.regions]
    if as_json:
        console.print_json(
            {"written": summary.written, "proposals": [_proposal_json(p) for p in rows]}
        )
        return
    console.table(
        "Target proposal",
        [
            "Scope",
            "Baseline",
            "Forecast",
            "Market",
            "Conservative",
            "Base",
            "Stretch",
            "Final",
            "Challenge",
            "Flags",
        ],
        [
            [
                scope_label(p.scope),
                p.baseline,
                p.forecast,
                p.market_figure,
                p.recommended.conservative,
                p.recommended.base,
                p.recommended.stretch,
                p.final_target if p.final_target_entered else None,
                f"{p.challenge_ratio:.0%}"
                if p.challenge_ratio is not None and p.final_target_entered
                else "",
                p.flags_text(),
            ]
            for p in rows
        ],
    )
    console.table(
        "SMART checklist (company)",
        ["Criterion", "Status", "Reason"],
        [[c.name(), c.status.value, c.reason.text()] for c in summary.company.smart],
    )
    if not summary.written:
        console.out.print("dry run: nothing was written")


def _proposal_json(p: Proposal) -> dict[str, object]:
    return {
        "scope": p.scope,
        "baseline": p.baseline,
        "forecast": p.forecast,
        "forecast_method": p.forecast_method,
        "market_figure": p.market_figure,
        "recommended": {
            "conservative": p.recommended.conservative,
            "base": p.recommended.base,
            "stretch": p.recommended.stretch,
        },
        "final_target": p.final_target if p.final_target_entered else None,
        "challenge_ratio": str(p.challenge_ratio) if p.challenge_ratio is not None else None,
        "flags": [f.code.value for f in p.flags if f.raised],
        "smart": {c.criterion.value: [c.status.value, c.reason.text()] for c in p.smart},
    }


def show_split(summary: SplitSummary | None, *, as_json: bool) -> None:
    """Totals per region and team, the biggest changes versus last year, and the row count."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "written": summary.written,
                "final_target": summary.final_target,
                "total": summary.total,
                "leaf_rows": summary.leaf_rows,
                "changed_rows": summary.changed_rows,
                "methods": summary.methods,
                "levels": {k: v.to_dict("records") for k, v in summary.level_totals.items()},
            }
        )
        return
    for level in ("region", "team"):
        totals = summary.level_totals[level]
        last_map = summary.last_year.get(level, {})
        console.table(
            f"Targets by {level}",
            [level.title(), "Target", "Last year", "Change"],
            [
                [code, int(t), last_map.get(code), _change(int(t), last_map.get(code))]
                for code, t in zip(totals["code"], totals["target"], strict=True)
            ],
        )
    reps = summary.level_totals["rep"]
    if "rep" in summary.last_year:
        last_map = summary.last_year["rep"]
        moves = sorted(
            (
                (code, int(t), last_map.get(code, 0))
                for code, t in zip(reps["code"], reps["target"], strict=True)
            ),
            key=lambda r: -abs(r[1] - r[2]),
        )[:10]
        console.table(
            "Biggest changes vs last year (reps)",
            ["Rep", "Target", "Last year", "Change"],
            [[c, t, ly, _change(t, ly)] for c, t, ly in moves],
        )
    console.out.print(
        f"{summary.leaf_rows:,} leaf targets totalling {summary.total:,} "
        f"(final target {summary.final_target:,}); {summary.changed_rows:,} rows changed; "
        + ("written." if summary.written else "dry run: nothing was written.")
    )


def _change(target: int, last: object) -> str:
    if not isinstance(last, int | float) or not last:
        return ""
    return f"{target / float(last) - 1:+.1%}"


def show_evaluation(summary: EvaluateSummary | None, *, as_json: bool) -> None:
    """Risk by unit, the reps at risk, warnings, the top and bottom scores, and fairness."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "written": summary.written,
                "as_of": summary.as_of,
                "tracking": summary.tracking.to_dict("records"),
                "units": summary.units.to_dict("records"),
                "warnings": summary.warnings.to_dict("records"),
                "scorecard": summary.scorecard.to_dict("records"),
                "fairness": summary.fairness.to_dict("records"),
            }
        )
        return
    units = summary.units[summary.units["level"].isin(["company", "region"])]
    columns = ["code", "actual_to_date", "expected_to_date", "projection", "risk", "reason"]
    console.table(
        f"Tracking as of {summary.as_of}",
        ["Unit", "Actual", "Expected", "Projected", "Risk", "Reason"],
        units[columns].values.tolist(),
    )
    at_risk = summary.tracking[summary.tracking["risk"] != "green"]
    console.table(
        f"Reps not green ({len(at_risk)} of {len(summary.tracking)})",
        ["Rep", "Name", "Risk", "Reason"],
        at_risk[["rep_id", "rep_name", "risk", "reason"]].values.tolist(),
    )
    if len(summary.warnings):
        console.table(
            "Early warnings and re-targeting suggestions",
            ["Kind", "Level", "Code", "Message"],
            summary.warnings[["kind", "level", "code", "message"]].values.tolist(),
        )
    console.table(
        "Fairness",
        ["Metric", "Value", "Verdict"],
        summary.fairness[["metric", "value", "comment"]].values.tolist(),
    )
    console.out.print(
        f"{len(summary.tracking)} reps and {len(summary.units)} units tracked, "
        f"{len(summary.scorecard)} scorecards; "
        + ("written." if summary.written else "dry run: nothing was written.")
    )
