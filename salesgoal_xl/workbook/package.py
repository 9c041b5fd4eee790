"""Reading and rewriting big tables straight from the xlsx package, without openpyxl.

openpyxl loads and rewrites every sheet of a workbook, so a plan with a few hundred thousand
rows of history pays for all of them on every command. This module finds tables by name in
the package's parts, streams just one table's cells, and rewrites just one table's rows by
producing new XML for its sheet and table parts; the door (`door.replace_parts`) copies
every other part byte for byte. It is used for tables that sit alone on their sheet (e.g.
tblTargets) and falls back (returns None / raises `NotFastPath`) when a sheet holds more
than the table, so nothing a user added is ever lost.

Files reach this module only after the gate has checked them (no entities, bounded sizes).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET
from openpyxl.styles.numbers import is_date_format

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# XML 1.0 cannot carry most control characters; checks report them, the writer drops them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = date(1899, 12, 30)


class NotFastPath(Exception):  # noqa: N818 -- a signal to use the general path, not an error
    """The table cannot be rewritten part-wise without touching something else."""


@dataclass(frozen=True)
class TablePart:
    """Where a table lives in the package: its part, its sheet's part and its range."""

    name: str
    part: str  # e.g. 'xl/tables/table3.xml'
    sheet_part: str  # e.g. 'xl/worksheets/sheet5.xml'
    sheet_name: str
    ref: str  # e.g. 'A1:J120001'
    headers: tuple[str, ...]

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(first column, header row, last column, last row), 1-based."""
        start, end = self.ref.split(":")
        c1, r1 = split_ref(start)
        c2, r2 = split_ref(end)
        return c1, r1, c2, r2


def split_ref(ref: str) -> tuple[int, int]:
    """'C7' -> (3, 7)."""
    match = _CELL_REF.match(ref.replace("$", ""))
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return column_index(match.group(1)), int(match.group(2))


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in archive.namelist():
        return {}
    return relationships(folder, archive.read(rels_part))


def relationships(folder: str, rels_xml: bytes) -> dict[str, str]:
    """A .rels part's internal targets by relationship id, as package paths resolved against
    `folder` (the folder of the part the relationships belong to); external links skipped."""
    out = {}
    for rel in SafeET.fromstring(rels_xml).iter(f"{_PKG_REL}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = path
    return out


def sheet_titles(archive: zipfile.ZipFile) -> tuple[str, ...]:
    """The workbook's sheet titles, in order."""
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    return tuple(sheet.get("name", "") for sheet in workbook.iter(f"{_MAIN}sheet"))


def locate_tables(archive: zipfile.ZipFile) -> dict[str, TablePart]:
    """Every table in the package by name, with its sheet."""
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    wb_rels = _rels(archive, "xl/workbook.xml")
    found: dict[str, TablePart] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        sheet_part = wb_rels.get(sheet.get(f"{_REL}id", ""), "")
        if not sheet_part or sheet_part not in archive.namelist():
            continue
        for target in _rels(archive, sheet_part).values():
            if "/tables/" not in target or target not in archive.namelist():
                continue
            root = SafeET.fromstring(archive.read(target))
            headers = tuple(col.get("name", "") for col in root.iter(f"{_MAIN}tableColumn"))
            name = root.get("name") or root.get("displayName") or ""
            found[name] = TablePart(
                name, target, sheet_part, sheet.get("name", ""), root.get("ref", ""), headers
            )
    return found


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    """The shared-string table (rich text flattened)."""
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _event, element in SafeET.iterparse(handle, events=("end",)):
            if element.tag == f"{_MAIN}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{_MAIN}t")))
                element.clear()
    return strings


class DateSerial(float):
    """A number in a cell whose style shows it as a date (what openpyxl reads as a date):
    the caller turns it into the day with the workbook's epoch."""


def date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell style indexes (`s="N"`) whose number format shows a date or time."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    root = SafeET.fromstring(archive.read("xl/styles.xml"))
    custom = {
        int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
        for fmt in root.iter(f"{_MAIN}numFmt")
    }
    found = set()
    xfs = root.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(() if xfs is None else xfs.iter(f"{_MAIN}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        code = custom.get(fmt_id)
        if (code is None and fmt_id in _BUILTIN_DATE_FORMATS) or (
            code is not None and is_date_format(code)
        ):
            found.add(index)
    return frozenset(found)


_BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})


def read_table_rows(
    archive: zipfile.ZipFile,
    table: TablePart,
    strings: Sequence[str] | None = None,
    dates: frozenset[int] = frozenset(),
) -> list[list[Any]]:
    """The table's data rows as lists of raw values (numbers, text, booleans, None).

    Only rows inside the table's range are kept; the sheet is streamed in chunks, so memory
    follows the table, not the sheet. Dates come back as Excel serial numbers (the caller
    knows which columns are dates from the schema); a number whose style (index in `dates`)
    shows a date comes back as a `DateSerial`, as openpyxl would read it as a date. Formula
    cells give their cached value.
    Cells are matched with a regular expression for the layout Excel, LibreOffice and
    openpyxl write; a row in any other layout is parsed as XML instead.
    """
    first_col, header_row, last_col, last_row = table.bounds
    width = last_col - first_col + 1
    texts = shared_strings(archive) if strings is None else strings
    rows: list[list[Any]] = [[None] * width for _ in range(last_row - header_row)]
    columns: dict[bytes, int] = {}
    # Plans repeat the same periods, codes and names endlessly: decode each cell text once.
    values: dict[tuple[bytes, bytes, bool], Any] = {}
    for chunk in _row_chunks(archive, table.sheet_part):
        cells = _FAST_CELL.findall(chunk)
        if len(cells) != chunk.count(b"<c ") + chunk.count(b"<c>"):
            cells = _slow_cells(chunk)
        past_end = False
        for letters, row_text, style, kind, inner in cells:
            number = int(row_text)
            if number <= header_row:
                continue
            if number > last_row:
                past_end = True
                break
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters.decode())
            if first_col <= col <= last_col:
                dated = bool(dates) and bool(style) and int(style) in dates
                key = (kind, inner, dated)
                try:
                    value = values[key]
                except KeyError:
                    value = values[key] = _fast_value(kind, inner, texts)
                    if dated and isinstance(value, int | float) and not isinstance(value, bool):
                        value = values[key] = DateSerial(value)
                rows[number - header_row - 1][col - first_col] = value
        if past_end:
            break
    return rows


_FAST_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(.*?)</c>)', re.S
)
_ANY_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_V = re.compile(rb"<v>(.*?)</v>", re.S)
_T = re.compile(rb"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_CHUNK = 8 << 20


def _row_chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A sheet part in bounded pieces, each ending at a row boundary."""
    buffer = b""
    with archive.open(part) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            buffer += chunk
            if not chunk:
                yield buffer
                return
            end = buffer.rfind(b"</row>")
            if end < 0:
                continue
            cut = end + len(b"</row>")
            yield buffer[:cut]
            buffer = buffer[cut:]


def _slow_cells(body: bytes) -> list[tuple[bytes, bytes, bytes, bytes, bytes]]:
    """Cells whose attributes come in another order or carry more of them."""
    cells = []
    for match in _ANY_CELL.finditer(body):
        attrs, inner = match.group(1), match.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue  # a cell without an address cannot be placed; the gate reports these
        kind = _ATTR_T.search(attrs)
        style = _ATTR_S.search(attrs)
        cells.append(
            (
                ref.group(1),
                ref.group(2),
                style.group(1) if style else b"",
                kind.group(1) if kind else b"",
                inner,
            )
        )
    return cells


def _fast_value(kind: bytes, inner: bytes, strings: Sequence[str]) -> Any:
    if kind == b"inlineStr":
        return _unescape(b"".join(t or b"" for t in _T.findall(inner)))
    found = _V.search(inner) if inner else None
    if found is None:
        return None
    raw = found.group(1)
    if kind == b"s":
        return strings[int(raw)]
    if kind in (b"str", b"e"):
        return _unescape(raw)
    if kind == b"b":
        return raw == b"1"
    text = raw.decode()
    number = float(text)
    return int(number) if number.is_integer() and "E" not in text and "." not in text else number


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


# --- writing -------------------------------------------------------------------------------


def _cell_tail(value: Any, style: int | None) -> str:
    """A cell's XML after the row number of its address: `"` closes the `r` attribute."""
    style_attr = f' s="{style}"' if style else ""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if value is None:
        return f'"{style_attr}/>' if style else ""
    if isinstance(value, bool):
        return f'"{style_attr} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal) or (
        isinstance(value, float) and value == value and abs(value) != float("inf")
    ):
        return f'"{style_attr}><v>{value}</v></c>'
    if isinstance(value, datetime):
        delta = value - datetime(1899, 12, 30)
        return f'"{style_attr}><v>{delta.days + delta.seconds / 86400}</v></c>'
    if isinstance(value, date):
        return f'"{style_attr}><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'"{style_attr} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def rows_xml(
    columns: Sequence[Sequence[Any]],
    first_col: int,
    first_row: int,
    styles: Sequence[int | None],
    formulas: Mapping[int, str] | None = None,
) -> Iterator[str]:
    """<row> elements for column-major data starting at (first_col, first_row).

    `formulas` maps a column position to a formula template in which `{r}` is the row
    number and `{r_above}` the one before; the door then writes every formula's cached
    result (`calc`), so no reader shows a blank or a stale one. Work is done a column at a
    time, and each distinct value is rendered once: plans repeat the same periods, codes and
    names endlessly.
    """
    count = len(columns[0]) if columns else 0
    numbers = [str(first_row + offset) for offset in range(count)]
    formulas = formulas or {}
    rendered: list[list[str]] = []
    for i, column in enumerate(columns):
        prefix = f'<c r="{column_letter(first_col + i)}'
        style_attr = f' s="{styles[i]}"' if styles[i] else ""
        if i in formulas:
            template = formulas[i]
            rendered.append(
                [
                    f'{prefix}{n}"{style_attr}><f>'
                    f"{escape(template.format(r=n, r_above=int(n) - 1))}</f></c>"
                    for n in numbers
                ]
            )
            continue
        tails: dict[tuple[type, Any], str] = {}
        cells = []
        for n, value in zip(numbers, column, strict=True):
            key = (value.__class__, value)  # True and 1 are equal keys, but not equal cells
            try:
                tail = tails[key]
            except KeyError:
                tail = tails[key] = _cell_tail(value, styles[i])
            except TypeError:  # unhashable values are rare: render them each time
                tail = _cell_tail(value, styles[i])
            cells.append(f"{prefix}{n}{tail}" if tail else "")
        rendered.append(cells)
    for n, row_cells in zip(numbers, zip(*rendered, strict=True), strict=True):
        yield f'<row r="{n}">{"".join(row_cells)}</row>'


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
_ROW = re.compile(rb'<row\b[^>]*\br="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
_ATTR_S = re.compile(rb'\bs="(\d+)"')


def row_styles(sheet_xml: bytes, row: int) -> dict[int, int]:
    """Style id by column index of the styled cells on sheet row `row` (empty if none)."""
    for match in _ROW.finditer(sheet_xml):
        number = int(match.group(1))
        if number < row:
            continue
        styles: dict[int, int] = {}
        if number == row:
            for cell in _ANY_CELL.finditer(match.group(2) or b""):
                attrs = cell.group(1)
                ref, style = _ATTR_R.search(attrs), _ATTR_S.search(attrs)
                if ref and style:
                    styles[column_index(ref.group(1).decode())] = int(style.group(1))
        return styles  # rows are stored in order: past `row`, there is nothing more to find
    return {}


def replace_table_rows(
    sheet_xml: bytes,
    table_xml: bytes,
    table: TablePart,
    new_rows: Iterator[str],
    row_count: int,
) -> tuple[bytes, bytes]:
    """New sheet and table XML with the table's data rows replaced by `new_rows`.

    Cells beside the table (other columns) keep their addresses and content, merged into
    the new rows. Raises NotFastPath when something sits below the table in its columns:
    a longer table would overwrite it (the general writer reports that to the user).
    """
    first_col, header_row, last_col, last_row = table.bounds
    match = _SHEET_DATA.search(sheet_xml)
    if match is None:
        raise NotFastPath("sheet has no sheetData")
    body = match.group(1) or b""
    keep: list[bytes] = []
    beside: dict[int, tuple[list[bytes], list[bytes]]] = {}
    max_col = last_col
    row_attrs: dict[int, bytes] = {}  # what a row beside the table says of itself (its height)
    for row in _ROW.finditer(body):
        number = int(row.group(1))
        if number <= header_row:
            keep.append(row.group(0))
            continue
        row_attrs[number] = _row_attributes(row.group(0))
        for cell in _ANY_CELL.finditer(row.group(2) or b""):
            ref = _ATTR_R.search(cell.group(1))
            if ref is None:
                raise NotFastPath(f"a cell without an address on {table.sheet_name}")
            col = column_index(ref.group(1).decode())
            if first_col <= col <= last_col:
                if number > last_row:
                    raise NotFastPath(
                        f"{table.sheet_name}!{ref.group(1).decode()}{number} is below {table.name}"
                    )
                continue
            left, right = beside.setdefault(number, ([], []))
            (left if col < first_col else right).append(cell.group(0))
            max_col = max(max_col, col)
    new_last = header_row + max(row_count, 1)
    chunks = [b"".join(keep)]
    for text in new_rows:
        number = int(text[8 : text.index('"', 8)])
        if number in beside:
            left, right = beside.pop(number)
            inner = text[text.index(">") + 1 : -len("</row>")].encode("utf-8")
            chunks.append(
                f'<row r="{number}"'.encode()
                + row_attrs.get(number, b"")
                + b">"
                + b"".join(left)
                + inner
                + b"".join(right)
                + b"</row>"
            )
        else:
            chunks.append(text.encode("utf-8"))
    for number in sorted(beside):
        left, right = beside[number]
        start = f'<row r="{number}"'.encode() + row_attrs.get(number, b"") + b">"
        chunks.append(start + b"".join(left + right) + b"</row>")
    max_row = max([new_last, *beside])
    sheet = sheet_xml[: match.start()] + b"<sheetData>" + b"".join(chunks) + b"</sheetData>"
    sheet += sheet_xml[match.end() :]
    new_ref = f"{column_letter(first_col)}{header_row}:{column_letter(last_col)}{new_last}"
    sheet = _resize_ranges(sheet, (first_col, last_col), header_row + 1, new_last)
    sheet = re.sub(
        rb'<dimension\s+ref="[^"]*"\s*/>',
        f'<dimension ref="A1:{column_letter(max_col)}{max_row}"/>'.encode(),
        sheet,
        count=1,
    )
    old_ref = table.ref.encode()
    new_table = table_xml.replace(b'ref="' + old_ref + b'"', b'ref="' + new_ref.encode() + b'"')
    return sheet, new_table


_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_DROPPED = re.compile(rb'\s(?:r|spans)="[^"]*"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_ROW_HEIGHT = re.compile(rb'\s(?:ht|customHeight)="[^"]*"')


def _row_attributes(row_xml: bytes) -> bytes:
    """A <row>'s attributes but its number and cell span (rewritten rows get new ones)."""
    start = _ROW_START.match(row_xml)
    return b"" if start is None else _ROW_DROPPED.sub(b"", start.group(1))


def column_widths(sheet_xml: bytes) -> dict[int, float]:
    """Width by column index of the columns the sheet sizes (<cols>), as Excel stores them."""
    widths: dict[int, float] = {}
    for match in re.finditer(rb"<col\b([^>]*)>", sheet_xml):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', match.group(1)))
        if b"width" not in attrs:
            continue
        for index in range(int(attrs[b"min"]), int(attrs[b"max"]) + 1):
            widths[index] = float(attrs[b"width"])
    return widths


def set_row_heights(sheet_xml: bytes, heights: Mapping[int, float], first: int, last: int) -> bytes:
    """Sheet rows `first`..`last` take the height in `heights`, or Excel's own (none stored);
    rows outside keep theirs: `fill.fit_row_heights`' rule, for the part-wise writer."""

    def fix(match: re.Match[bytes]) -> bytes:
        attrs = match.group(1)
        number = _ROW_NUMBER.search(attrs)
        if number is None or not first <= int(number.group(1)) <= last:
            return match.group(0)
        row = int(number.group(1))
        attrs = _ROW_HEIGHT.sub(b"", attrs)
        if row in heights:
            attrs += f' ht="{heights[row]:g}" customHeight="1"'.encode()
        return b"<row" + attrs + match.group(2) + b">"

    return _ROW_START.sub(fix, sheet_xml)


def _resize_ranges(sheet: bytes, columns: tuple[int, int], data_start: int, new_end: int) -> bytes:
    """Stretch or shrink the validation and formatting ranges of the table's data rows: those
    inside its columns that start on its first data row now end on its last (the openpyxl
    writer's rule, `fill.stretch_rules`). Ranges of a table beside it stay as they are."""

    def fix(match: re.Match[bytes]) -> bytes:
        start_col, start_row, end_col, _ = match.groups()
        inside = (
            columns[0] <= column_index(start_col.decode())
            and column_index(end_col.decode()) <= columns[1]
            and int(start_row) == data_start
        )
        if inside:
            return start_col + start_row + b":" + end_col + str(new_end).encode()
        return match.group(0)

    def fix_attr(attr: re.Match[bytes]) -> bytes:
        return re.sub(rb"([A-Z]+)(\d+):([A-Z]+)(\d+)", fix, attr.group(0))

    return re.sub(rb'sqref="[^"]*"', fix_attr, sheet)


# Formula text never holds a raw '<' (it is escaped), so [^<]* keeps this linear.
_CACHED_VALUE = re.compile(rb"(<f\b[^>]*?(?:/>|>[^<]*</f>))<v>[^<]*</v>")


def strip_cached_formula_values(sheet_xml: bytes) -> bytes:
    """Drop cached results of formula cells so no reader shows a number computed from old data."""
    if b"<f" not in sheet_xml:
        return sheet_xml
    return _CACHED_VALUE.sub(rb"\1", sheet_xml)


def force_full_calculation(workbook_xml: bytes) -> bytes:
    """Ask Excel to recalculate everything when it opens the file."""
    if b"<calcPr" in workbook_xml:
        if b"fullCalcOnLoad" in workbook_xml:
            return re.sub(rb'fullCalcOnLoad="[^"]*"', b'fullCalcOnLoad="1"', workbook_xml)
        return workbook_xml.replace(b"<calcPr", b'<calcPr fullCalcOnLoad="1"', 1)
    return workbook_xml.replace(b"</workbook>", b'<calcPr fullCalcOnLoad="1"/></workbook>', 1)


def named_cells(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Workbook-level names that point at one cell: name -> (sheet part, 'B7')."""
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    wb_rels = _rels(archive, "xl/workbook.xml")
    parts = {
        sheet.get("name", ""): wb_rels.get(sheet.get(f"{_REL}id", ""), "")
        for sheet in workbook.iter(f"{_MAIN}sheet")
    }
    found: dict[str, tuple[str, str]] = {}
    for defined in workbook.iter(f"{_MAIN}definedName"):
        if defined.get("localSheetId") is not None:
            continue
        match = _ONE_CELL.fullmatch((defined.text or "").strip())
        if not match:
            continue
        title = match.group(1) or match.group(2)
        part = parts.get(title.replace("''", "'"), "")
        if part:
            found[defined.get("name", "")] = (part, f"{match.group(3)}{match.group(4)}")
    return found


_ONE_CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)")


def set_cell_values(sheet_xml: bytes, values: Mapping[str, Any]) -> bytes:
    """`sheet_xml` with the cells at the given addresses holding new values (text or number),
    each keeping its style. A cell that is not in the XML raises NotFastPath (the general
    writer then adds it)."""
    body = sheet_xml
    for ref, value in values.items():
        column = re.match(r"[A-Z]+", ref)
        letters = column.group(0) if column else ""
        pattern = re.compile(
            rb'<c\b([^>]*?\br="' + ref.encode() + rb'"[^>]*?)(?:/>|>(.*?)</c>)', re.S
        )
        found = pattern.search(body)
        if found is None or not letters:
            raise NotFastPath(f"cell {ref} is not in the sheet")
        style = _ATTR_S.search(found.group(1))
        cell = f'<c r="{ref}' + _cell_tail(value, int(style.group(1)) if style else None)
        if value is None and not style:
            cell = ""
        body = body[: found.start()] + cell.encode() + body[found.end() :]
    return body
