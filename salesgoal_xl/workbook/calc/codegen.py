"""Formula trees as generated Python functions: the evaluator's fast path for scalar formulas.

A copied-down formula runs once per row, so its cost per cell is what a large table costs.
Closures pay a call per node; here a tree becomes one Python function whose body reads
referenced cells, applies operators with a fast path for plain numbers and text, and
branches for IF and IFERROR. Anything else (reference arguments, names, ranges) is delegated
to the evaluator's closures, so every formula the closures compute is computed the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salesgoal_xl.workbook.calc import values as v
from salesgoal_xl.workbook.calc.functions import (
    _MAY_GIVE_REFERENCES,
    OPERATORS,
    PLAIN_FUNCTIONS,
    n_value,
    scalar,
)
from salesgoal_xl.workbook.calc.parse import (
    Binary,
    Boolean,
    Call,
    CellRef,
    Name,
    Node,
    Number,
    Text,
    Unary,
)
from salesgoal_xl.workbook.calc.values import ExcelError, Raised

if TYPE_CHECKING:
    from salesgoal_xl.workbook.calc.evaluate import Evaluator
    from salesgoal_xl.workbook.calc.functions import Compiled

_ARITHMETIC = {"+": "+", "-": "-", "*": "*"}
_COMPARE = {"=": "==", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class _Source:
    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.count = 0

    def temp(self) -> str:
        self.count += 1
        return f"t{self.count}"

    def constant(self, value: Any) -> str:
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def value(self, node: Node, indent: int) -> str:
        """Emit code leaving the scalar value of `node` in a name; return the name."""

        if isinstance(node, Number | Text | Boolean):
            return self.constant(node.value)
        if isinstance(node, CellRef) and node.to is None:
            return self._cell(node, indent)
        if isinstance(node, Name):
            target = self.ev.name_target(node.name)
            if isinstance(target, CellRef) and target.to is None:
                return self._cell(target, indent)  # FiscalYear, FirstMonth: one settings cell
        if isinstance(node, Unary):
            operand = self.value(node.operand, indent)
            out = self.temp()
            sign = "-" if node.operator == "-" else ""
            self.emit(
                indent,
                f"{out} = {sign}({operand} if type({operand}) is int or "
                f"type({operand}) is float else number({operand}))",
            )
            return out
        if isinstance(node, Binary) and node.operator != ":":
            return self._binary(node, indent)
        if isinstance(node, Call) and node.function == "IF" and len(node.args) in (2, 3):
            return self._if(node, indent)
        if isinstance(node, Call) and node.function == "IFERROR" and len(node.args) == 2:
            return self._iferror(node, indent)
        if isinstance(node, Call) and node.function in _plain_functions():
            function, fewest, most = _plain_functions()[node.function]
            if fewest <= len(node.args) <= most:
                args = [self.value(a, indent) for a in node.args]
                out = self.temp()
                self.emit(indent, f"{out} = {self.constant(function)}(EPOCH, {', '.join(args)})")
                return out
        if (
            isinstance(node, Call)
            and node.function == "N"
            and len(node.args) == 1
            and isinstance(node.args[0], CellRef)
            and node.args[0].to is None
        ):
            out = self.temp()
            self.emit(indent, f"{out} = n_value({self._cell(node.args[0], indent)})")
            return out
        if isinstance(node, Call) and node.function not in _MAY_GIVE_REFERENCES:
            run = self.ev._node(node, array=False, scalar=True)
        else:
            general = self.ev._node(node, array=False)
            ev = self.ev

            def run(sheet: Any, row: int, col: int) -> Any:

                return scalar(ev, general(sheet, row, col), row, col)

        out = self.temp()
        self.emit(indent, f"{out} = {self.constant(run)}(S, r, c)")
        return out

    def _cell(self, ref: CellRef, indent: int) -> str:
        target = "S"
        if ref.sheet is not None:
            sheet = self.ev.book.by_title.get(ref.sheet.casefold())
            if sheet is None:
                self.emit(indent, "raise Raised(REF)")
                return self.constant(None)
            target = self.constant(sheet)
        row = str(ref.row) if ref.row_absolute else f"r + {ref.row}"
        col = str(ref.col) if ref.col_absolute else f"c + {ref.col}"
        out = self.temp()
        if (not ref.row_absolute and ref.row < 0) or (not ref.col_absolute and ref.col < 0):
            self.emit(indent, f"if ({row}) < 1 or ({col}) < 1: raise Raised(REF)")
        self.emit(indent, f"{out} = cell({target}, {row}, {col})")
        self.emit(indent, f"if type({out}) is ExcelError: raise Raised({out})")
        return out

    def _binary(self, node: Binary, indent: int) -> str:
        a = self.value(node.left, indent)
        b = self.value(node.right, indent)
        out = self.temp()
        op = node.operator
        numbers = (
            f"(type({a}) is int or type({a}) is float) and (type({b}) is int or type({b}) is float)"
        )
        fallback = f"{self.constant(_operator(op))}({a}, {b})"
        if op in _ARITHMETIC:
            self.emit(indent, f"{out} = {a} {_ARITHMETIC[op]} {b} if {numbers} else {fallback}")
        elif op in _COMPARE:
            texts = f"type({a}) is str and type({b}) is str"
            if op in ("=", "<>"):
                self.emit(
                    indent,
                    f"{out} = {a} {_COMPARE[op]} {b} if {numbers} else "
                    f"({a}.casefold() {_COMPARE[op]} {b}.casefold() if {texts} else {fallback})",
                )
            else:
                self.emit(indent, f"{out} = {a} {_COMPARE[op]} {b} if {numbers} else {fallback}")
        elif op == "&":
            self.emit(
                indent,
                f"{out} = {a} + {b} if type({a}) is str and type({b}) is str else {fallback}",
            )
        else:
            self.emit(indent, f"{out} = {fallback}")
        return out

    def _if(self, node: Call, indent: int) -> str:
        condition = self.value(node.args[0], indent)
        out = self.temp()
        self.emit(
            indent,
            f"if ({condition} if type({condition}) is bool else truth({condition})):",
        )
        self.emit(indent + 1, f"{out} = {self.value(node.args[1], indent + 1)}")
        self.emit(indent, "else:")
        if len(node.args) == 3:
            self.emit(indent + 1, f"{out} = {self.value(node.args[2], indent + 1)}")
        else:
            self.emit(indent + 1, f"{out} = False")
        return out

    def _iferror(self, node: Call, indent: int) -> str:
        out = self.temp()
        self.emit(indent, "try:")
        self.emit(indent + 1, f"{out} = {self.value(node.args[0], indent + 1)}")
        self.emit(indent, "except Raised:")
        self.emit(indent + 1, f"{out} = {self.value(node.args[1], indent + 1)}")
        return out


def _plain_functions() -> dict[str, tuple[Any, int, int]]:

    return PLAIN_FUNCTIONS


def _operator(op: str) -> Any:

    return OPERATORS[op]


def _n_value() -> Any:

    return n_value


def generate(ev: Evaluator, tree: Node) -> Compiled:
    """One Python function computing the scalar value of `tree` in a host cell."""
    source = _Source(ev)
    result = source.value(tree, 1)
    body = "\n".join(source.lines) or "    pass"
    code = f"def formula(S, r, c):\n{body}\n    return {result}\n"
    namespace: dict[str, Any] = {
        **source.names,
        "cell": ev.cell,
        "number": v.number,
        "truth": v.truth,
        "ExcelError": ExcelError,
        "Raised": Raised,
        "REF": v.REF,
        "EPOCH": ev.book.epoch,
        "n_value": _n_value(),
    }
    exec(compile(code, "<formula>", "exec"), namespace)
    function: Compiled = namespace["formula"]
    return function
