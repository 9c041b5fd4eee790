"""Installing the built add-in for the current user: a plan of steps, then carrying it out.

Windows: the add-in goes to the user's XLSTART folder (Excel opens it at every start) and the
xlwings config to ``%USERPROFILE%\\.salesgoal\\salesgoal.conf``. macOS: the add-in goes to
Excel's Startup folder in Office's group container, the config to Excel's sandbox
(``~/Library/Containers/com.microsoft.Excel/Data/salesgoal.conf``), and xlwings' AppleScript
to Excel's Application Scripts folder, which RunPython needs there. The config names the
Python interpreter, the PYTHONPATH that holds salesgoal_xl, and the UDF module. Elsewhere
(Linux) Excel does not run, and the plan says what to do instead.

Planning takes the platform, home and environment as arguments, so every platform's plan is
testable anywhere; only ``carry_out`` touches the disk.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Final

from salesgoal_xl.addin.build import ADDIN_NAME, XLWINGS_PROJECT_NAME
from salesgoal_xl.addin.vba_gen import UDF_MODULE
from salesgoal_xl.core.errors import SalesgoalError

MAC_OFFICE: Final = "Library/Group Containers/UBF8T346G9.Office"
MAC_STARTUP: Final = f"{MAC_OFFICE}/User Content.localized/Startup.localized/Excel"
MAC_SANDBOX: Final = "Library/Containers/com.microsoft.Excel/Data"
MAC_SCRIPTS: Final = "Library/Application Scripts/com.microsoft.Excel"
_CONFIG_LINE = re.compile(r'^"([^"]*)","(.*)"\s*$')


class InstallError(SalesgoalError):
    """The add-in cannot be installed here, or as asked."""


@dataclass(frozen=True)
class Step:
    """One thing the install does: copy ``source`` to ``target``, or write ``text`` there."""

    what: str
    target: PurePath
    source: Path | None = None
    text: str | None = None
    encoding: str = "utf-8"


@dataclass(frozen=True)
class InstallPlan:
    """Everything an install will do on one platform, and what to tell the person after."""

    system: str
    steps: tuple[Step, ...]
    afterwards: tuple[str, ...]


def plan_install(
    addin: Path,
    *,
    system: str,
    home: PurePath,
    environ: Mapping[str, str],
    python: str,
    pythonpath: str,
    xlwings_folder: Path,
    xlwings_version: str,
) -> InstallPlan:
    """The steps that install ``addin`` on ``system`` ('Windows', 'Darwin', or other).

    Targets are paths of ``system``'s own kind, so a Windows plan reads as Windows paths
    wherever it is made.
    """
    if system not in ("Windows", "Darwin"):
        raise InstallError(
            f"Excel add-ins install on Windows and macOS only; this is {system or 'unknown'}, "
            "where Excel does not run. Instead: build the add-in here (salesgoal addin build), "
            "copy it to a Windows or Mac computer that has Python with salesgoal_xl, and run "
            "'salesgoal addin install --addin salesgoal.xlam' there; or work on the planning "
            "workbook directly with salesgoal propose / split / check <file.xlsx>."
        )
    if not addin.is_file():
        raise InstallError(f"{addin} does not exist; build it first: salesgoal addin build")
    settings = {"PYTHONPATH": pythonpath, "UDF MODULES": UDF_MODULE}
    if system == "Windows":
        return _windows_plan(
            addin, PureWindowsPath(home), environ, {"INTERPRETER_WIN": python, **settings}
        )
    script = xlwings_folder / f"xlwings-{xlwings_version}.applescript"
    return _mac_plan(addin, PurePosixPath(home), script, {"INTERPRETER_MAC": python, **settings})


def _windows_plan(
    addin: Path, home: PureWindowsPath, environ: Mapping[str, str], settings: Mapping[str, str]
) -> InstallPlan:
    profile = PureWindowsPath(environ.get("USERPROFILE", str(home)))
    appdata = PureWindowsPath(environ.get("APPDATA", str(profile / "AppData" / "Roaming")))
    config = profile / f".{XLWINGS_PROJECT_NAME}" / f"{XLWINGS_PROJECT_NAME}.conf"
    steps = (
        Step("add-in", appdata / "Microsoft" / "Excel" / "XLSTART" / ADDIN_NAME, addin),
        # VBA reads the file in the system's ANSI code page ("mbcs" in Python).
        _config_step(config, settings, "mbcs", "\r\n"),
    )
    afterwards = (
        "Close Excel completely and start it again: the Sales Goals tab appears.",
        "If Excel says macros are blocked, see docs/addin.md (unblocking a downloaded file).",
    )
    return InstallPlan("Windows", steps, afterwards)


def _mac_plan(
    addin: Path, home: PurePosixPath, script: Path, settings: Mapping[str, str]
) -> InstallPlan:
    steps = (
        Step("add-in", home / MAC_STARTUP / ADDIN_NAME, addin),
        _config_step(home / MAC_SANDBOX / f"{XLWINGS_PROJECT_NAME}.conf", settings, "utf-8", "\n"),
        Step("xlwings AppleScript", home / MAC_SCRIPTS / script.name, script),
    )
    afterwards = (
        "Quit Excel (Cmd-Q) and start it again: the Sales Goals tab appears.",
        "Worksheet functions (SG_...) need Excel for Windows; the buttons work on a Mac.",
    )
    return InstallPlan("Darwin", steps, afterwards)


def current_plan(addin: Path) -> InstallPlan:
    """The plan for this computer, this user and this Python."""
    import xlwings

    import salesgoal_xl

    return plan_install(
        addin,
        system=platform.system(),
        home=Path.home(),
        environ=os.environ,
        python=sys.executable,
        pythonpath=str(Path(salesgoal_xl.__file__).resolve().parents[1]),
        xlwings_folder=Path(xlwings.__file__).parent,
        xlwings_version=xlwings.__version__,
    )


def describe(step: Step) -> str:
    """One line saying what a step does."""
    if step.source is not None:
        return f"copy {step.what}: {step.source} -> {step.target}"
    return f"write {step.what}: {step.target}"


def carry_out(plan: InstallPlan) -> list[str]:
    """Do every step; returns one line per step done."""
    done: list[str] = []
    for step in plan.steps:
        target = Path(step.target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if step.source is not None:
                shutil.copyfile(step.source, target)
            else:
                target.write_bytes((step.text or "").encode(step.encoding))
        except (OSError, UnicodeEncodeError) as error:
            raise InstallError(
                f"could not {describe(step)} ({error}); close Excel if it is running and try again"
            ) from None
        done.append(describe(step))
    return done


def _config_step(path: PurePath, settings: Mapping[str, str], encoding: str, newline: str) -> Step:
    """The xlwings config file with our keys set and any other key already there kept."""
    merged = dict(_read_config(path))
    merged.update(settings)
    lines = [f'"{key}","{value}"' for key, value in merged.items()]
    return Step("xlwings config", path, text=newline.join(lines) + newline, encoding=encoding)


def _read_config(path: PurePath) -> list[tuple[str, str]]:
    """The key-value pairs of an existing config file (VBA's Write # format), if any."""
    try:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return []
    pairs = []
    for line in text.splitlines():
        found = _CONFIG_LINE.match(line)
        if found:
            pairs.append((found.group(1), found.group(2)))
    return pairs
