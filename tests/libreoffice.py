"""Headless LibreOffice for tests: recalculate workbooks, read the results, render pages.

LibreOffice trusts cached values on load unless told otherwise, so `recalculate` and
`convert` run with a private profile whose settings say "always recalculate" for OOXML and
ODF files; converting xlsx -> xlsx then stores freshly computed values that openpyxl reads
back. `convert_as_stock` uses a private profile with LibreOffice's default settings instead,
so it shows what a person opening the file in a fresh LibreOffice sees (cached values).
Many files go through one soffice start, which keeps a session's LibreOffice work to a few
seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

SKIP_ENV = "SALESGOAL_NO_LIBREOFFICE"
ERROR_VALUES = ("#REF!", "#NAME?", "#DIV/0!", "#VALUE!", "#N/A", "#NUM!", "#NULL!", "Err:")
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
_profile: Path | None = None
_stock_profile: Path | None = None


def soffice() -> str:
    """The soffice executable; fails the test (or skips when SALESGOAL_NO_LIBREOFFICE=1)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"LibreOffice not installed and {SKIP_ENV}=1")
    pytest.fail(
        "LibreOffice (soffice) is not on PATH: install libreoffice-calc (make system-deps), "
        f"or set {SKIP_ENV}=1 to skip these tests knowingly"
    )


def _profile_dir() -> Path:
    """A private LibreOffice profile that always recalculates on load (made once)."""
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="salesgoal-lo-profile-"))
        user = _profile / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
    return _profile


def _stock_profile_dir() -> Path:
    """A private LibreOffice profile left at the default settings (made once)."""
    global _stock_profile
    if _stock_profile is None:
        _stock_profile = Path(tempfile.mkdtemp(prefix="salesgoal-lo-stock-"))
    return _stock_profile


def convert_as_stock(paths: Iterable[Path], outdir: Path) -> list[Path]:
    """Each workbook as stock LibreOffice loads it (no forced recalculation), saved as xlsx."""
    return convert(paths, outdir, "xlsx", profile=_stock_profile_dir())


def convert(
    paths: Iterable[Path], outdir: Path, target: str, *, profile: Path | None = None
) -> list[Path]:
    """Convert files with one headless soffice run; return the outputs in input order.

    Without `profile`, LibreOffice recalculates every formula on load.
    """
    paths = list(paths)
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        soffice(),
        f"-env:UserInstallation={(profile or _profile_dir()).as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, paths),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    extension = target.split(":")[0]
    outputs = [outdir / f"{p.stem}.{extension}" for p in paths]
    missing = [str(p) for p in outputs if not p.exists()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed ({done.returncode}): {done.stderr}\nmissing {missing}")
    return outputs


def recalculate(paths: Iterable[Path], outdir: Path) -> list[Path]:
    """Each workbook fully recalculated by LibreOffice and saved as xlsx with its values."""
    return convert(paths, outdir, "xlsx")


def computed_values(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty cell value of a recalculated workbook: sheet -> coordinate -> value."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, dict[str, Any]] = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            cell.coordinate: cell.value
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None
        }
    return out


def error_cells(path: Path) -> list[str]:
    """'Sheet!A1 = #DIV/0!' for every cell holding an error value after recalculation."""
    found = []
    for sheet, cells in computed_values(path).items():
        for coordinate, value in cells.items():
            if isinstance(value, str) and value.startswith(ERROR_VALUES):
                found.append(f"{sheet}!{coordinate} = {value}")
    return found


def render_png(path: Path, outdir: Path, page: int, resolution: int = 80) -> Path:
    """Print `path` to PDF with LibreOffice and turn page `page` into a PNG."""
    (pdf,) = convert([path], outdir, "pdf")
    stem = outdir / f"{path.stem}-page"
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), *pages, str(pdf), str(stem)],
        check=True,
        timeout=120,
    )
    return stem.with_suffix(".png")


def pdf_pages(pdf: Path) -> int:
    """How many pages a PDF has (pdfinfo)."""
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


# --- LibreOffice as a live workbook (UNO) -----------------------------------------------------

UNO_PROGRAM = Path("/usr/lib/libreoffice/program")  # Debian: pyuno.so and libpyuno.so
UNO_MODULES = Path("/usr/lib/python3/dist-packages")  # Debian python3-uno: uno.py, unohelper.py
FIRST_START_EXIT = 81  # a first start on a fresh profile initialises it, then exits with 81
_uno_links: Path | None = None


def uno_importable() -> None:
    """Make `import uno` work from the project's venv (Debian's python3-uno, same Python 3.11).

    uno.py and unohelper.py are linked into a private folder on sys.path; pyuno.so is loaded
    from LibreOffice's own program folder (it finds libpyuno.so next to itself, so it cannot
    be a link). Fails the test with what to install when python3-uno is missing.
    """
    global _uno_links
    try:
        import uno  # noqa: F401
    except ImportError:
        pass
    else:
        return
    sources = [UNO_MODULES / "uno.py", UNO_MODULES / "unohelper.py"]
    if not all(p.exists() for p in sources) or not (UNO_PROGRAM / "pyuno.so").exists():
        if os.environ.get(SKIP_ENV) == "1":
            pytest.skip(f"python3-uno not installed and {SKIP_ENV}=1")
        pytest.fail("python3-uno is not installed: run make system-deps (apt-get python3-uno)")
    if _uno_links is None:
        _uno_links = Path(tempfile.mkdtemp(prefix="salesgoal-uno-"))
        for source in sources:
            (_uno_links / source.name).symlink_to(source)
    for folder in (str(_uno_links), str(UNO_PROGRAM)):
        if folder not in sys.path:
            sys.path.append(folder)


class HeadlessOffice:
    """A headless soffice of our own (private profile, private pipe), reached through UNO.

    `start()` retries the first start on a fresh profile (exit code 81); `close()` kills the
    process and removes the profile, whatever state it is in.
    """

    def __init__(self) -> None:
        uno_importable()
        self.profile = Path(tempfile.mkdtemp(prefix="salesgoal-live-profile-"))
        self.pipe = f"salesgoal_live_{os.getpid()}_{id(self)}"
        self.process: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.starts = 0

    def start(self, timeout: float = 90.0) -> HeadlessOffice:
        import uno
        from com.sun.star.connection import NoConnectException

        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + timeout
        self._launch()
        while time.monotonic() < deadline:
            assert self.process is not None
            code = self.process.poll()
            if code is not None:
                if code != FIRST_START_EXIT or self.starts > 3:
                    raise RuntimeError(f"soffice exited with code {code}")
                self._launch()
                continue
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
                )
            except NoConnectException:
                time.sleep(0.2)
                continue
            self.desktop = context.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", context
            )
            return self
        raise RuntimeError(f"soffice did not accept a connection within {timeout:.0f} s")

    def _launch(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [
                soffice(),
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                f"--accept=pipe,name={self.pipe};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # soffice hands over to soffice.bin: kill the group
        )

    def load(self, path: Path) -> Any:
        """Open a workbook (hidden); the document object for `UnoWorkbook`."""
        from com.sun.star.beans import PropertyValue

        hidden = PropertyValue()
        hidden.Name, hidden.Value = "Hidden", True
        return self.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, (hidden,))

    def close(self) -> None:
        """Kill soffice and remove its profile."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> HeadlessOffice:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()
