"""The plan's identity in the workbook's custom document properties (docProps/custom.xml).

Every planning workbook carries `PlanId`, `PlanVersion`, `TemplateVersion` and `Language`
(written by the builder); an exported copy adds `ExportScope`, `ExportFingerprint`,
`ExportedTo` and `ExportedAt`; an approval adds `Approval <id>` with the fingerprint it
approved. These are the properties File > Info > Properties shows in Excel, so they survive
a round trip by email and through Excel or LibreOffice saves.

`read_properties` parses the part (through defusedxml); `properties_xml` rewrites it with some
properties set, keeping every other property (the user's own included) byte for byte.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final
from xml.sax.saxutils import escape, quoteattr

CUSTOM_PART: Final = "docProps/custom.xml"
PLAN_ID: Final = "PlanId"
PLAN_VERSION: Final = "PlanVersion"
LANGUAGE: Final = "Language"
EXPORT_SCOPE: Final = "ExportScope"
EXPORT_FINGERPRINT: Final = "ExportFingerprint"
EXPORTED_TO: Final = "ExportedTo"
EXPORTED_AT: Final = "ExportedAt"
APPROVAL_PREFIX: Final = "Approval "

_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT: Final = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID: Final = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_PROPERTY: Final = re.compile(rb"<(?:\w+:)?property\b[^>]*?(?:/>|>.*?</(?:\w+:)?property>)", re.S)
_NAME: Final = re.compile(rb"""\bname\s*=\s*("[^"]*"|'[^']*')""")
_PID: Final = re.compile(rb"""\bpid\s*=\s*["'](\d+)["']""")
_CLOSE: Final = re.compile(rb"</(?:\w+:)?Properties\s*>")

if TYPE_CHECKING:
    from openpyxl import Workbook

Value = str | int


@dataclass(frozen=True)
class PlanIdentity:
    """Which plan a workbook is and which version of it: empty id for a template."""

    plan_id: str
    version: int
    language: str = ""

    @property
    def text(self) -> str:
        """'plan 3f2a... version 4', as messages name it."""
        return f"plan {self.plan_id or '(template)'} version {self.version}"


def read_properties(xml: bytes | None) -> dict[str, Value]:
    """The custom properties by name: integers as int, everything else as its text."""
    if not xml:
        return {}
    from defusedxml.ElementTree import fromstring

    root = fromstring(xml)
    found: dict[str, Value] = {}
    for prop in root.iter(f"{{{_NS}}}property"):
        name = prop.get("name", "")
        value = next(iter(prop), None)
        if not name or value is None:
            continue
        text = (value.text or "").strip()
        if value.tag in (f"{{{_VT}}}i4", f"{{{_VT}}}int", f"{{{_VT}}}i8"):
            try:
                found[name] = int(text)
                continue
            except ValueError:
                pass
        found[name] = text
    return found


def file_properties(path: str | Path) -> dict[str, Value]:
    """The custom document properties of the workbook file at `path`, read from its package
    without opening the workbook ({} for a file that is not a readable workbook package)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if CUSTOM_PART not in archive.namelist():
                return {}
            return read_properties(archive.read(CUSTOM_PART))
    except (OSError, zipfile.BadZipFile, ValueError):
        return {}


def identity_of(properties: Mapping[str, Value]) -> PlanIdentity:
    """The plan id, version and language among `properties` (version 1 when absent)."""
    raw = properties.get(PLAN_VERSION, 1)
    try:
        version = int(raw)
    except (TypeError, ValueError):
        version = 1
    return PlanIdentity(
        str(properties.get(PLAN_ID, "") or ""), version, str(properties.get(LANGUAGE, "") or "")
    )


def _element(name: str, value: Value, pid: int) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int):
        inner = f"<vt:lpwstr>{escape(str(value))}</vt:lpwstr>"
    else:
        inner = f"<vt:i4>{value}</vt:i4>"
    return (
        f'<property fmtid="{_FMTID}" pid="{pid}" name={quoteattr(name)}>{inner}</property>'
    ).encode()


def properties_xml(existing: bytes | None, updates: Mapping[str, Value | None]) -> bytes:
    """docProps/custom.xml with `updates` set (None removes a property), all else unchanged."""
    if not existing:
        existing = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_NS}" xmlns:vt="{_VT}"></Properties>'
        ).encode()
    pending = dict(updates)
    pids = [int(m.group(1)) for m in _PID.finditer(existing)]
    next_pid = max([1, *pids]) + 1

    def replace(match: re.Match[bytes]) -> bytes:
        block = match.group(0)
        named = _NAME.search(block)
        name = named.group(1)[1:-1].decode() if named else ""
        name = name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        if name not in pending:
            return block
        value = pending.pop(name)
        if value is None:
            return b""
        pid = _PID.search(block)
        return _element(name, value, int(pid.group(1)) if pid else 2)

    body = _PROPERTY.sub(replace, existing)
    added = b""
    for name, value in pending.items():
        if value is not None:
            added += _element(name, value, next_pid)
            next_pid += 1
    if not added:
        return body
    close = _CLOSE.search(body)
    if close is None:
        raise ValueError("docProps/custom.xml has no closing Properties tag")
    if "xmlns:vt" not in body[: close.start()].decode("utf-8", "replace"):
        raise ValueError("docProps/custom.xml does not declare the vt namespace")
    return body[: close.start()] + added + body[close.start() :]


_CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_REL_TYPE: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)


def properties_parts(
    read: Callable[[str], bytes], names: Sequence[str], updates: Mapping[str, Value | None]
) -> dict[str, bytes]:
    """The parts to replace in a package so its custom properties carry `updates`: the custom
    part, and for a package that had none, its content type and root relationship too."""
    if CUSTOM_PART in names:
        return {CUSTOM_PART: properties_xml(read(CUSTOM_PART), updates)}
    parts = {CUSTOM_PART: properties_xml(None, updates)}
    types = read("[Content_Types].xml")
    override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{_CONTENT_TYPE}"/>'.encode()
    parts["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")
    rels = read("_rels/.rels")
    ids = [int(i) for i in re.findall(rb'Id="rId(\d+)"', rels)]
    rel = (
        f'<Relationship Id="rId{max([0, *ids]) + 1}" Type="{_REL_TYPE}" Target="{CUSTOM_PART}"/>'
    ).encode()
    parts["_rels/.rels"] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
    return parts


def set_custom_properties(wb: Workbook, updates: Mapping[str, Value | None]) -> None:
    """Set `updates` in an openpyxl workbook's custom properties (None removes one)."""
    from openpyxl.packaging.custom import IntProperty, StringProperty

    props = wb.custom_doc_props
    for name, value in updates.items():
        kept = [p for p in props.props if p.name != name]
        if value is not None:
            made = (
                IntProperty(name=name, value=value)
                if isinstance(value, int) and not isinstance(value, bool)
                else StringProperty(name=name, value=str(value))
            )
            kept.append(made)
        props.props = kept


def set_named_values(wb: Workbook, values: Mapping[str, Value]) -> None:
    """Write `values` into the cells an openpyxl workbook's one-cell names point at (a name the
    workbook lacks is skipped: an older workbook simply shows no such cell)."""
    for name, value in values.items():
        defined = wb.defined_names.get(name)
        if defined is None:
            continue
        for title, ref in defined.destinations:
            if title in wb.sheetnames:
                wb[title][ref.replace("$", "")].value = value
