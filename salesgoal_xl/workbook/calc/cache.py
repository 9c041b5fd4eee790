"""Cached formula results written into the sheet XML, so every viewer shows the right number.

`cache_formula_values(read_part)` evaluates every formula cell of a package with the product's
own evaluator and returns the sheet parts rewritten with each result in `<v>` and its type in
`t` (`str` for text, also empty text; `b` for booleans; `e` for errors; none for numbers).
Everything else in a sheet part is kept byte for byte. A formula outside the vocabulary (a
user's VLOOKUP, an array formula) gets no cached value, as before, and is listed in the
report; `strict=True` raises instead, which is how the tests keep every formula the product
writes inside the vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

from salesgoal_xl.workbook.calc.book import Book, ReadPart
from salesgoal_xl.workbook.calc.evaluate import Evaluator
from salesgoal_xl.workbook.calc.parse import UnsupportedFormula, column_number
from salesgoal_xl.workbook.calc.values import ExcelError

# A formula cell with any cached value; formula text never holds a raw '<' (it is escaped).
_FORMULA_CELL: Final = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"([^>]*)>(<f\b[^>]*?(?:/>|>[^<]*</f>))(?:<v>[^<]*</v>|<v\s*/>)?</c>'
)
_TYPE_ATTR: Final = re.compile(rb'\s+t="[^"]*"')
_ILLEGAL_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Uncached:
    """A formula cell left without a cached value, and why."""

    sheet: str
    cell: str
    formula: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} ={self.formula}: {self.reason}"


@dataclass(frozen=True)
class CacheReport:
    """How many formula cells got their value, and the ones that did not."""

    cached: int
    uncached: tuple[Uncached, ...]


class FormulaOutsideVocabulary(UnsupportedFormula):
    """Raised in strict mode: a formula the product's evaluator cannot compute."""


def cache_formula_values(
    read_part: ReadPart, *, strict: bool = False
) -> tuple[dict[str, bytes], CacheReport]:
    """The worksheet parts whose formula cells get cached values, and what was left out.

    `read_part(name)` gives a part's bytes (None when absent). Only sheets holding formulas
    are returned. With `strict`, a formula that cannot be computed raises
    FormulaOutsideVocabulary naming the cell.
    """
    book = Book(read_part)
    evaluator = Evaluator(book)
    evaluator.evaluate_all()
    uncached: list[Uncached] = []
    for (index, row, col), reason in sorted(evaluator.failures.items()):
        sheet = book.sheets[index]
        formula = sheet.formulas[(row, col)].text
        uncached.append(Uncached(sheet.title, _a1(row, col), formula, reason))
    if strict and uncached:
        raise FormulaOutsideVocabulary("; ".join(map(str, uncached)))
    parts: dict[str, bytes] = {}
    cached = 0
    for sheet in book.sheets:
        if not sheet.loaded or not sheet.formulas:
            continue
        results = {
            (row, col): evaluator.results[(sheet.index, row, col)]
            for row, col in sheet.formulas
            if (sheet.index, row, col) not in evaluator.failures
        }
        cached += len(results)
        parts[sheet.part] = _write_values(book.sheet_xml(sheet), results)
    return parts, CacheReport(cached, tuple(uncached))


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _write_values(xml: bytes, results: dict[tuple[int, int], Any]) -> bytes:
    columns: dict[bytes, int] = {}
    rendered: dict[tuple[type, Any], tuple[bytes, bytes]] = {}

    def replace(match: re.Match[bytes]) -> bytes:
        letters, row_text, attrs, formula = match.groups()
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_number(letters.decode())
        attrs = _TYPE_ATTR.sub(b"", attrs)
        head = b'<c r="' + letters + row_text + b'"' + attrs
        value = results.get((int(row_text), col), _NONE)
        if value is _NONE:
            return head + b">" + formula + b"</c>"
        key = (value.__class__, value)
        try:
            kind, cached = rendered[key]
        except KeyError:
            kind, cached = rendered[key] = _render(value)
        return head + kind + b">" + formula + b"<v>" + cached + b"</v></c>"

    return _FORMULA_CELL.sub(replace, xml)


_NONE: Final = object()


def _render(value: Any) -> tuple[bytes, bytes]:
    """(type attribute, <v> text) of a result."""
    if isinstance(value, bool):
        return b' t="b"', b"1" if value else b"0"
    if isinstance(value, int):
        return b"", str(value).encode()
    if isinstance(value, float):
        return b"", repr(value).encode()
    if isinstance(value, ExcelError):
        return b' t="e"', value.code.encode()
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    return b' t="str"', text.encode("utf-8")
