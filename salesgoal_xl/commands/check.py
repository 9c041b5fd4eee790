"""`salesgoal check`: run every workbook check, report each problem at its cell, log them.

Exit codes: 0 clean (no errors and no warnings), 1 at least one error or warning (listed,
and written into the workbook's tblChecks unless --no-write), 2 the file cannot be read at
all (nothing is written). docs/checks.md lists the problem codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from salesgoal_xl.core.problems import (
    SEVERITY_ORDER,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
)
from salesgoal_xl.workbook.checks import RawTables, run_checks
from salesgoal_xl.workbook.port import ProgressCallback, TableData, WorkbookPort

EXIT_CLEAN = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2
CHECKS_TABLE = "tblChecks"


@dataclass
class CheckOutcome:
    """What a check run found, whether the file could be read, and whether tblChecks was written."""

    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    written: bool = False

    @property
    def exit_code(self) -> int:
        """0 clean and ready, 1 errors, warnings or a step still to do, 2 unreadable.

        A step still to do (no history yet, no final target) is not something wrong, but a
        command would refuse the plan: so `check` exiting 0 means propose and split accept it.
        """
        if not self.readable:
            return EXIT_UNREADABLE
        if any(
            p.severity in (Severity.ERROR, Severity.WARNING) or p.code in STEPS_AHEAD
            for p in self.problems
        ):
            return EXIT_PROBLEMS
        return EXIT_CLEAN


def run_check(
    port_or_path: WorkbookPort | str | Path,
    *,
    write: bool = True,
    progress: ProgressCallback | None = None,
) -> CheckOutcome:
    """Check a workbook (a port, or a file path) and, if asked, log the result in tblChecks."""
    report = progress or (lambda _fraction, _message: None)
    if isinstance(port_or_path, str | Path):
        from salesgoal_xl.workbook.file_port import FilePort

        report(0.05, f"opening {Path(port_or_path).name}")
        try:
            port: WorkbookPort = FilePort(port_or_path, progress=progress)
        except ProblemsFound as refused:
            return CheckOutcome(refused.problems, readable=False)
    else:
        port = port_or_path
    opened = list(getattr(port, "open_problems", []))
    source: WorkbookPort | RawTables = port
    report(0.4, "running the checks")
    problems = opened + run_checks(source)
    report(0.6, "trying propose, split, evaluate and adjust without saving")
    problems += command_problems(port, problems)
    outcome = CheckOutcome(problems)
    if write and port.has_table(CHECKS_TABLE):
        frame = checks_frame(problems)
        try:
            if not _already_logged(port, frame):
                port.write_table(CHECKS_TABLE, frame)
                port.commit()
            outcome.written = True
        except ProblemsFound as failed:
            outcome.problems = problems + failed.problems
    return outcome


STEPS_AHEAD = frozenset({ProblemCode.EMPTY_TABLE, ProblemCode.NO_TARGET})
"""What a new plan still lacks: shown as info (the next step), not as something wrong."""

LATER_STEPS = frozenset({ProblemCode.NOT_SPLIT, ProblemCode.NO_ACTUALS})
"""Steps of the tracking half (split, then actuals, before evaluate): listed as info too, but a
plan that propose and split accept is ready, so they do not make `check` exit 1."""


def command_problems(port: WorkbookPort, known: Sequence[Problem]) -> list[Problem]:
    """What propose, split, evaluate and adjust would refuse, run as dry runs on this very
    workbook, the approvals `verify` finds broken, and what Approve would refuse in the
    approvals typed into tblApprovals.

    `check` is the commands' dry run: the same code reads the inputs, so whatever they would
    refuse is reported here first, with the same code at the same cell. Problems the table
    checks found already are not repeated; a missing step (no history, no final target yet)
    is an info row naming the table to fill.
    """
    from salesgoal_xl.commands.adjust import run_adjust
    from salesgoal_xl.commands.approvals import typed_approval_problems, verify_problems
    from salesgoal_xl.commands.evaluate import run_evaluate
    from salesgoal_xl.commands.propose import run_propose
    from salesgoal_xl.commands.split import run_split

    seen = {_same_place(p) for p in known}
    found: list[Problem] = []
    quiet = _Quiet(port)
    for command in (run_propose, run_split, run_evaluate, run_adjust, None):
        try:
            if command is None:
                problems = [*verify_problems(quiet), *typed_approval_problems(quiet)]
                raise ProblemsFound(problems, port.label)
            command(quiet, dry_run=True)
        except ProblemsFound as refused:
            for problem in refused.problems:
                if _same_place(problem) in seen:
                    continue
                seen.add(_same_place(problem))
                steps = problem.code in STEPS_AHEAD or problem.code in LATER_STEPS
                if steps and problem.severity is Severity.ERROR:
                    problem = replace(problem, severity=Severity.INFO)
                found.append(problem)
    return found


def _same_place(problem: Problem) -> tuple[ProblemCode, str, str, str]:
    """Problems count as one when code and cell agree (or code and table, without a cell)."""
    source = problem.source
    return (problem.code, source.sheet, source.cell, "" if source.cell else source.table)


class _Quiet:
    """A port that reads and stages like the one it wraps but reports no progress or messages,
    so the dry runs inside `check` do not move its progress bar back and forth."""

    def __init__(self, port: WorkbookPort) -> None:
        self._port = port

    @property
    def label(self) -> str:
        return self._port.label

    def has_table(self, name: str) -> bool:
        return self._port.has_table(name)

    def properties(self) -> dict[str, str | int]:
        """The wrapped port's document properties (none for a port that keeps none)."""
        properties = getattr(self._port, "properties", None)
        return dict(properties()) if properties is not None else {}

    def read_table(self, name: str) -> TableData:
        return self._port.read_table(name)

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        raise AssertionError(f"a dry run wrote {name}")  # never: dry runs only read

    def progress(self, fraction: float, message: str) -> None:
        """Dry runs inside check stay silent."""

    def message(self, text: str, *, level: str = "info") -> None:
        """Dry runs inside check stay silent."""

    def commit(self) -> None:
        raise AssertionError("a dry run committed")  # never: dry runs only read


def _already_logged(port: WorkbookPort, frame: pd.DataFrame) -> bool:
    """Whether tblChecks already holds exactly these rows (then the file is not rewritten)."""
    try:
        logged = port.read_table(CHECKS_TABLE).frame
    except ProblemsFound:
        return False
    columns = list(frame.columns)
    if not set(columns) <= set(logged.columns) or len(logged) != len(frame):
        return False
    as_text = logged[columns].astype(object).where(logged[columns].notna(), "").astype(str)
    return bool((as_text.to_numpy() == frame.astype(str).to_numpy()).all())


def check_workbook(port_or_path: WorkbookPort | str | Path, write: bool = True) -> list[Problem]:
    """Every problem in the workbook (and, when `write`, logged in its tblChecks)."""
    return run_check(port_or_path, write=write).problems


def checks_frame(problems: list[Problem]) -> pd.DataFrame:
    """The rows of tblChecks: severity, code, sheet, cell, message, hint (worst first)."""
    ordered = sorted(problems, key=lambda p: (SEVERITY_ORDER[p.severity], p.code.value))
    return pd.DataFrame(
        {
            "severity": [p.severity.value for p in ordered],
            "code": [p.code.value for p in ordered],
            "sheet": [p.sheet for p in ordered],
            "cell": [p.cell for p in ordered],
            "message": [p.message for p in ordered],
            "hint": [p.hint for p in ordered],
        },
        dtype=object,
    )
