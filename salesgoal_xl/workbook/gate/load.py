"""Loading with openpyxl after the gate: defusedxml asserted, and every library exception
turned into a `Problem` with a stable code (`open_workbook` is the one way in)."""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final
from xml.etree.ElementTree import ParseError

from salesgoal_xl.core.problems import (
    FileRefused,
    Problem,
    ProblemCode,
    ProblemsFound,
    Severity,
    has_errors,
)
from salesgoal_xl.workbook.gate.inspection import inspect_package
from salesgoal_xl.workbook.gate.limits import Limits
from salesgoal_xl.workbook.gate.refusal import REPAIR_HINT, describe_part, file_problem

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


def assert_defusedxml() -> None:
    """Fail closed unless openpyxl parses XML through defusedxml."""
    import openpyxl.xml
    import openpyxl.xml.functions

    parser_module = getattr(openpyxl.xml.functions, "fromstring", None)
    module_name = getattr(parser_module, "__module__", "") or ""
    if openpyxl.xml.DEFUSEDXML is not True or not module_name.startswith("defusedxml"):
        raise ProblemsFound(
            [
                file_problem(
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


# openpyxl's reader methods, by what they read, so a failure can be named in the user's terms.
_READER_STEPS: Final = {
    "read_manifest": describe_part("[Content_Types].xml"),
    "read_strings": describe_part("xl/sharedStrings.xml"),
    "read_workbook": describe_part("xl/workbook.xml"),
    "read_properties": describe_part("docProps/core.xml"),
    "read_custom": describe_part("docProps/custom.xml"),
    "read_theme": describe_part("xl/theme/theme1.xml"),
    "apply_stylesheet": describe_part("xl/styles.xml"),
    "assign_names": "a defined name (Formulas > Name Manager)",
}
_SHEET_STEPS: Final = ("read_worksheets", "read_chartsheet")
_MISSING_PART = re.compile(r"named '([^']{1,200})'")


def _failed_step(chain: list[BaseException]) -> str:
    """What openpyxl was reading when it failed ("the sheet 'History'", "xl/styles.xml (the
    cell styles)"), from the reader methods on the failure's stack; '' when unknown."""
    for link in chain:
        frames = link.__traceback__
        while frames is not None:
            code = frames.tb_frame.f_code
            if "openpyxl" in code.co_filename:
                if code.co_name in _SHEET_STEPS:
                    sheet = getattr(frames.tb_frame.f_locals.get("sheet"), "name", "")
                    return (
                        f"the sheet {sheet!r}"
                        if isinstance(sheet, str) and sheet
                        else ("one of its sheets")
                    )
                if code.co_name in _READER_STEPS:
                    return _READER_STEPS[code.co_name]
            frames = frames.tb_next
    return ""


def problem_from_exception(exc: BaseException, name: str) -> Problem:
    """A stable-code problem for anything a library raised while reading `name`.

    The message says what is wrong in the user's terms (which part or sheet, what to do);
    the library's own exception text is never shown.
    """
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    chain = list(_exception_chain(exc))
    if any(isinstance(e, DefusedXmlException) for e in chain):
        return file_problem(
            ProblemCode.XML_ENTITIES,
            f"{name} declares a DTD or XML entities (a known attack); it was not read",
            "do not open this file; ask the sender for a workbook saved by Excel",
        )
    if any(isinstance(e, MemoryError) for e in chain):
        return file_problem(
            ProblemCode.FILE_TOO_LARGE,
            f"{name} is too large to read into memory",
            "remove old history or unused sheets, or split the plan into several files",
        )
    if isinstance(exc, PermissionError):
        return file_problem(
            ProblemCode.FILE_LOCKED,
            f"{name} cannot be read: permission denied (is it open in another program?)",
            "close it in Excel and check you have access to the file",
        )
    if isinstance(exc, FileNotFoundError):
        return file_problem(ProblemCode.FILE_NOT_FOUND, f"{name} does not exist")
    if isinstance(exc, InvalidFileException):
        return file_problem(ProblemCode.NOT_XLSX, f"{name} is not an Excel workbook (.xlsx)")
    if any(isinstance(e, (zipfile.BadZipFile, EOFError, zlib.error)) for e in chain):
        return file_problem(
            ProblemCode.TRUNCATED,
            f"{name} is damaged or cut off",
            "the download or copy probably did not finish; get the file again",
        )
    if isinstance(exc, OSError):
        return file_problem(
            ProblemCode.UNREADABLE,
            f"{name} cannot be read from its drive",
            "check the file is on a reachable drive and try again",
        )
    where = _failed_step(chain)
    missing = next((e for e in chain if isinstance(e, KeyError)), None)
    if missing is not None:
        part = _MISSING_PART.search(str(missing))
        what = f"the part {part[1]}" if part else "a part"
        detail = f"{where or 'it'} refers to {what}, which is missing from the file"
    elif any(isinstance(e, (ParseError, SyntaxError)) for e in chain):
        detail = f"{where or 'one of its parts'} is not well-formed XML"
    elif where:
        detail = f"{where} holds something that is damaged or not what Excel writes"
    else:
        detail = "something in it is damaged or not what Excel writes"
    return file_problem(
        ProblemCode.UNREADABLE,
        f"{name} could not be read as a workbook: {detail}",
        REPAIR_HINT,
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
        raise FileRefused([problem_from_exception(exc, target.name)], str(path)) from None


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
        raise FileRefused(problems, str(path))
    if warnings_out is not None:
        warnings_out.extend(p for p in problems if p.severity is not Severity.ERROR)
    return load_workbook_safely(path, read_only=read_only, data_only=data_only)
