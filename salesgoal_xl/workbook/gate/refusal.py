"""How the gate reports: file-category problems in the user's terms (never a library's own
exception text), and `Refused`, which stops an inspection when one problem makes the rest
meaningless."""

from __future__ import annotations

from typing import Final

from salesgoal_xl.core.problems import (
    Category,
    FileRefused,
    Problem,
    ProblemCode,
    error,
    warning,
)

REPAIR_HINT: Final = (
    "open it in Excel and save it again; if Excel offers to repair it, save the repaired copy"
)
# What the structural parts are, for people who have never looked inside an .xlsx.
_PART_ROLES: Final = {
    "[Content_Types].xml": "the list of what each part holds",
    "_rels/.rels": "the pointer to the workbook inside the file",
    "xl/workbook.xml": "the list of sheets",
    "xl/_rels/workbook.xml.rels": "the links from the workbook to its sheets",
    "xl/styles.xml": "the cell styles",
    "xl/sharedStrings.xml": "the texts shared by the cells",
    "xl/theme/theme1.xml": "the colour theme",
    "docProps/core.xml": "the document properties",
    "docProps/custom.xml": "the custom document properties",
}


def file_problem(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    """An error about the file itself (a `check` of it exits 2)."""
    return error(code, message, hint=hint, sheet=sheet, category=Category.FILE)


def file_warning(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    """A warning about the file itself; the file is still read."""
    return warning(code, message, hint=hint, sheet=sheet, category=Category.FILE)


class Refused(FileRefused):
    """Stop inspecting: this problem makes the rest meaningless.

    It is a `ProblemsFound`, so if it ever leaves the gate (the door uses the gate's part
    readers) a command still reports the problem instead of crashing.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__([problem])
        self.problem = problem


def describe_part(part: str) -> str:
    """'xl/workbook.xml (the list of sheets)', or the bare part name for other parts."""
    role = _PART_ROLES.get(part)
    return f"{part} ({role})" if role else part


def damaged(name: str, part: str) -> Refused:
    """TRUNCATED: a part whose compressed data does not read back intact."""
    return Refused(
        file_problem(
            ProblemCode.TRUNCATED,
            f"{name} is damaged: the part {describe_part(part)} cannot be read back intact",
            "the download or copy probably did not finish; get the file again",
        )
    )


def malformed(name: str, part: str) -> Refused:
    """UNREADABLE: a structural part that is not well-formed XML."""
    return Refused(
        file_problem(
            ProblemCode.UNREADABLE,
            f"{name} is damaged: {describe_part(part)} is not well-formed XML",
            REPAIR_HINT,
        )
    )
