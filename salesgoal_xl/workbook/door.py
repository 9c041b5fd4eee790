"""The one door every workbook file is written through: atomic, verified, backed up, lossless.

`save_atomically` writes a whole workbook (openpyxl or any writer callable) and
`replace_parts` rewrites only the named parts of a package, copying every other part
unchanged. Both write a temporary file in the same folder, check it reopens, refuse when
the new file would lose something the old one had (a shape, sparklines, macros, ...)
unless told otherwise, keep a backup of the old file, and only then replace it. Any
failure leaves the original file byte-identical.

Backup policy: before a file is replaced, its previous bytes are copied to
`.salesgoal-backup/<stem>-YYYYmmdd-HHMMSS<suffix>` in the same folder (a suffix `-2`, `-3`
when saved twice in a second); the newest `KEEP_BACKUPS` per file are kept. The copy keeps
the `.xlsx` extension so Excel opens it directly. A save that drops features always makes a
backup, even when `backup=False`.

Every save also writes each formula cell's cached result, computed by the product's own
evaluator (`calc.cache_formula_values`), and keeps `fullCalcOnLoad` so Excel still recalculates
on open: viewers that do not recalculate (Protected View, previewers, stock LibreOffice) show
the right numbers. With SALESGOAL_STRICT_FORMULAS=1 (the test suite sets it) a formula outside
the evaluator's vocabulary fails the save instead of being left without a cached value.

User text goes in through `write_text`: always a string cell (never a formula, however it
starts), with characters XML cannot carry removed and over-long text cut, both reported.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import xml.parsers.expat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from salesgoal_xl.core.problems import (
    Category,
    Problem,
    ProblemCode,
    ProblemsFound,
    error,
    warning,
)
from salesgoal_xl.workbook.calc import CacheReport, Uncached, cache_formula_values
from salesgoal_xl.workbook.gate import (
    Limits,
    _whole_tags,
    load_workbook_safely,
    lock_problem,
    relationships,
    sheet_parts,
    workbook_part,
)
from salesgoal_xl.workbook.package import force_full_calculation, strip_cached_formula_values

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

BACKUP_DIR: Final = ".salesgoal-backup"
STRICT_FORMULAS_ENV: Final = "SALESGOAL_STRICT_FORMULAS"
KEEP_BACKUPS: Final = 20
EXCEL_MAX_TEXT: Final = 32_767
CHUNK: Final = 1024 * 1024

WorkbookWriter = Callable[[Path], None]


@dataclass(frozen=True)
class SaveReport:
    """What a save did: where it wrote, where the backup is, and what was knowingly lost."""

    path: Path
    backup: Path | None
    dropped: tuple[Problem, ...] = ()
    formulas: CacheReport | None = None


# --------------------------------------------------------------------------------------------
# Text from users: always text, never a formula.

# Characters XML 1.0 cannot carry (and lone surrogates, which cannot be encoded at all).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_STARTS: Final = ("=", "+", "-", "@")


def clean_text(text: str, *, sheet: str = "", cell: str = "") -> tuple[str, list[Problem]]:
    """The text as it will be stored, with a problem for each change beyond line endings.

    Line breaks become '\\n' (Excel's own), since a bare '\\r' does not survive XML.
    """
    problems: list[Problem] = []
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _NOT_XML.findall(cleaned)
    if bad:
        shown = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in bad})[:5])
        cleaned = _NOT_XML.sub("", cleaned)
        problems.append(
            warning(
                ProblemCode.CONTROL_CHARACTERS,
                f"removed {len(bad)} control character(s) ({shown}) a workbook cannot hold",
                sheet=sheet,
                cell=cell,
                hint="check the text came through correctly from where it was copied",
            )
        )
    if len(cleaned) > EXCEL_MAX_TEXT:
        problems.append(
            warning(
                ProblemCode.TEXT_TOO_LONG,
                f"text of {len(cleaned):,} characters cut to Excel's limit of {EXCEL_MAX_TEXT:,}",
                sheet=sheet,
                cell=cell,
                hint="shorten the text",
            )
        )
        cleaned = cleaned[:EXCEL_MAX_TEXT]
    return cleaned, problems


def write_text(cell: Cell, text: str) -> list[Problem]:
    """Store `text` in `cell` as a string, even '=HYPERLINK(...)' or '+cmd|...'.

    Text that Excel would take for a formula when someone edits the cell gets the quote
    prefix (the hidden apostrophe), so it stays text in Excel too. Empty text leaves the
    cell empty, as Excel has no empty string.
    """
    cleaned, problems = clean_text(text, sheet=cell.parent.title, cell=cell.coordinate)
    if not cleaned:
        cell.value = None  # Excel has no empty string: empty text is an empty cell
        return problems
    cell.value = cleaned
    cell.data_type = "s"  # openpyxl guesses 'f' for '=...' and 'e' for '#N/A'; it is text
    if cleaned.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True
    return problems


# --------------------------------------------------------------------------------------------
# What a package holds, counted per sheet, so a save can tell what it would lose.

_PART_FEATURES: Final = tuple(
    (re.compile(pattern, re.IGNORECASE), feature)
    for pattern, feature in (
        (r"^xl/charts/chart[^/]*\.xml$", "chart"),
        (r"^xl/comments[^/]*\.xml$|^xl/comments/[^/]*\.xml$", "comments"),
        (r"^xl/threadedComments/[^/]*\.xml$", "threaded comments"),
        (r"^xl/tables/[^/]*\.xml$", "table"),
        (r"^xl/pivotTables/[^/]*\.xml$", "pivot table"),
        (r"^xl/pivotCache/pivotCacheDefinition[^/]*\.xml$", "pivot cache"),
        (r"^xl/slicers/[^/]*\.xml$", "slicer"),
        (r"^xl/slicerCaches/[^/]*\.xml$", "slicer cache"),
        (r"^xl/timelines/[^/]*\.xml$", "timeline"),
        (r"^xl/timelineCaches/[^/]*\.xml$", "timeline cache"),
        (r"vbaProject\.bin$", "VBA macros"),
        (r"^xl/macrosheets/[^/]*\.xml$", "Excel 4 macro sheet"),
        (r"^xl/dialogsheets/[^/]*\.xml$", "dialog sheet"),
        (r"^xl/embeddings/[^/]*$", "embedded object"),
        (r"^xl/activeX/[^/]*\.xml$", "ActiveX control"),
        (r"^xl/ctrlProps/[^/]*\.xml$", "form control"),
        (r"^customXml/item\d*\.xml$", "custom XML data"),
        (r"^customUI/[^/]*\.xml$", "custom ribbon"),
        (r"^xl/connections\.xml$", "data connections"),
        (r"^xl/queryTables/[^/]*\.xml$", "query table"),
        (r"^xl/model/", "data model"),
        (r"^xl/richData/[^/]*\.xml$", "pictures in cells"),
        (r"^xl/metadata\.xml$", "dynamic array formula metadata"),
        (r"^xl/externalLinks/[^/]*\.xml$", "external link"),
        (r"^docProps/custom\.xml$", "custom document properties"),
        (r"^xl/webextensions/[^/]*\.xml$", "Office add-in"),
        (r"^xl/worksheets/[^/]*\.xml$", "worksheet"),
        (r"^xl/chartsheets/[^/]*\.xml$", "chart sheet"),
    )
)
# Parts openpyxl regenerates or that are counted another way (drawings by their shapes,
# media by the pictures that show them); losing one of these loses nothing a user made.
_REGENERATED: Final = re.compile(
    r"""^(\[Content_Types\]\.xml|.*_rels/.*\.rels|docProps/(app|core)\.xml|docProps/thumbnail\..*
    |xl/workbook\.xml|xl/styles\.xml|xl/theme/.*|xl/sharedStrings\.xml|xl/calcChain\.xml
    |xl/printerSettings/.*|xl/drawings/.*|xl/media/.*|xl/charts/(style|colors)[^/]*\.xml
    |xl/pivotCache/pivotCacheRecords[^/]*\.xml|xl/activeX/[^/]*\.bin|xl/persons/.*
    |customXml/itemProps\d*\.xml)$""",
    re.IGNORECASE | re.VERBOSE,
)
# Tags (local names) counted inside sheet XML and drawing XML.
_SHEET_TAGS: Final = {
    b"sparklineGroup": "sparklines",
    b"cfRule": "conditional formatting rule",
    b"dataValidation": "data validation",
    b"legacyDrawingHF": "header/footer picture",
    b"picture": "sheet background picture",
    b"control": "form control",
    b"oleObject": "embedded object",
    b"ext": "",  # named by its uri below
    b"mergeCell": "merged cells",
    b"hyperlink": "hyperlink",
}
_DRAWING_TAGS: Final = {
    b"sp": "shape or text box",
    b"cxnSp": "connector line",
    b"grpSp": "group of shapes",
    b"pic": "picture",
    b"graphicData": "",  # named by its uri below (charts are counted as chart parts)
}
_EXT_URIS: Final = {
    # Already counted by their tags (sparklineGroup, cfRule, dataValidation).
    "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}": "",
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}": "",
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}": "",
    "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}": "slicers",
    "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}": "slicers",
    "{7E03D99C-DC04-49d9-9315-930204A7B6E9}": "timelines",
    "{876F7934-8845-4945-9796-88D515C7AA90}": "pivot table options",
    "{BBE1A952-AA13-448e-AADC-164F8A28A991}": "slicer caches",
    "{D0CA8CA8-9F24-4464-BF8E-62219DCF47F9}": "timeline caches",
    "{FCE2AD5D-F65C-4FA6-A056-5C36A1767C68}": "data model",
}
# Extension data openpyxl drops that carries nothing a user made (calculation flags,
# chart tracking, the x14/x15 workbook properties Excel writes into every file).
_HARMLESS_EXT_URIS: Final = {
    "{140A7094-0E35-4892-8432-C4D2E57EDEB5}",
    "{B58B0392-4F1F-4190-BB64-5DF3571DCE5F}",
    "{79F54976-1DA5-4618-B147-4CDE4B953A38}",
    "{2E8E3D6B-2B9B-4E63-B8A6-7F47B2B3D5F1}",
}
_URI = re.compile(rb"""\buri\s*=\s*["']([^"']{1,200})["']""")

Inventory = Counter[tuple[str, str]]


def _graphic_feature(uri: str) -> str:
    if uri.endswith("/chart") or "/chart" in uri.rsplit("/", 2)[-2:]:
        return ""
    for key, name in (
        ("diagram", "SmartArt diagram"),
        ("slicer", "slicer"),
        ("timeslicer", "timeline"),
        ("picture", ""),
    ):
        if key in uri.lower():
            return name
    return f"drawing object ({uri.rsplit('/', 1)[-1]})"


def _tag_pattern(names: Mapping[bytes, str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(" + alternatives + rb")(?=[\s/>])([^>]*)>")


def _count_tags(chunks: Iterator[bytes], wanted: Mapping[bytes, str]) -> Counter[str]:
    """Count start tags by local name in streamed XML, in pieces that hold whole tags."""
    counts: Counter[str] = Counter()
    pattern = _tag_pattern(wanted)
    for view in _whole_tags(chunks):
        if not any(name in view for name in wanted):
            continue  # the bulk of a big sheet: cells only
        for match in pattern.finditer(view):
            local = match[1]
            feature = wanted[local]
            if not feature:
                uri_match = _URI.search(match[2])
                uri = uri_match[1].decode("ascii", "replace") if uri_match else ""
                if local == b"graphicData":
                    feature = _graphic_feature(uri)
                elif uri in _HARMLESS_EXT_URIS:
                    feature = ""
                else:
                    feature = _EXT_URIS.get(uri, f"Excel extension data {uri}")
            if feature:
                counts[feature] += 1
    return counts


def _chunks(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def package_inventory(path: str | Path) -> Inventory:
    """How many of each user-made feature the package holds, keyed by (sheet, feature).

    Features outside any sheet are keyed under 'workbook'. Reads in bounded memory.
    """
    limits = Limits()
    counts: Inventory = Counter()
    with zipfile.ZipFile(path) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        book = workbook_part(zf, infos, limits)
        sheets = sheet_parts(zf, infos, limits, book) if book else []
        owner: dict[str, str] = {}
        for sheet in sheets:
            frontier = [sheet.part]
            for _depth in range(4):
                following = []
                for part in frontier:
                    if part in owner:
                        continue
                    owner[part] = sheet.name
                    following += [t for _i, _t, t in relationships(zf, part, infos, limits)]
                frontier = following
        for name in infos:
            if name.endswith("/"):
                continue
            where = owner.get(name, "workbook")
            feature = next((f for rx, f in _PART_FEATURES if rx.search(name)), None)
            if feature is None and not _REGENERATED.match(name):
                folder = name.rsplit("/", 1)[0] if "/" in name else name
                feature = f"other content ({folder})"
            if feature:
                counts[(where, feature)] += 1
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                for feat, n in _count_tags(_chunks(zf, name), _SHEET_TAGS).items():
                    counts[(where, feat)] += n
            elif name.startswith("xl/drawings/") and name.endswith(".xml"):
                for feat, n in _count_tags(_chunks(zf, name), _DRAWING_TAGS).items():
                    counts[(where, feat)] += n
        if book:
            for feat, n in _count_tags(_chunks(zf, book), {b"ext": ""}).items():
                counts[("workbook", feat)] += n
    return counts


def dropped_features(before: Inventory, after: Inventory) -> list[Problem]:
    """WOULD_DROP_FEATURE for every (sheet, feature) the new package has fewer of."""
    problems = []
    for (where, feature), count in sorted(before.items()):
        left = after.get((where, feature), 0)
        if left < count:
            problems.append(
                error(
                    ProblemCode.WOULD_DROP_FEATURE,
                    f"saving would drop {count - left} of {count} {feature}"
                    + ("" if where == "workbook" else f" on sheet {where!r}"),
                    sheet="" if where == "workbook" else where,
                    hint="salesgoal cannot keep this; remove it, or save again with "
                    "--allow-feature-loss (a backup of the current file is kept)",
                    category=Category.FILE,
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Cached formula results.


def strict_formulas() -> bool:
    """Whether a formula the evaluator cannot compute fails the save (tests) or is left bare."""
    return os.environ.get(STRICT_FORMULAS_ENV) == "1"


def cached_value_parts(
    read_part: Callable[[str], bytes | None], part_names: Iterable[str]
) -> tuple[dict[str, bytes], CacheReport]:
    """New sheet parts with every formula's cached result, and workbook.xml asking Excel to
    recalculate on open anyway.

    Outside strict mode an evaluator failure never blocks a save: the sheets' formulas lose
    their cached values instead (so none is stale; Excel recalculates them) and the report
    says why.
    """
    strict = strict_formulas()
    workbook = read_part("xl/workbook.xml")
    if workbook is None:
        return {}, CacheReport(0, ())
    try:
        parts, report = cache_formula_values(read_part, strict=strict)
    except Exception as exc:
        if strict:
            raise
        failed = Uncached("", "", "", f"{type(exc).__name__}: {exc}")
        parts, report = {}, CacheReport(0, (failed,))
        for name in part_names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = read_part(name) or b""
                stripped = strip_cached_formula_values(xml)
                if stripped is not xml:
                    parts[name] = stripped
    forced = force_full_calculation(workbook)
    if forced != workbook:
        parts["xl/workbook.xml"] = forced
    return parts, report


def _copy_package(source: Path, destination: Path, new_parts: Mapping[str, bytes]) -> None:
    """Write `source` to `destination` with `new_parts` replaced or added, all else copied."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(destination, "w") as dst:
        seen = set()
        for info in src.infolist():
            seen.add(info.filename)
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            if info.filename in new_parts:
                copy.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(copy, new_parts[info.filename])
                continue
            copy.compress_type = info.compress_type
            copy.file_size = info.file_size
            with src.open(info) as reader, dst.open(copy, "w") as writer:
                shutil.copyfileobj(reader, writer, CHUNK)
        for name, data in new_parts.items():
            if name not in seen:
                dst.writestr(
                    zipfile.ZipInfo(name, datetime.now().timetuple()[:6]),
                    data,
                    compress_type=zipfile.ZIP_DEFLATED,
                )


def _part_reader(archive: zipfile.ZipFile) -> Callable[[str], bytes | None]:
    names = set(archive.namelist())
    return lambda name: archive.read(name) if name in names else None


# --------------------------------------------------------------------------------------------
# The door.


def _failed(message: str, exc: BaseException | None = None, hint: str = "") -> ProblemsFound:
    detail = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return ProblemsFound(
        [
            error(
                ProblemCode.SAVE_FAILED,
                f"{message}{detail}; the original file was not changed",
                hint=hint or "check there is free disk space and the folder is writable",
                category=Category.FILE,
            )
        ]
    )


def _locked(target: Path) -> ProblemsFound:
    return ProblemsFound(
        [
            lock_problem(target, writing=True)
            or error(
                ProblemCode.FILE_LOCKED,
                f"{target.name} cannot be written: permission denied (is it open in Excel?)",
                hint="close it in Excel and check you may write to the file and its folder",
                category=Category.FILE,
            )
        ],
        str(target),
    )


def verify_package(path: Path) -> None:
    """Raise unless `path` is an intact zip that openpyxl opens (the new file must reopen)."""
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(f"part {bad} is damaged")
    workbook = load_workbook_safely(path, read_only=True)
    try:
        if not workbook.sheetnames:
            raise ValueError("the workbook has no sheets")
    finally:
        workbook.close()


def _backup_path(target: Path) -> Path:
    folder = target.parent / BACKUP_DIR
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{target.stem}-{stamp}{target.suffix}"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{target.stem}-{stamp}-{counter}{target.suffix}"
        counter += 1
    return candidate


def _prune_backups(target: Path) -> None:
    folder = target.parent / BACKUP_DIR
    pattern = re.compile(
        re.escape(target.stem) + r"-\d{8}-\d{6}(-\d+)?" + re.escape(target.suffix) + "$"
    )
    mine = sorted(
        (p for p in folder.iterdir() if pattern.match(p.name)),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    for old in mine[:-KEEP_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class _Written:
    """What a writer did beyond the file: the formula report, the XML parts to check."""

    formulas: CacheReport | None = None
    xml_parts: tuple[str, ...] = ()


def _commit(
    target: Path,
    write: WorkbookWriter,
    *,
    backup: bool,
    allow_feature_loss: bool,
    compare_with: Path | None,
    written: _Written,
) -> SaveReport:
    """Write through `write` to a temporary file, check it, back up, then replace `target`."""
    locked = lock_problem(target, writing=True)
    if locked:
        raise ProblemsFound([locked], str(target))
    if not target.parent.is_dir():
        raise _failed(f"the folder {target.parent} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".~salesgoal-{target.stem}-", suffix=".xlsx", dir=target.parent
        )
        os.close(fd)
    except PermissionError as exc:
        raise _locked(target) from exc
    except OSError as exc:
        raise _failed(f"cannot create a temporary file beside {target.name}", exc) from exc
    tmp = Path(tmp_name)
    try:
        try:
            write(tmp)
        except ProblemsFound:
            raise
        except PermissionError as exc:
            raise _locked(target) from exc
        # A writer may fail in any way; the user gets a problem, the original stays intact.
        except Exception as exc:
            raise _failed(f"writing the new version of {target.name} failed", exc) from exc
        try:
            verify_package(tmp)
            _verify_xml_parts(tmp, written.xml_parts)
        except ProblemsFound as found:
            raise _failed(
                f"the new version of {target.name} did not reopen: "
                + "; ".join(p.message for p in found.problems),
            ) from found
        except Exception as exc:
            raise _failed(f"the new version of {target.name} did not reopen", exc) from exc
        reference = compare_with or (target if target.exists() else None)
        dropped: list[Problem] = []
        if reference is not None:
            try:
                dropped = dropped_features(package_inventory(reference), package_inventory(tmp))
            except Exception as exc:
                # Replacing a file on purpose (feature loss allowed, a backup kept): an old
                # file that is not even a workbook has nothing to compare with.
                if not allow_feature_loss:
                    raise _failed(
                        f"cannot compare the new version with {reference.name}", exc
                    ) from exc
        if dropped and not allow_feature_loss:
            raise ProblemsFound(dropped, str(target))
        backup_path = None
        if target.exists() and (backup or dropped):
            backup_path = _backup_path(target)
            try:
                backup_path.parent.mkdir(exist_ok=True)
                shutil.copy2(target, backup_path)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    backup_path.unlink()
                raise _failed(f"cannot keep a backup of {target.name}", exc) from exc
        try:
            if target.exists():
                shutil.copymode(target, tmp)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            _fsync(tmp)
            os.replace(tmp, target)
        except PermissionError as exc:
            raise _locked(target) from exc
        except OSError as exc:
            raise _failed(f"replacing {target.name} failed", exc) from exc
        _fsync(target.parent)
        if backup_path is not None:
            with contextlib.suppress(OSError):
                _prune_backups(target)
        return SaveReport(target, backup_path, tuple(dropped), written.formulas)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def save_atomically(
    source: Any,
    path: str | Path,
    *,
    backup: bool = True,
    allow_feature_loss: bool = False,
    compare_with: str | Path | None = None,
) -> SaveReport:
    """Save an openpyxl Workbook (or call `source(tmp_path)`) to `path` through the door.

    The new file is compared with the file it replaces (or with `compare_with`, the file the
    workbook was loaded from, when saving elsewhere); anything it would lose raises
    ProblemsFound(WOULD_DROP_FEATURE), unless `allow_feature_loss`, which still keeps a backup.
    Raises ProblemsFound(FILE_LOCKED / SAVE_FAILED) on failure, leaving `path` untouched.
    """

    written = _Written()

    def write(tmp: Path) -> None:
        raw = tmp.with_name(tmp.stem + "-uncached" + tmp.suffix)
        try:
            if hasattr(source, "save"):
                source.save(raw)
            else:
                source(raw)
            if not zipfile.is_zipfile(raw):
                os.replace(raw, tmp)  # not a package: the checks after writing say so
                return
            with zipfile.ZipFile(raw) as archive:
                parts, written.formulas = cached_value_parts(
                    _part_reader(archive), archive.namelist()
                )
            if parts:
                _copy_package(raw, tmp, parts)
            else:
                os.replace(raw, tmp)
            written.xml_parts = tuple(parts)
        finally:
            raw.unlink(missing_ok=True)

    return _commit(
        Path(path),
        write,
        backup=backup,
        allow_feature_loss=allow_feature_loss,
        compare_with=Path(compare_with) if compare_with is not None else None,
        written=written,
    )


def _verify_xml_parts(path: Path, names: tuple[str, ...]) -> None:
    """Each replaced part must be well-formed XML without a DTD.

    A bare expat parser checks well-formedness without building a tree, so a sheet part of
    a hundred thousand rows takes a fraction of a second rather than tens of seconds.
    """
    if not names:
        return
    with zipfile.ZipFile(path) as zf:
        for name in names:
            parser = xml.parsers.expat.ParserCreate()
            parser.StartDoctypeDeclHandler = _refuse_doctype
            with zf.open(name) as handle:
                parser.ParseFile(handle)


def _refuse_doctype(*_args: object) -> None:
    raise ValueError("a replaced part declares a DTD")


def replace_parts(
    path: str | Path,
    new_parts: Mapping[str, bytes],
    *,
    backup: bool = True,
    allow_feature_loss: bool = False,
) -> SaveReport:
    """Rewrite the package at `path` with `new_parts` replaced or added, all else copied.

    Every other part keeps its exact bytes, name, order and timestamp, except the sheets
    whose formulas get their cached results and workbook.xml's recalculate-on-open flag (see
    `cached_value_parts`); new parts go at the end. Adding a part does not register its
    content type or relationships: include the updated `[Content_Types].xml` or `.rels`
    parts in `new_parts` when needed. XML parts in `new_parts` must be well-formed (checked
    before anything is replaced).
    """
    target = Path(path)
    written = _Written()

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(target) as src:
            names = set(src.namelist())

            def read(name: str) -> bytes | None:
                if name in new_parts:
                    return new_parts[name]
                return src.read(name) if name in names else None

            cached, written.formulas = cached_value_parts(read, names | set(new_parts))
        parts = {**new_parts, **cached}
        _copy_package(target, tmp, parts)
        written.xml_parts = tuple(n for n in parts if n.endswith((".xml", ".rels", ".vml")))

    if not target.is_file():
        raise _failed(f"{target} does not exist, so it has no parts to replace")
    return _commit(
        target,
        write,
        backup=backup,
        allow_feature_loss=allow_feature_loss,
        compare_with=None,
        written=written,
    )
