"""The CLI's view of command results: summary tables for people, JSON for machines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from salesgoal_xl import console
from salesgoal_xl.commands.imports import ImportSummary
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
    done = "written" if summary.written else "dry run: nothing was written"
    rows = f"{summary.good_rows:,} of {summary.source_rows:,} export rows imported"
    skipped = f" ({summary.bad_rows:,} bad rows skipped)" if summary.bad_rows else ""
    if summary.table:
        first, last = (summary.periods[0], summary.periods[-1]) if summary.periods else ("", "")
        console.out.print(
            f"{rows} into {summary.table} of {path}{skipped}: {summary.rows:,} rows for "
            f"{len(summary.periods)} period(s) {first}..{last}; {summary.replaced:,} existing "
            f"rows of those periods replaced, {summary.kept:,} rows of other periods kept; {done}."
        )
    else:
        console.out.print(f"{rows} into the org tables of {path}{skipped}; {done}.")
