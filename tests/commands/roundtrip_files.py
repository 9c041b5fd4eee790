"""Exported copies for collect's tests: `make_copy` is the real `export`'s copy for a scope,
and `edit_cells` types into a copy as a person would."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook

from salesgoal_xl.commands.export import run_export
from salesgoal_xl.core.fingerprint import Scope
from salesgoal_xl.workbook.identity import EXPORT_SCOPE
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import TableData
from salesgoal_xl.workbook.reader import find_table

_EXPORTS: dict[tuple[str, str], Path] = {}
"""Export folders already written, by (master bytes' SHA-256, --by level): one export serves
every copy a test module asks of the same master."""


def make_copy(master: Path, scope: Scope, path: Path) -> Path:
    """Write `path`: the real `export` copy of `master` for `scope` (a region, team or manager),
    exported once per master state and level and copied from there."""
    key = (hashlib.sha256(master.read_bytes()).hexdigest(), scope.level)
    folder = _EXPORTS.get(key)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix=f"export-{scope.level}-"))
        port = PackagePort(master)
        try:
            run_export(port, master, scope.level, folder)
        finally:
            port.close()
        _EXPORTS[key] = folder
    for written in folder.glob("*.xlsx"):
        port = PackagePort(written)
        exported = port.properties().get(EXPORT_SCOPE)
        port.close()
        if exported == scope.text:
            shutil.copyfile(written, path)
            return path
    raise AssertionError(f"export wrote no copy for {scope.text}")


def edit_cells(path: Path, table_name: str, values: Mapping[str, object]) -> None:
    """Type `values` ({A1 cell: value}) into the sheet of `table_name`, as a person would in
    Excel, and save with openpyxl."""
    wb = load_workbook(path)
    found = find_table(wb, table_name)
    assert found is not None, table_name
    ws = found[0]
    for cell, value in values.items():
        ws[cell] = value
    wb.save(path)


def read_table(path: Path, name: str) -> TableData:
    """Table `name` of the file at `path`, read as the commands read it."""
    port = PackagePort(path)
    try:
        return port.read_table(name)
    finally:
        port.close()
