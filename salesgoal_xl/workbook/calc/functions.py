"""The functions and operators of the product's formula vocabulary, as Excel computes them.

`FUNCTIONS` maps each known function to its implementation; `PLAIN_FUNCTIONS` are those of
plain values, which the generated code calls directly. An implementation gets the evaluator
(for the cells of a reference), the host cell and its arguments; an Excel error travels as
`Raised`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from salesgoal_xl.workbook.calc import values as v
from salesgoal_xl.workbook.calc.book import Sheet
from salesgoal_xl.workbook.calc.parse import UnsupportedFormula
from salesgoal_xl.workbook.calc.values import ExcelError, Raised

if TYPE_CHECKING:
    from salesgoal_xl.workbook.calc.evaluate import Evaluator


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


# Functions whose result may be a reference (INDEX(..):INDEX(..), IF(.., A1:A9, ..)).
_MAY_GIVE_REFERENCES: Final = frozenset({"INDEX"})


def raiser(error: ExcelError) -> Compiled:
    def run(_s: Sheet, _r: int, _c: int) -> Any:
        raise Raised(error)

    return run


def scalar(ev: Evaluator, value: Any, row: int, col: int) -> Any:
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


def guarded(apply: Callable[[Any, Any], Any], x: Any, y: Any) -> Any:
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


OPERATORS: Final[dict[str, Callable[[Any, Any], Any]]] = {
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

Impl = Callable[["Evaluator", Sheet, int, int, Sequence[Any]], Any]


def _one(ev: Evaluator, args: Sequence[Any], row: int, col: int, count: int) -> list[Any]:
    if len(args) != count:
        raise UnsupportedFormula(f"expected {count} argument(s), got {len(args)}")
    return [scalar(ev, a, row, col) for a in args]


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
            out.append(v.number(scalar(ev, arg, row, col)))
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
    if v.truth(scalar(ev, args[0](sheet, row, col), row, col)):
        return args[1](sheet, row, col)
    return args[2](sheet, row, col) if len(args) == 3 else False


def _iferror(ev: Evaluator, sheet: Sheet, row: int, col: int, args: Sequence[Any]) -> Any:
    if len(args) != 2:
        raise UnsupportedFormula("IFERROR takes 2 arguments")
    try:
        value = scalar(ev, args[0](sheet, row, col), row, col)
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
                found.append(v.truth(scalar(ev, arg, row, col)))
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
        return function(ev.book.epoch, *(scalar(ev, a, row, col) for a in args))

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
    n = math.floor(v.number(scalar(ev, args[1], row, col)))
    m = math.floor(v.number(scalar(ev, args[2], row, col))) if len(args) == 3 else 0
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
    wanted = scalar(ev, args[0], row, col)
    kind = math.floor(v.number(scalar(ev, args[2], row, col))) if len(args) == 3 else 1
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
        rule = v.criterion(scalar(ev, args[i + 1], row, col))
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
    rule = v.criterion(scalar(ev, args[1], row, col))
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
