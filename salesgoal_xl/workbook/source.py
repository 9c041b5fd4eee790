"""Files an import reads: a CRM, ERP or HR export as CSV, or a sheet of an xlsx workbook.

`read_source` gives the export's header texts and its cells with the line (CSV) or row
(xlsx) each record came from, so every problem names the export at that line. A CSV may be
comma, semicolon or tab separated, UTF-8 with or without a BOM or UTF-16 with a BOM (Excel's
"Unicode text"), with CRLF or LF line ends. An xlsx file passes the same gate as a plan
before openpyxl reads it; the export is only ever read, never written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from salesgoal_xl.core.problems import (
    Category,
    FileRefused,
    Problem,
    ProblemCode,
    Source,
    error,
)
from salesgoal_xl.workbook.gate import Limits, inspect_package, open_workbook
from salesgoal_xl.workbook.package import column_letter
from salesgoal_xl.workbook.schema import Column, Table, header_lookup, normalise_header

_ZIP: Final = b"PK"
_CFB: Final = b"\xd0\xcf\x11\xe0"
_DELIMITERS: Final = ("\t", ";", ",")  # on a tie, the one least likely inside a value wins
_DELIMITER_NAMES: Final = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclass(frozen=True)
class SourceFile:
    """An export as read: header texts and data rows, each with the line it came from.

    `columns[c][i]` is the cell under `headers[c]` in data row i: text for CSV ('' where a
    short record ends), the typed value (number, datetime, text, None) for xlsx. `lines[i]`
    is the file line a CSV record starts on, or the sheet row of an xlsx row.
    """

    label: str
    kind: str  # "csv" or "xlsx"
    headers: tuple[str, ...]
    columns: Sequence[Sequence[Any]]
    lines: Sequence[int]
    sheet: str = ""
    header_line: int = 1
    detail: str = ""  # how the file was read ("UTF-8, semicolon-separated")

    @property
    def row_count(self) -> int:
        """How many data rows the export has."""
        return len(self.lines)

    def column(self, index: int) -> list[Any]:
        """Every data row's cell in column `index`."""
        return list(self.columns[index])

    def source(self, row: int | None = None, column: int | None = None) -> Source:
        """Where data row `row` (0-based) is: 'deals.csv:12', or 'deals.xlsx:Deals!C12' for
        a cell of an xlsx sheet; the header line without a row."""
        line = self.header_line if row is None else self.lines[row]
        cell = ""
        if self.kind == "xlsx" and column is not None:
            cell = f"{column_letter(column + 1)}{line}"
        return Source(sheet=self.sheet if cell else "", cell=cell, file=self.label, line=line)


def refused(label: str, message: str, hint: str = "") -> FileRefused:
    """The export cannot be read at all: one file-level problem (exit code 2)."""
    problem = error(
        ProblemCode.UNREADABLE_SOURCE,
        message,
        source=Source(file=label),
        hint=hint,
        category=Category.FILE,
    )
    return FileRefused([problem], label)


def read_source(path: str | Path, *, sheet: str | None = None) -> SourceFile:
    """Read an export: CSV by its bytes, xlsx through the gate. Raises FileRefused (exit 2)."""
    target = Path(path)
    label = target.name
    if not target.is_file():
        raise refused(label, f"{target} does not exist", "check the path and file name")
    size = target.stat().st_size
    limit = Limits().max_file_bytes
    if size > limit:
        raise refused(
            label,
            f"{label} is {size / 2**20:,.0f} MB; the limit is {limit // 2**20:,} MB",
            "export a shorter period, or split the export into several files",
        )
    with target.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((_ZIP, _CFB)):
        if sheet is None and head.startswith(_CFB):
            # An old .xls or an encrypted workbook: the gate says which, in the user's terms.
            raise FileRefused(inspect_package(target), label)
        return _read_xlsx(target, sheet)
    if sheet is not None:
        raise refused(label, f"{label} is a text (CSV) file: it has no sheet {sheet!r}")
    return _read_csv(target, target.read_bytes())


def _decode(label: str, raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding, body = "UTF-8 with BOM", raw[3:]
        codec = "utf-8"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "UTF-16", raw
        codec = "utf-16"
    else:
        encoding, body, codec = "UTF-8", raw, "utf-8"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise refused(
            label,
            f"{label} is not {encoding.split()[0]} text (line {line} has bytes that are not)",
            "save the export as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8), or as "
            "'Unicode Text'",
        ) from None
    if "\x00" in text:
        raise refused(
            label,
            f"{label} holds NUL characters: it is not a text export",
            "save it as CSV UTF-8 or Unicode Text",
        )
    return text, encoding


def _delimiter(label: str, header: str) -> str:
    counts = {d: _count_outside_quotes(header, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    if counts[best] == 0:
        raise refused(
            label,
            f"{label}: its first line has no comma, semicolon or tab, so it has one column",
            "export with a header row of column names separated by commas, semicolons or tabs",
        )
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _read_csv(target: Path, raw: bytes) -> SourceFile:
    label = target.name
    text, encoding = _decode(label, raw)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise refused(label, f"{label} is empty: it has no header row", "export with headers")
    delimiter = _delimiter(label, first)
    detail = f"{encoding}, {_DELIMITER_NAMES[delimiter]}-separated"
    fast = _read_csv_fast(label, text, delimiter, detail)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    headers: list[str] | None = None
    header_line = 1
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(record):  # an empty line, or a record of empty cells only
                continue
            if headers is None:
                headers, header_line = record, start
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise refused(
            label,
            f"{label}: line {reader.line_num} cannot be read as CSV ({exc})",
            "check the quotes on that line",
        ) from None
    assert headers is not None  # the first non-blank line exists
    width = len(headers)
    columns = [[row[c] if c < len(row) else "" for row in rows] for c in range(width)]
    return SourceFile(label, "csv", tuple(headers), columns, lines, "", header_line, detail)


def _read_csv_fast(label: str, text: str, delimiter: str, detail: str) -> SourceFile | None:
    """The export through pandas' C parser, when every record is one line (no blank lines,
    no line breaks inside quotes), so that record i is line i + 2; else None."""
    import pandas as pd

    body = text[:-1] if text.endswith("\n") else text
    line_count = body.count("\n") + 1
    if not text.strip() or not text.lstrip("\ufeff")[:1].strip():
        return None  # blank lines before the header: let the line-counting reader do it
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError):
        return None  # ragged or odd records: the csv module reads them and names the line
    if len(frame) != line_count or len(frame) == 0:
        return None
    frame = frame.fillna("")
    if (frame.iloc[1:] == "").all(axis=1).any():
        return None  # empty records in between: the line-counting reader skips them
    values = [frame[c].tolist() for c in frame.columns]
    headers = tuple(str(column[0]) for column in values)
    columns = [column[1:] for column in values]
    lines = range(2, len(frame) + 1)
    return SourceFile(label, "csv", headers, columns, lines, "", 1, detail)


def _read_xlsx(target: Path, sheet: str | None) -> SourceFile:
    label = target.name
    workbook = open_workbook(target, read_only=True, data_only=True)
    try:
        if sheet is None:
            ws = workbook.worksheets[0]
        else:
            wanted = sheet.casefold()
            found = [w for w in workbook.worksheets if w.title.casefold() == wanted]
            if not found:
                names = ", ".join(repr(w.title) for w in workbook.worksheets)
                raise refused(label, f"{label} has no sheet {sheet!r}", f"its sheets are {names}")
            ws = found[0]
        headers: tuple[str, ...] | None = None
        header_line = 1
        rows: list[tuple[Any, ...]] = []
        lines: list[int] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if not any(not _blank(v) for v in values):
                continue
            if headers is None:
                headers = tuple("" if v is None else str(v) for v in values)
                header_line = number
                continue
            rows.append(values)
            lines.append(number)
        title = ws.title
    finally:
        workbook.close()
    if headers is None:
        raise refused(label, f"{label}: sheet {title!r} is empty", "pick the sheet with --sheet")
    width = len(headers)
    columns = [[row[c] if c < len(row) else None for row in rows] for c in range(width)]
    return SourceFile(
        label, "xlsx", headers, columns, lines, title, header_line, f"sheet {title!r}"
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class SourceColumns:
    """Which export column (by index) feeds each target key, and the header that matched."""

    index: Mapping[str, int]
    headers: Mapping[str, str]

    def get(self, key: str) -> int | None:
        return self.index.get(key)


def parse_maps(maps: Sequence[str], spec: Table, extra: Sequence[Column] = ()) -> dict[str, str]:
    """`--map "Close Date=Period"` options as {normalised export header: target key}.

    The right side is a header of the target table (any of the three languages) or of one of
    the `extra` columns the import also reads. Raises FileRefused (exit 2) on a bad one.
    """
    lookup = _lookup(spec, extra)
    result: dict[str, str] = {}
    problems: list[Problem] = []
    for text in maps:
        left, equals, right = text.partition("=")
        key = lookup.get(normalise_header(right))
        if not equals or not left.strip() or key is None:
            known = ", ".join(c.label.en for c in (*spec.columns, *extra))
            problems.append(
                error(
                    ProblemCode.BAD_MAP,
                    f"--map {text!r} is not EXPORT HEADER=TARGET HEADER with a target of "
                    f"{spec.name}",
                    hint=f"the target is one of {known} (or the same in Chinese)",
                    category=Category.FILE,
                )
            )
            continue
        result[normalise_header(left)] = key
    if problems:
        raise FileRefused(problems)
    return result


def _lookup(spec: Table, extra: Sequence[Column]) -> dict[str, str]:
    lookup = header_lookup(spec)
    for col in extra:
        for text in (*col.label.all(), col.key):
            lookup.setdefault(normalise_header(text), col.key)
    return lookup


def match_columns(
    source: SourceFile,
    spec: Table,
    *,
    aliases: Mapping[str, Sequence[str]],
    maps: Mapping[str, str],
    extra: Sequence[Column] = (),
) -> SourceColumns:
    """Match the export's headers to target keys: `--map` first, then the schema's own
    headers in any language (the one header matcher, `schema.header_lookup`), then the
    documented aliases. Columns nothing matches are ignored. Two columns matching one key
    equally well are refused, naming both.
    """
    lookup = _lookup(spec, extra)
    alias_lookup = {normalise_header(a): key for key, names in aliases.items() for a in names}
    best: dict[str, tuple[int, int]] = {}  # key -> (rank, column index)
    problems: list[Problem] = []
    mapped = set(maps)
    for index, header in enumerate(source.headers):
        text = normalise_header(header)
        for rank, key in enumerate((maps.get(text), lookup.get(text), alias_lookup.get(text))):
            if key is None:
                continue
            held = best.get(key)
            if held is None or rank < held[0]:
                best[key] = (rank, index)
            elif rank == held[0]:
                problems.append(
                    error(
                        ProblemCode.DUPLICATE_HEADER,
                        f"columns {source.headers[held[1]]!r} and {header!r} both read as "
                        f"{_label(spec, extra, key)!r}",
                        source=source.source(),
                        hint=f'pick one with --map "{source.headers[held[1]]}='
                        f'{_label(spec, extra, key)}"',
                        category=Category.FILE,
                    )
                )
            break
    found = {normalise_header(h) for h in source.headers}
    for text in sorted(mapped - found):
        problems.append(
            error(
                ProblemCode.BAD_MAP,
                f"--map names the column {text!r}, which {source.label} does not have",
                source=source.source(),
                hint="its columns are " + ", ".join(repr(h) for h in source.headers if h),
                category=Category.FILE,
            )
        )
    if problems:
        raise FileRefused(problems, source.label)
    return SourceColumns(
        {key: index for key, (_, index) in best.items()},
        {key: source.headers[index] for key, (_, index) in best.items()},
    )


def _label(spec: Table, extra: Sequence[Column], key: str) -> str:
    for col in (*spec.columns, *extra):
        if col.key == key:
            return col.label.en
    return key


__all__ = ["SourceColumns", "SourceFile", "match_columns", "parse_maps", "read_source"]
