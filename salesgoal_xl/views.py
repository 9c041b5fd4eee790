"""The CLI's view of command results: summary tables for people, JSON for machines."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from salesgoal_xl import console
from salesgoal_xl.commands.adjust import AdjustSummary
from salesgoal_xl.commands.approvals import ApproveSummary, VerifySummary
from salesgoal_xl.commands.collect import CollectSummary
from salesgoal_xl.commands.demo import DemoActualsSummary
from salesgoal_xl.commands.evaluate import EvaluateSummary
from salesgoal_xl.commands.export import ExportSummary
from salesgoal_xl.commands.imports import ImportSummary
from salesgoal_xl.commands.propose import ProposeSummary, scope_label
from salesgoal_xl.commands.split import SplitSummary
from salesgoal_xl.core.backtest import Backtest, method_name, parameters_text
from salesgoal_xl.core.money import round_half_up, to_fraction
from salesgoal_xl.core.problems import problems_to_json
from salesgoal_xl.core.proposal import Proposal
from salesgoal_xl.workbook.package_port import PackagePort


def file_port(path: Path, report: Callable[[float, str], None]) -> PackagePort:
    """The file adapter of the workbook port, reporting progress to the CLI.

    The package adapter reads only the tables a command asks for and rewrites only the
    parts it writes; it hands over to the openpyxl adapter when something sits below a table.
    """
    return PackagePort(path, progress=report)


def show_proposal(summary: ProposeSummary | None, *, as_json: bool) -> None:
    """The proposal as a table per scope, plus the SMART checklist."""
    if summary is None:
        return
    rows = [summary.company, *summary.regions]
    if as_json:
        console.print_json(
            {
                "written": summary.written,
                "proposals": [_proposal_json(p) for p in rows],
                "backtests": [
                    _backtest_json(p.scope, test)
                    for p, test in zip(rows, summary.backtests, strict=True)
                ],
            }
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
    if summary.regions and len(summary.backtests) == len(rows):
        own = ", ".join(
            f"{p.scope} {test.forecast.total:,}"
            for p, test in zip(summary.regions, summary.backtests[1:], strict=True)
        )
        console.out.print(
            "Region rows add up to the company row: forecast, conservative, base and stretch "
            f"are the company's, split by each region's own forecast ({own}); baseline and "
            "market are the regions' own sums."
        )
    if summary.backtests:
        console.table(
            "Forecast back-test (last 12 months held out)",
            ["Scope", "Method", "MAPE", "Back-test parameters", "Chosen", "Why"],
            [
                [
                    scope_label(p.scope),
                    method_name(c.method),
                    "" if c.mape is None else f"{c.mape:.2%}",
                    parameters_text(c.parameters),
                    "yes" if c.method is test.chosen else "",
                    test.reason() if c.method is test.chosen else c.note(),
                ]
                for p, test in zip(rows, summary.backtests, strict=True)
                for c in test.candidates
            ]
            + [
                [scope_label(p.scope), method_name(test.chosen), "", "", "yes", test.reason()]
                for p, test in zip(rows, summary.backtests, strict=True)
                if not test.candidates
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


def _backtest_json(scope: str, test: Backtest) -> dict[str, object]:
    return {
        "scope": scope,
        "chosen": test.chosen.value,
        "by_backtest": test.by_backtest,
        "reason": test.reason(),
        "held_out": list(test.held_out) if test.held_out else None,
        "history_months": test.history_months,
        "plan_parameters": {k: str(v) for k, v in test.forecast.parameters.items()},
        "candidates": [
            {
                "method": c.method.value,
                "mape": None if c.mape is None else str(c.mape),
                "parameters": {k: str(v) for k, v in c.parameters.items()},
                "note": c.note(),
            }
            for c in test.candidates
        ],
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
                "over_assignment": {k: float(v) for k, v in summary.over_assignment.items()},
                "levels": {k: v.to_dict("records") for k, v in summary.level_totals.items()},
                "reps": [] if summary.rep_plan is None else summary.rep_plan.to_dict("records"),
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
    plan = summary.rep_plan
    if plan is not None and len(plan):
        ranked = sorted(plan.to_dict("records"), key=_look_first)[:10]
        console.table(
            "Reps to look at (rails, leavers, new hires, Potential first; then the largest "
            "changes vs last year over the same months)",
            ["Rep", "Team", "Target", "Last year", "Change", "Reason"],
            [
                [
                    row["rep_id"],
                    row["team"],
                    row["target"],
                    row["last_year"],
                    "" if row["change"] is None else f"{float(row['change']):+.1%}",
                    row["reason"],
                ]
                for row in ranked
            ],
        )
    console.out.print(split_totals_line(summary))
    console.out.print(
        f"{summary.leaf_rows:,} leaf targets; {summary.changed_rows:,} rows changed; "
        + ("written." if summary.written else "dry run: nothing was written.")
    )


NOTABLE = ("capped", "held at", "above Potential", "leaves", "new hire", "cannot hold", "locked")


def _look_first(row: Mapping[Hashable, Any]) -> tuple[int, float]:
    """Reps whose reason says something a lead should see come first, then by change."""
    notable = any(word in str(row["reason"]) for word in NOTABLE)
    change = row["change"]
    size = abs(float(change)) if isinstance(change, int | float | Decimal) else 0.0
    return (0 if notable else 1, -size)


def split_totals_line(summary: SplitSummary) -> str:
    """The final target and the quota sum, apart, with the over-assignment between them.

    Quotas add up to more than the company's target when over-assignment is set (managers
    are given a cushion); saying so keeps the two figures from being read as one."""
    final = to_fraction(summary.final_target, "final target")
    total = to_fraction(summary.total, "quota sum")
    if total == final:
        return f"final target {_money(final)}; the leaf targets add up to it exactly"
    rates = ", ".join(
        f"{level} {_percent(rate)}" for level, rate in summary.over_assignment.items()
    )
    lift = f" (+{_percent(total / final - 1)})" if final else ""
    why = f"over-assignment {rates}" if rates else "no over-assignment set"
    return (
        f"final target {_money(final)}; quota sum {_money(total)}{lift}, "
        f"{_money(total - final)} above the final target: {why}"
    )


def _money(amount: Fraction) -> str:
    return f"{amount.numerator:,}" if amount.denominator == 1 else f"{float(amount):,.2f}"


def _percent(rate: Fraction) -> str:
    """A rate as a percentage with at most two decimals, halves up: 1/20 -> '5%'."""
    text = f"{round_half_up(rate * 100, Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text + "%"


def _change(target: int, last: object) -> str:
    if not isinstance(last, int | float) or not last:
        return ""
    return f"{target / float(last) - 1:+.1%}"


def show_import(summary: ImportSummary | None, path: str, *, as_json: bool) -> None:
    """What an import did: the columns it read, the rows it wrote, replaced and kept; the bad
    rows it skipped (--skip-bad) are listed on stderr by the one problem printer."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "command": summary.command,
                "source": summary.source,
                "read_as": summary.detail,
                "columns": summary.columns,
                "source_rows": summary.source_rows,
                "good_rows": summary.good_rows,
                "bad_rows": summary.bad_rows,
                "table": summary.table,
                "rows": summary.rows,
                "replaced_rows": summary.replaced,
                "kept_rows": summary.kept,
                "periods": list(summary.periods),
                "org": summary.org,
                "written": summary.written,
                "problems": [p.to_json() for p in summary.problems],
            }
        )
        return
    if summary.problems:
        console.show_problems(summary.problems, summary.source, note=" (skipped: --skip-bad)")
    console.table(
        f"Columns read from {summary.source} ({summary.detail})",
        ["Column", "Export header"],
        [[key, header] for key, header in summary.columns.items()],
    )
    if summary.org:
        console.table(
            "Org tables",
            ["Table", "Created", "Updated", "Unchanged"],
            [[t, c["created"], c["updated"], c["unchanged"]] for t, c in summary.org.items()],
        )
    console.out.print(import_result_line(summary, path))


def import_result_line(summary: ImportSummary, path: str) -> str:
    """What an import did, in one sentence (the CLI's last line, the ribbon's message)."""
    done = "written" if summary.written else "dry run: nothing was written"
    rows = f"{summary.good_rows:,} of {summary.source_rows:,} export rows imported"
    skipped = f" ({summary.bad_rows:,} bad rows skipped)" if summary.bad_rows else ""
    if summary.table:
        first, last = (summary.periods[0], summary.periods[-1]) if summary.periods else ("", "")
        return (
            f"{rows} into {summary.table} of {path}{skipped}: {summary.rows:,} rows for "
            f"{len(summary.periods)} period(s) {first}..{last}; {summary.replaced:,} existing "
            f"rows of those periods replaced, {summary.kept:,} rows of other periods kept; {done}."
        )
    return f"{rows} into the org tables of {path}{skipped}; {done}."


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


def show_adjustments(summary: AdjustSummary | None, *, as_json: bool) -> None:
    """The change summary (ready to paste into an email) and what still waits for approval."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "written": summary.written,
                "applied": [{k: _plain(v) for k, v in row.items()} for row in summary.applied],
                "changes": [
                    {k: _plain(v) for k, v in row.items()}
                    for row in summary.changes.to_dict("records")
                ],
                "waiting": summary.waiting,
                "logged_rows": summary.logged_rows,
            }
        )
        return
    console.out.print(summary.text, markup=False, highlight=False)
    for note in summary.notes:
        console.out.print(f"[yellow]warning:[/yellow] {note}")
    if summary.applied and summary.waiting:
        console.out.print(f"Still waiting for approval: {', '.join(summary.waiting)}")
    if summary.applied:
        console.out.print(
            f"{len(summary.applied)} adjustment(s) applied; the log holds "
            f"{summary.logged_rows} applied row(s); "
            + ("written." if summary.written else "dry run: nothing was written.")
        )


def _plain(value: object) -> object:
    """A JSON-ready value: exact money as a number, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return value


def show_demo_actuals(summary: DemoActualsSummary) -> None:
    """Where the demo's CRM export went, and which reps it makes ahead, on pace or behind."""
    deals = summary.deals
    counts: dict[str, list[str]] = {}
    for intent in deals.intents.values():
        counts.setdefault(intent.profile.value.replace("_", " "), []).append(intent.rep_id)
    console.table(
        "What the deals are meant to show (pace = actual / seasonal expectation)",
        ["Reps", "Count", "Risk evaluate should show"],
        [
            [name, len(reps), deals.intents[reps[0]].profile.risk]
            for name, reps in sorted(counts.items())
        ],
    )
    if deals.troubled_region:
        console.out.print(
            f"region in trouble: {deals.troubled_region} (most of its reps far behind, so "
            "evaluate suggests re-targeting it)"
        )
    periods = f"{deals.periods[0]}..{deals.periods[-1]}" if deals.periods else "no period"
    console.out.print(
        f"demo CRM export written: {summary.path} ({len(deals.deals):,} deal rows, {periods})"
    )


def show_approval(summary: ApproveSummary | None, *, as_json: bool) -> None:
    """One line for the approval recorded (and the ones it superseded)."""
    if summary is None:
        return
    if as_json:
        console.print_json(dataclasses.asdict(summary))
        return
    done = "written." if summary.written else "dry run: nothing was written."
    console.out.print(f"{approval_line(summary)}; {done}", markup=False, highlight=False)
    if summary.superseded:
        console.out.print(f"superseded: {', '.join(summary.superseded)}")


def approval_line(summary: ApproveSummary) -> str:
    """What one recorded approval is, in one sentence (the CLI's line, the ribbon's message)."""
    signed = "signed" if summary.signed else "not signed (hash only)"
    return (
        f"{summary.approval_id}: {summary.approver} approved {summary.scope} of version "
        f"{summary.version} ({summary.leaves:,} leaf targets), fingerprint "
        f"{summary.fingerprint}, {signed}"
    )


def show_verification(summary: VerifySummary | None, path: str, *, as_json: bool) -> None:
    """A table of the standing approvals, then every cell changed since, with its problem."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "approvals": [
                    {
                        "approval_id": r.approval_id,
                        "scope": r.scope,
                        "approver": r.approver,
                        "version": r.version,
                        "holds": r.holds,
                        "form": r.form,
                        "changes": [
                            {k: v for k, v in c.items() if k != "source"} for c in r.changes
                        ],
                    }
                    for r in summary.results
                ],
                "problems": json.loads(problems_to_json(summary.problems, path)),
            }
        )
        return
    if not summary.results:
        console.out.print(
            f"{path}: no standing approvals to verify"
            + (f" ({summary.skipped} superseded or revoked)" if summary.skipped else "")
        )
        return
    console.table(
        f"Approvals in {Path(path).name}",
        ["Approval", "Scope", "Approver", "Version", "Form", "Holds"],
        [
            [
                r.approval_id,
                r.scope,
                r.approver,
                r.version,
                r.form_words,
                "yes" if r.holds else "NO",
            ]
            for r in summary.results
        ],
    )
    if summary.problems:
        console.show_problems(summary.problems, path, to=console.out)
    else:
        console.out.print(f"{len(summary.results)} approval(s) hold.")


def show_export(summary: ExportSummary | None, *, as_json: bool) -> None:
    """One line per copy written: file, recipient, reps, leaf rows and fingerprint prefix."""
    if summary is None:
        return
    if as_json:
        console.print_json(
            {
                "plan_id": summary.plan_id,
                "version": summary.version,
                "language": summary.language,
                "copies": [
                    {
                        "file": str(c.path),
                        "recipient": c.recipient,
                        "scope": c.scope,
                        "reps": c.reps,
                        "leaf_rows": c.leaf_rows,
                        "commit_rows": c.commit_rows,
                        "fingerprint": c.fingerprint,
                    }
                    for c in summary.copies
                ],
                "left_out": summary.left_out,
            }
        )
        return
    for c in summary.copies:
        console.out.print(
            f"{c.path}  {c.scope}  {c.reps} reps  {c.leaf_rows} leaf rows  {c.fingerprint[:19]}",
            markup=False,
            highlight=False,
        )
    console.out.print(
        f"{len(summary.copies)} copies of plan {summary.plan_id} version {summary.version} "
        f"written ({summary.language})."
    )
    if summary.left_out:
        console.out.print(
            f"No copy holds {len(summary.left_out)} rep(s) without a manager: "
            + ", ".join(summary.left_out[:10])
        )


def show_collect(summary: CollectSummary | None, master: str, *, as_json: bool) -> None:
    """The changes per copy (copy, sheet, cell, old, new, who), then the refused copies with
    their problems at their cells, then what was written."""
    if summary is None:
        return
    changes = [c for result in summary.copies if not result.refused for c in result.changes]
    if as_json:
        console.print_json(
            {
                "written": summary.written,
                "applied": summary.applied,
                "copies": [
                    {
                        "path": r.path,
                        "scope": r.scope,
                        "refused": r.refused,
                        "changes": [
                            {
                                "sheet": c.sheet,
                                "cell": c.cell,
                                "rep_id": c.rep_id,
                                "period": c.period,
                                "column": c.column,
                                "old": _plain(c.old),
                                "new": _plain(c.new),
                                "who": c.who,
                            }
                            for c in r.changes
                        ],
                        "problems": [p.to_json() for p in r.problems],
                    }
                    for r in summary.copies
                ],
            }
        )
        return
    if changes:
        console.table(
            "Changes in the returned copies" + ("" if summary.written else " (not written)"),
            ["Copy", "Sheet", "Cell", "Old", "New", "Who"],
            [[Path(c.copy).name, c.sheet, c.cell, c.old, c.new, c.who] for c in changes],
        )
    if summary.refused:
        console.show_problems(summary.problems, master)
    quiet = [Path(r.path).name for r in summary.copies if not r.refused and not r.changes]
    if quiet:
        console.out.print(f"No changes in {', '.join(quiet)}.")
    refused = len(summary.refused)
    if summary.written:
        done = f"{len(summary.applied)} copy(ies) applied to {master}; written."
    elif refused and not summary.applied:
        done = f"{refused} copy(ies) refused: nothing was written; {master} is unchanged."
    else:
        done = "dry run: nothing was written." if summary.applied else "Nothing to apply."
    if refused and summary.applied:
        done += f" {refused} refused copy(ies) were skipped."
    console.out.print(done)
