"""How the gate reports: file-category problems, and `Refused`, which stops an inspection
because one problem makes the rest meaningless."""

from __future__ import annotations

from salesgoal_xl.core.problems import Category, Problem, ProblemCode, error, warning


def file_problem(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    return error(code, message, hint=hint, sheet=sheet, category=Category.FILE)


def file_warning(code: ProblemCode, message: str, hint: str = "", *, sheet: str = "") -> Problem:
    return warning(code, message, hint=hint, sheet=sheet, category=Category.FILE)


class Refused(Exception):  # noqa: N818 -- control flow inside the gate package, not an error type
    """Stop inspecting: this problem makes the rest meaningless."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def damaged(name: str, part: str, exc: BaseException) -> Refused:
    return Refused(
        file_problem(
            ProblemCode.TRUNCATED,
            f"{name} is damaged: the part {part} cannot be read back intact ({exc})",
            "the download or copy probably did not finish; get the file again",
        )
    )
