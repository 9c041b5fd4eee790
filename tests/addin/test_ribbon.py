"""Ribbon dispatch: each button runs the CLI's command on the host's workbook port."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest

from salesgoal_xl.addin import ribbon
from salesgoal_xl.addin.build import SOURCES
from salesgoal_xl.addin.excel import NewPlanRequest
from salesgoal_xl.addin.ribbon import Status, on_action
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.workbook.port import MemoryPort, WorkbookPort
from tests.commands.test_propose_split import demo_port

T = TypeVar("T")


@dataclass
class FakeHost:
    """A host holding a MemoryPort; it records messages and opened files."""

    port: WorkbookPort | None = None
    new_plan: NewPlanRequest | None = None
    alerts: list[tuple[str, str]] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def run_on_workbook(self, command: Callable[[WorkbookPort], T]) -> T:
        assert self.port is not None
        return command(self.port)

    def ask_new_plan(self) -> NewPlanRequest | None:
        return self.new_plan

    def open_workbook(self, path: Path) -> None:
        self.opened.append(path)

    def alert(self, text: str, level: str) -> None:
        self.alerts.append((level, text))


def _tables(port: MemoryPort) -> dict[str, pd.DataFrame]:
    return {name: frame.reset_index(drop=True) for name, frame in port.tables.items()}


def test_propose_button_runs_the_same_command_as_the_cli() -> None:
    """The ribbon's propose writes exactly what run_propose writes on the same workbook."""
    by_button, by_cli = demo_port(), demo_port()
    outcome = on_action("propose", FakeHost(by_button))
    run_propose(by_cli)
    assert outcome.status is Status.DONE
    assert "Proposal written" in outcome.message
    for name, frame in _tables(by_cli).items():
        pd.testing.assert_frame_equal(_tables(by_button)[name], frame)


def test_split_button_lists_problems_then_splits_once_the_target_is_set() -> None:
    """Without a final target split names the cell to fill; with one it writes the leaves."""
    port = demo_port()
    host = FakeHost(port)
    blocked = on_action("split", host)
    assert blocked.status is Status.PROBLEMS
    assert "Target setting!I2: NO_TARGET" in blocked.message
    run_propose(port, final="base")
    done = on_action("split", host)
    assert done.status is Status.DONE
    assert "leaf targets written" in done.message
    assert len(port.tables["tblTargets"]) > 0


def test_check_button_reports_problems_at_their_cells() -> None:
    """Check lists the first problems with their cells and logs them in tblChecks."""
    port = demo_port()
    outcome = on_action("check", FakeHost(port))
    assert outcome.status is Status.PROBLEMS
    assert re.search(r"demo\.xlsx:\w+!\w+\d+: ", outcome.message)
    assert len(port.tables["tblChecks"]) > 0


def test_approve_with_nothing_typed_says_where_to_type_and_writes_nothing() -> None:
    """The Approve button records the rows typed into tblApprovals; with none it names the
    log's cell to type in (the ribbon has no form) and changes nothing."""
    port = demo_port()
    outcome = on_action("approve", FakeHost(port))
    assert outcome.status is Status.PROBLEMS
    assert "BLANK_VALUE" in outcome.message and "type the approver's name" in outcome.message
    assert re.search(r"demo\.xlsx:Approvals!\w+\d+: ", outcome.message), outcome.message
    assert port.commits == 0


@pytest.mark.parametrize("control_id", ["export", "collect"])
def test_export_and_collect_need_the_workbook_saved_as_a_file(control_id: str) -> None:
    """Copies are named after the plan's file and collect leaves the plan out of the folder
    it reads: on a workbook never saved both say so and touch nothing."""
    port = demo_port()
    host = FakeHost(port)
    outcome = on_action(control_id, host)
    assert outcome.status is Status.FAILED
    assert "save the workbook as a file first" in outcome.message
    assert port.commits == 0
    assert host.alerts == [("error", outcome.message)]


def test_verify_on_a_workbook_without_a_plan_id_says_what_to_do() -> None:
    """Verify on a workbook whose properties carry no PlanId (made before plans had one)
    reports NOT_A_PLAN with the way out, and writes nothing."""
    port = demo_port()
    host = FakeHost(port)
    outcome = on_action("verify", host)
    assert outcome.status is Status.PROBLEMS
    assert "NOT_A_PLAN" in outcome.message and "PlanId" in outcome.message
    assert port.commits == 0


def test_new_button_builds_the_plan_where_the_host_says_and_opens_it(tmp_path: Path) -> None:
    """New writes a planning workbook in the chosen language and shows it."""
    target = tmp_path / "plan.xlsx"
    host = FakeHost(new_plan=NewPlanRequest(target, "zh-Hant"))
    outcome = on_action("new", host)
    assert outcome.status is Status.DONE
    assert target.is_file() and host.opened == [target]


def test_new_button_cancelled_writes_nothing() -> None:
    """Cancelling the save dialog is not an error."""
    outcome = on_action("new", FakeHost())
    assert outcome.status is Status.CANCELLED
    assert outcome.level == "info"


def test_guide_and_about_answer_without_a_workbook() -> None:
    """Help buttons need no workbook; about names the versions."""
    assert on_action("guide", FakeHost()).status is Status.DONE
    about = on_action("about", FakeHost())
    assert "xlwings 0.37.8" in about.message


def test_unknown_id_and_internal_errors_are_one_readable_message() -> None:
    """An id the table lacks, or a bug in a command, gives a message, never a traceback."""
    unknown = on_action("nope", FakeHost())
    assert unknown.status is Status.FAILED and "no button 'nope'" in unknown.message

    class BrokenHost(FakeHost):
        def run_on_workbook(self, command: Callable[[WorkbookPort], T]) -> T:
            raise RuntimeError("disk on fire")

    broken = on_action("split", BrokenHost())
    assert broken.status is Status.FAILED
    assert "internal error (RuntimeError: disk on fire)" in broken.message
    assert "Traceback" not in broken.message


def test_without_excel_the_default_host_says_to_open_the_workbook_in_excel(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Here (no Excel engine) the VBA's own Python command ends in a clear message on stderr."""
    source = (SOURCES / "vba" / "SalesgoalRibbon.bas").read_text(encoding="utf-8")
    command = re.search(r'RunPython "(.*)" & control\.Id & "(.*)"', source)
    assert command is not None
    exec(command.group(1) + "split" + command.group(2), {})  # what RunPython would run
    printed = capsys.readouterr().err
    assert "Split targets: Excel is not reachable from here" in printed
    assert "open the workbook in Excel" in printed


def test_dispatch_entry_points_stay_short() -> None:
    """The shells stay thin: every handler and on_action is under about 15 lines."""
    import inspect

    handlers = [a.run for a in ribbon.ACTIONS.values()]
    for function in [ribbon.on_action, *handlers]:
        assert len(inspect.getsource(function).splitlines()) <= 16, function.__name__


def test_adjust_button_applies_the_approved_request_on_the_open_workbook() -> None:
    """Adjust target runs the CLI's adjust on the host's workbook and reports what moved; a
    second press says there is nothing left to apply and writes nothing."""
    from tests.commands.test_adjust import _port

    port = _port()
    host = FakeHost(port)
    outcome = on_action("adjust", host)
    assert outcome.status is Status.DONE, outcome.message
    assert "Region SOUTH" in outcome.message and port.commits == 1
    again = on_action("adjust", host)
    assert "Nothing to apply" in again.message and port.commits == 1


def test_evaluate_button_reports_the_risk_counts() -> None:
    """Evaluate runs the CLI's evaluate on the host's workbook and counts reps by risk."""
    from tests.commands.test_evaluate import _six_months_of_actuals, _split_demo

    tables = _split_demo()
    port = MemoryPort({**tables, "tblActuals": _six_months_of_actuals(tables["tblTargets"])})
    outcome = on_action("evaluate", FakeHost(port))
    assert outcome.status is Status.DONE, outcome.message
    tracking = port.tables["tblTracking"]
    assert f"for {len(tracking)} reps" in outcome.message and port.commits == 1


def test_the_guide_lists_every_button_with_its_command() -> None:
    """Every button the Guide lists is a ribbon button and every ribbon button is listed, each
    with a command line command that exists, in the workbook's language."""
    import typer

    from salesgoal_xl.cli import app
    from salesgoal_xl.workbook import texts
    from salesgoal_xl.workbook.builder import build_workbook

    listed = [control for control, *_ in texts.BUTTONS]
    assert set(listed) <= set(ribbon.ACTIONS)
    assert set(ribbon.ACTIONS) - set(listed) <= {"guide", "about"}
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    for _, _, command, _ in texts.BUTTONS:
        assert command.split()[1] in commands, command
    wb = build_workbook("zh-Hant", fiscal_year=2026)
    guide = wb.worksheets[0]
    shown = [str(c.value) for c in guide["A"] if c.value]
    for _, button, _, _ in texts.BUTTONS:
        assert button.get("zh-Hant") in shown


def _with_setting(tables: dict[str, pd.DataFrame], key: str, value: str) -> MemoryPort:
    """A copy of `tables` whose tblSettings holds `value` for setting `key`."""
    from salesgoal_xl.workbook import schema

    settings = tables["tblSettings"].astype(object).copy()
    label = schema.SETTINGS_BY_KEY[key].label.en
    known = settings["setting"].astype(str).isin([key, label])
    if known.any():
        settings.loc[known, "value"] = value
    else:
        settings = pd.concat(
            [settings, pd.DataFrame([{"setting": label, "value": value}])], ignore_index=True
        )
    return MemoryPort({**tables, "tblSettings": settings}, label="demo.xlsx")


def test_import_actuals_button_imports_the_file_named_in_settings(tmp_path: Path) -> None:
    """The button runs the CLI's import-actuals on the file Settings names, on the open
    workbook: the same tblActuals, one commit, and the CLI's own sentence."""
    from salesgoal_xl.commands.imports import run_import_actuals
    from tests.commands.test_evaluate import _six_months_of_actuals, _split_demo

    tables = _split_demo()
    deals = _six_months_of_actuals(tables["tblTargets"]).rename(
        columns={"period": "Period", "rep_id": "Rep ID", "channel": "Channel"}
    )
    deals = deals.rename(columns={"product": "Product", "amount": "Amount"})
    export = tmp_path / "deals.csv"
    deals.to_csv(export, index=False)
    port = _with_setting(tables, "actuals_file", str(export))
    outcome = on_action("import_actuals", FakeHost(port))
    assert outcome.status is Status.DONE, outcome.message
    assert outcome.message.startswith(f"{len(deals):,} of {len(deals):,} export rows imported")
    assert f"(from {export})" in outcome.message and port.commits == 1
    cli = _with_setting(tables, "actuals_file", str(export))
    run_import_actuals(cli, export)
    pd.testing.assert_frame_equal(port.tables["tblActuals"], cli.tables["tblActuals"])


@pytest.mark.parametrize(
    "typed, said",
    [
        ("", "type the full path of the file to import in Settings, 'Import actuals from"),
        ("deals.csv", "'deals.csv' is not a full path"),
        ("/nowhere/deals.csv", "there is no file /nowhere/deals.csv"),
    ],
)
def test_import_button_without_a_usable_file_says_which_setting(typed: str, said: str) -> None:
    """Blank, relative or missing: one message naming the setting, nothing written."""
    from tests.commands.test_evaluate import _split_demo

    port = _with_setting(_split_demo(), "actuals_file", typed)
    outcome = on_action("import_actuals", FakeHost(port))
    assert outcome.status is Status.FAILED
    assert said in outcome.message, outcome.message
    assert port.commits == 0
