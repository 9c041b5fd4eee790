"""`new` and `templates`: build a planning workbook, or the three language templates."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.workbook.builder import build_workbook, default_fiscal_year, save_workbook
from salesgoal_xl.workbook.schema import LANGUAGES, SETTINGS_BY_KEY

if TYPE_CHECKING:
    from openpyxl import Workbook

TEMPLATE_NAME: Final = "planning-template-{lang}.xlsx"


class NewWorkbookError(SalesgoalError, ValueError):
    """A workbook cannot be built as asked (bad language, month, year or path)."""


def template_path(directory: str | Path, lang: str) -> Path:
    """Where the template for `lang` lives in `directory`."""
    return Path(directory) / TEMPLATE_NAME.format(lang=lang)


def check_options(lang: str, year: int | None, first_month: int) -> None:
    """Raise NewWorkbookError naming what was expected when an option is out of range."""
    if lang not in LANGUAGES:
        raise NewWorkbookError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    if not isinstance(first_month, int) or not 1 <= first_month <= 12:
        raise NewWorkbookError(f"first month must be a whole number 1-12 (got {first_month})")
    spec = SETTINGS_BY_KEY["fiscal_year"]
    low, high = int(spec.minimum or 0), int(spec.maximum or 9999)
    if year is not None and not low <= year <= high:
        raise NewWorkbookError(f"fiscal year must be between {low} and {high} (got {year})")


def new_workbook(
    path: str | Path,
    lang: str = "en",
    year: int | None = None,
    first_month: int = 1,
    force: bool = False,
    data: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Build a new planning workbook at `path` and return the path written.

    `year` is the fiscal year, named by the calendar year in which it ends (default: the one
    running today). Refuses to replace an existing file unless `force`. `data` optionally
    fills tables (by table name, columns by schema key), as the demo does.
    """
    check_options(lang, year, first_month)
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise NewWorkbookError(f"a planning workbook is an .xlsx file (got {target.name!r})")
    if target.exists() and not force:
        raise NewWorkbookError(f"{target} already exists; pass --force to replace it")
    if target.is_dir():
        raise NewWorkbookError(f"{target} is a folder, not a file name")
    wb = build_workbook(
        lang,
        fiscal_year=year if year is not None else default_fiscal_year(first_month),
        first_month=first_month,
        data=data,
        plan_id=uuid.uuid4().hex[:12],
    )
    return save_workbook(wb, target)


def write_templates(directory: str | Path) -> list[Path]:
    """Write the English, Traditional and Simplified Chinese templates into `directory`."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise NewWorkbookError(f"{folder} is a file, not a folder")
    return [
        save_workbook(build_template(lang), template_path(folder, lang), backup=False)
        for lang in LANGUAGES
    ]


def build_template(lang: str) -> Workbook:
    """The template for `lang`: default settings, no data, no plan id."""
    year = int(str(SETTINGS_BY_KEY["fiscal_year"].default))
    first_month = int(str(SETTINGS_BY_KEY["first_month"].default))
    return build_workbook(lang, fiscal_year=year, first_month=first_month)
