"""Excel formula text -> a small syntax tree, for exactly the formulas the product writes.

The grammar is Excel's (operators and their precedence, A1 and sheet-qualified references,
structured references `tblX[Header]`, workbook names, function calls); which functions are
known is the evaluator's business. Relative rows and columns are kept as offsets from the
cell the formula was parsed for, so one tree serves every row a formula was copied down to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final


class UnsupportedFormula(Exception):  # noqa: N818 -- the formula, not the program, is at fault
    """A formula the product's evaluator does not know (syntax or function)."""


@dataclass(frozen=True, slots=True)
class Number:
    value: int | float


@dataclass(frozen=True, slots=True)
class Text:
    value: str


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool


@dataclass(frozen=True, slots=True)
class CellRef:
    """One cell, or with `to` a rectangle; offsets are relative to the host cell unless absolute."""

    sheet: str | None
    row: int
    col: int
    row_absolute: bool
    col_absolute: bool
    to: CellRef | None = None


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """A structured reference to the data rows of one table column: tblTargets[Target]."""

    table: str
    header: str


@dataclass(frozen=True, slots=True)
class Name:
    """A workbook name (FiscalYear, lstReps, MatrixTotal, ...)."""

    name: str


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    operator: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    operator: str  # + - * / ^ & = <> < <= > >= :
    left: Node
    right: Node


Node = Number | Text | Boolean | CellRef | ColumnRef | Name | Call | Unary | Binary

_TOKEN: Final = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*")
    | (?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)
    | (?P<structured>[A-Za-z_][\w.]*\[(?:[^\]']|'.)*\])
    | (?P<cell>\$?[A-Z]{1,3}\$?[0-9]+)(?![\w(.])
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<function>[A-Za-z_][\w.]*)\s*\(
    | (?P<name>[A-Za-z_][\w.]*)
    | (?P<operator><>|<=|>=|[-+*/^&=<>:])
    | (?P<punctuation>[(),])
    )""",
    re.VERBOSE,
)
_CELL: Final = re.compile(r"(\$?)([A-Z]{1,3})(\$?)([0-9]+)")
_COMPARISONS: Final = frozenset({"=", "<>", "<", "<=", ">", ">="})


def column_number(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise UnsupportedFormula(f"cannot read {text[position : position + 20]!r} in ={text}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, row: int, col: int) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.row, self.col = row, col

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        kind, found = self.take()
        if found != value or kind not in ("punctuation", "operator"):
            raise UnsupportedFormula(f"expected {value!r}, found {found!r} in ={self.text}")

    def formula(self) -> Node:
        node = self.comparison()
        if self.peek()[0] != "end":
            raise UnsupportedFormula(f"unexpected {self.peek()[1]!r} in ={self.text}")
        return node

    def _binary(self, operators: frozenset[str], operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.peek()[0] == "operator" and self.peek()[1] in operators:
            operator = self.take()[1]
            node = Binary(operator, node, operand())
        return node

    def comparison(self) -> Node:
        return self._binary(_COMPARISONS, self.concatenation)

    def concatenation(self) -> Node:
        return self._binary(frozenset("&"), self.additive)

    def additive(self) -> Node:
        return self._binary(frozenset("+-"), self.multiplicative)

    def multiplicative(self) -> Node:
        return self._binary(frozenset("*/"), self.power)

    def power(self) -> Node:
        return self._binary(frozenset("^"), self.unary)

    def unary(self) -> Node:
        kind, value = self.peek()
        if kind == "operator" and value in "+-":
            self.take()
            return Unary(value, self.unary())
        return self._binary(frozenset(":"), self.primary)

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            number = float(value)
            return Number(int(number) if number.is_integer() and "." not in value else number)
        if kind == "string":
            return Text(value[1:-1].replace('""', '"'))
        if kind == "punctuation" and value == "(":
            node = self.comparison()
            self.expect(")")
            return node
        if kind == "sheet":
            sheet = value[:-1]
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
            cell_kind, cell = self.take()
            if cell_kind != "cell":
                raise UnsupportedFormula(f"expected a cell after {value} in ={self.text}")
            return self._cell(cell, sheet)
        if kind == "cell":
            return self._cell(value, None)
        if kind == "structured":
            table, _, rest = value.partition("[")
            header = re.sub(r"'(.)", r"\1", rest[:-1])
            if header.startswith(("[", "#")):
                raise UnsupportedFormula(f"structured reference {value} in ={self.text}")
            return ColumnRef(table, header)
        if kind == "function":
            return Call(value.upper(), self._arguments())
        if kind == "name":
            if value.upper() in ("TRUE", "FALSE"):
                return Boolean(value.upper() == "TRUE")
            return Name(value)
        raise UnsupportedFormula(f"unexpected {value or 'end'!r} in ={self.text}")

    def _arguments(self) -> tuple[Node, ...]:
        args: list[Node] = []
        if self.peek() == ("punctuation", ")"):
            self.take()
            return ()
        while True:
            args.append(self.comparison())
            kind, value = self.take()
            if (kind, value) == ("punctuation", ")"):
                return tuple(args)
            if (kind, value) != ("punctuation", ","):
                raise UnsupportedFormula(f"expected ',' or ')', found {value!r} in ={self.text}")

    def _cell(self, text: str, sheet: str | None) -> CellRef:
        match = _CELL.fullmatch(text)
        if match is None:  # pragma: no cover -- the token pattern only lets cells through
            raise UnsupportedFormula(f"not a cell: {text}")
        col_abs, letters, row_abs, digits = match.groups()
        col, row = column_number(letters), int(digits)
        return CellRef(
            sheet,
            row if row_abs else row - self.row,
            col if col_abs else col - self.col,
            bool(row_abs),
            bool(col_abs),
        )


def parse_formula(text: str, row: int = 0, col: int = 0) -> Node:
    """The tree of formula `text` (without its leading '='), written in cell (`row`, `col`).

    Raises UnsupportedFormula for syntax outside the product's vocabulary (array constants,
    error literals, whole-column references, `[#This Row]` and the like).
    """
    tree = _Parser(text.lstrip("="), row, col).formula()
    return _ranges(tree)


def _ranges(node: Node) -> Node:
    """Fold `A1:B2` (two plain cells of one sheet) into one rectangle reference."""
    if isinstance(node, Binary):
        left, right = _ranges(node.left), _ranges(node.right)
        if (
            node.operator == ":"
            and isinstance(left, CellRef)
            and isinstance(right, CellRef)
            and left.to is None
            and right.to is None
            and right.sheet is None
        ):
            return CellRef(
                left.sheet, left.row, left.col, left.row_absolute, left.col_absolute, right
            )
        return Binary(node.operator, left, right)
    if isinstance(node, Unary):
        return Unary(node.operator, _ranges(node.operand))
    if isinstance(node, Call):
        return Call(node.function, tuple(_ranges(a) for a in node.args))
    return node


# Rows of relative references, outside strings, table headers and quoted sheet names: two
# copies of a formula that differ only there share one tree.
_RELATIVE_ROWS: Final = re.compile(
    r"""("(?:[^"]|"")*"|\[(?:[^\]']|'.)*\]|'(?:[^']|'')*')"""
    r"|(?<![\w.$])(\$?[A-Z]{1,3})([0-9]+)(?![\w(.!])"
)


def shape_key(text: str, row: int, col: int) -> str:
    """`text` with relative rows written as offsets from `row`: equal for copied-down formulas."""

    def offset(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        return f"{match.group(2)}~{int(match.group(3)) - row}"

    return f"{col}|{_RELATIVE_ROWS.sub(offset, text)}"


_DIGIT_RUNS: Final = re.compile(r"([0-9]+)")


class ShapeKeys:
    """Keys equal for copies of a formula down a column, cheap enough for every cell.

    The formula is split at its runs of digits: the text between them (the skeleton) says
    which runs are rows of relative references, found once per skeleton with `shape_key`'s
    pattern; those become offsets from the host row, every other run stays as written.
    """

    def __init__(self) -> None:
        self._relative: dict[str, frozenset[int]] = {}

    def key(self, text: str, row: int, col: int) -> tuple[Any, ...]:
        pieces = _DIGIT_RUNS.split(text)
        skeleton = "\x00".join(pieces[0::2])
        relative = self._relative.get(skeleton)
        if relative is None:
            relative = self._relative[skeleton] = _relative_runs(text)
        digits = pieces[1::2]
        return (
            col,
            skeleton,
            *[int(d) - row if i in relative else d for i, d in enumerate(digits)],
        )


def _relative_runs(text: str) -> frozenset[int]:
    """Which runs of digits in `text` (by position) are rows of relative references."""
    starts = {m.start(3) for m in _RELATIVE_ROWS.finditer(text) if m.group(3) is not None}
    return frozenset(i for i, m in enumerate(_DIGIT_RUNS.finditer(text)) if m.start() in starts)
