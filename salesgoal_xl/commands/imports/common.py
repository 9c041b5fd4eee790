"""What every import shares: options, the summary it returns, reading the export and its
columns, the amount convention, and the one rule for bad rows (refuse, or skip with --skip-bad).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from salesgoal_xl.core.problems import (
    Category,
    FileRefused,
    Problem,
    ProblemCode,
    ProblemsFound,
    Source,
    error,
)
from salesgoal_xl.workbook.cells import code_text, is_blank
from salesgoal_xl.workbook.port import WorkbookPort
from salesgoal_xl.workbook.schema import Column, Table
from salesgoal_xl.workbook.source import (
    SourceColumns,
    SourceFile,
    match_columns,
    parse_maps,
    read_source,
)
from salesgoal_xl.workbook.source_values import (
    COMMA,
    DOT,
    amount,
    infer_convention,
    number_amount,
)

LISTED_BAD_ROWS: Final = 200  # bad rows named one by one; the rest are counted


@dataclass(frozen=True)
class ImportOptions:
    """The options every import command takes (see docs/import.md)."""

    maps: tuple[str, ...] = ()
    sheet: str | None = None
    skip_bad: bool = False
    dry_run: bool = False
    decimal: str | None = None


@dataclass
class ImportSummary:
    """What an import did (or, with --dry-run, would do)."""

    command: str
    source: str
    detail: str
    columns: dict[str, str]
    source_rows: int
    good_rows: int
    bad_rows: int
    written: bool
    problems: list[Problem] = field(default_factory=list)
    # Actuals and history: rows written, existing rows replaced and kept, periods covered.
    table: str = ""
    rows: int = 0
    replaced: int = 0
    kept: int = 0
    periods: tuple[str, ...] = ()
    # Org: per table, how many codes were created, updated and left as they were.
    org: dict[str, dict[str, int]] = field(default_factory=dict)


def open_export(
    path: str | Path,
    spec: Table,
    options: ImportOptions,
    *,
    aliases: dict[str, tuple[str, ...]],
    extra: Sequence[Column] = (),
) -> tuple[SourceFile, SourceColumns]:
    """Read the export and match its headers (exit 2 when it cannot be read or matched)."""
    if options.decimal not in (None, DOT, COMMA):
        raise FileRefused(
            [
                error(
                    ProblemCode.BAD_MAP,
                    f"--decimal must be '.' or ',' (got {options.decimal!r})",
                    category=Category.FILE,
                )
            ]
        )
    maps = parse_maps(options.maps, spec, extra)
    source = read_source(path, sheet=options.sheet)
    return source, match_columns(source, spec, aliases=aliases, maps=maps, extra=extra)


def require_columns(
    source: SourceFile, columns: SourceColumns, needed: Sequence[tuple[Sequence[str], str]]
) -> None:
    """Refuse an export lacking a column the import needs: each entry is the keys any one of
    which will do, and how to name them."""
    problems = [
        error(
            ProblemCode.NO_SOURCE_COLUMN,
            f"{source.label} has no {what} column",
            source=source.source(),
            hint=f'rename its header, or name it with --map "YOUR HEADER={what}"; its '
            "columns are " + ", ".join(repr(h) for h in source.headers if h),
            category=Category.FILE,
        )
        for keys, what in needed
        if not any(columns.get(k) is not None for k in keys)
    ]
    if problems:
        raise FileRefused(problems, source.label)


def settle_convention(source: SourceFile, cells: Sequence[Sequence[Any]], given: str | None) -> str:
    """The decimal separator of the export's amounts (all numeric columns together).

    Refused (exit 2) when amounts need both conventions, or none settles it and some read
    two ways; the message shows both readings of an example and asks for --decimal.
    """
    flat = [cell for column in cells for cell in column]
    found = infer_convention(flat, given)
    if found.decimal or not (found.ambiguous or found.dot_rows):
        return found.decimal or DOT
    size = max(len(column) for column in cells)

    def where(index: int) -> tuple[int, str]:
        return index % size, str(flat[index])

    if found.dot_rows and found.comma_rows:
        (dot_row, dot_text), (comma_row, comma_text) = (
            where(found.dot_rows[0]),
            where(found.comma_rows[0]),
        )
        problem = error(
            ProblemCode.MIXED_DECIMAL,
            f"{source.label} writes amounts both ways: {dot_text!r} (line "
            f"{source.lines[dot_row]}) has a decimal point, {comma_text!r} (line "
            f"{source.lines[comma_row]}) a decimal comma",
            source=source.source(),
            hint="export again with one number format, or give --decimal . or --decimal , "
            "to read the other rows as bad rows",
            category=Category.FILE,
        )
        raise FileRefused([problem], source.label)
    row, text = where(found.ambiguous[0])
    as_dot, as_comma = amount(text, DOT), amount(text, COMMA)
    problem = error(
        ProblemCode.AMBIGUOUS_DECIMAL,
        f"{source.label}: no amount shows which decimal separator it uses, and {text!r} "
        f"(line {source.lines[row]}) reads as {_plain(as_dot)} with a decimal point or as "
        f"{_plain(as_comma)} with a decimal comma",
        source=source.source(row),
        hint="give --decimal . (1,234.56) or --decimal , (1.234,56)",
        category=Category.FILE,
    )
    raise FileRefused([problem], source.label)


def _plain(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:,f}"


def read_amount(value: Any, decimal: str) -> Decimal | None:
    """A cell of the export as an exact amount under the file's convention; None if not."""
    number = number_amount(value)
    if number is not None:
        return number
    return amount(value, decimal) if isinstance(value, str) else None


def bad_row(
    source: SourceFile, row: int, column: int | None, code: ProblemCode, text: str, hint: str = ""
) -> Problem:
    """A row of the export that cannot be imported, named by file and line."""
    return error(code, text, source=source.source(row, column), hint=hint)


def cell_text(value: Any) -> str:
    """A code or name as the export holds it, trimmed ('' for blank)."""
    return "" if is_blank(value) else code_text(value)


def finish(
    port: WorkbookPort,
    summary: ImportSummary,
    writes: dict[str, Any],
    options: ImportOptions,
) -> ImportSummary:
    """Refuse on bad rows unless --skip-bad; otherwise write (unless --dry-run) in one commit."""
    bad = summary.problems
    if bad and not options.skip_bad:
        raise ProblemsFound(_listed(bad), summary.source)
    summary.problems = _listed(bad)
    if not options.dry_run:
        port.progress(0.9, f"writing {', '.join(writes)}")
        for name, frame in writes.items():
            port.write_table(name, frame)
        port.commit()
        summary.written = True
    port.progress(1.0, "done")
    return summary


def _listed(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= LISTED_BAD_ROWS:
        return problems
    more = len(problems) - LISTED_BAD_ROWS
    first = problems[0].source
    return [
        *problems[:LISTED_BAD_ROWS],
        error(
            problems[LISTED_BAD_ROWS].code,
            f"... and {more:,} more bad rows",
            source=Source(file=first.file),
        ),
    ]


__all__ = [
    "ImportOptions",
    "ImportSummary",
    "bad_row",
    "cell_text",
    "finish",
    "open_export",
    "read_amount",
    "require_columns",
    "settle_convention",
]
