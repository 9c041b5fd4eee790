"""The package's XML as the gate sees it: DTD and entity scans of every part, and the small
structural parts (content types, relationships, the workbook) parsed into trees."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError

from salesgoal_xl.core.problems import Problem, ProblemCode
from salesgoal_xl.workbook.gate.limits import MB, Limits, iter_chunks
from salesgoal_xl.workbook.gate.refusal import (
    Refused,
    damaged,
    describe_part,
    file_problem,
    malformed,
)

REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Excel's "Strict Open XML Spreadsheet" format: the same parts in other namespaces, which
# openpyxl does not know (it would read no sheet at all).
STRICT_NS_PREFIX: Final = "http://purl.oclc.org/ooxml/"

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
    for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_DECLARATION_OPENERS: Final = tuple(
    "<!".encode(enc) for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_MARKER_OVERLAP: Final = max(len(m) for m in _DOCTYPE_MARKERS)


_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|\d+);")


def _char_ref(match: re.Match[str]) -> str:
    code = int(match[1][1:], 16) if match[1].startswith("x") else int(match[1])
    return chr(code) if code < 0x110000 else ""


def xml_text(raw: bytes) -> str:
    """Element text as XML would decode it (the five entities and character references)."""
    text = _CHAR_REF.sub(_char_ref, raw.decode("utf-8", "replace"))
    for entity, char in (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def tree(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, *, file_name: str = "the file"
) -> Element:
    """A small structural part as an element tree (DTDs and entities forbidden).

    Raises `Refused` (a `ProblemsFound`) for a part too large to parse, damaged, or not
    well-formed XML, so no parser error ever leaves the gate.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if info.file_size > limits.max_xml_tree_bytes:
        raise Refused(
            file_problem(
                ProblemCode.UNREADABLE,
                f"{file_name} is damaged: the part {describe_part(info.filename)} is "
                f"{info.file_size // MB} MB, far larger than in any real workbook",
                "re-save the file from Excel",
            )
        )
    try:
        data = zf.read(info)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise damaged(file_name, info.filename) from exc
    try:
        root: Element = fromstring(data)
    except DefusedXmlException as exc:
        raise Refused(entities_problem(file_name, info.filename)) from exc
    # ParseError covers expat's own errors (and unknown encodings); the rest are the errors
    # the Python side of the parser raises on bytes it cannot decode.
    except (ParseError, ValueError, LookupError) as exc:
        raise malformed(file_name, info.filename) from exc
    return root


def _resolve(source: str, target: str) -> str:
    """The part name a relationship target points at, relative to its source part."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relationships(
    zf: zipfile.ZipFile,
    part: str,
    infos: dict[str, zipfile.ZipInfo],
    limits: Limits,
    *,
    file_name: str = "the file",
) -> list[tuple[str, str, str]]:
    """(id, type, resolved target) of the internal relationships of `part`."""
    info = infos.get(_rels_name(part))
    if info is None:
        return []
    out = []
    for rel in tree(zf, info, limits, file_name=file_name).iter(f"{{{REL_NS}}}Relationship"):
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


def workbook_part(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    limits: Limits,
    *,
    file_name: str = "the file",
) -> str:
    """The main workbook part's name ('xl/workbook.xml' in every file Excel writes)."""
    for _rid, rtype, target in relationships(zf, "", infos, limits, file_name=file_name):
        if rtype.endswith("/officeDocument") and target in infos:
            return target
    return "xl/workbook.xml" if "xl/workbook.xml" in infos else ""


def sheet_parts(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    limits: Limits,
    book: str,
    *,
    file_name: str = "the file",
) -> list[SheetPart]:
    """Every sheet the workbook lists, in tab order, with the part holding it."""
    rels = {
        rid: (rtype, target)
        for rid, rtype, target in relationships(zf, book, infos, limits, file_name=file_name)
    }
    root = tree(zf, infos[book], limits, file_name=file_name)
    out = []
    for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
        rid = sheet.get(f"{{{DOC_REL_NS}}}id", "")
        rtype, target = rels.get(rid, ("", ""))
        kind = rtype.rsplit("/", 1)[-1].lower()
        if kind in ("xlmacrosheet", "xlintlmacrosheet"):
            kind = "macrosheet"
        out.append(SheetPart(sheet.get("name", ""), target, kind))
    return out


def is_strict(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    limits: Limits,
    book_root: Element | None,
    *,
    file_name: str = "the file",
) -> bool:
    """Whether the package is Strict Open XML: its workbook, or the package's pointer to it,
    is in Strict's namespaces rather than the usual ones."""
    if book_root is not None and book_root.tag.startswith("{" + STRICT_NS_PREFIX):
        return True
    return any(
        rtype.startswith(STRICT_NS_PREFIX)
        for _rid, rtype, _target in relationships(zf, "", infos, limits, file_name=file_name)
    )


def defined_names(root: Element) -> list[tuple[str, str]]:
    """(name, formula) of every defined name in the workbook part."""
    return [(n.get("name", ""), n.text or "") for n in root.iter(f"{{{MAIN_NS}}}definedName")]


def entities_problem(name: str, part: str) -> Problem:
    """XML_ENTITIES naming the part that declares them."""
    return file_problem(
        ProblemCode.XML_ENTITIES,
        f"{name} declares a DTD or XML entities in {part} "
        "(a known attack: entity expansion or reading local files)",
        "do not open this file; ask the sender for a workbook saved by Excel",
    )


def scan_for_entities(
    zf: zipfile.ZipFile, infos_list: list[zipfile.ZipInfo], name: str
) -> list[Problem]:
    """XML_ENTITIES for any part declaring a DTD or entities (billion laughs, XXE)."""
    problems: list[Problem] = []
    for info in infos_list:
        if info.is_dir() or info.filename.lower().endswith(BINARY_SUFFIXES):
            continue
        tail = b""
        try:
            for chunk in iter_chunks(zf, info):
                window = tail + chunk
                maybe = any(opener in window for opener in _DECLARATION_OPENERS)
                if maybe and any(marker in window for marker in _DOCTYPE_MARKERS):
                    problems.append(entities_problem(name, info.filename))
                    break
                tail = window[-_MARKER_OVERLAP:]
        except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as exc:
            raise damaged(name, info.filename) from exc
    return problems


def read_content_types(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits, name: str
) -> dict[str, str]:
    """The content type of every part (overrides first, then defaults by extension)."""
    root = tree(zf, infos["[Content_Types].xml"], limits, file_name=name)
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
