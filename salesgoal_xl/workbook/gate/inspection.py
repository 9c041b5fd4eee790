"""`inspect_package`: every file-level problem of a path, in order from the cheapest look
(does it exist, its size, its first bytes) to a full streamed read of every part."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from salesgoal_xl.core.problems import Problem, ProblemCode, has_errors
from salesgoal_xl.workbook.gate.features import dde_problem, feature_problems, is_dde_formula
from salesgoal_xl.workbook.gate.limits import KB, MB, Limits, check_sizes
from salesgoal_xl.workbook.gate.locks import lock_problem
from salesgoal_xl.workbook.gate.refusal import REPAIR_HINT, Refused, file_problem
from salesgoal_xl.workbook.gate.sniff import (
    CFB_MAGIC,
    EMPTY_ZIP_MAGIC,
    ZIP_MAGIC,
    sniff_compound_file,
    sniff_text,
)
from salesgoal_xl.workbook.gate.stream import stream_all_parts
from salesgoal_xl.workbook.gate.xmlscan import (
    WORKBOOK_TYPES,
    defined_names,
    is_strict,
    read_content_types,
    scan_for_entities,
    sheet_parts,
    tree,
    workbook_part,
)


def inspect_package(path: str | Path, limits: Limits | None = None) -> list[Problem]:
    """Every file-level problem of `path`, found from its bytes before any parser reads it."""
    limits = limits or Limits()
    target = Path(path)
    problems: list[Problem] = []
    try:
        problems.extend(_inspect(target, limits))
    except Refused as refused:
        problems.append(refused.problem)
    # What a hostile or damaged zip can still make the standard library raise past the
    # checks above; each becomes a problem in the user's terms, never a traceback.
    except (zipfile.BadZipFile, EOFError, zlib.error):
        problems.append(
            file_problem(
                ProblemCode.TRUNCATED,
                f"{target.name} is damaged or cut off",
                "the download or copy probably did not finish; get the file again",
            )
        )
    except (ParseError, ValueError, NotImplementedError):
        problems.append(
            file_problem(
                ProblemCode.UNREADABLE,
                f"{target.name} is damaged: its parts are not what Excel writes",
                REPAIR_HINT,
            )
        )
    except PermissionError:
        problems.append(
            lock_problem(target, writing=True)
            or file_problem(
                ProblemCode.UNREADABLE,
                f"{target.name} cannot be read: permission denied",
                "check you have access to the file and its folder",
            )
        )
    except OSError as exc:
        problems.append(
            file_problem(
                ProblemCode.UNREADABLE,
                f"{target.name} cannot be read from its drive"
                + (f" ({exc.strerror.lower()})" if exc.strerror else ""),
                "check the file is on a reachable drive and try again",
            )
        )
    return problems


def _inspect(target: Path, limits: Limits) -> list[Problem]:
    name = target.name
    if not target.exists():
        return [
            file_problem(
                ProblemCode.FILE_NOT_FOUND,
                f"{target} does not exist",
                "check the path and file name",
            )
        ]
    if not target.is_file():
        return [file_problem(ProblemCode.NOT_XLSX, f"{target} is a folder, not a workbook file")]
    size = target.stat().st_size
    if size == 0:
        return [
            file_problem(
                ProblemCode.EMPTY_FILE,
                f"{name} is empty (0 bytes)",
                "the save or download probably failed; get the file again",
            )
        ]
    if size > limits.max_file_bytes:
        return [
            file_problem(
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
            return [*problems, sniff_compound_file(fh, name)]
        if head.startswith(EMPTY_ZIP_MAGIC):
            return [
                *problems,
                file_problem(ProblemCode.NOT_XLSX, f"{name} is an empty zip archive"),
            ]
        if not head.startswith(ZIP_MAGIC):
            return [*problems, sniff_text(head, name)]
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, EOFError, ValueError, IndexError):
            return [
                *problems,
                file_problem(
                    ProblemCode.TRUNCATED,
                    f"{name} is cut off or damaged: it starts like a workbook but its zip "
                    "directory is missing or broken",
                    "the download or copy probably did not finish; get the file again",
                ),
            ]
        with zf:
            problems.extend(_inspect_zip(zf, name, limits))
    return problems


def _inspect_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> list[Problem]:
    infos_list = zf.infolist()
    if len(infos_list) > limits.max_parts:
        raise Refused(
            file_problem(
                ProblemCode.TOO_MANY_PARTS,
                f"{name} has {len(infos_list):,} parts inside; the limit is {limits.max_parts:,}",
                "this is not a normal workbook; re-save it from Excel or get the original",
            )
        )
    check_sizes(infos_list, name, limits)
    infos = {info.filename: info for info in infos_list}
    if "[Content_Types].xml" not in infos:
        raise Refused(
            file_problem(
                ProblemCode.NOT_XLSX,
                f"{name} is a zip archive but not an Excel workbook (no [Content_Types].xml)",
                "check you picked the right file",
            )
        )
    # Entity declarations are checked first, so no structural part is parsed while one exists.
    problems = scan_for_entities(zf, infos_list, name)
    if has_errors(problems):
        return problems
    content_types = read_content_types(zf, infos, limits, name)
    book = workbook_part(zf, infos, limits, file_name=name)
    book_type = content_types.get(book, "")
    book_root = (
        tree(zf, infos[book], limits, file_name=name) if book_type in WORKBOOK_TYPES else None
    )
    if is_strict(zf, infos, limits, book_root, file_name=name):
        raise Refused(
            file_problem(
                ProblemCode.STRICT_OOXML,
                f"{name} is saved as Strict Open XML, which salesgoal cannot read",
                "open it in Excel and use File > Save As > Excel Workbook (.xlsx), "
                "not Strict Open XML Spreadsheet",
            )
        )
    if book_root is None:
        if "binary" in book_type or book.endswith(".bin"):
            what = "a binary Excel workbook (.xlsb)"
        elif "mimetype" in infos:
            what = "an OpenDocument file (.ods or similar)"
        else:
            what = "a zip archive but not an Excel workbook"
        raise Refused(
            file_problem(
                ProblemCode.NOT_XLSX,
                f"{name} is {what}",
                "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
            )
        )
    sheets = sheet_parts(zf, infos, limits, book, file_name=name)
    problems.extend(feature_problems(zf, infos, content_types, book_type, sheets, name, limits))
    for defined, formula in defined_names(book_root):
        if is_dde_formula(formula):
            problems.append(dde_problem(f"the name {defined!r} refers to {formula[:80]!r}"))
    problems.extend(stream_all_parts(zf, infos_list, sheets, content_types, name, limits))
    return problems
