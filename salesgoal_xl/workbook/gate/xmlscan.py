"""The package's XML as the gate sees it: DTD and entity scans of every part, and the small
structural parts (content types, relationships, the workbook) parsed into trees."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element

from salesgoal_xl.core.problems import Problem, ProblemCode
from salesgoal_xl.workbook.gate.limits import MB, Limits, iter_chunks
from salesgoal_xl.workbook.gate.refusal import Refused, damaged, file_problem

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


def tree(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Element:
    """A small structural part as an element tree (DTDs and entities forbidden)."""
    from defusedxml.ElementTree import fromstring

    if info.file_size > limits.max_xml_tree_bytes:
        raise Refused(
            file_problem(
                ProblemCode.UNREADABLE,
                f"the part {info.filename} is {info.file_size // MB} MB, far larger than any "
                "real workbook's",
                "re-save the file from Excel",
            )
        )
    root: Element = fromstring(zf.read(info))
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
    zf: zipfile.ZipFile, part: str, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> list[tuple[str, str, str]]:
    """(id, type, resolved target) of the internal relationships of `part`."""
    info = infos.get(_rels_name(part))
    if info is None:
        return []
    out = []
    for rel in tree(zf, info, limits).iter(f"{{{REL_NS}}}Relationship"):
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
    root = tree(zf, infos[book], limits)
    out = []
    for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
        rid = sheet.get(f"{{{DOC_REL_NS}}}id", "")
        rtype, target = rels.get(rid, ("", ""))
        kind = rtype.rsplit("/", 1)[-1].lower()
        if kind in ("xlmacrosheet", "xlintlmacrosheet"):
            kind = "macrosheet"
        out.append(SheetPart(sheet.get("name", ""), target, kind))
    return out


def defined_names(root: Element) -> list[tuple[str, str]]:
    return [(n.get("name", ""), n.text or "") for n in root.iter(f"{{{MAIN_NS}}}definedName")]


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
                    problems.append(
                        file_problem(
                            ProblemCode.XML_ENTITIES,
                            f"{name} declares a DTD or XML entities in {info.filename} "
                            "(a known attack: entity expansion or reading local files)",
                            "do not open this file; ask the sender for a workbook saved by Excel",
                        )
                    )
                    break
                tail = window[-_MARKER_OVERLAP:]
        except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as exc:
            raise damaged(name, info.filename, exc) from exc
    return problems


def read_content_types(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> dict[str, str]:
    """The content type of every part (overrides first, then defaults by extension)."""
    root = tree(zf, infos["[Content_Types].xml"], limits)
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
