"""The one header matcher every adapter uses: a table's header texts to schema keys.

An adapter reads the header cells its own way (openpyxl cells, a sheet part's XML, a live
workbook's first row) and hands the texts here; what they mean is decided once. A header is
matched in any of the three languages or by its key, ignoring case and spacing; a column the
schema does not know is the user's own and is kept under its header; a schema column seen
twice is read from its first place and the second is named; a missing column is an error when
the table needs it (required, or a table the program owns) and a warning otherwise (it is read
as blank).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from salesgoal_xl.core.problems import Category, Problem, ProblemCode, Severity, Source, error
from salesgoal_xl.core.problems import warning as make_warning
from salesgoal_xl.workbook.package import column_letter
from salesgoal_xl.workbook.schema import Table, header_lookup, normalise_header


@dataclass
class HeaderMatch:
    """What a table's header row says, column by column."""

    names: list[str]  # frame column name per position: a schema key or the user's header
    letters: dict[str, str]  # schema key -> column letter
    header_cells: dict[str, str]  # schema key -> A1 cell of its header
    extras: tuple[str, ...]  # the names of the columns the schema does not know
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that keep a command from reading the table."""
        return [p for p in self.problems if p.severity is Severity.ERROR]


def match_headers(
    spec: Table,
    headers: Sequence[object | None],
    first_col: int,
    header_row: int,
    sheet: str,
    lang: str = "en",
) -> HeaderMatch:
    """Match the header texts of a table whose first column is `first_col` (1-based) and whose
    header row is `header_row`; `headers[i]` is the text of column first_col + i (None if the
    cell is empty)."""
    lookup = header_lookup(spec)
    names: list[str] = []
    letters: dict[str, str] = {}
    header_cells: dict[str, str] = {}
    extras: list[str] = []
    unknown: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for offset, text in enumerate(headers):
        letter = column_letter(first_col + offset)
        cell = f"{letter}{header_row}"
        shown = "" if text is None else str(text).strip()
        key = lookup.get(normalise_header(shown)) if shown else None
        if key is None:
            name = shown or f"Column {letter}"
            while name in names or name in spec.keys:
                name += " (2)"
            names.append(name)
            extras.append(name)
            unknown.append((name, cell))
            continue
        if key in header_cells:
            first = header_cells[key]
            problems.append(
                error(
                    ProblemCode.DUPLICATE_HEADER,
                    f"table {spec.name} has column {spec.column(key).label.get(lang)!r} twice"
                    f" ({first} and {cell})",
                    source=Source(sheet, cell, spec.name, key),
                    hint=f"delete or rename one of the two columns; {first} is the one read",
                    category=Category.SCHEMA,
                )
            )
            name = f"{shown} ({cell})"
            names.append(name)
            extras.append(name)
            continue
        header_cells[key] = cell
        letters[key] = letter
        names.append(key)
    last = column_letter(first_col + max(len(headers), 1) - 1)
    header_range = f"{column_letter(first_col)}{header_row}:{last}{header_row}"
    for column in spec.columns:
        if column.key in header_cells:
            continue
        expected = column.label.get(lang)
        needed = column.required or spec.owned
        guess = ", ".join(f"{name!r} at {cell}" for name, cell in unknown[:3])
        hint = f"add a column headed {expected!r} to the table (any of the three languages)"
        if guess:
            hint += f", or rename {guess} if that is it"
        make = error if needed else make_warning
        problems.append(
            make(
                ProblemCode.MISSING_HEADER,
                f"table {spec.name} has no column {expected!r}"
                + ("" if needed else "; it is read as blank"),
                source=Source(sheet, header_range, spec.name, column.key),
                hint=hint,
                category=Category.SCHEMA,
            )
        )
    return HeaderMatch(names, letters, header_cells, tuple(extras), problems)
