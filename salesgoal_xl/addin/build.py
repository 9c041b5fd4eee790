"""salesgoal.xlam built from the text sources in ``addin/``, on any system, without Excel.

pyopenvba writes the VBA project into an add-in Excel itself made (``ExcelFile.create_new``):
our modules from ``addin/vba``, the worksheet-function wrappers generated from ``udfs``, and
xlwings' own VBA module and Dictionary class taken from the installed xlwings package (never
from the repository). The build then adds the ribbon (``customUI/customUI14.xml`` and its
package relationship) and writes the package itself so that the bytes depend only on the
sources: parts in a fixed order, every entry stored uncompressed (no machine's zlib is
involved) with a fixed 1980-01-01 date and fixed attributes, and fixed document properties.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from salesgoal_xl import __version__
from salesgoal_xl.addin import customui, vba_gen
from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.workbook.schema import LANGUAGES

SOURCES: Final = Path(__file__).resolve().parents[2] / "addin"
"""The add-in's text sources in a checkout of the project."""

ADDIN_NAME: Final = "salesgoal.xlam"
RIBBON_PART: Final = "customUI/customUI14.xml"
RIBBON_RELATIONSHIP: Final = (
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
)
RIBBON_RELATIONSHIP_ID: Final = "salesgoalRibbon"
XLWINGS_MODULE: Final = "xlwings_custom_addin.bas"
XLWINGS_PROJECT_NAME: Final = "salesgoal"
"""xlwings' PROJECT_NAME in the bundled module: its user config is ~/.salesgoal/salesgoal.conf."""

VBA_CODE_PAGE: Final = "cp1252"  # the project's code page: other characters become '?'
_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
_ZIP_MODE: Final = 0o100644 << 16  # a plain readable file, the same on every system
_FIRST_PARTS: Final = ("[Content_Types].xml", "_rels/.rels")
_PROJECT_NAME_LINE = re.compile(r'^Public Const PROJECT_NAME As String = "myaddin"\r?$', re.M)
_VERSION_LINE = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)


class AddinBuildError(SalesgoalError):
    """The add-in cannot be built from the sources as they are."""


class ModuleKind(Enum):
    """The kinds of VBA module the add-in holds."""

    STANDARD = "standard"
    CLASS = "class"


@dataclass(frozen=True)
class VbaModule:
    """One VBA module as it goes into the project: name, kind and source (CRLF line ends)."""

    name: str
    kind: ModuleKind
    source: str
    origin: str


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote."""

    path: Path
    language: str
    size: int
    sha256: str
    modules: tuple[str, ...]


def build_addin(out: Path, language: str = "en", sources: Path = SOURCES) -> BuildReport:
    """Build the add-in with its ribbon in ``language`` into ``out``; the same bytes every time."""
    if language not in LANGUAGES:
        raise AddinBuildError(f"language must be one of {', '.join(LANGUAGES)} (got {language!r})")
    ribbon = ribbon_xml(language, sources)
    title = _labels(sources, language)["salesgoal_tab"]["label"]
    modules = addin_modules(sources)
    parts = _vba_package(modules, this_workbook_code(sources))
    package = _with_ribbon(parts, ribbon, _core_properties(title, language))
    data = _zip(package)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.building")
    staging.write_bytes(data)
    os.replace(staging, out)
    return BuildReport(
        out, language, len(data), hashlib.sha256(data).hexdigest(), tuple(m.name for m in modules)
    )


def ribbon_xml(language: str, sources: Path = SOURCES) -> bytes:
    """The customUI14 part in ``language``, checked against the schema rules."""
    template = _read(sources / "ribbon" / "customUI14.xml").encode("utf-8")
    try:
        document = customui.localised_ribbon(template, _labels(sources, language), language)
    except customui.RibbonError as error:
        raise AddinBuildError(str(error)) from None
    problems = customui.check_custom_ui(document)
    if problems:
        raise AddinBuildError("the ribbon is not valid customUI14: " + "; ".join(problems))
    return document


def addin_modules(sources: Path = SOURCES) -> list[VbaModule]:
    """Every module the add-in's VBA project gets, besides ThisWorkbook and the sheet."""
    own = [
        VbaModule(path.stem, ModuleKind.STANDARD, _crlf(_read(path)), f"addin/vba/{path.name}")
        for path in sorted((sources / "vba").glob("*.bas"))
    ]
    modules = [
        *own,
        VbaModule(
            vba_gen.MODULE_NAME,
            ModuleKind.STANDARD,
            vba_gen.functions_module(),
            "generated from salesgoal_xl/addin/udfs.py",
        ),
        VbaModule("xlwings", ModuleKind.STANDARD, xlwings_module(), f"xlwings/{XLWINGS_MODULE}"),
        VbaModule(
            "Dictionary",
            ModuleKind.CLASS,
            _crlf(_read(_xlwings_folder() / "addin" / "Dictionary.cls")),
            "xlwings/addin/Dictionary.cls",
        ),
    ]
    for module in modules:
        _check_code_page(module.source, module.origin)
    return modules


def this_workbook_code(sources: Path = SOURCES) -> str:
    """The body of the ThisWorkbook document module (its header is Excel's own)."""
    code = _crlf(_read(sources / "vba" / "ThisWorkbook.cls"))
    _check_code_page(code, "addin/vba/ThisWorkbook.cls")
    return code


def xlwings_module() -> str:
    """xlwings' VBA module for custom add-ins, from the installed package, named for us.

    Its one change: PROJECT_NAME, which names the add-in's config file and config sheet.
    """
    text = _crlf(_read(_xlwings_folder() / XLWINGS_MODULE))
    renamed, count = _PROJECT_NAME_LINE.subn(
        f'Public Const PROJECT_NAME As String = "{XLWINGS_PROJECT_NAME}"\r', text
    )
    if count != 1:
        raise AddinBuildError(
            f"{XLWINGS_MODULE} of the installed xlwings has no PROJECT_NAME line to set; "
            "this xlwings version is not the one the add-in was made for"
        )
    return renamed


def bundled_xlwings_version(module: str) -> str:
    """The xlwings version a VBA module declares (XLWINGS_VERSION)."""
    found = _VERSION_LINE.search(module)
    if found is None:
        raise AddinBuildError("the xlwings VBA module declares no XLWINGS_VERSION")
    return found.group(1)


def _labels(sources: Path, language: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, dict[str, str]]] = json.loads(
        _read(sources / "ribbon" / "labels.json")
    )
    if language not in labels:
        raise AddinBuildError(f"labels.json has no {language!r} labels")
    return labels[language]


def _xlwings_folder() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AddinBuildError(
            f"{path} is missing: the add-in is built from a checkout of the project "
            "(its addin/ folder), or pass --sources"
        ) from None


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _check_code_page(code: str, origin: str) -> None:
    for number, line in enumerate(code.splitlines(), start=1):
        try:
            line.encode(VBA_CODE_PAGE)
        except UnicodeEncodeError as error:
            raise AddinBuildError(
                f"{origin} line {number} has {line[error.start]!r}, which VBA would turn into "
                "'?': VBA text is cp1252 only; put such words in the ribbon's labels.json"
            ) from None


def _vba_package(modules: Sequence[VbaModule], this_workbook: str) -> dict[str, bytes]:
    """An Excel-made add-in with the modules written in, as its parts in package order."""
    from pyopenvba import ExcelFile, VBAModuleKind

    kinds = {ModuleKind.STANDARD: VBAModuleKind.standard, ModuleKind.CLASS: VBAModuleKind.other}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ADDIN_NAME
        with ExcelFile.create_new(path) as book:
            project = book.vba_project()
            for module in modules:
                project.add_module(module.name, module.source, kind=kinds[module.kind])
            project.delete_module("Module1")
            book.set_module("ThisWorkbook", this_workbook)
            book.save()
        with zipfile.ZipFile(path) as package:
            return {name: package.read(name) for name in package.namelist()}


def _with_ribbon(parts: Mapping[str, bytes], ribbon: bytes, properties: bytes) -> dict[str, bytes]:
    """The parts with the ribbon related from the package, and our own document properties."""
    rels = parts["_rels/.rels"].decode("utf-8")
    relationship = (
        f'<Relationship Id="{RIBBON_RELATIONSHIP_ID}" Type="{RIBBON_RELATIONSHIP}" '
        f'Target="{RIBBON_PART}"/>'
    )
    if "</Relationships>" not in rels or RIBBON_RELATIONSHIP in rels:
        raise AddinBuildError("the add-in template's package relationships are not as expected")
    updated = dict(parts)
    updated["_rels/.rels"] = rels.replace(
        "</Relationships>", relationship + "</Relationships>"
    ).encode("utf-8")
    updated["docProps/core.xml"] = properties
    updated[RIBBON_PART] = ribbon
    return updated


def _core_properties(title: str, language: str) -> bytes:
    """Title and description for Excel's Add-ins dialog, with no author or dates to vary."""
    import xlwings

    description = (
        f"Sales targets: set, split, track, evaluate, adjust (salesgoal_xl {__version__}, "
        f"xlwings {xlwings.__version__}, ribbon {language})"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title><dc:description>{escape(description)}"
        "</dc:description><dc:creator>salesgoal_xl</dc:creator></cp:coreProperties>"
    ).encode()


def _zip(parts: Mapping[str, bytes]) -> bytes:
    """The package bytes: fixed order, stored entries, fixed dates and attributes."""
    order = [*_FIRST_PARTS, *sorted(name for name in parts if name not in _FIRST_PARTS)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as package:
        for name in order:
            entry = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_STORED
            entry.create_system = 0  # otherwise 0 on Windows and 3 elsewhere
            entry.external_attr = _ZIP_MODE
            package.writestr(entry, parts[name])
    return buffer.getvalue()
