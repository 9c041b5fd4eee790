"""The workbook as the evaluator sees it, read from the package parts: sheets, cells, tables,
names. A sheet's cells are decoded only when a formula needs them or the sheet has formulas,
so a large History sheet that no formula reads is never parsed.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from defusedxml import ElementTree as SafeET

from salesgoal_xl.workbook.calc.parse import column_number
from salesgoal_xl.workbook.calc.values import ERROR_CODES, ExcelError
from salesgoal_xl.workbook.package import relationships

_MAIN: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

ReadPart = Callable[[str], bytes | None]

# The layout Excel, LibreOffice, openpyxl and the part-wise writer use; anything else is read
# by the general pattern (attributes in any order).
_FAST_CELL: Final = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="\d+")?(?: t="(\w+)")?(?:/>|>(.*?)</c>)', re.S
)
_ANY_CELL: Final = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R: Final = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ATTR_T: Final = re.compile(rb'\bt="(\w+)"')
_V: Final = re.compile(rb"<v>([^<]*)</v>")
_T: Final = re.compile(rb"<t\b[^>]*?(?:/>|>([^<]*)</t>)")
_F: Final = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f>)")
_F_ATTR: Final = re.compile(rb'\b(t|si|ref)="([^"]*)"')
_F_START: Final = re.compile(rb"<f[ >/]")
_F_TAG: Final = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)")


@dataclass(frozen=True, slots=True)
class FormulaText:
    """A formula cell's formula as written, and the cell its relative references count from."""

    text: str
    origin_row: int
    origin_col: int
    shared: tuple[int, int] | None = None  # (sheet index, si) of a shared formula
    unsupported: str = ""  # why it cannot be evaluated (array formula, data table)


@dataclass
class Sheet:
    """One worksheet: constant cells by column then row, formula cells, computed results."""

    index: int
    title: str
    part: str
    loaded: bool = False
    columns: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas: dict[tuple[int, int], FormulaText] = field(default_factory=dict)
    formula_rows: dict[int, list[int]] = field(default_factory=dict)
    lazy: bool = False  # constant cells decoded per column on demand (`Book.column`)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class TableSpan:
    """Where a table's data rows are, and the sheet column of each header (case-folded)."""

    sheet: int
    first_row: int
    last_row: int
    headers: dict[str, int]


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


class Book:
    """The package's sheets, names and tables; cells load on demand from `read_part`."""

    def __init__(self, read_part: ReadPart) -> None:
        self._read = read_part
        workbook_xml = read_part("xl/workbook.xml") or b""
        root = SafeET.fromstring(workbook_xml)
        pr = root.find(f"{_MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904", "") in ("1", "true")
        self.epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
        rels = self._rels("xl/workbook.xml")
        self.sheets: list[Sheet] = []
        for element in root.iter(f"{_MAIN}sheet"):
            part = rels.get(element.get(f"{_REL}id", ""), "")
            if part and read_part(part) is not None:
                self.sheets.append(Sheet(len(self.sheets), element.get("name", ""), part))
        self.by_title = {s.title.casefold(): s for s in self.sheets}
        self.names: dict[str, str] = {}
        for element in root.iter(f"{_MAIN}definedName"):
            if element.get("localSheetId") is None and element.text:
                self.names[element.get("name", "").casefold()] = element.text
        self.tables = self._tables()
        self.shared_strings = self._shared_strings()
        self.shared_formulas: dict[tuple[int, int], FormulaText] = {}

    def _rels(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        data = self._read(posixpath.join(folder, "_rels", name + ".rels"))
        return {} if data is None else relationships(folder, data)

    def _tables(self) -> dict[str, TableSpan]:
        found: dict[str, TableSpan] = {}
        for sheet in self.sheets:
            for target in self._rels(sheet.part).values():
                if "/tables/" not in target:
                    continue
                data = self._read(target)
                if data is None:
                    continue
                root = SafeET.fromstring(data)
                ref = root.get("ref", "")
                if ":" not in ref:
                    continue
                start, end = ref.replace("$", "").split(":")
                first_col, header_row = _split(start)
                _, last_row = _split(end)
                headers_on = root.get("headerRowCount", "1") != "0"
                totals = int(root.get("totalsRowCount", "0") or 0)
                names = [c.get("name", "") for c in root.iter(f"{_MAIN}tableColumn")]
                span = TableSpan(
                    sheet.index,
                    header_row + 1 if headers_on else header_row,
                    last_row - totals,
                    {n.casefold(): first_col + i for i, n in enumerate(names)},
                )
                name = root.get("displayName") or root.get("name") or ""
                found[name.casefold()] = span
        return found

    def _shared_strings(self) -> list[str]:
        data = self._read("xl/sharedStrings.xml")
        if data is None:
            return []
        root = SafeET.fromstring(data)
        return [
            "".join(t.text or "" for t in si.iter(f"{_MAIN}t")) for si in root.iter(f"{_MAIN}si")
        ]

    def sheet_xml(self, sheet: Sheet) -> bytes:
        return self._read(sheet.part) or b""

    def has_formulas(self, sheet: Sheet) -> bool:
        """Whether the sheet holds any formula cell (a byte search, without parsing)."""
        if sheet.loaded:
            return bool(sheet.formulas)
        return _F_START.search(self.sheet_xml(sheet)) is not None

    def load(self, sheet: Sheet) -> None:
        """Find the sheet's formula cells (once). Constant cells are decoded a column at a time
        when a formula reads them (`column`): a big table's unread columns cost nothing."""
        if sheet.loaded:
            return
        sheet.loaded = True
        xml = self.sheet_xml(sheet)
        start = xml.find(b"<sheetData")
        body = xml[start:] if start >= 0 else b""
        sheet.body = body
        if body.count(b'<c r="') != body.count(b"<c ") + body.count(b"<c>"):
            self._load_everything(sheet, body)  # another writer's layout: the general way
            return
        for match in _F_TAG.finditer(body):
            cell_start = body.rfind(b'<c r="', 0, match.start())
            ref = _ATTR_R.match(body, cell_start + 3)
            if ref is None:
                continue
            col, row = column_number(ref.group(1).decode()), int(ref.group(2))
            self._formula(sheet, row, col, match.group(0))
        sheet.lazy = True
        for rows in sheet.formula_rows.values():
            rows.sort()

    def column(self, sheet: Sheet, col: int) -> dict[int, Any]:
        """The constant cells of one column, by row (decoded on first use)."""
        found = sheet.columns.get(col)
        if found is not None or not sheet.lazy:
            return found or {}
        found = sheet.columns[col] = {}
        letters = _letters(col).encode()
        pattern = re.compile(rb'<c r="' + letters + rb'(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
        decoded: dict[tuple[bytes, bytes], Any] = {}
        for row_text, attrs, inner in pattern.findall(sheet.body):
            if inner.startswith(b"<f"):
                continue
            kind_match = _ATTR_T.search(attrs) if b"t=" in attrs else None
            kind = kind_match.group(1) if kind_match else b""
            key = (kind, inner)
            try:
                value = decoded[key]
            except KeyError:
                value = decoded[key] = self._value(kind, inner)
            if value is not None:
                found[int(row_text)] = value
        return found

    def _load_everything(self, sheet: Sheet, body: bytes) -> None:
        cells = _FAST_CELL.findall(body)
        if len(cells) != body.count(b"<c ") + body.count(b"<c>"):
            cells = _general_cells(body)
        decoded: dict[tuple[bytes, bytes], Any] = {}
        letters: dict[bytes, int] = {}
        columns = sheet.columns
        for col_letters, row_text, kind, inner in cells:
            col = letters.get(col_letters)
            if col is None:
                col = letters[col_letters] = column_number(col_letters.decode())
            row = int(row_text)
            if inner.startswith(b"<f"):
                self._formula(sheet, row, col, inner)
                continue
            key = (kind, inner)
            try:
                value = decoded[key]
            except KeyError:
                value = decoded[key] = self._value(kind, inner)
            if value is not None:
                column = columns.get(col)
                if column is None:
                    column = columns[col] = {}
                column[row] = value
        for rows in sheet.formula_rows.values():
            rows.sort()

    def _formula(self, sheet: Sheet, row: int, col: int, inner: bytes) -> None:
        match = _F.match(inner)
        if match is None:
            return
        attrs = dict(_F_ATTR.findall(match.group(1)))
        text = _unescape(match.group(2) or b"")
        kind = attrs.get(b"t", b"normal")
        formula: FormulaText | None
        if kind == b"shared":
            key = (sheet.index, int(attrs.get(b"si", b"0")))
            if text:
                formula = FormulaText(text, row, col, key)
                self.shared_formulas[key] = formula
            else:
                master = self.shared_formulas.get(key)
                formula = master or FormulaText("", row, col, key, "shared formula without master")
        elif kind == b"normal":
            formula = FormulaText(text, row, col)
        else:
            formula = FormulaText(text, row, col, None, f"{kind.decode()} formula")
        sheet.formulas[(row, col)] = formula
        sheet.formula_rows.setdefault(col, []).append(row)

    def _value(self, kind: bytes, inner: bytes) -> Any:
        if kind == b"inlineStr":
            return _unescape(b"".join(t or b"" for t in _T.findall(inner)))
        found = _V.search(inner) if inner else None
        if found is None:
            return None
        raw = found.group(1)
        if kind == b"s":
            index = int(raw)
            return self.shared_strings[index] if index < len(self.shared_strings) else ""
        if kind == b"str":
            return _unescape(raw)
        if kind == b"e":
            code = _unescape(raw)
            return ExcelError(code if code in ERROR_CODES else "#VALUE!")
        if kind == b"b":
            return raw in (b"1", b"true")
        if kind == b"d":
            return None  # ISO dates in cells: no writer of plans uses them
        text = raw.decode()
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _letters(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _split(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return column_number(match.group(1)), int(match.group(2))


def _general_cells(body: bytes) -> list[tuple[bytes, bytes, bytes, bytes]]:
    cells = []
    for match in _ANY_CELL.finditer(body):
        attrs, inner = match.group(1), match.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue
        kind = _ATTR_T.search(attrs)
        cells.append((ref.group(1), ref.group(2), kind.group(1) if kind else b"", inner))
    return cells
