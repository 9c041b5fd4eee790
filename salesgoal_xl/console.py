"""What the CLI shows people: progress bars, problem lists, summary tables and exit codes.

Exit codes (the same for every command): 0 done/clean, 1 problems in the workbook (listed),
2 the file cannot be read or the request is invalid, 3 an internal error (a bug: reported
in one line, never as a traceback).
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from salesgoal_xl.core.errors import SalesgoalError

if TYPE_CHECKING:
    from salesgoal_xl.commands.check import CheckOutcome
from salesgoal_xl.core.problems import (
    SEVERITY_ORDER,
    Category,
    Problem,
    ProblemsFound,
    Severity,
    problems_to_json,
)

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2
EXIT_BUG = 3

# Piped output (CI logs, files) gets room for the wide summary tables instead of 80 columns.
out = Console(
    highlight=False, soft_wrap=True, emoji=False, width=None if sys.stdout.isatty() else 160
)
err = Console(
    stderr=True,
    highlight=False,
    soft_wrap=True,
    emoji=False,
    width=None if sys.stderr.isatty() else 160,
)

T = TypeVar("T")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[float, str], None]]:
    """A rich progress bar as a `progress(fraction, message)` callback (silent when off)."""
    if not enabled:
        yield lambda _fraction, _message: None
        return
    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)

        def report(fraction: float, message: str) -> None:
            bar.update(task, completed=max(0.0, min(1.0, fraction)), description=message)

        yield report


def run_command(action: Callable[[], T], *, path: str = "", as_json: bool = False) -> T:
    """Run `action`; turn every expected failure into a message and the right exit code."""
    try:
        return action()
    except ProblemsFound as exc:
        show_problems(exc.problems, exc.path or path, as_json=as_json)
        unreadable = exc.unreadable or any(p.category is Category.FILE for p in exc.problems)
        raise typer.Exit(EXIT_UNREADABLE if unreadable else EXIT_PROBLEMS) from None
    except SalesgoalError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_UNREADABLE) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # users get one line, never a traceback
        err.print(
            f"[red]internal error:[/red] {type(exc).__name__}: {exc}. "
            "This is a bug in salesgoal; your workbook was not changed."
        )
        raise typer.Exit(EXIT_BUG) from None


def show_problems(
    problems: Sequence[Problem],
    path: str,
    *,
    as_json: bool = False,
    to: Console | None = None,
    note: str = "",
) -> None:
    """The one way problems are printed, by every command and by check.

    Grouped by severity and code with counts, one `path:Sheet!Cell: CODE message (hint)` line
    each (people jump from it), then a count line; or the JSON document with `as_json`.
    Failures go to stderr, check's report (its result) to stdout.
    """
    if as_json:
        out.print(problems_to_json(problems, path), markup=False, emoji=False)
        return
    stream = to or err
    if not problems:
        stream.print(f"{path}: no problems found", markup=False, emoji=False)
        return
    ordered = sorted(problems, key=lambda p: (SEVERITY_ORDER[p.severity], p.code.value))
    counts = Counter((p.severity, p.code.value) for p in problems)
    current: tuple[Severity, str] | None = None
    for problem in ordered:
        group = (problem.severity, problem.code.value)
        if group != current:
            current = group
            colour = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "blue")
            label = "step to do" if problem.severity is Severity.INFO else problem.severity.value
            stream.print(f"[bold {colour}]{label} {problem.code.value}[/] ({counts[group]})")
        stream.print(problem.format(path), markup=False, highlight=False, emoji=False)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    steps = sum(p.severity is Severity.INFO for p in problems)
    ahead = f", {steps} step(s) still to do" if steps else ""
    stream.print(f"{path}: {errors} error(s), {warnings} warning(s){ahead}{note}", markup=False)


def problems_text(
    problems: Sequence[Problem], path: str, *, note: str = "", max_lines: int = 0
) -> str:
    """`show_problems`' report as plain text, line for line (for Excel's message box).

    With `max_lines`, the lines past it are left out and counted; the count line stays.
    """
    buffer = io.StringIO()
    plain = Console(file=buffer, width=10_000, color_system=None, highlight=False, emoji=False)
    show_problems(problems, path, to=plain, note=note)
    lines = buffer.getvalue().splitlines()
    if max_lines and len(lines) > max_lines:
        left_out = len(lines) - max_lines
        lines = [*lines[: max_lines - 1], f"... {left_out} more line(s)", lines[-1]]
    return "\n".join(lines)


def show_check(outcome: CheckOutcome, path: str, *, as_json: bool) -> int:
    """Print what `check` found (stdout: it is the command's result) and give its exit code."""
    note = " (written to the Checks sheet)" if outcome.written else ""
    show_problems(outcome.problems, path, as_json=as_json, to=out, note=note)
    return outcome.exit_code


def print_json(payload: Any) -> None:
    """Machine output: one JSON document on stdout."""
    out.print(json.dumps(payload, ensure_ascii=False, indent=2, default=str), markup=False)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A small rich table on stdout; numbers are right-aligned with thousands separators."""
    grid = Table(title=title, title_justify="left")
    for index, name in enumerate(columns):
        grid.add_column(name, justify="left" if index == 0 else "right")
    for row in rows:
        grid.add_row(*(_cell(value) for value in row))
    out.print(grid)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)
