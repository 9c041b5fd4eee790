"""Loading with openpyxl after the gate: defusedxml asserted, and every library exception
turned into a `Problem` with a stable code (`open_workbook` is the one way in)."""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, Severity, has_errors
from salesgoal_xl.workbook.gate.inspection import inspect_package
from salesgoal_xl.workbook.gate.limits import Limits
from salesgoal_xl.workbook.gate.refusal import file_problem

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


def problem_from_exception(exc: BaseException, name: str) -> Problem:
    """A stable-code problem for anything a library raised while reading `name`."""
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    chain = list(_exception_chain(exc))
    kind = type(exc).__name__
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
            f"{name} is damaged or cut off ({kind})",
            "the download or copy probably did not finish; get the file again",
        )
    detail = str(exc).splitlines()[0][:160] if str(exc) else kind
    if isinstance(exc, KeyError):
        detail = f"a part it refers to is missing: {detail}"
    elif any(isinstance(e, (ParseError, SyntaxError)) for e in chain):
        detail = "some of its XML is not well-formed"
    return file_problem(
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
