"""`salesgoal --help` and every command's help read as a user types, with the steps in order."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from salesgoal_xl.cli import app

runner = CliRunner()
ARTEFACT = re.compile(r"<\w+>|\{\w+\}")  # typer's '<bool>', '<path>', '{path}'


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_every_command_is_listed() -> None:
    """The walk finds the steps, check and the add-in's sub-commands."""
    assert {("new",), ("propose",), ("split",), ("check",), ("addin", "build")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "salesgoal")
def test_help_has_no_type_artefacts(path: tuple[str, ...]) -> None:
    """No '<bool>' beside a flag, no '{path}' in a usage line: names a user would type."""
    result = runner.invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert ARTEFACT.findall(result.output) == [], result.output


def test_root_help_gives_the_steps_in_order_and_the_exit_codes() -> None:
    """The steps panel lists new, demo, propose and split in that order; exit codes 0-3."""
    output = runner.invoke(app, ["--help"], terminal_width=100).output
    steps = output[output.index("Steps, in order") :]
    positions = [steps.index(f"│ {name} ") for name in ("new", "demo", "propose", "split")]
    assert positions == sorted(positions)
    assert output.index("Steps, in order") < output.index("Any time")
    for code in ("0 done", "1 the workbook has problems", "2 the file cannot be read", "3 an"):
        assert code in " ".join(output.split()), code


def test_a_required_argument_shows_its_name_in_the_usage_line() -> None:
    """`salesgoal split [OPTIONS] PATH`, click's plain style."""
    output = runner.invoke(app, ["split", "--help"], terminal_width=100).output
    assert "Usage: salesgoal split [OPTIONS] PATH" in output
