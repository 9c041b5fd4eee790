"""What a cell's value means: blank or not, a number typed as text, a code, a setting.

Pure functions over the values a reader returns (openpyxl's or the package reader's), so
every adapter and command interprets cells the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator
from enum import Enum
from functools import lru_cache
from typing import Any

from salesgoal_xl.core.problems import ProblemCode, Severity
from salesgoal_xl.workbook.schema import (
    Column,
    ColumnType,
    Role,
    Setting,
    choice_label,
    choice_lookup,
    normalise_header,
)


def is_blank(value: object) -> bool:
    """True for None, NaN and whitespace-only text: what an empty cell reads as."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


NUMERIC_TYPES = frozenset(
    {ColumnType.INTEGER, ColumnType.MONEY, ColumnType.NUMBER, ColumnType.PERCENT}
)


class NumberText(Enum):
    """What a text in a numeric cell turns out to be."""

    PLAIN = "plain"  # '1234.5', '-3', '25%', full-width digits: one unambiguous reading
    LOCALE = "locale"  # '1.000,50', '1,000.50', '12 345', '$100': separators or symbols
    NOT_NUMBER = "not_number"


_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_AMBIGUOUS_DOT = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")  # '1.000': one, or one thousand?
_GROUPED = re.compile(r"[+-]?\d[\d.,' \u00a0\u202f]*\d")  # digits with any separators
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_DECORATION = re.compile(r"^\((.*)\)$|[$€£¥￥]|\b(USD|EUR|TWD|NTD|RMB|CNY|JPY|HKD)\b", re.I)


def classify_number_text(text: str) -> tuple[NumberText, float | None, tuple[float, ...]]:
    """Classify a text found in a numeric cell: kind, plain value, and locale readings.

    Plain text with one reading ('1234.5', '25%', '１２３') gives its value; text with
    thousands separators, a comma decimal or a currency symbol gives the values it could
    mean under the common locales, so a message can show the ambiguity.
    """
    body = unicodedata.normalize("NFKC", text).strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    scale = 0.01 if percent else 1.0
    if _PLAIN.fullmatch(body) and not _AMBIGUOUS_DOT.fullmatch(body):
        return NumberText.PLAIN, float(body) * scale, ()
    undecorated = _DECORATION.sub(lambda m: m.group(1) or "", body).strip()
    candidates = (undecorated,) if undecorated else ()
    for candidate in candidates:
        if (
            _PLAIN.fullmatch(candidate)
            or _GROUPED.fullmatch(candidate)
            or _COMMA_DECIMAL.fullmatch(candidate)
        ):
            sign = -1.0 if body.startswith("(") else 1.0
            readings = tuple(sorted({sign * r * scale for r in _readings(candidate)}))
            return NumberText.LOCALE, None, readings
    return NumberText.NOT_NUMBER, None, ()


# Spaces and apostrophes group thousands in both conventions (fr/ch/zh text exports).
_DOT_DECIMAL = re.compile(r"\d{1,3}([,' \u00a0\u202f]\d{3})*(\.\d+)?|\d+\.\d+")
_COMMA_DECIMAL_FULL = re.compile(r"\d{1,3}([.' \u00a0\u202f]\d{3})*(,\d+)?|\d+,\d+")
_DOT_GROUPING = re.compile(r"[,' \u00a0\u202f]")
_COMMA_GROUPING = re.compile(r"[.' \u00a0\u202f]")


def _readings(text: str) -> Iterator[float]:
    """The values `text` can mean as a dot-decimal and as a comma-decimal number."""
    digits = text.lstrip("+-")
    sign = -1.0 if text.startswith("-") else 1.0
    if _DOT_DECIMAL.fullmatch(digits):
        yield sign * float(_DOT_GROUPING.sub("", digits))
    if _COMMA_DECIMAL_FULL.fullmatch(digits):
        yield sign * float(_COMMA_GROUPING.sub("", digits).replace(",", "."))


def code_text(value: object) -> str:
    """A code as compared between tables: text trimmed; 1001 and 1001.0 both read '1001'."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@lru_cache(maxsize=64)  # one lookup per list of choices in the schema
def _choice_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    return choice_lookup(choices)


def choice_code(choices: tuple[str, ...], value: object) -> str | None:
    """The code among `choices` that a cell's value stands for, or None when it is none of them.

    The one place a choice is read: the code itself or its text in any of the three languages
    (a zh-Hant workbook whose method says 歷史, 历史 or history means `history`), trimmed,
    case-insensitive, full-width letters as plain ones. The readers, the checks, the settings
    and the live path all come here.
    """
    if not isinstance(value, str | int | float) or isinstance(value, bool) or is_blank(value):
        return None
    text = normalise_header(unicodedata.normalize("NFKC", code_text(value)))
    return _choice_lookup(choices).get(text)


def choice_text(code: str, lang: str) -> str:
    """Choice `code` as a workbook in `lang` shows it (and the writers write it)."""
    return choice_label(code).get(lang)


def choices_text(choices: tuple[str, ...], lang: str) -> str:
    """The allowed values of a list, as messages show them in the workbook's language."""
    return ", ".join(choice_text(code, lang) for code in choices)


def parse_setting(spec: Setting, raw: Any, lang: str = "en") -> Any:
    """One setting value typed and bounded; ValueError says what was expected and what came."""
    if spec.type in NUMERIC_TYPES:
        number = _setting_number(raw)
        if spec.type is ColumnType.INTEGER:
            if not float(number).is_integer():
                raise ValueError(f"expected a whole number (got {raw!r})")
            number = int(number)
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"must be >= {spec.minimum:g} (got {raw!r})")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"must be <= {spec.maximum:g} (got {raw!r})")
        return number
    if isinstance(raw, dt.datetime | dt.date | bool):
        raise ValueError(f"expected text (got {raw!r})")
    if spec.choices:
        code = choice_code(spec.choices, raw)
        if code is None:
            raise ValueError(f"expected one of {choices_text(spec.choices, lang)} (got {raw!r})")
        return code
    return code_text(raw)


def _setting_number(raw: Any) -> float:
    if isinstance(raw, bool | dt.datetime | dt.date):
        raise ValueError(f"expected a number (got {raw!r})")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"expected a number (got {raw!r})")
        return float(raw) if isinstance(raw, float) else raw
    kind, value, _ = classify_number_text(str(raw))
    if kind is NumberText.PLAIN and value is not None:
        return value
    raise ValueError(f"expected a number (got {raw!r})")


def plain_number(value: Any) -> Any:
    """Text with one possible numeric reading ('1234.5') as that number; else unchanged."""
    if isinstance(value, str):
        kind, number, _ = classify_number_text(value)
        if kind is NumberText.PLAIN and number is not None:
            return int(number) if number.is_integer() and "." not in value else number
    return value


ERROR_LITERALS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!"}
)
"""Excel's error values as text (what a cached error or a pasted one reads as)."""


def error_value_problem(value: Any, label: str) -> tuple[ProblemCode, str, str] | None:
    """ERROR_VALUE when `value` is one of Excel's error values (#REF!, #VALUE!, ...)."""
    if isinstance(value, str) and value.strip() in ERROR_LITERALS:
        return (
            ProblemCode.ERROR_VALUE,
            f"{label} holds the error {value.strip()}",
            "type the value itself; an error usually comes from a pasted formula whose "
            "source was deleted",
        )
    return None


def date_problem(value: Any, label: str) -> tuple[ProblemCode, str, str] | None:
    """What is wrong with `value` in a date cell labelled `label`, or None for a date (or a
    blank, or ISO text like 2026-04-01). The one policy for dates in cells."""
    if is_blank(value) or isinstance(value, dt.date):
        return None
    error_value = error_value_problem(value, label)
    if error_value is not None:
        return error_value
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value.strip()[:10])
            return None
        except ValueError:
            pass
    return (
        ProblemCode.BAD_DATE,
        f"{label} must be a date (got {value!r})",
        "type a date like 2026-04-01 and format the cell as a date",
    )


def number_problem(value: Any, label: str) -> tuple[ProblemCode, Severity, str, str] | None:
    """What is wrong with `value` in a numeric cell labelled `label`, or None for a number.

    The one policy for numbers in cells: checks report it, commands refuse its errors.
    """
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            shown = f"the date {value:%Y-%m-%d}"
        elif isinstance(value, dt.date | dt.time):
            shown = f"the {'time' if isinstance(value, dt.time) else 'date'} {value.isoformat()}"
        else:
            shown = str(value)
        return (
            ProblemCode.NOT_A_NUMBER,
            Severity.ERROR,
            f"{label} must be a number (got {shown})",
            "type a number; a cell formatted as a date shows numbers as dates: format it as Number",
        )
    if isinstance(value, int | float):
        if math.isfinite(value):
            return None
        return (
            ProblemCode.NOT_A_NUMBER,
            Severity.ERROR,
            f"{label} must be a finite number",
            "type a number",
        )
    text = str(value)
    kind, number, readings = classify_number_text(text)
    if kind is NumberText.PLAIN:
        return (
            ProblemCode.NUMBER_AS_TEXT,
            Severity.WARNING,
            f"{label} is the text {text!r}; it is read as the number {number:g}",
            "convert it to a number (select the cells, then the warning icon > Convert to Number)",
        )
    if kind is NumberText.LOCALE:
        meaning = " or ".join(format_number(r) for r in readings)
        could = f"it could mean {meaning}" if len(readings) > 1 else f"it may mean {meaning}"
        return (
            ProblemCode.LOCALE_NUMBER,
            Severity.ERROR,
            f"{label} is the text {text!r} written with separators or a symbol; "
            + (f"{could}, so " if readings else "")
            + "it is not read",
            "type the number without thousands separators or currency symbols, using a dot "
            "for decimals (e.g. 1000.50), as a number cell",
        )
    return (
        ProblemCode.NOT_A_NUMBER,
        Severity.ERROR,
        f"{label} must be a number (got the text {text[:60]!r})",
        "type a number, or leave the cell empty",
    )


def format_number(number: float) -> str:
    """A number as messages show it: grouped thousands, no needless decimals."""
    return f"{number:,.2f}".rstrip("0").rstrip(".")


PERIOD_MONTH = re.compile(r"(\d{4})-(\d{2})")
PERIOD_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def parse_period(value: Any) -> tuple[int, int] | None:
    """(year, month) of a 'YYYY-MM' period, or of the Thursday of a 'YYYY-Www' ISO week."""
    if not isinstance(value, str):
        return None
    return parse_period_text(value)


@lru_cache(maxsize=4096)  # a million rows hold a few dozen distinct periods
def parse_period_text(value: str) -> tuple[int, int] | None:
    text = value.strip()
    month = PERIOD_MONTH.fullmatch(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        return (year, number) if 1 <= number <= 12 else None
    week = PERIOD_WEEK.fullmatch(text)
    if week:
        try:
            thursday = dt.date.fromisocalendar(int(week.group(1)), int(week.group(2)), 4)
        except ValueError:
            return None
        return thursday.year, thursday.month
    return None


def command_values(column: Column, values: list[Any]) -> list[Any]:
    """What a command sees in the cells of `column`, whichever adapter read them.

    The one rule both file adapters (openpyxl and the part-wise reader) apply, so a command
    gets the same frame from either: live formula columns are the workbook's own business
    (None: formula text from one reader, a cached result or nothing from the other); plain
    number text in numeric columns becomes the number; an empty text is blank; codes are
    text (101 and 101.0 read '101'), and a choice in any language is its code; a date at
    midnight in a date or period column is a date. The checks see the cells as stored and
    report what is wrong with them.
    """
    if column.role is Role.FORMULA:
        return [None] * len(values)
    # An empty text cell: openpyxl reads it as None, the part-wise reader as ''.
    values = [None if isinstance(v, str) and not v else v for v in values]
    if column.type in NUMERIC_TYPES:
        return [plain_number(v) for v in values]
    if column.type is ColumnType.CODE and column.choices:
        # A choice in any language reads as its code; anything else stays for the checks.
        # Long tables repeat a few values: each distinct one is looked up once.
        seen: dict[tuple[type, Any], Any] = {}
        read = []
        for v in values:
            key = (v.__class__, v)
            if key not in seen:
                seen[key] = choice_code(column.choices, v) or _code_cell(v)
            read.append(seen[key])
        return read
    if column.type is ColumnType.CODE:
        return [_code_cell(v) for v in values]
    if column.type in (ColumnType.DATE, ColumnType.PERIOD):
        return [_day(v) for v in values]
    return values


MAX_DATE_SERIAL = 2_958_465  # 9999-12-31, Excel's last day
EXCEL_EPOCH = dt.date(1899, 12, 30)
"""Day 0 of Excel's (1900) date system; day 1 is 1900-01-01 thanks to the 1900 leap-year bug."""


def serial_date(value: Any, epoch: dt.date = EXCEL_EPOCH) -> Any:
    """A spreadsheet date serial (a plain number) as the date it stands for; else unchanged.

    Readers that see only the stored number (the part-wise reader, LibreOffice's data
    arrays) pass the numbers of date and period columns through this. A serial outside
    Excel's calendar (before 1900 or after 9999, or not finite) reads as the #VALUE! Excel
    shows.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= MAX_DATE_SERIAL:
            return "#VALUE!"
        return epoch + dt.timedelta(days=int(value))
    return value


def _code_cell(value: Any) -> Any:
    if is_blank(value):
        return None if not isinstance(value, str) else value
    if isinstance(value, str | bool | dt.date | dt.time):
        return value
    return code_text(value)


def _day(value: Any) -> Any:
    """A date cell as the day; one before Excel's day 0 (openpyxl turns a negative serial
    into such a date) reads as the #VALUE! Excel shows, as `serial_date` reads its number."""
    if isinstance(value, dt.date) and _as_day(value) < EXCEL_EPOCH:
        return "#VALUE!"
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _as_day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
