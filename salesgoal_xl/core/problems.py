"""Problems are values: a stable code, a severity, where it is (a `Source`) and what to do.

One problem type from the core to the console: core functions, the workbook checks and the
commands all report `Problem`s; a location is a structured `Source` (sheet, cell, table,
column, row), never a "Sheet!Cell" string split apart later. Every check returns a list of
`Problem`; nothing raises on bad user data. A command that cannot go on raises
`ProblemsFound`, which carries the whole list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Final

from salesgoal_xl.core.errors import SalesgoalError


class Severity(Enum):
    """How bad a problem is: errors stop commands, warnings are shown and logged."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER: Final = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
"""Worst first: how problem lists are sorted wherever they are shown."""


class Category(Enum):
    """Whether the file itself, the workbook's structure or the data in it is at fault."""

    FILE = "file"
    SCHEMA = "schema"
    DATA = "data"
    RULE = "rule"


class ProblemCode(Enum):
    """Stable machine codes; never rename one, only add (tests and users rely on them)."""

    # The file itself (the gate).
    FILE_NOT_FOUND = "FILE_NOT_FOUND"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    NOT_XLSX = "NOT_XLSX"
    LEGACY_XLS = "LEGACY_XLS"
    CSV_NOT_XLSX = "CSV_NOT_XLSX"
    ENCRYPTED = "ENCRYPTED"
    TRUNCATED = "TRUNCATED"
    ZIP_BOMB = "ZIP_BOMB"
    TOO_MANY_PARTS = "TOO_MANY_PARTS"
    TOO_MANY_MERGES = "TOO_MANY_MERGES"
    TOO_MANY_STYLES = "TOO_MANY_STYLES"
    TOO_MANY_STRINGS = "TOO_MANY_STRINGS"
    STRICT_OOXML = "STRICT_OOXML"
    MACRO_ENABLED = "MACRO_ENABLED"
    EXTERNAL_LINK = "EXTERNAL_LINK"
    DDE_LINK = "DDE_LINK"
    OLE_OBJECT = "OLE_OBJECT"
    XML_ENTITIES = "XML_ENTITIES"
    UNREADABLE = "UNREADABLE"
    FILE_LOCKED = "FILE_LOCKED"
    EMPTY_FILE = "EMPTY_FILE"
    SAVE_FAILED = "SAVE_FAILED"
    # Structure (the schema).
    MISSING_SHEET = "MISSING_SHEET"
    MISSING_TABLE = "MISSING_TABLE"
    MISSING_HEADER = "MISSING_HEADER"
    DUPLICATE_HEADER = "DUPLICATE_HEADER"
    MERGED_CELLS = "MERGED_CELLS"
    ROWS_OUTSIDE_TABLE = "ROWS_OUTSIDE_TABLE"
    FAR_AWAY_CELL = "FAR_AWAY_CELL"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    WOULD_DROP_FEATURE = "WOULD_DROP_FEATURE"
    # Data in cells.
    NOT_A_NUMBER = "NOT_A_NUMBER"
    LOCALE_NUMBER = "LOCALE_NUMBER"
    NUMBER_AS_TEXT = "NUMBER_AS_TEXT"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    ERROR_VALUE = "ERROR_VALUE"
    FORMULA_IN_INPUT = "FORMULA_IN_INPUT"
    BLANK_KEY = "BLANK_KEY"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    UNKNOWN_CODE = "UNKNOWN_CODE"
    BAD_PERIOD = "BAD_PERIOD"
    PERIOD_OUTSIDE_YEAR = "PERIOD_OUTSIDE_YEAR"
    BAD_DATE = "BAD_DATE"
    BAD_SETTING = "BAD_SETTING"
    CONTROL_CHARACTERS = "CONTROL_CHARACTERS"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    BLANK_VALUE = "BLANK_VALUE"
    PERIOD_AS_DATE = "PERIOD_AS_DATE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NOT_WHOLE_UNITS = "NOT_WHOLE_UNITS"
    # Files an import reads (CRM, ERP or HR exports).
    UNREADABLE_SOURCE = "UNREADABLE_SOURCE"
    NO_SOURCE_COLUMN = "NO_SOURCE_COLUMN"
    BAD_MAP = "BAD_MAP"
    AMBIGUOUS_DECIMAL = "AMBIGUOUS_DECIMAL"
    MIXED_DECIMAL = "MIXED_DECIMAL"
    AMBIGUOUS_REP = "AMBIGUOUS_REP"
    ORG_CONFLICT = "ORG_CONFLICT"
    # Business rules.
    SHARES_NOT_100 = "SHARES_NOT_100"
    CHILDREN_NOT_SUM = "CHILDREN_NOT_SUM"
    SPLIT_INFEASIBLE = "SPLIT_INFEASIBLE"
    NO_TARGET = "NO_TARGET"
    NO_HISTORY = "NO_HISTORY"
    EMPTY_TABLE = "EMPTY_TABLE"
    NOT_SPLIT = "NOT_SPLIT"
    NO_ACTUALS = "NO_ACTUALS"
    # The adjustment log.
    ADJUSTMENT_UNAPPROVED = "ADJUSTMENT_UNAPPROVED"
    ADJUSTMENT_CONFLICT = "ADJUSTMENT_CONFLICT"
    ADJUSTMENT_INFEASIBLE = "ADJUSTMENT_INFEASIBLE"
    LOG_TAMPERED = "LOG_TAMPERED"
    # Approvals, signatures and emailed round trips.
    BAD_SCOPE = "BAD_SCOPE"
    APPROVAL_BROKEN = "APPROVAL_BROKEN"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    UNKNOWN_APPROVER = "UNKNOWN_APPROVER"
    BAD_KEY = "BAD_KEY"
    NOT_A_COPY = "NOT_A_COPY"
    COPY_OTHER_PLAN = "COPY_OTHER_PLAN"
    COPY_OUTDATED = "COPY_OUTDATED"
    COPY_TAMPERED = "COPY_TAMPERED"
    COLLECT_CONFLICT = "COLLECT_CONFLICT"
    NO_PLAN_ID = "NO_PLAN_ID"


@dataclass(frozen=True)
class Source:
    """Where something lives in a workbook: sheet and A1 cell or range, and when known the
    table, the schema column key and the 0-based data row. Empty fields mean "not known".

    `file` and `line` locate a row of a file an import reads (a CSV export or an xlsx
    sheet), which is not the plan: a problem there names that file, not the plan.
    """

    sheet: str = ""
    cell: str = ""
    table: str = ""
    column: str = ""
    row: int | None = None
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        """'Sheet!F17', 'Sheet' or '' for the whole file; 'deals.csv:12' or
        'deals.xlsx:Deals!C12' for a row of an imported file."""
        if self.file:
            if self.sheet and self.cell:
                return f"{self.file}:{self.sheet}!{self.cell}"
            return f"{self.file}:{self.line}" if self.line is not None else self.file
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def __bool__(self) -> bool:
        return bool(self.sheet or self.cell or self.table or self.file)


NOWHERE: Final = Source()


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as we can."""

    code: ProblemCode
    severity: Severity
    message: str
    source: Source = NOWHERE
    hint: str = ""
    category: Category = Category.DATA

    @property
    def sheet(self) -> str:
        """The sheet's name as the workbook shows it ('' for the whole file)."""
        return self.source.sheet

    @property
    def cell(self) -> str:
        """The A1 cell or range ('' when the problem is about a sheet or the file)."""
        return self.source.cell

    @property
    def where(self) -> str:
        """'Sheet!F17', 'Sheet' or '' when the problem is about the whole file."""
        return str(self.source)

    def located(self, source: Source) -> Problem:
        """The same problem at another place (a command's input mapped to its cell)."""
        return replace(self, source=source)

    def format(self, path: str = "") -> str:
        """The one-line form people can jump from: `plan.xlsx:Sheet!F17: CODE message (hint)`."""
        # A row of an imported file is named by that file, whatever plan it was going into.
        location = self.where if self.source.file else ":".join(p for p in (path, self.where) if p)
        text = f"{self.code.value} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return f"{location}: {text}" if location else text

    def to_json(self) -> dict[str, str | int | None]:
        """A flat JSON-ready dict with stable keys (`file` and `line` for imported files)."""
        return {
            "file": self.source.file,
            "line": self.source.line,
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "sheet": self.source.sheet,
            "cell": self.source.cell,
            "table": self.source.table,
            "column": self.source.column,
            "hint": self.hint,
            "category": self.category.value,
        }


def _problem(
    code: ProblemCode,
    severity: Severity,
    message: str,
    source: Source | None,
    sheet: str,
    cell: str,
    hint: str,
    category: Category,
) -> Problem:
    where = source if source is not None else Source(sheet, cell)
    return Problem(code, severity, message, where, hint, category)


def error(
    code: ProblemCode,
    message: str,
    *,
    source: Source | None = None,
    sheet: str = "",
    cell: str = "",
    hint: str = "",
    category: Category = Category.DATA,
) -> Problem:
    """An error-severity problem (a command cannot run until it is fixed).

    Give the place as `source`, or as `sheet` and `cell` when nothing more is known.
    """
    return _problem(code, Severity.ERROR, message, source, sheet, cell, hint, category)


def warning(
    code: ProblemCode,
    message: str,
    *,
    source: Source | None = None,
    sheet: str = "",
    cell: str = "",
    hint: str = "",
    category: Category = Category.DATA,
) -> Problem:
    """A warning: shown and logged, but commands still run."""
    return _problem(code, Severity.WARNING, message, source, sheet, cell, hint, category)


def info(
    code: ProblemCode,
    message: str,
    *,
    source: Source | None = None,
    sheet: str = "",
    cell: str = "",
    hint: str = "",
    category: Category = Category.DATA,
) -> Problem:
    """An information row: nothing is wrong, but something is still to do (a step ahead)."""
    return _problem(code, Severity.INFO, message, source, sheet, cell, hint, category)


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)


def problems_to_json(problems: Sequence[Problem], path: str = "") -> str:
    """The machine-readable report `salesgoal check --json` prints."""
    return json.dumps(
        {
            "path": path,
            "errors": sum(p.severity is Severity.ERROR for p in problems),
            "warnings": sum(p.severity is Severity.WARNING for p in problems),
            "problems": [p.to_json() for p in problems],
        },
        ensure_ascii=False,
        indent=2,
    )


class ProblemsFound(SalesgoalError):  # noqa: N818 -- reads as a sentence at raise sites
    """A command stopped because of problems; it carries all of them, not just the first."""

    def __init__(self, problems: Sequence[Problem], path: str = "") -> None:
        self.problems = list(problems)
        self.path = path
        lines = [p.format(path) for p in self.problems[:20]]
        more = len(self.problems) - 20
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__("\n".join(lines))

    unreadable: bool = False
    """True when the file itself could not be read (a command exits 2, as check does)."""


class FileRefused(ProblemsFound):
    """The file was refused before anything in it was used: hostile, damaged, not a workbook,
    or a value the gate will not read around. Every command exits 2 on it, `check` too."""

    unreadable = True
