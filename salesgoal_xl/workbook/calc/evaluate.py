"""Evaluate the product's formulas over a `Book`: every formula cell's value, as Excel gives it.

Formulas compile once per shape (copies down a column share one compiled function) into
Python closures over the host cell. Ranges are evaluated top down and their values kept, so
a MATCH or SUMIFS over a table column costs one pass over the column for all the cells that
use it, and a column whose every row reads the row above (the matrix key) is linear.
The functions known are `FUNCTIONS`; anything else is `UnsupportedFormula`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from salesgoal_xl.workbook.calc import values as v
from salesgoal_xl.workbook.calc.book import Book, FormulaText, Sheet
from salesgoal_xl.workbook.calc.codegen import generate
from salesgoal_xl.workbook.calc.parse import (
    Binary,
    Boolean,
    Call,
    CellRef,
    ColumnRef,
    Name,
    Node,
    Number,
    ShapeKeys,
    Text,
    Unary,
    UnsupportedFormula,
    parse_formula,
)
from salesgoal_xl.workbook.calc.values import ExcelError, Raised


@dataclass(frozen=True, slots=True, eq=False)
class Area:
    """A rectangle of cells on one sheet (1-based, inclusive)."""

    sheet: Sheet
    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1


Compiled = Callable[[Sheet, int, int], Any]
_MISSING: Final = object()


class Circular(Exception):  # noqa: N818 -- a property of the user's formulas, not a bug
    """A formula that depends on itself."""


class Evaluator:
    """Values of formula cells in `book`, computed on demand and kept."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.results: dict[tuple[int, int, int], Any] = {}
        self.failures: dict[tuple[int, int, int], str] = {}
        self._compiled: dict[Any, Compiled] = {}
        self._by_column: dict[tuple[int, int], dict[int, Any]] = {}
        self._shapes = ShapeKeys()
        self._names: dict[str, Compiled] = {}
        self._busy: set[tuple[int, int, int]] = set()
        self._lists: dict[tuple[int, int, int, int, int], list[Any]] = {}
        self._done_upto: dict[tuple[int, int], int] = {}
        self._indexes: dict[tuple[int, int, int, int, int], dict[Any, list[int]]] = {}
        self.ascending: dict[tuple[int, int, int, int, int], list[Any] | None] = {}

    # --- cells -------------------------------------------------------------------------------

    def cell(self, sheet: Sheet, row: int, col: int) -> Any:
        """The value of one cell (a formula cell's result, computed if need be)."""
        if not sheet.loaded:
            self.book.load(sheet)
        formula = sheet.formulas.get((row, col))
        if formula is None:
            column = sheet.columns.get(col)
            if column is None:
                column = self.book.column(sheet, col)
            return column.get(row)
        found = self.results.get((sheet.index, row, col), _MISSING)
        if found is not _MISSING:
            return found
        if (sheet.index, row - 1, col) not in self.results:
            self._upto(sheet, col, row)
        return self._evaluate(sheet, row, col, formula)

    def _upto(self, sheet: Sheet, col: int, row: int) -> None:
        """Evaluate the formula cells above `row` in `col` first, top down (no deep recursion)."""
        rows = sheet.formula_rows.get(col)
        if not rows:
            return
        marker = (sheet.index, col)
        i = self._done_upto.get(marker, 0)
        while i < len(rows) and rows[i] < row:
            self._done_upto[marker] = i + 1
            r = rows[i]
            key = (sheet.index, r, col)
            if key not in self.results and key not in self._busy:
                self._evaluate(sheet, r, col, sheet.formulas[(r, col)])
            i = self._done_upto[marker]

    def _evaluate(self, sheet: Sheet, row: int, col: int, formula: FormulaText) -> Any:
        key = (sheet.index, row, col)
        if key in self.results:
            return self.results[key]
        if key in self._busy:
            raise Circular(f"{sheet.title}!{_a1(row, col)} depends on itself")
        self._busy.add(key)
        try:
            run = self.compile(formula)
            result = _scalar(self, run(sheet, row, col), row, col)
        except Raised as raised:
            result = raised.error
        except (UnsupportedFormula, Circular) as problem:
            self.failures[key] = str(problem)
            result = 0
        finally:
            self._busy.discard(key)
        if result is None:
            result = 0  # a formula pointing at an empty cell shows 0
        self.results[key] = result
        column = self._by_column.get((sheet.index, col))
        if column is None:
            column = self._by_column[(sheet.index, col)] = {}
        column[row] = result
        return result

    def evaluate_all(self) -> None:
        """Evaluate every formula cell of every sheet, sheet by sheet, row by row."""
        for sheet in self.book.sheets:
            if not self.book.has_formulas(sheet):
                continue  # e.g. History: parsed only if a formula reads it
            self.book.load(sheet)
            for row, col in sorted(sheet.formulas):
                self.cell(sheet, row, col)

    # --- compiling ----------------------------------------------------------------------------

    def compile(self, formula: FormulaText) -> Compiled:
        if formula.unsupported:
            raise UnsupportedFormula(formula.unsupported)
        key: Any = (
            ("shared", formula.shared)
            if formula.shared
            else self._shapes.key(formula.text, formula.origin_row, formula.origin_col)
        )
        run = self._compiled.get(key)
        if run is None:
            tree = parse_formula(formula.text, formula.origin_row, formula.origin_col)
            run = self._compiled[key] = generate(self, tree)
        return run

    def _name(self, name: str) -> Compiled:
        wanted = name.casefold()
        run = self._names.get(wanted)
        if run is None:
            text = self.book.names.get(wanted)
            if text is None:
                raise UnsupportedFormula(f"unknown name {name}")
            run = self._names[wanted] = self._node(parse_formula(text), array=False)
        return run

    def name_target(self, name: str) -> Node | None:
        """The tree a workbook name stands for (None for an unknown name)."""
        text = self.book.names.get(name.casefold())
        if text is None:
            return None
        try:
            return parse_formula(text)
        except UnsupportedFormula:
            return None

    def _node(self, node: Node, *, array: bool, scalar: bool = False) -> Compiled:
        """`node` as a function of the host cell; with `scalar`, it always gives one value
        (references read, errors raised), which is the fast path of most of a formula."""
        if isinstance(node, Number | Text | Boolean):
            constant = node.value
            return lambda _s, _r, _c: constant
        if scalar and not array:
            if isinstance(node, CellRef) and node.to is None:
                return self._cell_value(node)
            if isinstance(node, Unary):
                return self._unary(node, array=False)
            if isinstance(node, Binary) and node.operator != ":":
                return self._binary(node, array=False)
            if isinstance(node, Call) and node.function not in _MAY_GIVE_REFERENCES:
                return self._call(node, array=False, scalar=True)
            general = self._node(node, array=False)
            return lambda sheet, row, col: _scalar(self, general(sheet, row, col), row, col)
        if isinstance(node, CellRef):
            return self._reference(node)
        if isinstance(node, ColumnRef):
            return self._column(node)
        if isinstance(node, Name):
            name = node.name

            def named(sheet: Sheet, row: int, col: int) -> Any:
                return self._name(name)(sheet, row, col)

            self._name(name)  # unknown names fail when compiling, not later
            return named
        if isinstance(node, Unary):
            return self._unary(node, array=array)
        if isinstance(node, Binary):
            return self._binary(node, array=array)
        return self._call(node, array=array, scalar=False)

    def _cell_value(self, ref: CellRef) -> Compiled:
        """The value of one referenced cell, read straight from the sheet."""
        target: Sheet | None = None
        if ref.sheet is not None:
            target = self.book.by_title.get(ref.sheet.casefold())
            if target is None:
                return _raiser(v.REF)
        cell = self.cell
        row_offset, col_offset = ref.row, ref.col
        row_fixed, col_fixed = ref.row_absolute, ref.col_absolute

        def value(sheet: Sheet, row: int, col: int) -> Any:
            r = row_offset if row_fixed else row + row_offset
            c = col_offset if col_fixed else col + col_offset
            if r < 1 or c < 1:
                raise Raised(v.REF)
            found = cell(target or sheet, r, c)
            if type(found) is ExcelError:
                raise Raised(found)
            return found

        return value

    def _reference(self, ref: CellRef) -> Compiled:
        target: Sheet | None = None
        if ref.sheet is not None:
            target = self.book.by_title.get(ref.sheet.casefold())
            if target is None:
                return _raiser(v.REF)
        end = ref.to or ref

        def area(sheet: Sheet, row: int, col: int) -> Area:
            r1 = ref.row if ref.row_absolute else row + ref.row
            c1 = ref.col if ref.col_absolute else col + ref.col
            r2 = end.row if end.row_absolute else row + end.row
            c2 = end.col if end.col_absolute else col + end.col
            if min(r1, c1, r2, c2) < 1:
                raise Raised(v.REF)
            return Area(target or sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

        return area

    def _column(self, ref: ColumnRef) -> Compiled:
        span = self.book.tables.get(ref.table.casefold())
        col = span.headers.get(ref.header.casefold()) if span else None
        if span is None or col is None:
            return _raiser(v.REF)
        found = Area(self.book.sheets[span.sheet], span.first_row, col, span.last_row, col)
        return lambda _s, _r, _c: found

    def _unary(self, node: Unary, *, array: bool) -> Compiled:
        operand = self._node(node.operand, array=array, scalar=not array)
        sign = -1 if node.operator == "-" else 1
        if not array:
            number = v.number
            return lambda sheet, row, col: sign * number(operand(sheet, row, col))

        def run(sheet: Sheet, row: int, col: int) -> Any:
            value = operand(sheet, row, col)
            if array and isinstance(value, Area | list):
                return [sign * v.number(x) for x in self._flat(value)]
            return sign * v.number(_scalar(self, value, row, col))

        return run

    def _binary(self, node: Binary, *, array: bool) -> Compiled:
        operator = node.operator
        plain = not array and operator != ":"
        left = self._node(node.left, array=array, scalar=plain)
        right = self._node(node.right, array=array, scalar=plain)
        if plain:
            apply_plain = _OPERATORS[operator]
            return lambda sheet, row, col: apply_plain(
                left(sheet, row, col), right(sheet, row, col)
            )
        if operator == ":":

            def span(sheet: Sheet, row: int, col: int) -> Area:
                a, b = left(sheet, row, col), right(sheet, row, col)
                if not isinstance(a, Area) or not isinstance(b, Area) or a.sheet is not b.sheet:
                    raise Raised(v.VALUE)
                return Area(
                    a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2)
                )

            return span
        apply = _OPERATORS[operator]

        def run(sheet: Sheet, row: int, col: int) -> Any:
            a, b = left(sheet, row, col), right(sheet, row, col)
            if array and (isinstance(a, Area | list) or isinstance(b, Area | list)):
                xs, ys = self._vector(a), self._vector(b)
                if len(xs) == 1:
                    xs = xs * len(ys)
                if len(ys) == 1:
                    ys = ys * len(xs)
                if len(xs) != len(ys):
                    raise Raised(v.VALUE)
                return [_guarded(apply, x, y) for x, y in zip(xs, ys, strict=True)]
            return apply(_scalar(self, a, row, col), _scalar(self, b, row, col))

        return run

    def _vector(self, value: Any) -> list[Any]:
        if isinstance(value, Area | list):
            return self._flat(value)
        return [value]

    def _call(self, node: Call, *, array: bool, scalar: bool) -> Compiled:
        spec = FUNCTIONS.get(node.function)
        if spec is None:
            raise UnsupportedFormula(f"the function {node.function} is not in the vocabulary")
        impl, lazy, array_args = spec
        wants = _REFERENCE_ARGUMENTS.get(node.function, ())
        args = tuple(
            self._node(
                a,
                array=array or array_args,
                scalar=not (array or array_args)
                and _plain_argument(node.function, i, wants, scalar),
            )
            for i, a in enumerate(node.args)
        )
        if lazy:
            return lambda sheet, row, col: impl(self, sheet, row, col, args)

        def run(sheet: Sheet, row: int, col: int) -> Any:
            return impl(self, sheet, row, col, [a(sheet, row, col) for a in args])

        return run

    # --- range values -------------------------------------------------------------------------

    def values(self, area: Area) -> list[Any]:
        """The cells of `area`, row by row (kept: the same table column is read many times)."""
        key = (area.sheet.index, area.r1, area.c1, area.r2, area.c2)
        found = self._lists.get(key)
        if found is not None:
            return found
        if area.rows * area.cols <= 64:
            return [
                self.cell(area.sheet, r, c)
                for r in range(area.r1, area.r2 + 1)
                for c in range(area.c1, area.c2 + 1)
            ]
        sheet = area.sheet
        self.book.load(sheet)
        if area.cols == 1:
            col = area.c1
            column = self.book.column(sheet, col)
            if col in sheet.formula_rows:
                self._upto(sheet, col, area.r2 + 1)  # every formula of the range, top down
                column = {**column, **self._by_column.get((sheet.index, col), {})}
            out = [column.get(r) for r in range(area.r1, area.r2 + 1)]
        else:
            out = [
                self.cell(sheet, r, c)
                for r in range(area.r1, area.r2 + 1)
                for c in range(area.c1, area.c2 + 1)
            ]
        self._lists[key] = out
        return out

    def kept(self, area: Area) -> bool:
        """Whether the values of `area` are kept (so facts about them may be kept too)."""
        return (area.sheet.index, area.r1, area.c1, area.r2, area.c2) in self._lists

    def _flat(self, value: Area | list[Any]) -> list[Any]:
        return value if isinstance(value, list) else self.values(value)

    def index(self, area: Area) -> dict[Any, list[int]]:
        """Positions of each distinct value of `area` (for '=' criteria), kept."""
        key = (area.sheet.index, area.r1, area.c1, area.r2, area.c2)
        found = self._indexes.get(key)
        if found is None:
            found = {}
            for position, value in enumerate(self.values(area)):
                found.setdefault(v.criterion_key(value), []).append(position)
            self._indexes[key] = found
        return found


# Functions whose result may be a reference (INDEX(..):INDEX(..), IF(.., A1:A9, ..)).
_MAY_GIVE_REFERENCES: Final = frozenset({"INDEX"})
# Argument positions a function reads as references ("*": all of them).
_REFERENCE_ARGUMENTS: Final[dict[str, tuple[int, ...] | str]] = {
    "AND": "*",
    "COUNT": "*",
    "COUNTIF": (0,),
    "INDEX": (0,),
    "MATCH": (1,),
    "MAX": "*",
    "N": (0,),
    "OR": "*",
    "ROWS": (0,),
    "SUM": "*",
    "SUMIFS": "sumifs",
}


def _plain_argument(
    function: str, position: int, wants: tuple[int, ...] | str, scalar: bool
) -> bool:
    """Whether argument `position` of `function` is read as one value (not a reference)."""
    if function in ("IF", "IFERROR"):
        return position == 0 or scalar  # the branches give what the caller asked for
    if wants == "*":
        return False
    if wants == "sumifs":
        return position >= 2 and position % 2 == 0
    return position not in wants


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _raiser(error: ExcelError) -> Compiled:
    def run(_s: Sheet, _r: int, _c: int) -> Any:
        raise Raised(error)

    return run


def _scalar(ev: Evaluator, value: Any, row: int, col: int) -> Any:
    """A reference used as one value: its cell, or the cell in the host's row or column."""
    kind = type(value)
    if kind is int or kind is str or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, Area):
        sheet = value.sheet
        if value.r1 == value.r2 and value.c1 == value.c2:
            value = ev.cell(sheet, value.r1, value.c1)
        elif value.c1 == value.c2 and value.r1 <= row <= value.r2:
            value = ev.cell(sheet, row, value.c1)
        elif value.r1 == value.r2 and value.c1 <= col <= value.c2:
            value = ev.cell(sheet, value.r1, col)
        else:
            raise Raised(v.VALUE)
    if isinstance(value, list):
        raise UnsupportedFormula("an array result outside SUMPRODUCT")
    if isinstance(value, ExcelError):
        raise Raised(value)
    return value


def _guarded(apply: Callable[[Any, Any], Any], x: Any, y: Any) -> Any:
    try:
        return apply(x, y)
    except Raised as raised:
        return raised.error


def _divide(a: Any, b: Any) -> Any:
    divisor = v.number(b)
    if divisor == 0:
        raise Raised(v.DIV0)
    return v.as_number_result(v.number(a) / divisor)


def _power(a: Any, b: Any) -> Any:
    try:
        return v.as_number_result(float(v.number(a)) ** v.number(b))
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        raise Raised(v.NUM) from exc


_OPERATORS: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "+": lambda a, b: v.number(a) + v.number(b),
    "-": lambda a, b: v.number(a) - v.number(b),
    "*": lambda a, b: v.number(a) * v.number(b),
    "/": _divide,
    "^": _power,
    "&": lambda a, b: v.text(a) + v.text(b),
    "=": lambda a, b: v.compare("=", a, b),
    "<>": lambda a, b: v.compare("<>", a, b),
    "<": lambda a, b: v.compare("<", a, b),
    "<=": lambda a, b: v.compare("<=", a, b),
    ">": lambda a, b: v.compare(">", a, b),
    ">=": lambda a, b: v.compare(">=", a, b),
}


# --- functions ---------------------------------------------------------------------------------

Impl = Callable[[Evaluator, Sheet, int, int, Sequence[Any]], Any]


def _one(ev: Evaluator, args: Sequence[Any], row: int, col: int, count: int) -> list[Any]:
    if len(args) != count:
        raise UnsupportedFormula(f"expected {count} argument(s), got {len(args)}")
    return [_scalar(ev, a, row, col) for a in args]


def _numbers_in(ev: Evaluator, args: Sequence[Any], row: int, col: int) -> list[int | float]:
    """Numbers of SUM/MAX/COUNT: every number in a reference; scalars coerced."""
    out: list[int | float] = []
    for arg in args:
        if isinstance(arg, Area | list):
            for value in ev._flat(arg):
                if isinstance(value, ExcelError):
                    raise Raised(value)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out.append(value)
        else:
            out.append(v.number(_scalar(ev, arg, row, col)))
    return out


def _exact_sum(values: list[int | float]) -> int | float:
    if all(isinstance(x, int) for x in values):
        return sum(values)
    return v.as_number_result(math.fsum(values))


def _sum_exact(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    return _exact_sum(_numbers_in(ev, args, row, col))


def _max(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    numbers = _numbers_in(ev, args, row, col)
    return max(numbers) if numbers else 0


def _count(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    total = 0
    for arg in args:
        if isinstance(arg, Area | list):
            total += sum(
                1 for x in ev._flat(arg) if isinstance(x, int | float) and not isinstance(x, bool)
            )
        else:
            value = arg if not isinstance(arg, ExcelError) else None
            total += isinstance(value, int | float) and not isinstance(value, bool)
    return total


def _if(ev: Evaluator, sheet: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if not 2 <= len(args) <= 3:
        raise UnsupportedFormula("IF takes 2 or 3 arguments")
    if v.truth(_scalar(ev, args[0](sheet, row, col), row, col)):
        return args[1](sheet, row, col)
    return args[2](sheet, row, col) if len(args) == 3 else False


def _iferror(ev: Evaluator, sheet: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if len(args) != 2:
        raise UnsupportedFormula("IFERROR takes 2 arguments")
    try:
        value = _scalar(ev, args[0](sheet, row, col), row, col)
    except Raised:
        return args[1](sheet, row, col)
    return value


def _logical(combine: Callable[[list[bool]], bool]) -> Impl:
    def run(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
        found: list[bool] = []
        for arg in args:
            if isinstance(arg, Area | list):
                for x in ev._flat(arg):
                    if isinstance(x, ExcelError):
                        raise Raised(x)
                    if isinstance(x, bool | int | float):
                        found.append(bool(x))
            else:
                found.append(v.truth(_scalar(ev, arg, row, col)))
        if not found:
            raise Raised(v.VALUE)
        return combine(found)

    return run


def n_value(arg: Any) -> Any:
    """N(): numbers stay, TRUE/FALSE are 1/0, text and blanks are 0, errors stay errors."""
    if isinstance(arg, ExcelError):
        raise Raised(arg)
    if isinstance(arg, bool):
        return int(arg)
    return arg if isinstance(arg, int | float) else 0


def _n(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if len(args) != 1:
        raise UnsupportedFormula("N takes 1 argument")
    arg = args[0]
    if isinstance(arg, Area):
        arg = ev.cell(arg.sheet, arg.r1, arg.c1)
    return n_value(arg)


# Functions of plain values, (epoch, *values) -> value; the closures and the generated code
# both call these, so each rule exists once.


def _int(_epoch: date, x: Any) -> Any:
    return math.floor(v.number(x))


def _abs(_epoch: date, x: Any) -> Any:
    return abs(v.number(x))


def _mod(_epoch: date, a: Any, b: Any) -> Any:
    dividend, divisor = v.number(a), v.number(b)
    if divisor == 0:
        raise Raised(v.DIV0)
    return v.as_number_result(dividend % divisor)


def _round(_epoch: date, x: Any, digits: Any) -> Any:
    return v.round_half_away(v.number(x), int(v.number(digits)))


def _value(_epoch: date, x: Any) -> Any:
    if x is None:
        return 0
    if isinstance(x, bool):
        raise Raised(v.VALUE)
    if isinstance(x, int | float):
        return x
    parsed = v.text_number(v.text(x))
    if parsed is None:
        raise Raised(v.VALUE)
    return parsed


def _mid(_epoch: date, text: Any, start: Any, length: Any) -> Any:
    first, count = math.floor(v.number(start)), math.floor(v.number(length))
    if first < 1 or count < 0:
        raise Raised(v.VALUE)
    return v.text(text)[first - 1 : first - 1 + count]


def _right(_epoch: date, text: Any, length: Any = 1) -> Any:
    count = math.floor(v.number(length))
    if count < 0:
        raise Raised(v.VALUE)
    shown = v.text(text)
    return shown[len(shown) - count :] if count else ""


def _date(epoch: date, year: Any, month: Any, day: Any) -> Any:
    y, m, d = (math.floor(v.number(x)) for x in (year, month, day))
    return v.date_serial(y, m, d, epoch)


def _year(epoch: date, x: Any) -> Any:
    return v.serial_date(v.number(x), epoch).year


def _month(epoch: date, x: Any) -> Any:
    return v.serial_date(v.number(x), epoch).month


# name -> (function of plain values, fewest and most arguments)
PLAIN_FUNCTIONS: Final[dict[str, tuple[Callable[..., Any], int, int]]] = {
    "ABS": (_abs, 1, 1),
    "DATE": (_date, 3, 3),
    "INT": (_int, 1, 1),
    "MID": (_mid, 3, 3),
    "MOD": (_mod, 2, 2),
    "MONTH": (_month, 1, 1),
    "RIGHT": (_right, 1, 2),
    "ROUND": (_round, 2, 2),
    "VALUE": (_value, 1, 1),
    "YEAR": (_year, 1, 1),
}


def _plain(name: str) -> Impl:
    function, fewest, most = PLAIN_FUNCTIONS[name]

    def run(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
        if not fewest <= len(args) <= most:
            raise UnsupportedFormula(f"{name} takes {fewest}-{most} argument(s)")
        return function(ev.book.epoch, *(_scalar(ev, a, row, col) for a in args))

    return run


def _area(arg: Any) -> Area:
    if not isinstance(arg, Area):
        raise Raised(v.VALUE)
    return arg


def _rows(ev: Evaluator, _s: Sheet, _row: int, _col: int, args: Sequence[Any]) -> Any:
    if len(args) != 1:
        raise UnsupportedFormula("ROWS takes 1 argument")
    if isinstance(args[0], list):
        return len(args[0])
    return _area(args[0]).rows


def _index(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if not 2 <= len(args) <= 3:
        raise UnsupportedFormula("INDEX takes 2 or 3 arguments")
    area = _area(args[0])
    n = math.floor(v.number(_scalar(ev, args[1], row, col)))
    m = math.floor(v.number(_scalar(ev, args[2], row, col))) if len(args) == 3 else 0
    if area.cols == 1 or (area.rows == 1 and len(args) == 2):
        if len(args) == 2 and area.rows == 1 and area.cols > 1:
            n, m = 1, n
        else:
            m = m or 1
    if n == 0 or m == 0:
        raise UnsupportedFormula("INDEX of a whole row or column")
    if not (1 <= n <= area.rows and 1 <= m <= area.cols):
        raise Raised(v.REF)
    r, c = area.r1 + n - 1, area.c1 + m - 1
    return Area(area.sheet, r, c, r, c)


def _match(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if not 2 <= len(args) <= 3:
        raise UnsupportedFormula("MATCH takes 2 or 3 arguments")
    wanted = _scalar(ev, args[0], row, col)
    kind = math.floor(v.number(_scalar(ev, args[2], row, col))) if len(args) == 3 else 1
    area = _area(args[1])
    cells = ev.values(area)
    if kind == 0:
        if isinstance(wanted, str) and any(ch in wanted for ch in "*?~"):
            raise UnsupportedFormula("MATCH with wildcards")
        for position, value in enumerate(cells):
            if value is not None and not isinstance(value, ExcelError):
                if type(value) is bool or type(wanted) is bool:
                    if type(value) is type(wanted) and value == wanted:
                        return position + 1
                elif isinstance(value, str) == isinstance(wanted, str) and v.compare(
                    "=", value, wanted
                ):
                    return position + 1
        raise Raised(v.NA)
    if kind != 1:
        raise UnsupportedFormula("MATCH with match type -1")
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        numbers = _ascending_numbers(ev, area, cells)
        if numbers is not None:
            position = bisect.bisect_right(numbers, wanted)
            if position == 0:
                raise Raised(v.NA)
            return position
    found = 0
    for position, value in enumerate(cells):
        same = isinstance(value, str) == isinstance(wanted, str) and value is not None
        if same and not isinstance(value, ExcelError | bool) and v.compare("<=", value, wanted):
            found = position + 1
    if not found:
        raise Raised(v.NA)
    return found


def _ascending_numbers(ev: Evaluator, area: Area, cells: list[Any]) -> list[int | float] | None:
    """`cells` when all are numbers in ascending order (then MATCH is a binary search)."""
    key = (area.sheet.index, area.r1, area.c1, area.r2, area.c2)
    if key in ev.ascending:
        return ev.ascending[key]
    ok = all(isinstance(x, int | float) and not isinstance(x, bool) for x in cells) and all(
        a <= b for a, b in itertools.pairwise(cells)
    )
    result = cells if ok else None
    if ev.kept(area):
        ev.ascending[key] = result
    return result


def _sumifs(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if len(args) < 3 or len(args) % 2 == 0:
        raise UnsupportedFormula("SUMIFS takes a sum range and pairs of range, criterion")
    target = _area(args[0])
    positions: set[int] | None = None
    for i in range(1, len(args), 2):
        area = _area(args[i])
        if (area.rows, area.cols) != (target.rows, target.cols):
            raise Raised(v.VALUE)
        rule = v.criterion(_scalar(ev, args[i + 1], row, col))
        if rule[0] == "=" and rule[1] != "":
            hits = set(ev.index(area).get(v.criterion_key(rule[1]), ()))
        else:
            hits = {p for p, x in enumerate(ev.values(area)) if v.meets(x, rule)}
        positions = hits if positions is None else positions & hits
    cells = ev.values(target)
    found = [cells[p] for p in sorted(positions or ())]
    for x in found:
        if isinstance(x, ExcelError):
            raise Raised(x)
    return _exact_sum([x for x in found if isinstance(x, int | float) and not isinstance(x, bool)])


def _countif(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if len(args) != 2:
        raise UnsupportedFormula("COUNTIF takes 2 arguments")
    rule = v.criterion(_scalar(ev, args[1], row, col))
    return sum(1 for x in ev.values(_area(args[0])) if v.meets(x, rule))


def _sumproduct(ev: Evaluator, _s: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    vectors = [ev._vector(a) for a in args]
    if not vectors or len({len(x) for x in vectors}) != 1:
        raise Raised(v.VALUE)
    total: int | float = 0
    for items in zip(*vectors, strict=True):
        product: int | float = 1
        for x in items:
            if isinstance(x, ExcelError):
                raise Raised(x)
            product *= x if isinstance(x, int | float) and not isinstance(x, bool) else 0
        total += product
    return v.as_number_result(total) if isinstance(total, float) else total


# name -> (implementation, arguments passed unevaluated, arguments evaluated as arrays)
FUNCTIONS: Final[dict[str, tuple[Impl, bool, bool]]] = {
    "ABS": (_plain("ABS"), False, False),
    "AND": (_logical(all), False, False),
    "COUNT": (_count, False, False),
    "COUNTIF": (_countif, False, False),
    "DATE": (_plain("DATE"), False, False),
    "IF": (_if, True, False),
    "IFERROR": (_iferror, True, False),
    "INDEX": (_index, False, False),
    "INT": (_plain("INT"), False, False),
    "MATCH": (_match, False, False),
    "MAX": (_max, False, False),
    "MID": (_plain("MID"), False, False),
    "MOD": (_plain("MOD"), False, False),
    "MONTH": (_plain("MONTH"), False, False),
    "N": (_n, False, False),
    "OR": (_logical(any), False, False),
    "RIGHT": (_plain("RIGHT"), False, False),
    "ROUND": (_plain("ROUND"), False, False),
    "ROWS": (_rows, False, False),
    "SUM": (_sum_exact, False, False),
    "SUMIFS": (_sumifs, False, False),
    "SUMPRODUCT": (_sumproduct, False, True),
    "VALUE": (_plain("VALUE"), False, False),
    "YEAR": (_plain("YEAR"), False, False),
}
