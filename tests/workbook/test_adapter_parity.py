"""One reading path: both file adapters hand commands the same frames for the same file."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.core.problems import ProblemsFound
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.cells import command_values
from salesgoal_xl.workbook.file_port import FilePort
from salesgoal_xl.workbook.package_port import PackagePort
from tests.workbook.bad_tables import write_bad_tables
from tests.workbook.corpus import build_corpus

TEMPLATES = Path(__file__).resolve().parents[2] / "workbook_templates"


def _same(value: Any) -> Any:
    """Values as a command compares them: NaN is blank, 3.0 is 3."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read(port: FilePort | PackagePort, name: str) -> tuple[Any, ...]:
    """What a command gets from `read_table`: where the table is and its rows, or the refusal."""
    try:
        data = port.read_table(name)
    except ProblemsFound as refused:
        return ("refused", sorted((p.code.value, p.sheet, p.cell) for p in refused.problems))
    keys = list(schema.table(name).keys)
    rows = [[_same(v) for v in row] for row in data.frame[keys].itertuples(index=False)]
    return ("read", data.sheet, data.first_row, dict(data.letters), rows)


def _open(adapter: type[FilePort | PackagePort], path: Path) -> Any:
    """The opened port, or the sorted (code, sheet, cell) of its refusal."""
    try:
        return adapter(path)
    except ProblemsFound as refused:
        return sorted((p.code.value, p.sheet, p.cell) for p in refused.problems)


def _corpus(folder: Path) -> list[Path]:
    files = sorted(write_bad_tables(folder / "bad"))
    files += sorted(f.path for f in build_corpus(folder / "files").values() if f.path.exists())
    files += sorted(TEMPLATES.glob("*.xlsx"))
    demo = folder / "demo.xlsx"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", str(demo)]).exit_code == 0
    assert runner.invoke(app, ["propose", str(demo), "--final", "base"]).exit_code == 0
    assert runner.invoke(app, ["split", str(demo)]).exit_code == 0
    return [*files, demo]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every bad-table workbook, every file of the bad-file corpus, the three templates and
    the split demo."""
    return _corpus(tmp_path_factory.mktemp("parity"))


def test_both_adapters_read_every_table_alike(corpus: list[Path]) -> None:
    """For every table of every corpus workbook, the openpyxl adapter and the part-wise one
    give the same sheet, cells and values, or refuse with the same codes at the same cells."""
    compared = refused_files = 0
    differences = []
    for path in corpus:
        opened = [_open(FilePort, path), _open(PackagePort, path)]
        refusals = [port for port in opened if isinstance(port, list)]
        if refusals:  # refused by the gate before either reads a table: refused alike
            assert refusals == opened, (path.name, opened)
            refused_files += 1
            continue
        slow, fast = opened
        assert isinstance(slow, FilePort) and isinstance(fast, PackagePort)
        for spec in schema.TABLES:
            assert slow.has_table(spec.name) == fast.has_table(spec.name), (path.name, spec.name)
            if not slow.has_table(spec.name):
                continue
            compared += 1
            first, second = _read(slow, spec.name), _read(fast, spec.name)
            if first != second:
                differences.append((path.name, spec.name, first, second))
        fast.close()
    assert compared > 300 and refused_files > 10
    assert differences == []


def test_a_date_typed_into_a_period_cell_reads_as_that_day() -> None:
    """Excel turns a typed 2026-01 into a date; both adapters hand over the date itself."""
    column = schema.table("tblActuals").column("period")
    assert command_values(column, [dt.datetime(2026, 1, 1)]) == [dt.date(2026, 1, 1)]
