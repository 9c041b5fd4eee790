"""What the cells of an export mean: amounts under the file's number convention, and dates.

An export's amounts are text written by one convention, dot-decimal (1,234.56) or
comma-decimal (1.234,56), which is inferred from all of its amounts together: one amount
like '1.234,56' or '12,5' settles it for the whole file. When no amount settles it and some
read two ways ('1,234' is 1234 or 1.234), the file is refused with both readings unless
the caller names the convention. Currency signs and codes, spaces and apostrophes (which
group thousands in either convention), a leading or trailing minus and parentheses are
allowed. Amounts are exact Decimals, never floats.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final


class Reading(Enum):
    """What one amount text says about the file's convention."""

    EITHER = "either"  # '1234', '-5': reads the same both ways
    DOT = "dot"  # '1,234.5', '12.5', '1,234,567': only dot-decimal reads it
    COMMA = "comma"  # '1.234,5', '12,5', '1.234.567': only comma-decimal reads it
    AMBIGUOUS = "ambiguous"  # '1,234' or '1.234': both read it, differently
    BAD = "bad"  # not an amount at all


DOT: Final = "."
COMMA: Final = ","

_SYMBOLS: Final = str.maketrans("", "", " \u00a0\u202f\u2009'’$€£¥￥₩₹")
_CODE: Final = re.compile(r"^[A-Za-z]{1,3}(?=[\d(+-])|(?<=[\d)-])[A-Za-z]{1,3}$|元$")
_DOT_GROUPED: Final = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_COMMA_GROUPED: Final = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
_ONE_GROUP: Final = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_DECIMAL_DOT: Final = re.compile(r"\d*\.\d+")
_DECIMAL_COMMA: Final = re.compile(r"\d*,\d+")


def _body(text: str) -> tuple[str, bool] | None:
    """The digits and separators of an amount text, and whether it is negative."""
    body = text.translate(_SYMBOLS)
    if not body.isdigit():
        body = unicodedata.normalize("NFKC", body).translate(_SYMBOLS)
        body = _CODE.sub("", body)
    negative = False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1], True
    if body.startswith(("-", "+")):
        negative, body = negative or body[0] == "-", body[1:]
    elif body.endswith("-"):  # SAP and some ERPs write '1.234,56-'
        body, negative = body[:-1], True
    body = _CODE.sub("", body)  # a code inside the parentheses or after the sign
    if not body or (not body[0].isdigit() and body[0] not in ".,"):
        return None
    return body, negative


def reading(text: str) -> Reading:
    """Which conventions read `text` as an amount, and whether they agree."""
    found = _body(text)
    if found is None:
        return Reading.BAD
    body = found[0]
    if body.isdigit():
        return Reading.EITHER
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        if body.rfind(".") > body.rfind(","):
            return Reading.DOT if _DOT_GROUPED.fullmatch(body) else Reading.BAD
        return Reading.COMMA if _COMMA_GROUPED.fullmatch(body) else Reading.BAD
    if _ONE_GROUP.fullmatch(body):
        return Reading.AMBIGUOUS
    if commas > 1 or dots > 1:
        if _DOT_GROUPED.fullmatch(body):
            return Reading.DOT
        return Reading.COMMA if _COMMA_GROUPED.fullmatch(body) else Reading.BAD
    if _DECIMAL_DOT.fullmatch(body):
        return Reading.DOT
    return Reading.COMMA if _DECIMAL_COMMA.fullmatch(body) else Reading.BAD


def amount(text: str, decimal: str) -> Decimal | None:
    """`text` read with `decimal` ('.' or ',') as the decimal separator, exactly; None when
    it is not an amount written that way."""
    found = _body(text)
    if found is None:
        return None
    body, negative = found
    kind = Reading.EITHER if body.isdigit() else reading(body)
    wanted = Reading.DOT if decimal == DOT else Reading.COMMA
    if kind not in (Reading.EITHER, Reading.AMBIGUOUS, wanted):
        return None
    body = body.replace(",", "") if decimal == DOT else body.replace(".", "").replace(",", ".")
    try:
        value = Decimal(body)
    except InvalidOperation:
        return None
    return -value if negative else value


# A text's shape keeps its separators, symbols and digit count ('12,345.60' -> '99,999.90'):
# what `reading` judges depends on nothing else (a leading 0 is kept, it matters), so a file of
# half a million amounts is judged in its few hundred shapes.
_SHAPE: Final = str.maketrans("12345678", "99999999")


class AmountReader:
    """Reads the many amounts of one file, judging each distinct shape of text once."""

    def __init__(self) -> None:
        self._kinds: dict[str, tuple[Reading, bool]] = {}

    def kind(self, text: str) -> tuple[Reading, bool]:
        """What `text` says about the convention, and whether it is digits and separators
        only (no sign, symbol or code), which reads by a plain replace."""
        shape = text.translate(_SHAPE)
        found = self._kinds.get(shape)
        if found is None:
            found = self._kinds[shape] = (reading(shape), not shape.strip("09.,"))
        return found

    def amounts(self, cells: Sequence[Any], decimal: str) -> list[Decimal | None]:
        """Every cell as an exact amount under `decimal`; None where it is not one."""
        group = "," if decimal == DOT else "."
        other = Reading.COMMA if decimal == DOT else Reading.DOT
        out: list[Decimal | None] = []
        for cell in cells:
            if not isinstance(cell, str):
                out.append(number_amount(cell))
                continue
            kind, plain = self.kind(cell)
            if kind is Reading.BAD or kind is other:
                out.append(None)
            elif plain:
                text = cell.replace(group, "")
                out.append(Decimal(text.replace(",", ".") if decimal == COMMA else text))
            else:
                out.append(amount(cell, decimal))
        return out


def number_amount(value: Any) -> Decimal | None:
    """A number cell (xlsx) as an exact Decimal: a float as the decimal it prints as."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value
    return None


@dataclass(frozen=True)
class Convention:
    """The file's decimal separator, or why it could not be settled.

    `decimal` is '.' or ',' (or '' when every amount reads the same either way);
    `ambiguous` and `dot_rows`/`comma_rows` hold example row indexes for messages.
    """

    decimal: str
    ambiguous: tuple[int, ...] = ()
    dot_rows: tuple[int, ...] = ()
    comma_rows: tuple[int, ...] = ()

    @property
    def settled(self) -> bool:
        return not (self.ambiguous and not self.decimal) and not (
            self.dot_rows and self.comma_rows and not self.decimal
        )


def infer_convention(texts: Sequence[Any], given: str | None = None) -> Convention:
    """The convention of a file's amounts (`texts`: cells; numbers and blanks say nothing).

    `given` ('.' or ',') wins; otherwise the one convention any amount requires. When
    amounts require both, or none requires one and some read two ways, the result is not
    `settled`, with example rows for the message.
    """
    # The first rows of each shape of text, then each shape judged once.
    first: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        if type(text) is str:
            rows = first.setdefault(text.translate(_SHAPE), [])
            if len(rows) < 3:
                rows.append(row)
    seen: dict[Reading, list[int]] = {Reading.DOT: [], Reading.COMMA: [], Reading.AMBIGUOUS: []}
    for shape, rows in first.items():
        kind = reading(shape)
        if kind in seen:
            seen[kind].extend(rows)
    seen = {kind: sorted(rows)[:3] for kind, rows in seen.items()}
    dots, commas = tuple(seen[Reading.DOT]), tuple(seen[Reading.COMMA])
    ambiguous = tuple(seen[Reading.AMBIGUOUS])
    if given:
        return Convention(given, ambiguous, dots, commas)
    if dots and not commas:
        return Convention(DOT, ambiguous, dots, commas)
    if commas and not dots:
        return Convention(COMMA, ambiguous, dots, commas)
    return Convention("", ambiguous, dots, commas)


# Dates: ISO, with or without a time ('2026-04-15', '2026-04-15T10:30:00Z', '2026-04-15
# 10:30'), slashes or dots instead of dashes ('2026/04/15'), or a compact '20260415'.
_ISO_DAY: Final = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_COMPACT_DAY: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")


def source_day(value: Any) -> dt.date | None:
    """The day a cell names: a real date cell, or ISO text with or without a time."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ISO_DAY.fullmatch(text) or _COMPACT_DAY.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


__all__ = [
    "COMMA",
    "DOT",
    "AmountReader",
    "Convention",
    "Reading",
    "amount",
    "infer_convention",
    "number_amount",
    "reading",
    "source_day",
]
