"""The file adapter of the workbook port: a workbook file read through the gate, written
through the door.

Tables are read with the bounded reader; writes are staged per table and `commit` rewrites
only the tables the program owns (`fill_table`), then saves through the door (atomic, with a
backup, refusing to drop what openpyxl cannot keep unless `allow_feature_loss`). Progress and
messages go to the callbacks given at construction (the CLI passes rich ones; tests, lists).
"""

from __future__ import annotations

from pathlib import Path

from salesgoal_xl.core.problems import (
    Problem,
    ProblemCode,
    ProblemsFound,
    error,
)
from salesgoal_xl.workbook.door import save_atomically
from salesgoal_xl.workbook.fill import fill_table
from salesgoal_xl.workbook.gate import open_workbook
from salesgoal_xl.workbook.identity import set_custom_properties, set_named_values
from salesgoal_xl.workbook.port import (
    MessageCallback,
    ProgressCallback,
    StagedWrites,
    TableData,
)
from salesgoal_xl.workbook.reader import (
    TableRead,
    find_table,
    read_table,
    table_for_command,
    workbook_language,
)
from salesgoal_xl.workbook.schema import table


class FilePort(StagedWrites):
    """A planning workbook file behind the WorkbookPort protocol.

    Opening happens at construction, so an unreadable file raises `ProblemsFound` (with
    file-category problems) before any command starts; warnings from the gate (macros, links,
    a lock owner) are kept in `open_problems`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        progress: ProgressCallback | None = None,
        message: MessageCallback | None = None,
        allow_feature_loss: bool = False,
    ) -> None:
        super().__init__(
            path, progress=progress, message=message, allow_feature_loss=allow_feature_loss
        )
        self.open_problems: list[Problem] = []
        self._wb = open_workbook(self.path, warnings_out=self.open_problems)
        self._lang = workbook_language(self._wb)
        self._reads: dict[str, TableRead] = {}

    @property
    def language(self) -> str:
        """The workbook's language ('en', 'zh-Hant', 'zh-Hans')."""
        return self._lang

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(ws.title for ws in self._wb.worksheets)

    def has_table(self, name: str) -> bool:
        return find_table(self._wb, name) is not None

    def read_raw(self, name: str) -> TableRead:
        """The table with its cell facts (formulas, errors, merged ranges, stray values)."""
        if name not in self._reads:
            self._reads[name] = read_table(self._wb, name, lang=self._lang)
        return self._reads[name]

    def read_table(self, name: str) -> TableData:
        return table_for_command(self.read_raw(name), self.label)

    def properties(self) -> dict[str, str | int]:
        """The custom document properties, as `workbook.identity` reads them."""
        return {
            p.name: p.value if isinstance(p.value, int) else str(p.value)
            for p in self._wb.custom_doc_props.props
        }

    def commit(self) -> None:
        """Write every staged table into the workbook, then save atomically with a backup."""
        if not self._staged and not self._staged_properties and not self._staged_names:
            return
        staged, self._staged = self._staged, {}
        updates, self._staged_properties = self._staged_properties, {}
        set_custom_properties(self._wb, updates)
        names, self._staged_names = self._staged_names, {}
        set_named_values(self._wb, names)
        for i, (name, frame) in enumerate(staged.items()):
            self.progress(i / (len(staged) + 1), f"writing {name}")
            located = find_table(self._wb, name)
            if located is None:
                raise ProblemsFound(
                    [error(ProblemCode.MISSING_TABLE, f"table {name} is missing")], self.label
                )
            ws, _ = located
            spec = table(name)
            fill_table(ws, spec, frame[[k for k in frame.columns if k in spec.keys]], self._lang)
        self.progress(len(staged) / (len(staged) + 1), f"saving {self.label}")
        self.last_save = save_atomically(
            self._wb, self.path, allow_feature_loss=self._allow_feature_loss
        )
        self._reads.clear()
        self.progress(1.0, f"saved {self.label}")
        backup = self.last_save.backup
        kept = f"; the previous version is kept as {backup}" if backup else ""
        self.message(f"saved {self.path}{kept}", level="info")
