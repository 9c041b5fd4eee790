"""The one gate every workbook file is read through: look at the package before any parser does.

`inspect_package` names what is wrong with a file (not a workbook, encrypted, truncated, a zip
bomb, macros, links, XML entities, a stray value far from the tables) from its bytes alone, in
bounded memory. `open_workbook` runs it, then loads with openpyxl (which must be using
defusedxml) and turns every library exception into a `Problem` with a stable code.

Severity policy (why each is an error or a warning):
- errors (the file is refused): FILE_NOT_FOUND, EMPTY_FILE, FILE_TOO_LARGE, NOT_XLSX, LEGACY_XLS,
  CSV_NOT_XLSX, ENCRYPTED, TRUNCATED, ZIP_BOMB, TOO_MANY_PARTS, XML_ENTITIES, UNREADABLE,
  DDE_LINK (a DDE formula runs a program when Excel opens the file; we will not carry it on),
  FAR_AWAY_CELL on a sheet that holds the program's tables.
- warnings (the file is read; nothing in it is run or followed): MACRO_ENABLED (macros are never
  run, and never written by this program; the door refuses to drop them silently),
  EXTERNAL_LINK (values linked from other files may be stale), OLE_OBJECT (embedded objects are
  never opened), FILE_LOCKED (someone has it open in Excel: reading works, saving will not),
  FAR_AWAY_CELL on a user's own sheet (the program never reads it).
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final
from xml.etree.ElementTree import Element, ParseError

from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    error,
    has_errors,
    warning,
)
from salesgoal_xl.workbook.schema import SHEETS, TABLES_BY_NAME

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

KB: Final = 1024
MB: Final = 1024 * KB
GB: Final = 1024 * MB

EXCEL_MAX_ROW: Final = 1_048_576
EXCEL_MAX_COLUMN: Final = 16_384
# Title, blank and header rows above and between a sheet's tables.
SHEET_ROW_MARGIN: Final = 1_000
CHUNK: Final = 1 * MB


def _largest_table_rows() -> int:
    return max(t.max_rows for t in TABLES_BY_NAME.values())


@dataclass(frozen=True)
class Limits:
    """Bounds the gate enforces before and while reading; the defaults suit any real plan.

    - `max_file_bytes` (200 MB): a plan with a million history rows is about 40 MB.
    - `max_parts` (10,000): Excel files have tens of parts; thousands mean something is wrong.
    - `max_uncompressed_bytes` (2 GB): the sum the zip directory declares for all parts.
    - `max_compression_ratio` (200:1) for any part larger than `ratio_applies_above` (1 MB):
      real sheet XML compresses 5-30:1; a zip bomb compresses 1000:1 and more.
    - `max_xml_tree_bytes` (16 MB): the largest structural part (workbook, relationships,
      content types, table definitions) parsed into a tree; sheets are only ever streamed.
    - `max_row` (largest schema table + 1,000): no value may sit below this row on any sheet;
      on a schema sheet the bound is the sum of its tables' `max_rows` + 1,000.
    - `max_column` (1,024, column AMJ): the widest table plus any extra user columns fit.
    - `max_row_gap` (10,000): a value this many empty rows below the previous one is stray.
    """

    max_file_bytes: int = 200 * MB
    max_parts: int = 10_000
    max_uncompressed_bytes: int = 2 * GB
    max_compression_ratio: int = 200
    ratio_applies_above: int = 1 * MB
    max_xml_tree_bytes: int = 16 * MB
    max_row: int = field(default_factory=lambda: _largest_table_rows() + SHEET_ROW_MARGIN)
    max_column: int = 1_024
    max_row_gap: int = 10_000


def _file_problem(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    return error(code, message, hint=hint, sheet=sheet, category=Category.FILE)


def _file_warning(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    return warning(code, message, hint=hint, sheet=sheet, category=Category.FILE)


# --------------------------------------------------------------------------------------------
# Open in Excel: the owner file Excel (`~$name.xlsx`) or LibreOffice (`.~lock.name.xlsx#`)
# leaves beside a file it has open.


def owner_files(path: Path) -> list[Path]:
    """The lock files Excel or LibreOffice would create beside `path` while it is open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Word-style short form, seen on some setups
    return [path.with_name(c) for c in candidates]


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:64]


def _owner_name(owner_file: Path) -> str:
    """Who holds the lock, if the owner file says so; '' when unreadable."""
    try:
        with owner_file.open("rb") as fh:
            data = fh.read(512)
    except OSError:
        return ""
    if owner_file.name.startswith(".~lock."):
        fields = data.decode("utf-8", "replace").split(",")
        return next((_printable(f) for f in fields[:2] if _printable(f)), "")
    # Excel: a length byte and the name in the ANSI code page, then at 0x37 a 16-bit length
    # and the name in UTF-16LE.
    if len(data) >= 0x39:
        count = int.from_bytes(data[0x37:0x39], "little")
        raw = data[0x39 : 0x39 + 2 * count]
        if 0 < count <= 64 and len(raw) == 2 * count:
            name = _printable(raw.decode("utf-16-le", "replace"))
            if name:
                return name
    if data:
        return _printable(data[1 : 1 + data[0]].decode("cp1252", "replace"))
    return ""


def lock_problem(path: str | Path, *, writing: bool) -> Problem | None:
    """FILE_LOCKED when the file is open in Excel or LibreOffice (an error when `writing`)."""
    target = Path(path)
    for owner_file in owner_files(target):
        if owner_file.exists():
            owner = _owner_name(owner_file)
            who = f"open in Excel by {owner}" if owner else "open in Excel"
            hint = (
                "close it in Excel (or ask its owner to), then run the command again"
                if writing
                else "what you read may miss edits not yet saved in Excel"
            )
            make = _file_problem if writing else _file_warning
            return make(
                ProblemCode.FILE_LOCKED,
                f"{target.name} is {who} (found {owner_file.name})",
                hint,
            )
    return None


# --------------------------------------------------------------------------------------------
# Sniffing what a non-zip file is.

ZIP_MAGIC: Final = b"PK\x03\x04"
EMPTY_ZIP_MAGIC: Final = b"PK\x05\x06"
CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _cfb_entry_names(fh: IO[bytes], wanted: tuple[str, ...]) -> set[str]:
    """Which of `wanted` are names of directory entries in an OLE compound file.

    Directory entries are 128 bytes, aligned to 128 bytes in the file, with the name in
    UTF-16LE, its byte length (with the terminator) at +64 and the entry type at +66.
    Reading in chunks that are a multiple of 128 keeps every entry inside one chunk.
    """
    encoded = {name: name.encode("utf-16-le") for name in wanted}
    found: set[str] = set()
    fh.seek(0)
    base = 0
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return found
        for name, raw in encoded.items():
            start = 0
            while (hit := chunk.find(raw, start)) >= 0:
                start = hit + 1
                if (base + hit) % 128 or hit + 67 > len(chunk):
                    continue
                length = int.from_bytes(chunk[hit + 64 : hit + 66], "little")
                if length == len(raw) + 2 and chunk[hit + 66] in (1, 2):
                    found.add(name)
        base += len(chunk)


def _sniff_compound_file(fh: IO[bytes], name: str) -> Problem:
    names = _cfb_entry_names(
        fh, ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book", "WordDocument")
    )
    if names & {"EncryptedPackage", "EncryptionInfo"}:
        return _file_problem(
            ProblemCode.ENCRYPTED,
            f"{name} is protected with a password (an encrypted Excel file)",
            "open it in Excel, remove the password (File > Info > Protect Workbook), save, "
            "and try again",
        )
    if names & {"Workbook", "Book"}:
        return _file_problem(
            ProblemCode.LEGACY_XLS,
            f"{name} is an old Excel 97-2003 workbook (.xls), not .xlsx",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    kind = "a Word document" if "WordDocument" in names else "an Office 97-2003 file"
    return _file_problem(
        ProblemCode.NOT_XLSX,
        f"{name} is {kind}, not an Excel workbook (.xlsx)",
        "check you picked the right file",
    )


def _sniff_text(head: bytes, name: str) -> Problem:
    """A non-zip, non-OLE file: CSV, HTML, 2003 XML, other text, or binary junk."""
    text: str | None = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16", "replace")
    elif b"\x00" not in head:
        raw = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut-off multi-byte character at the end of the sample is still text.
            text = raw[: exc.start].decode("utf-8") if exc.start > len(raw) - 4 else None
            if text is None:
                text = raw.decode("cp1252", "replace")
    if text is not None and text:
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable / len(text) < 0.95:
            text = None
    if text is None:
        return _file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is not an Excel workbook (.xlsx): its content is not a workbook package",
            "check you picked the right file, or that the download finished",
        )
    start = text.lstrip().lower()[:2048]
    if start.startswith(("<html", "<!doctype html", "<table", "<head", "<body")) or (
        "<html" in start
    ):
        return _file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is a web page (HTML) saved with an Excel name, not a real .xlsx",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    if start.startswith("<?xml") or start.startswith("<"):
        detail = (
            "an Excel 2003 XML spreadsheet"
            if "urn:schemas-microsoft-com:office:spreadsheet" in text
            else "an XML file"
        )
        return _file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is {detail}, not an Excel workbook (.xlsx)",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and any(sep in lines[0] for sep in (",", ";", "\t", "|")):
        return _file_problem(
            ProblemCode.CSV_NOT_XLSX,
            f"{name} is a CSV/text file renamed to .xlsx, not a workbook",
            "open it in Excel, check the columns, and use File > Save As > Excel Workbook (.xlsx)",
        )
    return _file_problem(
        ProblemCode.NOT_XLSX,
        f"{name} is a plain text file, not an Excel workbook (.xlsx)",
        "check you picked the right file",
    )


# --------------------------------------------------------------------------------------------
# Looking inside the zip package.

REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

WORKBOOK_TYPES: Final = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "xltm",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "xlam",
}
# Parts never parsed as XML by openpyxl, where a DOCTYPE is harmless (SVG pictures have one).
BINARY_SUFFIXES: Final = (
    ".bin",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".emf",
    ".wmf",
    ".svg",
    ".data",
    ".odttf",
    ".fntdata",
)

_DOCTYPE_MARKERS: Final = tuple(
    marker.encode(enc)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_DECLARATION_OPENERS: Final = (b"<!", b"<\x00!\x00", b"\x00<\x00!")
_MARKER_OVERLAP: Final = max(len(m) for m in _DOCTYPE_MARKERS)


def _tree(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Element:
    """A small structural part as an element tree (DTDs and entities forbidden)."""
    from defusedxml.ElementTree import fromstring

    if info.file_size > limits.max_xml_tree_bytes:
        raise _Refused(
            _file_problem(
                ProblemCode.UNREADABLE,
                f"the part {info.filename} is {info.file_size // MB} MB, far larger than any "
                "real workbook's",
                "re-save the file from Excel",
            )
        )
    root: Element = fromstring(zf.read(info))
    return root


class _Refused(Exception):  # noqa: N818 -- internal control flow, never escapes this module
    """Stop inspecting: this problem makes the rest meaningless."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _resolve(source: str, target: str) -> str:
    """The part name a relationship target points at, relative to its source part."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(
    zf: zipfile.ZipFile, part: str, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> list[tuple[str, str, str]]:
    """(id, type, resolved target) of the internal relationships of `part`."""
    info = infos.get(_rels_name(part))
    if info is None:
        return []
    out = []
    for rel in _tree(zf, info, limits).iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        out.append((rel.get("Id", ""), rel.get("Type", ""), _resolve(part, target)))
    return out


@dataclass(frozen=True)
class SheetPart:
    """A sheet as listed in the workbook: its display name, part name and kind."""

    name: str
    part: str
    kind: str  # worksheet, chartsheet, dialogsheet, macrosheet


def workbook_part(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits) -> str:
    """The main workbook part's name ('xl/workbook.xml' in every file Excel writes)."""
    for _rid, rtype, target in relationships(zf, "", infos, limits):
        if rtype.endswith("/officeDocument") and target in infos:
            return target
    return "xl/workbook.xml" if "xl/workbook.xml" in infos else ""


def sheet_parts(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits, book: str
) -> list[SheetPart]:
    """Every sheet the workbook lists, in tab order, with the part holding it."""
    rels = {rid: (rtype, target) for rid, rtype, target in relationships(zf, book, infos, limits)}
    root = _tree(zf, infos[book], limits)
    out = []
    for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
        rid = sheet.get(f"{{{DOC_REL_NS}}}id", "")
        rtype, target = rels.get(rid, ("", ""))
        kind = rtype.rsplit("/", 1)[-1].lower()
        if kind in ("xlmacrosheet", "xlintlmacrosheet"):
            kind = "macrosheet"
        out.append(SheetPart(sheet.get("name", ""), target, kind))
    return out


def _defined_names(root: Element) -> list[tuple[str, str]]:
    return [(n.get("name", ""), n.text or "") for n in root.iter(f"{{{MAIN_NS}}}definedName")]


# --------------------------------------------------------------------------------------------
# Streaming a sheet's XML: where its values are and what its formulas say, in bounded memory.

# The start tag of a row, a cell or a formula, with any namespace prefix.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|f)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{0,4})(\d{0,9})["']""")
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')
_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|\d+);")


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


def _char_ref(match: re.Match[str]) -> str:
    code = int(match[1][1:], 16) if match[1].startswith("x") else int(match[1])
    return chr(code) if code < 0x110000 else ""


def _xml_text(raw: bytes) -> str:
    """Element text as XML would decode it (the five entities and character references)."""
    text = _CHAR_REF.sub(_char_ref, raw.decode("utf-8", "replace"))
    for entity, char in (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def is_dde_formula(formula: str) -> bool:
    """True for a DDE call such as `cmd|' /C calc'!A0`: a `|` outside any quoted text."""
    return "|" in _QUOTED.sub("", formula)


@dataclass
class _SheetScan:
    """What streaming one sheet found."""

    far_cell: str = ""
    far_reason: str = ""
    dde_cell: str = ""
    dde_formula: str = ""


def _iter_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class _NeedExact(Exception):  # noqa: N818 -- internal control flow, never escapes
    """The sheet XML is unusual (cells without `r`, prefixed tags): scan it tag by tag."""


# A value-holding (not self-closing) cell's row; the same with a 3+ letter column.
_VALUE_ROW = re.compile(rb' r="[A-Za-z]{1,3}(\d{1,7})"[^>/]*>')
_WIDE_VALUE = re.compile(rb' r="([A-Za-z]{3,})(\d{1,7})"[^>/]*>')
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f(?=[\s>])[^>]*(?<!/)>([^<]*)")
_LAST_REF = re.compile(rb' r="([A-Za-z]{1,3}\d{1,7})"')


def _whole_tags(chunks: Iterator[bytes]) -> Iterator[bytes]:
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


def _scan_sheet(
    open_chunks: Callable[[], Iterator[bytes]], row_limit: int, limits: Limits
) -> _SheetScan:
    """Find the first stray value and the first DDE formula without building any tree."""
    try:
        return _scan_sheet_fast(open_chunks(), row_limit, limits)
    except _NeedExact:
        return _scan_sheet_exact(open_chunks(), row_limit, limits)


def _far_reason(row: int, last_value_row: int, row_limit: int, limits: Limits) -> str:
    if row > row_limit:
        return f"below row {row_limit:,}"
    if row - last_value_row > limits.max_row_gap:
        return f"{row - last_value_row - 1:,} empty rows below the data above it"
    return ""


def _scan_sheet_fast(chunks: Iterator[bytes], row_limit: int, limits: Limits) -> _SheetScan:
    """Whole-piece regular expressions, for sheets written the usual way (every cell has r)."""
    found = _SheetScan()
    last_value_row = 0
    for view in _whole_tags(chunks):
        cells = view.count(b"<c ") + view.count(b"<c>")
        if cells != view.count(b' r="') - view.count(b"<row ") or b":c " in view:
            raise _NeedExact
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
                formula = _xml_text(match[1])
                if is_dde_formula(formula):
                    refs = _LAST_REF.findall(view, max(0, match.start() - 400), match.start())
                    found.dde_cell = refs[-1].decode("ascii") if refs else ""
                    found.dde_formula = formula[:80]
                    break
    return found


def _scan_sheet_exact(chunks: Iterator[bytes], row_limit: int, limits: Limits) -> _SheetScan:
    """Tag by tag, following row and column positions even where `r` is left out."""
    found = _SheetScan()
    row = 0
    column = 0
    last_value_row = 0
    for view in _whole_tags(chunks):
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
                formula = _xml_text(view[match.end() : end])
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


def _schema_sheet_rows() -> dict[str, int]:
    """Row bound for each schema sheet, under every one of its localised names."""
    bounds: dict[str, int] = {}
    # Sheets without tables (Guide, Rep x Month, Dashboard) are views with at most a row per
    # rep, so the org's size bounds them.
    view_rows = TABLES_BY_NAME["tblReps"].max_rows
    for sheet in SHEETS:
        tables_rows = sum(TABLES_BY_NAME[t].max_rows for t in sheet.tables)
        rows = (tables_rows or view_rows) + SHEET_ROW_MARGIN
        for label in sheet.label.all():
            bounds[label.casefold()] = min(rows, EXCEL_MAX_ROW)
    return bounds


# --------------------------------------------------------------------------------------------
# The gate.


def inspect_package(path: str | Path, limits: Limits | None = None) -> list[Problem]:
    """Every file-level problem of `path`, found from its bytes before any parser reads it."""
    limits = limits or Limits()
    target = Path(path)
    problems: list[Problem] = []
    try:
        problems.extend(_inspect(target, limits))
    except _Refused as refused:
        problems.append(refused.problem)
    except PermissionError:
        problems.append(
            lock_problem(target, writing=True)
            or _file_problem(
                ProblemCode.UNREADABLE,
                f"{target.name} cannot be read: permission denied",
                "check you have access to the file and its folder",
            )
        )
    except OSError as exc:
        problems.append(
            _file_problem(
                ProblemCode.UNREADABLE,
                f"{target.name} cannot be read ({type(exc).__name__}: {exc.strerror or exc})",
                "check the file is on a reachable drive and try again",
            )
        )
    return problems


def _inspect(target: Path, limits: Limits) -> list[Problem]:
    name = target.name
    if not target.exists():
        return [
            _file_problem(
                ProblemCode.FILE_NOT_FOUND,
                f"{target} does not exist",
                "check the path and file name",
            )
        ]
    if not target.is_file():
        return [_file_problem(ProblemCode.NOT_XLSX, f"{target} is a folder, not a workbook file")]
    size = target.stat().st_size
    if size == 0:
        return [
            _file_problem(
                ProblemCode.EMPTY_FILE,
                f"{name} is empty (0 bytes)",
                "the save or download probably failed; get the file again",
            )
        ]
    if size > limits.max_file_bytes:
        return [
            _file_problem(
                ProblemCode.FILE_TOO_LARGE,
                f"{name} is {size / MB:,.0f} MB; the limit is {limits.max_file_bytes // MB:,} MB",
                "remove old history or unused sheets, or split the plan into several files",
            )
        ]
    problems: list[Problem] = []
    locked = lock_problem(target, writing=False)
    if locked:
        problems.append(locked)
    with target.open("rb") as fh:
        head = fh.read(64 * KB)
        if head.startswith(CFB_MAGIC):
            return [*problems, _sniff_compound_file(fh, name)]
        if head.startswith(EMPTY_ZIP_MAGIC):
            return [
                *problems,
                _file_problem(ProblemCode.NOT_XLSX, f"{name} is an empty zip archive"),
            ]
        if not head.startswith(ZIP_MAGIC):
            return [*problems, _sniff_text(head, name)]
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, EOFError, ValueError, IndexError) as exc:
            return [
                *problems,
                _file_problem(
                    ProblemCode.TRUNCATED,
                    f"{name} is cut off or damaged: it starts like a workbook but its zip "
                    f"directory is missing or broken ({exc})",
                    "the download or copy probably did not finish; get the file again",
                ),
            ]
        with zf:
            problems.extend(_inspect_zip(zf, name, limits))
    return problems


def _inspect_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> list[Problem]:
    infos_list = zf.infolist()
    if len(infos_list) > limits.max_parts:
        raise _Refused(
            _file_problem(
                ProblemCode.TOO_MANY_PARTS,
                f"{name} has {len(infos_list):,} parts inside; the limit is {limits.max_parts:,}",
                "this is not a normal workbook; re-save it from Excel or get the original",
            )
        )
    _check_sizes(infos_list, name, limits)
    infos = {info.filename: info for info in infos_list}
    if "[Content_Types].xml" not in infos:
        raise _Refused(
            _file_problem(
                ProblemCode.NOT_XLSX,
                f"{name} is a zip archive but not an Excel workbook (no [Content_Types].xml)",
                "check you picked the right file",
            )
        )
    # Entity declarations are checked first, so no structural part is parsed while one exists.
    problems = _scan_all_parts_for_dtd(zf, infos_list, name)
    if has_errors(problems):
        return problems
    content_types = _content_types(zf, infos, limits)
    book = workbook_part(zf, infos, limits)
    book_type = content_types.get(book, "")
    if not book or book_type not in WORKBOOK_TYPES:
        if "binary" in book_type or book.endswith(".bin"):
            what = "a binary Excel workbook (.xlsb)"
        elif "mimetype" in infos:
            what = "an OpenDocument file (.ods or similar)"
        else:
            what = "a zip archive but not an Excel workbook"
        raise _Refused(
            _file_problem(
                ProblemCode.NOT_XLSX,
                f"{name} is {what}",
                "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
            )
        )
    book_root = _tree(zf, infos[book], limits)
    sheets = sheet_parts(zf, infos, limits, book)
    problems.extend(_feature_problems(zf, infos, content_types, book_type, sheets, name, limits))
    for defined, formula in _defined_names(book_root):
        if is_dde_formula(formula):
            problems.append(_dde_problem(f"the name {defined!r} refers to {formula[:80]!r}"))
    problems.extend(_stream_all_parts(zf, infos_list, sheets, name, limits))
    return problems


def _check_sizes(infos_list: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    total = 0
    for info in infos_list:
        if info.flag_bits & 0x1:
            raise _Refused(
                _file_problem(
                    ProblemCode.ENCRYPTED,
                    f"{name} has password-protected (zip-encrypted) parts",
                    "re-save it from Excel without a password",
                )
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(
                _file_problem(
                    ProblemCode.UNREADABLE,
                    f"{name} uses a compression method ({info.compress_type}) Excel never "
                    f"writes, in {info.filename}",
                    "re-save the file from Excel",
                )
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_applies_above and ratio > limits.max_compression_ratio:
            raise _Refused(
                _file_problem(
                    ProblemCode.ZIP_BOMB,
                    f"{name} looks like a zip bomb: {info.filename} expands {ratio:,.0f} times "
                    f"(to {info.file_size / MB:,.0f} MB); the limit is "
                    f"{limits.max_compression_ratio}:1",
                    "do not open this file; ask the sender for the original workbook",
                )
            )
    if total > limits.max_uncompressed_bytes:
        raise _Refused(
            _file_problem(
                ProblemCode.ZIP_BOMB,
                f"{name} would expand to {total / MB:,.0f} MB; the limit is "
                f"{limits.max_uncompressed_bytes // MB:,} MB",
                "do not open this file; ask the sender for the original workbook",
            )
        )


def _damaged(name: str, part: str, exc: BaseException) -> _Refused:
    return _Refused(
        _file_problem(
            ProblemCode.TRUNCATED,
            f"{name} is damaged: the part {part} cannot be read back intact ({exc})",
            "the download or copy probably did not finish; get the file again",
        )
    )


def _scan_all_parts_for_dtd(
    zf: zipfile.ZipFile, infos_list: list[zipfile.ZipInfo], name: str
) -> list[Problem]:
    """XML_ENTITIES for any part declaring a DTD or entities (billion laughs, XXE)."""
    problems: list[Problem] = []
    for info in infos_list:
        if info.is_dir() or info.filename.lower().endswith(BINARY_SUFFIXES):
            continue
        tail = b""
        try:
            for chunk in _iter_chunks(zf, info):
                window = tail + chunk
                maybe = any(opener in window for opener in _DECLARATION_OPENERS)
                if maybe and any(marker in window for marker in _DOCTYPE_MARKERS):
                    problems.append(
                        _file_problem(
                            ProblemCode.XML_ENTITIES,
                            f"{name} declares a DTD or XML entities in {info.filename} "
                            "(a known attack: entity expansion or reading local files)",
                            "do not open this file; ask the sender for a workbook saved by Excel",
                        )
                    )
                    break
                tail = window[-_MARKER_OVERLAP:]
        except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as exc:
            raise _damaged(name, info.filename, exc) from exc
    return problems


def _content_types(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> dict[str, str]:
    """The content type of every part (overrides first, then defaults by extension)."""
    root = _tree(zf, infos["[Content_Types].xml"], limits)
    defaults = {
        d.get("Extension", "").lower(): d.get("ContentType", "")
        for d in root.iter(f"{{{CT_NS}}}Default")
    }
    overrides = {
        o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
        for o in root.iter(f"{{{CT_NS}}}Override")
    }
    out = {}
    for part in infos:
        extension = part.rsplit(".", 1)[-1].lower() if "." in part else ""
        out[part] = overrides.get(part, defaults.get(extension, ""))
    return out


def _dde_problem(detail: str, *, sheet: str = "", cell: str = "") -> Problem:
    return error(
        ProblemCode.DDE_LINK,
        f"a DDE link, which makes Excel start another program: {detail}",
        sheet=sheet,
        cell=cell,
        hint="delete it; salesgoal will not read or pass on a file that runs programs",
        category=Category.FILE,
    )


def _feature_problems(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    content_types: dict[str, str],
    book_type: str,
    sheets: list[SheetPart],
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Macros, links and embedded objects, named from the parts present."""
    problems: list[Problem] = []
    macro_parts = [p for p in infos if p.lower().endswith("vbaproject.bin")]
    macro_sheets = [s.name for s in sheets if s.kind == "macrosheet"]
    if macro_parts or macro_sheets or WORKBOOK_TYPES[book_type] in ("xlsm", "xltm", "xlam"):
        what = "VBA macros" if macro_parts else "a macro-enabled workbook type"
        if macro_sheets:
            what = f"Excel 4 macro sheets ({', '.join(macro_sheets)})"
        problems.append(
            _file_warning(
                ProblemCode.MACRO_ENABLED,
                f"{name} contains {what}; salesgoal never runs them and never writes macros",
                "saving through salesgoal keeps them only when it rewrites single sheets; "
                "otherwise it refuses to save instead of dropping them",
            )
        )
    links = sorted(p for p in infos if p.startswith("xl/externalLinks/") and p.endswith(".xml"))
    for part in links:
        problems.extend(_external_link_problems(zf, infos[part], part, name))
    embedded = sorted(
        p
        for p in infos
        if p.startswith(("xl/embeddings/", "xl/activeX/"))
        and not p.endswith(".rels")
        and not content_types.get(p, "").startswith("image/")
    )
    if embedded:
        shown = ", ".join(posixpath.basename(p) for p in embedded[:5])
        problems.append(
            _file_warning(
                ProblemCode.OLE_OBJECT,
                f"{name} holds {len(embedded)} embedded object(s) or control(s) ({shown}); "
                "salesgoal never opens them",
                "remove embedded objects you did not add on purpose",
            )
        )
    return problems


def _external_link_problems(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, part: str, name: str
) -> list[Problem]:
    head = b"".join(_bounded(zf, info, 4 * MB))
    if re.search(rb"<(?:[\w.\-]+:)?ddeLink\b", head):
        topic = re.search(rb'ddeService="([^"]{0,80})"[^>]*ddeTopic="([^"]{0,120})"', head)
        detail = (
            f"{_xml_text(topic[1])}|{_xml_text(topic[2])}" if topic else posixpath.basename(part)
        )
        return [_dde_problem(f"{detail} (in {part})")]
    if re.search(rb"<(?:[\w.\-]+:)?oleLink\b", head):
        return [
            _file_warning(
                ProblemCode.OLE_OBJECT,
                f"{name} links to an OLE object through {part}",
                "remove links you did not add on purpose (Data > Edit Links)",
            )
        ]
    return [
        _file_warning(
            ProblemCode.EXTERNAL_LINK,
            f"{name} links to another workbook ({posixpath.basename(part)}); values that come "
            "from it may be out of date and salesgoal does not follow the link",
            "in Excel use Data > Edit Links > Break Link if the link is not needed",
        )
    ]


def _bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    read = 0
    with zf.open(info) as fh:
        while read < limit and (chunk := fh.read(min(CHUNK, limit - read))):
            read += len(chunk)
            yield chunk


def _stream_all_parts(
    zf: zipfile.ZipFile,
    infos_list: list[zipfile.ZipInfo],
    sheets: list[SheetPart],
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Read every part once to its end (CRC check), scanning worksheets on the way."""
    problems: list[Problem] = []
    by_part = {s.part: s for s in sheets if s.kind in ("worksheet", "macrosheet")}
    schema_rows = _schema_sheet_rows()
    read_total = 0
    for info in infos_list:
        if info.is_dir():
            continue

        def open_chunks(info: zipfile.ZipInfo = info, before: int = read_total) -> Iterator[bytes]:
            return _counting(_iter_chunks(zf, info), info, limits, before, name)

        try:
            sheet = by_part.get(info.filename)
            if sheet is None:
                for chunk in open_chunks():
                    read_total += len(chunk)
                continue
            schema_sheet = sheet.name.casefold() in schema_rows
            row_limit = min(schema_rows.get(sheet.name.casefold(), limits.max_row), limits.max_row)
            scan = _scan_sheet(open_chunks, row_limit, limits)
            read_total += info.file_size
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise _damaged(name, info.filename, exc) from exc
        if scan.dde_cell:
            problems.append(
                _dde_problem(
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
    return problems


def _counting(
    chunks: Iterator[bytes], info: zipfile.ZipInfo, limits: Limits, before: int, name: str
) -> Iterator[bytes]:
    """Pass chunks on, refusing a part that inflates past what the zip directory declared."""
    read = 0
    for chunk in chunks:
        read += len(chunk)
        if read > info.file_size or before + read > limits.max_uncompressed_bytes:
            raise _Refused(
                _file_problem(
                    ProblemCode.ZIP_BOMB,
                    f"{name}: {info.filename} inflates past its declared size",
                    "do not open this file; ask the sender for the original workbook",
                )
            )
        yield chunk


# --------------------------------------------------------------------------------------------
# Loading, with every library exception turned into a problem.


def assert_defusedxml() -> None:
    """Fail closed unless openpyxl parses XML through defusedxml."""
    import openpyxl.xml
    import openpyxl.xml.functions

    parser_module = getattr(openpyxl.xml.functions, "fromstring", None)
    module_name = getattr(parser_module, "__module__", "") or ""
    if openpyxl.xml.DEFUSEDXML is not True or not module_name.startswith("defusedxml"):
        raise ProblemsFound(
            [
                _file_problem(
                    ProblemCode.UNREADABLE,
                    "refusing to read workbooks: openpyxl is not using defusedxml",
                    "install defusedxml and do not set OPENPYXL_DEFUSEDXML=False",
                )
            ]
        )


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def problem_from_exception(exc: BaseException, name: str) -> Problem:
    """A stable-code problem for anything a library raised while reading `name`."""
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    chain = list(_exception_chain(exc))
    kind = type(exc).__name__
    if any(isinstance(e, DefusedXmlException) for e in chain):
        return _file_problem(
            ProblemCode.XML_ENTITIES,
            f"{name} declares a DTD or XML entities (a known attack); it was not read",
            "do not open this file; ask the sender for a workbook saved by Excel",
        )
    if any(isinstance(e, MemoryError) for e in chain):
        return _file_problem(
            ProblemCode.FILE_TOO_LARGE,
            f"{name} is too large to read into memory",
            "remove old history or unused sheets, or split the plan into several files",
        )
    if isinstance(exc, PermissionError):
        return _file_problem(
            ProblemCode.FILE_LOCKED,
            f"{name} cannot be read: permission denied (is it open in another program?)",
            "close it in Excel and check you have access to the file",
        )
    if isinstance(exc, FileNotFoundError):
        return _file_problem(ProblemCode.FILE_NOT_FOUND, f"{name} does not exist")
    if isinstance(exc, InvalidFileException):
        return _file_problem(ProblemCode.NOT_XLSX, f"{name} is not an Excel workbook (.xlsx)")
    if any(isinstance(e, (zipfile.BadZipFile, EOFError, zlib.error)) for e in chain):
        return _file_problem(
            ProblemCode.TRUNCATED,
            f"{name} is damaged or cut off ({kind})",
            "the download or copy probably did not finish; get the file again",
        )
    detail = str(exc).splitlines()[0][:160] if str(exc) else kind
    if isinstance(exc, KeyError):
        detail = f"a part it refers to is missing: {detail}"
    elif any(isinstance(e, (ParseError, SyntaxError)) for e in chain):
        detail = "some of its XML is not well-formed"
    return _file_problem(
        ProblemCode.UNREADABLE,
        f"{name} could not be read as a workbook: {detail}",
        "open it in Excel; if Excel repairs it, save the repaired copy and try again",
    )


def load_workbook_safely(
    path: str | Path, *, read_only: bool = False, data_only: bool = False
) -> Workbook:
    """openpyxl's load, with defusedxml asserted and every exception made a ProblemsFound.

    Prefer `open_workbook`, which runs the gate first; this is the half after the gate.
    """
    from openpyxl import load_workbook

    assert_defusedxml()
    target = Path(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about every extension it drops; the door reports those instead.
            warnings.simplefilter("ignore")
            if target.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm"):
                return load_workbook(
                    str(target), read_only=read_only, data_only=data_only, keep_links=True
                )
            # openpyxl judges by the extension only; the gate has judged by the content.
            with target.open("rb") as fh:
                return load_workbook(fh, read_only=False, data_only=data_only, keep_links=True)
    except ProblemsFound:
        raise
    # Any library failure, whatever its type, must become a problem, never a traceback.
    except (Exception, MemoryError, RecursionError) as exc:
        raise ProblemsFound([problem_from_exception(exc, target.name)], str(path)) from None


def open_workbook(
    path: str | Path,
    *,
    limits: Limits | None = None,
    read_only: bool = False,
    data_only: bool = False,
    warnings_out: list[Problem] | None = None,
) -> Workbook:
    """The one way to open a user's workbook: the gate, then a guarded openpyxl load.

    Raises ProblemsFound when the gate finds an error or the load fails; warnings (macros,
    links, a lock owner, a stray value on a user sheet) are appended to `warnings_out`.
    Returns an `openpyxl.Workbook`.
    """
    problems = inspect_package(path, limits)
    if has_errors(problems):
        raise ProblemsFound(problems, str(path))
    if warnings_out is not None:
        warnings_out.extend(p for p in problems if p.severity is not Severity.ERROR)
    return load_workbook_safely(path, read_only=read_only, data_only=data_only)
