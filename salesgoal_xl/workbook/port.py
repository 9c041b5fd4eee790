"""The workbook port: the few things a command may ask of a workbook, whoever holds it.

Commands (propose, split, check, ...) talk only to this protocol. The CLI drives them through
the file adapters (`package_port`, `file_port`), the Excel ribbon through the live adapter
(`live.LivePort`, over xlwings in `salesgoal_xl.addin`), and tests through `MemoryPort` and
LibreOffice. No command imports openpyxl or xlwings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, Source, error
from salesgoal_xl.workbook.package import column_letter
from salesgoal_xl.workbook.schema import SHEETS_BY_KEY, table

if TYPE_CHECKING:
    from salesgoal_xl.workbook.door import SaveReport


@dataclass
class TableData:
    """A table as read: one frame column per schema key, plus where each cell lives.

    `frame` has a default RangeIndex; row i sits on Excel row `first_row + i`;
    `letters[key]` is the column letter of schema column `key` on `sheet`.
    Cell values are as stored (numbers, text, datetimes, None), not yet validated.
    """

    name: str
    frame: pd.DataFrame
    sheet: str = ""
    first_row: int = 2
    letters: Mapping[str, str] = field(default_factory=dict)

    def cell(self, row: int, key: str) -> str:
        """The A1 address of column `key` in data row `row` (0-based), e.g. 'F17'."""
        letter = self.letters.get(key, "")
        return f"{letter}{self.first_row + row}" if letter else ""

    def source(self, row: int | None = None, key: str = "") -> Source:
        """Where data row `row` (0-based) of column `key` lives; without them, the table's
        header row (so a message about the whole table still jumps to it)."""
        if row is not None and key:
            return Source(self.sheet, self.cell(row, key), self.name, key, row)
        return Source(self.sheet, self.header_range, self.name)

    @property
    def header_range(self) -> str:
        """The A1 range of the header cells the schema columns were found in ('' if none)."""
        if not self.letters:
            return ""
        ordered = sorted(self.letters.values(), key=lambda letters: (len(letters), letters))
        row = self.first_row - 1
        first, last = ordered[0], ordered[-1]
        return f"{first}{row}" if first == last else f"{first}{row}:{last}{row}"


class WorkbookPort(Protocol):
    """What a command needs from a workbook; adapters implement it."""

    @property
    def label(self) -> str:
        """How to name the workbook in messages (a file name, or the Excel book name)."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether the workbook holds the table called `name`."""
        ...

    def read_table(self, name: str) -> TableData:
        """The table's rows; raises ProblemsFound if it is missing or its headers are wrong."""
        ...

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace the rows of a table the program owns (staged until `commit`)."""
        ...

    def progress(self, fraction: float, message: str) -> None:
        """Report progress of long work (0.0 to 1.0) with a short message."""
        ...

    def message(self, text: str, *, level: str = "info") -> None:
        """Tell the user something (a status line, or a message box in Excel)."""
        ...

    def commit(self) -> None:
        """Make every staged write permanent at once (an atomic save for files)."""
        ...


class PropertiesPort(WorkbookPort, Protocol):
    """A port that also reads and writes the custom document properties (the plan's identity,
    approvals, an export's stamp; `workbook.identity`). The file adapters and MemoryPort do."""

    def properties(self) -> dict[str, str | int]:
        """The custom document properties as committed (integers as int)."""
        ...

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Stage properties to set (None removes one) for the next commit."""
        ...

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        """Stage new values for one-cell defined names (the Guide's identity cells)."""
        ...


ProgressCallback = Callable[[float, str], None]
MessageCallback = Callable[[str, str], None]


def refuse_user_table(name: str) -> None:
    """The one rule of what a writer may rewrite: a table the program owns, one an import
    fills on request, or the log adjust stamps; any other user table is refused."""
    spec = table(name)
    if not (spec.owned or spec.importable or spec.stamped):
        raise ValueError(f"{name} belongs to the user; the program never rewrites it")


def ignore_progress(_fraction: float, _message: str) -> None:
    """Progress goes nowhere unless a caller asks to see it."""


def ignore_message(_text: str, _level: str) -> None:
    """Messages go nowhere unless a caller asks to see them."""


class StagedWrites:
    """The half of a file adapter that is the same everywhere: staging and reporting.

    Subclasses call this constructor, then implement reading and `commit`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        message: MessageCallback | None = None,
        allow_feature_loss: bool = False,
    ) -> None:
        self.path = Path(path)
        self._progress = progress or ignore_progress
        self._message = message or ignore_message
        self._allow_feature_loss = allow_feature_loss
        self._staged: dict[str, pd.DataFrame] = {}
        self._staged_properties: dict[str, str | int | None] = {}
        self._staged_names: dict[str, str | int] = {}
        self.last_save: SaveReport | None = None

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        """Stage custom document properties to set (None removes one) at the next commit."""
        self._staged_properties.update(updates)

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        """Stage values for the one-cell names the builder made (PlanVersion, PlanFingerprint
        on the Guide) for the next commit; a name the workbook lacks is skipped."""
        self._staged_names.update(values)

    @property
    def label(self) -> str:
        """The file's name, as messages show it."""
        return self.path.name

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Stage new rows for a table the program owns, one an import fills on request, or the
        log adjust stamps; other user tables are refused."""
        refuse_user_table(name)
        self._staged[name] = frame.copy()

    def progress(self, fraction: float, message: str) -> None:
        """Pass progress to the callback given at construction."""
        self._progress(fraction, message)

    def message(self, text: str, *, level: str = "info") -> None:
        """Pass a message to the callback given at construction."""
        self._message(text, level)


class MemoryPort:
    """A workbook held as frames in memory: for tests and for composing commands."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], label: str = "memory") -> None:
        self._tables = {name: frame.copy() for name, frame in tables.items()}
        self._staged: dict[str, pd.DataFrame] = {}
        self._label = label
        self.messages: list[tuple[str, str]] = []
        self.progress_log: list[tuple[float, str]] = []
        self.commits = 0
        self.document_properties: dict[str, str | int] = {}
        self.named_values: dict[str, str | int] = {}
        self._staged_properties: dict[str, str | int | None] = {}
        self._staged_names: dict[str, str | int] = {}

    def properties(self) -> dict[str, str | int]:
        """The committed custom document properties."""
        return dict(self.document_properties)

    def set_properties(self, updates: Mapping[str, str | int | None]) -> None:
        self._staged_properties.update(updates)

    def set_named_values(self, values: Mapping[str, str | int]) -> None:
        self._staged_names.update(values)

    @property
    def label(self) -> str:
        return self._label

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """The committed tables."""
        return self._tables

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def read_table(self, name: str) -> TableData:
        spec = table(name)
        sheet = SHEETS_BY_KEY[spec.sheet].label.en
        if name not in self._tables:
            problem = error(
                ProblemCode.MISSING_TABLE,
                f"table {name} is missing",
                sheet=sheet,
                hint="rebuild the sheet from a template or restore the table",
            )
            raise ProblemsFound([problem], self._label)
        frame = self._tables[name].copy()
        for key in spec.keys:
            if key not in frame.columns:
                frame[key] = None
        letters = {key: column_letter(i + 1) for i, key in enumerate(frame.columns)}
        return TableData(name, frame.reset_index(drop=True), sheet, 2, letters)

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        table(name)  # unknown names fail loudly
        self._staged[name] = frame.copy()

    def progress(self, fraction: float, message: str) -> None:
        self.progress_log.append((fraction, message))

    def message(self, text: str, *, level: str = "info") -> None:
        self.messages.append((level, text))

    def commit(self) -> None:
        self._tables.update(self._staged)
        self._staged = {}
        for name, value in self._staged_properties.items():
            if value is None:
                self.document_properties.pop(name, None)
            else:
                self.document_properties[name] = value
        self._staged_properties = {}
        self.named_values.update(self._staged_names)
        self._staged_names = {}
        self.commits += 1
