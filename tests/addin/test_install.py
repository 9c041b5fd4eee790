"""Installing the add-in: the plan for Windows and macOS, and why Linux cannot."""

from __future__ import annotations

import platform
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from typer.testing import CliRunner

from salesgoal_xl.addin.install import InstallError, InstallPlan, carry_out, describe, plan_install
from salesgoal_xl.cli import app


@pytest.fixture
def addin(tmp_path: Path) -> Path:
    """A file standing in for the built add-in."""
    path = tmp_path / "dist" / "salesgoal.xlam"
    path.parent.mkdir()
    path.write_bytes(b"PK add-in")
    return path


def _plan(addin: Path, system: str, home: str, **environ: str) -> InstallPlan:
    return plan_install(
        addin,
        system=system,
        home=PureWindowsPath(home) if system == "Windows" else PurePosixPath(home),
        environ=environ,
        python=r"C:\envs\sales\Scripts\python.exe" if system == "Windows" else "/opt/sg/bin/python",
        pythonpath=r"C:\src\salesgoal" if system == "Windows" else "/src/salesgoal",
        xlwings_folder=Path("/site/xlwings"),
        xlwings_version="0.37.8",
    )


def test_linux_cannot_install_and_says_what_to_do_instead(addin: Path) -> None:
    """No Excel on Linux: the message says so and gives the two ways forward."""
    with pytest.raises(InstallError) as refused:
        _plan(addin, "Linux", "/home/ana")
    message = str(refused.value)
    assert "Windows and macOS only" in message and "Linux" in message
    assert "salesgoal addin install --addin salesgoal.xlam" in message
    assert "salesgoal propose / split / check" in message


@pytest.mark.skipif(platform.system() != "Linux", reason="the CLI's own platform is Linux here")
def test_the_cli_on_linux_exits_non_zero_with_the_reason(addin: Path) -> None:
    """salesgoal addin install here exits 2 and explains."""
    result = CliRunner().invoke(app, ["addin", "install", "--addin", str(addin)])
    assert result.exit_code == 2
    assert "Windows and macOS only" in result.output


def test_windows_plan_copies_to_xlstart_and_writes_the_config(addin: Path) -> None:
    """The add-in goes to %APPDATA%\\...\\XLSTART; the config names Python, path and UDFs."""
    plan = _plan(
        addin,
        "Windows",
        r"C:\Users\ana",
        USERPROFILE=r"C:\Users\ana",
        APPDATA=r"C:\Users\ana\AppData\Roaming",
    )
    copy, config = plan.steps
    assert (
        str(copy.target) == r"C:\Users\ana\AppData\Roaming\Microsoft\Excel\XLSTART\salesgoal.xlam"
    )
    assert copy.source == addin
    assert str(config.target) == r"C:\Users\ana\.salesgoal\salesgoal.conf"
    assert config.text == (
        '"INTERPRETER_WIN","C:\\envs\\sales\\Scripts\\python.exe"\r\n'
        '"PYTHONPATH","C:\\src\\salesgoal"\r\n'
        '"UDF MODULES","salesgoal_xl.addin.udfs"\r\n'
    )
    assert config.encoding == "mbcs"  # VBA reads it in the ANSI code page
    assert "start it again" in plan.afterwards[0]


def test_windows_plan_without_appdata_uses_the_profile(addin: Path) -> None:
    """APPDATA missing: the roaming folder under the profile."""
    plan = _plan(addin, "Windows", r"C:\Users\bo")
    assert str(plan.steps[0].target).startswith(r"C:\Users\bo\AppData\Roaming\Microsoft\Excel")


def test_mac_plan_uses_the_startup_folder_sandbox_config_and_applescript(addin: Path) -> None:
    """Excel's Startup folder, its sandboxed config, and xlwings' AppleScript for RunPython."""
    plan = _plan(addin, "Darwin", "/Users/ana")
    copy, config, script = plan.steps
    assert str(copy.target) == (
        "/Users/ana/Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
        "Startup.localized/Excel/salesgoal.xlam"
    )
    assert str(config.target) == (
        "/Users/ana/Library/Containers/com.microsoft.Excel/Data/salesgoal.conf"
    )
    assert config.text is not None and config.text.startswith(
        '"INTERPRETER_MAC","/opt/sg/bin/python"\n'
    )
    assert script.source == Path("/site/xlwings/xlwings-0.37.8.applescript")
    assert str(script.target) == (
        "/Users/ana/Library/Application Scripts/com.microsoft.Excel/xlwings-0.37.8.applescript"
    )
    assert any("need Excel for Windows" in line for line in plan.afterwards)


def test_an_existing_config_keeps_its_other_keys(addin: Path, tmp_path: Path) -> None:
    """A key the person added (e.g. SHOW CONSOLE) survives; ours are replaced."""
    conf = tmp_path / "Library/Containers/com.microsoft.Excel/Data/salesgoal.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"SHOW CONSOLE","True"\n"PYTHONPATH","/old"\n', encoding="utf-8")
    config = _plan(addin, "Darwin", str(tmp_path)).steps[1]
    assert config.text is not None
    assert '"SHOW CONSOLE","True"' in config.text and '"PYTHONPATH","/src/salesgoal"' in config.text
    assert "/old" not in config.text


def test_missing_add_in_says_to_build_it_first(tmp_path: Path) -> None:
    """Installing before building points at the build command."""
    with pytest.raises(InstallError, match="build it first: salesgoal addin build"):
        _plan(tmp_path / "none.xlam", "Windows", r"C:\Users\ana")


def test_carry_out_does_each_step_and_says_so(addin: Path, tmp_path: Path) -> None:
    """Carried out into a scratch home, every file lands where the plan said."""
    script = tmp_path / "xlwings" / "xlwings-0.37.8.applescript"
    script.parent.mkdir()
    script.write_text("on VbaHandler()", encoding="utf-8")
    plan = plan_install(
        addin,
        system="Darwin",
        home=PurePosixPath(tmp_path / "home"),
        environ={},
        python="/opt/sg/bin/python",
        pythonpath="/src",
        xlwings_folder=script.parent,
        xlwings_version="0.37.8",
    )
    done = carry_out(plan)
    assert done == [describe(step) for step in plan.steps]
    for step in plan.steps:
        assert Path(step.target).is_file()
    assert Path(plan.steps[0].target).read_bytes() == b"PK add-in"


def test_cli_dry_run_prints_the_planned_steps(
    addin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the platform injected as macOS, --dry-run lists the copies and writes it would do."""
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    result = CliRunner().invoke(app, ["addin", "install", "--addin", str(addin), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would copy add-in" in result.output and "would write xlwings config" in result.output
    assert not (tmp_path / "home").exists()
