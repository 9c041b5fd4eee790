"""Streaming the package's big parts in bounded memory: values far from the tables, DDE
formulas and merged ranges on each sheet, the size of the style lists and of the shared
strings; every part is read to its end once, which also checks its CRC."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from salesgoal_xl.core.problems import Category, Problem, ProblemCode, error, warning
from salesgoal_xl.workbook.gate.features import dde_problem, is_dde_formula
from salesgoal_xl.workbook.gate.limits import (
    CHUNK,
    Limits,
    counting,
    iter_chunks,
    schema_sheet_rows,
)
from salesgoal_xl.workbook.gate.refusal import damaged, file_problem
from salesgoal_xl.workbook.gate.xmlscan import SheetPart, xml_text

# The start tag of a row, a cell or a formula, with any namespace prefix.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|f)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{0,4})(\d{0,9})["']""")


def column_number(letters: str) -> int:
    """1 for 'A', 27 for 'AA', 16384 for 'XFD'."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    """'A' for 1, 'AA' for 27."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetScan:
    """What streaming one sheet found."""

    far_cell: str = ""
    far_reason: str = ""
    dde_cell: str = ""
    dde_formula: str = ""
    merges: int = 0


class NeedExact(Exception):  # noqa: N818 -- internal control flow, never escapes
    """The sheet XML is unusual (cells without `r`, prefixed tags): scan it tag by tag."""


# A value-holding (not self-closing) cell's row; the same with a 3+ letter column.
_VALUE_ROW = re.compile(rb' r="[A-Za-z]{1,3}(\d{1,7})"[^>/]*>')
_WIDE_VALUE = re.compile(rb' r="([A-Za-z]{3,})(\d{1,7})"[^>/]*>')
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f(?=[\s>])[^>]*(?<!/)>([^<]*)")
_LAST_REF = re.compile(rb' r="([A-Za-z]{1,3}\d{1,7})"')
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?mergeCell(?=[\s/>])")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si(?=[\s/>])")
# The style lists openpyxl turns into objects one by one, and the entries in them; an `xf`
# counts toward the list it sits in (cell formats or cell style formats).
_STYLE = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?"
    rb"(cellXfs|cellStyleXfs|xf|font|fill|border|numFmt|dxf|cellStyle)(?=[\s/>])"
)
STYLE_LISTS = {
    b"cellXfs": "cell formats",
    b"cellStyleXfs": "cell style formats",
    b"font": "fonts",
    b"fill": "fills",
    b"border": "borders",
    b"numFmt": "number formats",
    b"dxf": "conditional formats",
    b"cellStyle": "named cell styles",
}
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def whole_tags(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Re-cut streamed XML so each piece ends just after a '<': every tag in it is whole.

    The '<' that ends a piece starts the next one too, so the text after a start tag always
    runs to a '<' inside the piece.
    """
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            carry = b""
            continue
        carry = buffer[cut:]
        if len(carry) > CHUNK:  # an absurd tag; no cell tag is this long
            carry = b""
        yield buffer[: cut + 1]


def scan_sheet(
    open_chunks: Callable[[], Iterator[bytes]], row_limit: int, limits: Limits
) -> SheetScan:
    """Find the first stray value and the first DDE formula without building any tree."""
    try:
        return _scan_sheet_fast(open_chunks(), row_limit, limits)
    except NeedExact:
        return _scan_sheet_exact(open_chunks(), row_limit, limits)


def _far_reason(row: int, last_value_row: int, row_limit: int, limits: Limits) -> str:
    if row > row_limit:
        return f"below row {row_limit:,}"
    if row - last_value_row > limits.max_row_gap:
        return f"{row - last_value_row - 1:,} empty rows below the data above it"
    return ""


def _merges_in(view: bytes) -> int:
    """Merged ranges (`<mergeCell>` start tags) in a piece of whole tags."""
    return len(_MERGE.findall(view)) if b"mergeCell" in view else 0


def _scan_sheet_fast(chunks: Iterator[bytes], row_limit: int, limits: Limits) -> SheetScan:
    """Whole-piece regular expressions, for sheets written the usual way (every cell has r)."""
    found = SheetScan()
    last_value_row = 0
    for view in whole_tags(chunks):
        found.merges += _merges_in(view)
        cells = view.count(b"<c ") + view.count(b"<c>")
        if cells != view.count(b' r="') - view.count(b"<row ") or b":c " in view:
            raise NeedExact
        if not found.far_cell:
            for letters, digits in _WIDE_VALUE.findall(view):
                if column_number(letters.decode("ascii")) > limits.max_column:
                    found.far_cell = f"{letters.decode('ascii').upper()}{int(digits)}"
                    found.far_reason = f"beyond column {column_letters(limits.max_column)}"
                    break
        if not found.far_cell:
            for row in sorted(set(map(int, _VALUE_ROW.findall(view)))):
                reason = _far_reason(row, last_value_row, row_limit, limits)
                if reason:
                    at = re.search(rb' r="([A-Za-z]{1,3})' + str(row).encode() + b'"', view)
                    letters = at[1].decode("ascii").upper() if at else ""
                    found.far_cell, found.far_reason = f"{letters}{row}", reason
                    break
                last_value_row = row
        if not found.dde_cell and b"|" in view:
            for match in _FORMULA.finditer(view):
                formula = xml_text(match[1])
                if is_dde_formula(formula):
                    refs = _LAST_REF.findall(view, max(0, match.start() - 400), match.start())
                    found.dde_cell = refs[-1].decode("ascii") if refs else ""
                    found.dde_formula = formula[:80]
                    break
    return found


def _scan_sheet_exact(chunks: Iterator[bytes], row_limit: int, limits: Limits) -> SheetScan:
    """Tag by tag, following row and column positions even where `r` is left out."""
    found = SheetScan()
    row = 0
    column = 0
    last_value_row = 0
    for view in whole_tags(chunks):
        found.merges += _merges_in(view)
        may_have_dde = not found.dde_cell and b"|" in view
        for match in _TAG.finditer(view):
            name, attrs = match[1], match[2]
            ref = _REF.search(attrs)
            if name == b"row":
                row = int(ref[2]) if ref and ref[2] else row + 1
                column = 0
                continue
            if name == b"f":
                if not may_have_dde or found.dde_cell or attrs.endswith(b"/"):
                    continue
                end = view.find(b"<", match.end())
                formula = xml_text(view[match.end() : end])
                if is_dde_formula(formula):
                    found.dde_cell = f"{column_letters(column)}{row}"
                    found.dde_formula = formula[:80]
                continue
            if ref and ref[1]:
                column = column_number(ref[1].decode("ascii"))
                if ref[2]:
                    row = int(ref[2])
            else:
                column += 1
            if found.far_cell or attrs.endswith(b"/"):
                continue  # an empty, merely formatted cell holds nothing to misread
            reason = (
                f"beyond column {column_letters(limits.max_column)}"
                if column > limits.max_column
                else _far_reason(row, last_value_row, row_limit, limits)
            )
            if reason:
                found.far_cell = f"{column_letters(column)}{row}"
                found.far_reason = reason
            else:
                last_value_row = row
    return found


def _count_strings(chunks: Iterator[bytes]) -> int:
    """Entries (`<si>`) in a shared-strings part."""
    return sum(len(_STRING.findall(view)) for view in whole_tags(chunks))


def _count_styles(chunks: Iterator[bytes]) -> Counter[bytes]:
    """Entries per style list (keys of `STYLE_LISTS`) in a styles part."""
    counts: Counter[bytes] = Counter()
    xf_list = b"cellXfs"
    for view in whole_tags(chunks):
        for match in _STYLE.finditer(view):
            local = match[1]
            if local in (b"cellXfs", b"cellStyleXfs"):
                xf_list = local
            else:
                counts[xf_list if local == b"xf" else local] += 1
    return counts


@dataclass
class _Tally:
    """What the streamed read counted across the package."""

    merges: dict[str, int] = field(default_factory=dict)  # by sheet name
    styles: Counter[bytes] = field(default_factory=Counter)
    strings: int = 0


def stream_all_parts(
    zf: zipfile.ZipFile,
    infos_list: list[zipfile.ZipInfo],
    sheets: list[SheetPart],
    content_types: dict[str, str],
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Read every part once to its end (CRC check), scanning sheets, styles and strings."""
    problems: list[Problem] = []
    by_part = {s.part: s for s in sheets if s.kind in ("worksheet", "macrosheet")}
    schema_rows = schema_sheet_rows()
    tally = _Tally()
    read_total = 0
    for info in infos_list:
        if info.is_dir():
            continue

        def open_chunks(info: zipfile.ZipInfo = info, before: int = read_total) -> Iterator[bytes]:
            return counting(iter_chunks(zf, info), info, limits, before, name)

        part = info.filename
        kind = content_types.get(part, "")
        try:
            sheet = by_part.get(part)
            if sheet is None:
                if kind == STYLES_TYPE or part == "xl/styles.xml":
                    tally.styles += _count_styles(open_chunks())
                elif kind == STRINGS_TYPE or part == "xl/sharedStrings.xml":
                    tally.strings += _count_strings(open_chunks())
                else:
                    for _chunk in open_chunks():
                        pass
                read_total += info.file_size
                continue
            schema_sheet = sheet.name.casefold() in schema_rows
            row_limit = min(schema_rows.get(sheet.name.casefold(), limits.max_row), limits.max_row)
            scan = scan_sheet(open_chunks, row_limit, limits)
            read_total += info.file_size
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise damaged(name, part) from exc
        tally.merges[sheet.name] = tally.merges.get(sheet.name, 0) + scan.merges
        if scan.dde_cell:
            problems.append(
                dde_problem(
                    f"the formula ={scan.dde_formula}", sheet=sheet.name, cell=scan.dde_cell
                )
            )
        if scan.far_cell:
            make = error if schema_sheet else warning
            problems.append(
                make(
                    ProblemCode.FAR_AWAY_CELL,
                    f"a value sits at {scan.far_cell}, {scan.far_reason}, far from the tables; "
                    "it is not read",
                    sheet=sheet.name,
                    cell=scan.far_cell,
                    hint="delete it (select the cell, press Delete, save), or move it next to "
                    "the data it belongs to",
                    category=Category.SCHEMA,
                )
            )
    return problems + _complexity_problems(tally, name, limits)


def _complexity_problems(tally: _Tally, name: str, limits: Limits) -> list[Problem]:
    """TOO_MANY_MERGES, TOO_MANY_STYLES, TOO_MANY_STRINGS: more than openpyxl loads cheaply."""
    problems: list[Problem] = []
    total = sum(tally.merges.values())
    if total > limits.max_merged_ranges:
        worst = max(tally.merges, key=lambda sheet: tally.merges[sheet])
        spread = "" if tally.merges[worst] == total else f" ({total:,} in the whole workbook)"
        problems.append(
            file_problem(
                ProblemCode.TOO_MANY_MERGES,
                f"{tally.merges[worst]:,} merged cell ranges on this sheet{spread}; the limit "
                f"is {limits.max_merged_ranges:,} for a workbook, and real plans have a handful",
                "select the whole sheet, use Home > Merge & Center > Unmerge Cells, save, and "
                "run the command again",
                sheet=worst,
            )
        )
    over = {k: n for k, n in tally.styles.items() if n > limits.max_styles}
    if over:
        worst_list = max(over, key=lambda k: over[k])
        problems.append(
            file_problem(
                ProblemCode.TOO_MANY_STYLES,
                f"{name} defines {over[worst_list]:,} {STYLE_LISTS[worst_list]} in its styles; "
                f"the limit is {limits.max_styles:,} per list, Excel's own limit for cell formats",
                "this is style bloat, often from copying sheets between workbooks: copy the "
                "data into a fresh template, or remove unused styles in Excel",
            )
        )
    if tally.strings > limits.max_shared_strings:
        problems.append(
            file_problem(
                ProblemCode.TOO_MANY_STRINGS,
                f"{name} holds {tally.strings:,} distinct texts (shared strings); the limit is "
                f"{limits.max_shared_strings:,}, one per row of the largest table",
                "remove old history or unused sheets, or split the plan into several files",
            )
        )
    return problems
