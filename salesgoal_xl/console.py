"""What the CLI shows people: progress bars, problem lists, summary tables and exit codes.

Exit codes (the same for every command): 0 done/clean, 1 problems in the workbook (listed),
2 the file cannot be read or the request is invalid, 3 an internal error (a bug: reported
in one line, never as a traceback).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.problems import (
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
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(
    stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else 160
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
        unreadable = any(p.category is Category.FILE for p in exc.problems)
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


def show_problems(problems: Sequence[Problem], path: str, *, as_json: bool = False) -> None:
    """Print problems one per line (`path:Sheet!Cell: CODE message (hint)`) and a count."""
    if as_json:
        out.print(problems_to_json(problems, path), markup=False)
        return
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for problem in sorted(problems, key=lambda p: (order[p.severity], p.code.value)):
        colour = {"error": "red", "warning": "yellow"}.get(problem.severity.value, "blue")
        err.print(f"[{colour}]{problem.severity.value}[/{colour}] ", end="")
        err.print(problem.format(path), markup=False)
    counts = Counter(p.severity.value for p in problems)
    codes = Counter(p.code.value for p in problems)
    summary = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items())
    top = ", ".join(f"{code} x{n}" for code, n in codes.most_common(5))
    err.print(f"{summary or 'no problems'}" + (f" ({top})" if top else ""))


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
