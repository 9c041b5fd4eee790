"""What every check looks at: the tables read once into a `CheckContext`, and the small
helpers the check families share (labels, live values, formula and error cells)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd
from openpyxl.workbook.workbook import Workbook

from salesgoal_xl.core.problems import Problem, ProblemsFound
from salesgoal_xl.workbook.cells import NumberText, classify_number_text
from salesgoal_xl.workbook.port import TableData, WorkbookPort
from salesgoal_xl.workbook.reader import (
    ERROR_LITERALS,
    TableRead,
    read_settings,
    read_tables,
    table_read_from_data,
    workbook_language,
)
from salesgoal_xl.workbook.schema import TABLES, Column, ColumnType, Role, table

CELLS_NAMED = 5  # cells listed in an aggregated message


@runtime_checkable
class RawTables(Protocol):
    """A workbook that can hand over tables with cell facts (the file adapter can)."""

    def read_raw(self, name: str) -> TableRead:
        """Table `name` with formulas, error cells, merged ranges and stray values noted."""
        ...

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """The titles of the workbook's worksheets."""
        ...


@dataclass
class CheckContext:
    """Everything the checks look at, read once: tables, settings, language, sheet names."""

    tables: dict[str, TableRead]
    lang: str = "en"
    sheet_names: tuple[str, ...] = ()  # empty when the source cannot list its sheets
    settings: dict[str, Any] = field(default_factory=dict)
    setting_problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.settings:
            self.settings, self.setting_problems = read_settings(self.tables["tblSettings"])

    def found(self, name: str) -> TableRead | None:
        """The table if the workbook has it and its rows could be read."""
        read = self.tables.get(name)
        if read is None or not read.found:
            return None
        return read


def context_from_workbook(wb: Workbook) -> CheckContext:
    """Read every schema table of an openpyxl workbook once."""
    return CheckContext(
        read_tables(wb), workbook_language(wb), tuple(ws.title for ws in wb.worksheets)
    )


def context_from_port(port: WorkbookPort | RawTables) -> CheckContext:
    """Read every schema table through a port; cell facts only if the port has them."""
    if isinstance(port, RawTables):
        reads = {t.name: port.read_raw(t.name) for t in TABLES}
        lang = _language_of(reads)
        return CheckContext(reads, lang, port.sheet_names)
    reads = {}
    for spec in TABLES:
        if not port.has_table(spec.name):
            reads[spec.name] = _not_found(spec.name)
            continue
        try:
            data = port.read_table(spec.name)
        except ProblemsFound as found:
            reads[spec.name] = _not_found(spec.name)
            reads[spec.name].found = True
            reads[spec.name].problems.extend(found.problems)
            continue
        reads[spec.name] = table_read_from_data(data)
    return CheckContext(reads, _language_of(reads))


def _not_found(name: str) -> TableRead:
    spec = table(name)
    frame = pd.DataFrame({key: pd.Series([], dtype=object) for key in spec.keys})
    return TableRead(name, TableData(name, frame), found=False)


def _language_of(reads: dict[str, TableRead]) -> str:
    settings = reads.get("tblSettings")
    if settings is None or not settings.found:
        return "en"
    values, _ = read_settings(settings)
    return str(values.get("language", "en"))


def header_label(read: TableRead, key: str, lang: str) -> str:
    return read.spec.column(key).label.get(lang)


def live_values(read: TableRead, key: str) -> Iterator[tuple[int, Any]]:
    """(row, value) for the live rows of column `key`."""
    column = read.data.frame[key].tolist()
    if len(read.live_rows) == len(column):  # no blank row inside the table: the usual case
        return enumerate(column)
    return ((row, column[row]) for row in read.live_rows if row < len(column))


def is_formula(read: TableRead, row: int, key: str) -> bool:
    return (row, key) in read.formulas


def is_error(read: TableRead, row: int, key: str, value: Any) -> bool:
    return (row, key) in read.errors or (isinstance(value, str) and value.strip() in ERROR_LITERALS)


def cells_text(read: TableRead, key: str, rows: Sequence[int]) -> str:
    cells = [read.data.cell(r, key) for r in rows[:CELLS_NAMED]]
    more = len(rows) - len(cells)
    return ", ".join(cells) + (f" and {more:,} more" if more > 0 else "")


def checked_columns(read: TableRead, *types: ColumnType) -> Iterator[Column]:
    """Columns of the given types that hold values (not live formulas) and have a header."""
    for column in read.spec.columns:
        if column.role is Role.FORMULA or column.key not in read.header_cells:
            continue
        if not types or column.type in types:
            yield column


def present_tables(
    ctx: CheckContext, skip: tuple[str, ...] = ("tblSettings",)
) -> Iterator[TableRead]:
    for spec in TABLES:
        read = ctx.found(spec.name)
        if read is not None and spec.name not in skip:
            yield read


def number_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        kind, number, _ = classify_number_text(value)
        return number if kind is NumberText.PLAIN else None
    return None
