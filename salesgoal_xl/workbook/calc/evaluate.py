"""Evaluate the product's formulas over a `Book`: every formula cell's value, as Excel gives it.

Formulas compile once per shape (copies down a column share one compiled function) into
Python closures over the host cell. Ranges are evaluated top down and their values kept, so
a MATCH or SUMIFS over a table column costs one pass over the column for all the cells that
use it, and a column whose every row reads the row above (the matrix key) is linear.
The functions known are `FUNCTIONS`; anything else is `UnsupportedFormula`.
"""

from __future__ import annotations

from typing import Any, Final

from salesgoal_xl.workbook.calc import values as v
from salesgoal_xl.workbook.calc.book import Book, FormulaText, Sheet
from salesgoal_xl.workbook.calc.codegen import generate
from salesgoal_xl.workbook.calc.functions import (
    _MAY_GIVE_REFERENCES,
    FUNCTIONS,
    OPERATORS,
    Area,
    Compiled,
    guarded,
    raiser,
)
from salesgoal_xl.workbook.calc.functions import (
    scalar as one_value,
)
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
            result = one_value(self, run(sheet, row, col), row, col)
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
            return lambda sheet, row, col: one_value(self, general(sheet, row, col), row, col)
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
                return raiser(v.REF)
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
                return raiser(v.REF)
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
            return raiser(v.REF)
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
            return sign * v.number(one_value(self, value, row, col))

        return run

    def _binary(self, node: Binary, *, array: bool) -> Compiled:
        operator = node.operator
        plain = not array and operator != ":"
        left = self._node(node.left, array=array, scalar=plain)
        right = self._node(node.right, array=array, scalar=plain)
        if plain:
            apply_plain = OPERATORS[operator]
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
        apply = OPERATORS[operator]

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
                return [guarded(apply, x, y) for x, y in zip(xs, ys, strict=True)]
            return apply(one_value(self, a, row, col), one_value(self, b, row, col))

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
