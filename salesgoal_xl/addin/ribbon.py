"""Ribbon dispatch: each button of the Sales Goals tab, by its control id, runs one command.

The VBA callback passes the pressed button's id to ``on_action``. Every command is the same
function the CLI runs, on the workbook port the host runs it on (in Excel: the live adapter
over the workbook the button was pressed in; in tests: a ``MemoryPort`` or LibreOffice).
Every button runs its command. Whatever happens, the person gets one message
(a message box in Excel), problems listed as the CLI lists them, never a traceback.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Protocol, TypeVar, cast

from salesgoal_xl import __version__
from salesgoal_xl.addin.excel import ExcelHost, NewPlanRequest
from salesgoal_xl.console import problems_text
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.problems import ProblemsFound
from salesgoal_xl.workbook.port import PropertiesPort, WorkbookPort

if TYPE_CHECKING:
    from salesgoal_xl.commands.approvals import ApproveSummary, VerifySummary
    from salesgoal_xl.commands.collect import CollectSummary
    from salesgoal_xl.commands.export import ExportSummary
    from salesgoal_xl.commands.inputs import PlanSettings

MAX_LINES_SHOWN: Final = 20
SAVE_NOTE: Final = "Save the workbook to keep the result."
T = TypeVar("T")


class RibbonHost(Protocol):
    """What a button needs from where it was pressed."""

    def run_on_workbook(self, command: Callable[[WorkbookPort], T]) -> T:
        """Run `command` on the port of the workbook the button was pressed in."""
        ...

    def ask_new_plan(self) -> NewPlanRequest | None:
        """Where to save a new plan, and its language (None when cancelled)."""
        ...

    def open_workbook(self, path: Path) -> None:
        """Show a written workbook to the person."""
        ...

    def alert(self, text: str, level: str) -> None:
        """Tell the person something ('info', 'warning' or 'error')."""
        ...


class Status(StrEnum):
    """How a button press ended."""

    DONE = "done"
    PROBLEMS = "problems"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """What a button press did, as the person was told."""

    control_id: str
    status: Status
    message: str

    @property
    def level(self) -> str:
        """The message box's kind."""
        return {Status.DONE: "info", Status.CANCELLED: "info"}.get(self.status, "error")


class _CancelledError(Exception):
    """The person cancelled a dialog."""


class _ProblemsReportedError(Exception):
    """A command that ran to the end and found problems (check): its report is the message."""


@dataclass(frozen=True)
class Action:
    """A button's command: its name in messages and what it runs."""

    name: str
    run: Callable[[RibbonHost], str]


def on_action(control_id: str, host: RibbonHost | None = None, language: str = "") -> Outcome:
    """Run the command behind ribbon button ``control_id`` and tell the person how it went.

    `language` is the button's tag, the add-in's language (blank from an add-in built before
    buttons carried it: English).
    """
    used = host if host is not None else ExcelHost(language=language or "en")
    outcome = run_action(control_id, used)
    used.alert(outcome.message, outcome.level)
    return outcome


def run_action(control_id: str, host: RibbonHost) -> Outcome:
    """The command behind ``control_id``, with every expected failure turned into a message."""
    action = ACTIONS.get(control_id)
    if action is None:
        known = ", ".join(ACTIONS)
        text = f"the add-in has no button {control_id!r} (known: {known}); rebuild it"
        return Outcome(control_id, Status.FAILED, text)
    try:
        return Outcome(control_id, Status.DONE, action.run(host))
    except _CancelledError:
        return Outcome(control_id, Status.CANCELLED, f"{action.name}: cancelled.")
    except _ProblemsReportedError as report:
        return Outcome(control_id, Status.PROBLEMS, str(report))
    except ProblemsFound as found:
        text = problems_text(found.problems, found.path, max_lines=MAX_LINES_SHOWN)
        return Outcome(control_id, Status.PROBLEMS, f"{action.name}: fix these first.\n{text}")
    except SalesgoalError as error:
        return Outcome(control_id, Status.FAILED, f"{action.name}: {error}")
    except Exception as error:  # a message box shows one line, never a traceback
        text = (
            f"{action.name}: internal error ({type(error).__name__}: {error}). This is a bug "
            "in Sales Goals; your workbook was not changed."
        )
        return Outcome(control_id, Status.FAILED, text)


def _new_plan(host: RibbonHost) -> str:
    from salesgoal_xl.commands.new import new_workbook

    request = host.ask_new_plan()
    if request is None:
        raise _CancelledError
    written = new_workbook(request.path, request.language, force=request.replace)
    host.open_workbook(written)
    return f"New planning workbook written: {written}"


def _propose(host: RibbonHost) -> str:
    from salesgoal_xl.commands.propose import run_propose

    company = host.run_on_workbook(run_propose).company
    low, high = company.recommended.conservative, company.recommended.stretch
    return (
        f"Proposal written to the Target setting sheet: forecast {company.forecast:,}, "
        f"recommended {low:,} to {high:,} (base {company.recommended.base:,}). {SAVE_NOTE}"
    )


def _split(host: RibbonHost) -> str:
    from salesgoal_xl.commands.split import run_split
    from salesgoal_xl.views import split_totals_line

    summary = host.run_on_workbook(run_split)
    return (
        f"{summary.leaf_rows:,} leaf targets written; {summary.changed_rows:,} rows changed; "
        f"{split_totals_line(summary)}. {SAVE_NOTE}"
    )


def _importer(setting: str, command: str) -> Callable[[RibbonHost], str]:
    """A ribbon import: the command line's import (`commands.imports.<command>`) of the file
    named in Settings `setting` (xlwings' open-source part has no file dialog on both
    systems, so the workbook names the file)."""

    def press(host: RibbonHost) -> str:
        from salesgoal_xl.commands import imports
        from salesgoal_xl.views import import_result_line

        run_import = getattr(imports, command)

        def run(port: WorkbookPort) -> tuple[str, Path, imports.ImportSummary]:
            path = import_file(port, setting)
            return port.label, path, run_import(port, path)

        label, path, summary = host.run_on_workbook(run)
        return f"{import_result_line(summary, label)} (from {path}) {SAVE_NOTE}"

    return press


def import_file(port: WorkbookPort, setting: str) -> Path:
    """The file a Settings cell names, checked: typed, a full path, and there."""
    from salesgoal_xl.commands.inputs import load_settings

    settings = load_settings(port)
    path = setting_path(settings, setting)
    if path is None:
        where, label = _setting_cell(settings, setting)
        raise SalesgoalError(
            f"type the full path of the file to import in Settings, '{label}' ({where}), "
            "then press the button again"
        )
    return path


def setting_path(settings: PlanSettings, setting: str, *, folder: bool = False) -> Path | None:
    """The file (or folder) a Settings cell names, checked: a full path, and there; None when
    the cell is blank. The workbook names the files and folders the buttons use (and so the
    same ones every month)."""
    typed = str(settings[setting] or "").strip().strip('"')
    if not typed:
        return None
    where, _ = _setting_cell(settings, setting)
    path = Path(typed).expanduser()
    if not path.is_absolute():
        raise SalesgoalError(f"{where}: '{typed}' is not a full path (start from the drive)")
    if folder and not path.is_dir():
        raise SalesgoalError(f"{where}: there is no folder {path}")
    if not folder and not path.is_file():
        raise SalesgoalError(f"{where}: there is no file {path}")
    return path


def _setting_cell(settings: PlanSettings, setting: str) -> tuple[str, str]:
    """Where a setting's value is typed ('Settings!C21') and its English label."""
    from salesgoal_xl.workbook.schema import SETTINGS_BY_KEY

    return str(settings.where(setting)), SETTINGS_BY_KEY[setting].label.en


def _saved_plan(port: WorkbookPort) -> Path:
    """The open workbook's file: export names its copies after it, collect leaves it out."""
    path = getattr(port, "path", None)
    if not isinstance(path, Path):
        raise SalesgoalError("save the workbook as a file first (File > Save As), then press again")
    return path


def _export(host: RibbonHost) -> str:
    """`salesgoal export` of the open workbook: one copy per region, team or manager (Settings'
    'Export copies by'), into the folder Settings names (blank: the plan's own)."""
    folder, by, summary = host.run_on_workbook(_exported)
    lines = [f"{len(summary.copies)} copies written to {folder}, one per {by}:"]
    lines += [f"{c.path.name} ({c.scope}, {c.reps} reps)" for c in summary.copies]
    if summary.left_out:
        lines.append(f"In no copy (no manager): {', '.join(summary.left_out)}.")
    return "\n".join(lines)


def _exported(port: WorkbookPort) -> tuple[Path, str, ExportSummary]:
    """The export, where copies there already are replaced only after a yes: one a manager
    sent back would be lost."""
    from salesgoal_xl.commands.export import CopiesExistError, run_export
    from salesgoal_xl.commands.inputs import load_settings

    plan = _saved_plan(port)
    settings = load_settings(port)
    folder = setting_path(settings, "export_folder", folder=True) or plan.parent
    by = str(settings["export_by"])
    try:
        return folder, by, run_export(_with_properties(port), plan, by, folder)
    except CopiesExistError as exists:
        names = ", ".join(Path(p).name for p in exists.existing[:3])
        more = ", ..." if len(exists.existing) > 3 else ""
        question = (
            f"{len(exists.existing)} copy file(s) are in {folder} already ({names}{more}). "
            "Replace them? A copy a manager sent back there would be lost: collect it first."
        )
        ask = getattr(port, "confirm", None)
        if not callable(ask) or not ask(question):
            raise _CancelledError from exists
        return folder, by, run_export(_with_properties(port), plan, by, folder, force=True)


def _collect(host: RibbonHost) -> str:
    """`salesgoal collect` of every copy of this plan in the folder Settings names (blank: the
    export folder, then the plan's own): the changes listed, nothing written if one is refused."""
    folder, summary = host.run_on_workbook(_collected)
    if summary.refused:
        text = problems_text(summary.problems, "", max_lines=MAX_LINES_SHOWN)
        raise _ProblemsReportedError(
            f"Collect: {len(summary.refused)} of {len(summary.copies)} copies in {folder} "
            f"refused; nothing was written.\n{text}"
        )
    return "\n".join([*_collect_lines(summary, folder), SAVE_NOTE])


def _collected(port: WorkbookPort) -> tuple[Path, CollectSummary]:
    from salesgoal_xl.commands.collect import returned_copies, run_collect
    from salesgoal_xl.commands.inputs import load_settings
    from salesgoal_xl.workbook.identity import identity_of

    plan = _saved_plan(port)
    settings = load_settings(port)
    folder = (
        setting_path(settings, "returns_folder", folder=True)
        or setting_path(settings, "export_folder", folder=True)
        or plan.parent
    )
    master = _with_properties(port)
    copies = returned_copies(folder, identity_of(master.properties()).plan_id, plan)
    if not copies:
        where, label = _setting_cell(settings, "returns_folder")
        raise SalesgoalError(
            f"no copy of this plan is in {folder}: put the copies sent back there, or name "
            f"their folder in Settings, '{label}' ({where})"
        )
    return folder, run_collect(master, copies)


def _collect_lines(summary: CollectSummary, folder: Path) -> list[str]:
    """The copies applied, then each change: copy, cell, old -> new, who."""
    changes = [c for r in summary.copies if not r.refused for c in r.changes]
    where = " on the Commits sheet." if changes else "."
    lines = [
        f"{len(summary.applied)} copies from {folder} applied: {len(changes)} change(s){where}"
    ]
    lines += [
        f"{Path(c.copy).name}: {c.sheet}!{c.cell} {_shown(c.old)} -> {_shown(c.new)} ({c.who})"
        for c in changes[:MAX_LINES_SHOWN]
    ]
    if len(changes) > MAX_LINES_SHOWN:
        lines.append(f"... and {len(changes) - MAX_LINES_SHOWN} more.")
    return lines


def _evaluate(host: RibbonHost) -> str:
    from salesgoal_xl.commands.evaluate import run_evaluate

    summary = host.run_on_workbook(run_evaluate)
    risk = summary.tracking["risk"].value_counts()
    return (
        f"Tracking as of {summary.as_of} written for {len(summary.tracking)} reps: "
        f"{risk.get('green', 0)} green, {risk.get('amber', 0)} amber, {risk.get('red', 0)} red; "
        f"{len(summary.warnings)} warnings and suggestions on the Tracking sheet. {SAVE_NOTE}"
    )


def _adjust(host: RibbonHost) -> str:
    from salesgoal_xl.commands.adjust import run_adjust

    summary = host.run_on_workbook(run_adjust)
    if not summary.applied:
        return summary.text
    return f"{summary.text}\n(on the Adjustments sheet) {SAVE_NOTE}"


def _check(host: RibbonHost) -> str:
    from salesgoal_xl.commands.check import run_check

    label, outcome = host.run_on_workbook(lambda port: (port.label, run_check(port)))
    note = " (written to the Checks sheet)" if outcome.written else ""
    report = problems_text(outcome.problems, label, note=note, max_lines=MAX_LINES_SHOWN)
    if outcome.exit_code:
        raise _ProblemsReportedError(f"Check:\n{report}")
    return f"Check: {report}"


def _verify(host: RibbonHost) -> str:
    """`salesgoal verify` on the open workbook: which approvals hold, which cells changed."""
    label, summary = host.run_on_workbook(_verified)
    text = _verification_text(summary, label)
    if summary.problems:
        raise _ProblemsReportedError(text)
    return text


def _verified(port: WorkbookPort) -> tuple[str, VerifySummary]:
    from salesgoal_xl.commands.approvals import run_verify

    return port.label, run_verify(_with_properties(port))


def _with_properties(port: WorkbookPort) -> PropertiesPort:
    """The port, where it can read and write the document properties approvals live in."""
    if not callable(getattr(port, "properties", None)):
        raise SalesgoalError("this workbook's document properties cannot be read here")
    return cast(PropertiesPort, port)


def _verification_text(summary: VerifySummary, label: str) -> str:
    """One line per standing approval, then the changed cells as the CLI lists problems."""
    if not summary.results:
        skipped = f" ({summary.skipped} superseded or revoked)" if summary.skipped else ""
        return f"Verify: no standing approvals in {label}{skipped}."
    lines = [
        f"{r.approval_id} {r.scope} by {r.approver} (v{r.version}, {r.form_words}): "
        + ("holds" if r.holds else "NO LONGER HOLDS")
        for r in summary.results
    ]
    held = len(summary.results) - len(summary.broken)
    lines.insert(0, f"Verify: {held} of {len(summary.results)} approval(s) hold.")
    if summary.problems:
        lines.append(problems_text(summary.problems, label, max_lines=MAX_LINES_SHOWN))
    return "\n".join(lines)


def _approve(host: RibbonHost) -> str:
    """The approvals typed into tblApprovals (approver and scope, no approval ID yet), recorded
    as `salesgoal approve` records one: Excel's ribbon has no form, so the log is the form."""
    from salesgoal_xl.views import approval_line

    done = host.run_on_workbook(_approved)
    lines = [approval_line(summary) for summary in done]
    superseded = [a for summary in done for a in summary.superseded]
    if superseded:
        lines.append(f"Superseded: {', '.join(superseded)}.")
    return "\n".join([*lines, f"(on the Approvals sheet) {SAVE_NOTE}"])


def _approved(port: WorkbookPort) -> list[ApproveSummary]:
    from salesgoal_xl.commands.approvals import run_approve_typed

    return run_approve_typed(_with_properties(port))


def _shown(value: object) -> str:
    """A cell's value as a message shows it: numbers with thousands separators."""
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _guide(_host: RibbonHost) -> str:
    return (
        "The target cycle: 1. New plan, then fill Settings and History (or import them). "
        "2. Propose target, type the final target on the Target setting sheet. "
        "3. Split targets over months, regions, teams, reps, channels and products. "
        "4. Evaluate tracks the actuals (pace, risk, scorecards, fairness). 5. Adjust target "
        "applies the approved rows of the Adjustments sheet. Check lists every problem at its "
        "cell, at any step. Each workbook's Guide sheet explains "
        "the sheets; docs/addin.md explains every button and worksheet function."
    )


def _about(_host: RibbonHost) -> str:
    import xlwings as xw

    return (
        f"Sales Goals {__version__} with xlwings {xw.__version__} on Python "
        f"{platform.python_version()} ({sys.executable})."
    )


ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        "new": Action("New plan", _new_plan),
        "propose": Action("Propose target", _propose),
        "split": Action("Split targets", _split),
        "import_actuals": Action("Import actuals", _importer("actuals_file", "run_import_actuals")),
        "import_history": Action("Import history", _importer("history_file", "run_import_history")),
        "import_org": Action("Import org", _importer("org_file", "run_import_org")),
        "evaluate": Action("Evaluate", _evaluate),
        "adjust": Action("Adjust target", _adjust),
        "check": Action("Check", _check),
        "approve": Action("Approve", _approve),
        "verify": Action("Verify", _verify),
        "export": Action("Export copies", _export),
        "collect": Action("Collect returns", _collect),
        "guide": Action("Guide", _guide),
        "about": Action("About", _about),
    }
)
"""Every ribbon button's id and its command."""
