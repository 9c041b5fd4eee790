"""The worksheet functions of the Sales Goals add-in (SG_ALLOCATE, SG_RISK, ...).

Each is a thin shell over the same core function the commands use. Python names are lower
case; Excel sees them upper case (the generated VBA wrappers in ``vba_gen`` give the name).
A function's docstring is what Excel users read: its first paragraph is the Insert Function
wizard's description, and each argument's description is given to ``worksheet_function``.
Bad arguments return a readable ``#SG: ...`` text in the cell, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import numpy as np
import pandas as pd
import xlwings as xw

from salesgoal_xl.addin.excel_values import (
    ArgumentError,
    amount,
    amounts,
    column,
    grid,
    optional_amount,
    required_amount,
    same_count,
    single,
    to_excel,
    whole_number,
)
from salesgoal_xl.core.allocation import allocate, allocate_groups
from salesgoal_xl.core.calendar import FiscalCalendar, parse_month
from salesgoal_xl.core.errors import CalendarError, SalesgoalError
from salesgoal_xl.core.fairness import gini
from salesgoal_xl.core.money import Amount, to_fraction, unit_fraction
from salesgoal_xl.core.proposal import ProposalSettings, build_proposal
from salesgoal_xl.core.seasonality import seasonal_indices, split_by_seasonality
from salesgoal_xl.core.tracking import pace, projected_landing, required_run_rate, risk_flag
from salesgoal_xl.workbook.cells import NumberText, classify_number_text, is_blank
from salesgoal_xl.workbook.schema import SETTINGS_BY_KEY

CATEGORY: Final = "Sales Goals"
"""The Insert Function wizard's category for every function here."""

ERROR_PREFIX: Final = "#SG: "
WIZARD_TEXT_LIMIT: Final = 255  # Excel's limit for a description and each argument's

_INT64_SAFE: Final = 2**62  # totals in minor units below this stay exact in allocate_groups

# Any year serves: a seasonal split reads only the calendar month of each label.
_NOMINAL_FISCAL_YEAR: Final = 2001


@dataclass(frozen=True)
class Argument:
    """One argument as Excel shows it: name, description, and whether it may be left out."""

    name: str
    description: str
    optional: bool


@dataclass(frozen=True)
class WorksheetFunction:
    """A function the add-in makes available in Excel."""

    python_name: str
    description: str
    arguments: tuple[Argument, ...]

    @property
    def excel_name(self) -> str:
        """The name typed into a cell, e.g. SG_ALLOCATE."""
        return self.python_name.upper()


FUNCTIONS: list[WorksheetFunction] = []
"""Every worksheet function, in the order they are defined (the wrappers follow it)."""


def worksheet_function(**arguments: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a worksheet function, describe its arguments, and keep errors in the cell.

    The keyword arguments describe each parameter (all must be described). The result is
    also marked for xlwings (``xw.func``/``xw.arg``), which on Windows reads these marks when
    Excel calls the function; elsewhere the xlwings decorators leave the function unchanged.
    """

    def register(compute: Callable[..., Any]) -> Callable[..., Any]:
        parameters = inspect.signature(compute).parameters
        if list(parameters) != list(arguments):
            raise TypeError(f"{compute.__name__}: describe {list(parameters)} in that order")
        description = (compute.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip()
        texts = [description, *arguments.values()]
        if not description or any(len(text) > WIZARD_TEXT_LIMIT for text in texts):
            raise TypeError(f"{compute.__name__}: descriptions must be 1-255 characters")

        @functools.wraps(compute)
        def in_cell(*values: Any) -> Any:
            try:
                return compute(*values)
            except SalesgoalError as error:
                return ERROR_PREFIX + str(error)
            except Exception as error:  # a cell shows one line, never a traceback
                kind = type(error).__name__
                return f"{ERROR_PREFIX}internal error ({kind}: {error}); please report it"

        marked: Callable[..., Any] = in_cell
        for name, text in arguments.items():
            # ndim=2 keeps a row a row: xlwings would otherwise pass rows and columns alike.
            marked = xw.arg(name, ndim=2, doc=text)(marked)
        marked = xw.func(category=CATEGORY)(marked)
        FUNCTIONS.append(
            WorksheetFunction(
                compute.__name__,
                description,
                tuple(
                    Argument(name, text, parameters[name].default is not inspect.Parameter.empty)
                    for name, text in arguments.items()
                ),
            )
        )
        return marked

    return register


@worksheet_function(
    total="The amount to split, e.g. an annual target.",
    weights="What to split by: one weight per part (a column or row; blank cells count as 0).",
    unit="Optional: the step every part is a multiple of (default 1; 0.01 for cents).",
    floors="Optional: the least each part gets, one per weight or one for all (blank = none).",
    caps="Optional: the most each part gets, one per weight or one for all (blank = none).",
)
def sg_allocate(
    total: Any, weights: Any, unit: Any = None, floors: Any = None, caps: Any = None
) -> Any:
    """Split a total over weights exactly: the parts add up to the total, to the unit.

    Spills one column, one part per weight, in the weights' order. Each part gets its
    proportional share rounded down to the unit; the units left over go to the largest
    remainders. Floors and caps are respected and the rest re-spread.
    Example: =SG_ALLOCATE(1000, A2:A4) with weights 1, 1, 1 gives 334, 333, 333.
    """
    shares = [0 if weight is None else weight for weight in amounts(weights, "weights")]
    count = len(shares)
    whole = required_amount(total, "total")
    step = optional_amount(unit, "unit", 1)
    floors_given = _per_part(floors, "floors", count)
    caps_given = _per_part(caps, "caps", count)
    if floors_given is None and caps_given is None:
        fast = _allocate_as_one_group(whole, shares, step)
        if fast is not None:
            return fast
    parts = allocate(whole, shares, unit=step, floors=floors_given, caps=caps_given)
    return column(parts)


def _allocate_as_one_group(
    total: Amount, shares: list[Amount], unit: Amount
) -> list[list[float]] | None:
    """The unbounded split through allocate_groups' vectorised path, or None to use allocate.

    allocate_groups gives, element for element, what allocate gives (the core's contract,
    tested in both places); it wants integer minor units, so amounts are scaled by the unit's
    denominator (100 for a unit of 0.01). Anything it cannot take goes to allocate, whose
    messages name the problem.
    """
    step = unit_fraction(unit)
    scale = step.denominator
    minor_total = to_fraction(total, "total") * scale
    if minor_total.denominator != 1 or not 0 <= minor_total.numerator < _INT64_SAFE:
        return None
    weights = np.asarray(shares)
    if weights.dtype == object or not (weights > 0).any():
        return None
    parts = allocate_groups(
        np.array([minor_total.numerator], dtype=np.int64),
        weights,
        np.zeros(len(shares), dtype=np.intp),
        unit=step.numerator,
    )
    # Parts below 2**53 (Excel's own limit) convert exactly: this is part / scale rounded once.
    spilled: list[list[float]] = (parts / scale).reshape(-1, 1).tolist()
    return spilled


@worksheet_function(
    history="Two columns: the month (a date or text like 2025-04) and its amount; "
    "rows of the same month add up, a header row and blank rows are skipped.",
)
def sg_seasonality(history: Any) -> Any:
    """Twelve seasonal indices (January to December, averaging 1) from past monthly actuals.

    Spills one column of 12. Robust to one odd month with three or more years of history;
    with less than a year of history the indices are flat (all 1).
    Example: =SG_SEASONALITY(History!A2:B37).
    """
    periods: list[object] = []
    values: list[float] = []
    for index, row in enumerate(grid(history)):
        if all(is_blank(cell) for cell in row):
            continue
        if len(row) < 2:
            raise ArgumentError("history needs two columns: the month and the amount.")
        if index == 0 and _is_header(row[1]):
            continue
        where = f"history row {index + 1}"
        value = amount(row[1], f"{where} amount")
        if value is not None:
            periods.append(_month(row[0], where))
            values.append(float(value))
    indices = seasonal_indices(pd.DataFrame({"period": periods, "amount": values}))
    return column(indices.tolist())


@worksheet_function(
    annual="The annual amount to split over the twelve months.",
    seasonality="Twelve seasonal indices, January to December (as SG_SEASONALITY returns).",
    first_month="Optional: the fiscal year's first month, 1-12 (default 1): the first row.",
    unit="Optional: the step every month is a multiple of (default 1).",
)
def sg_split_seasonal(
    annual: Any, seasonality: Any, first_month: Any = None, unit: Any = None
) -> Any:
    """Split an annual amount over the months by seasonal index; the months add up exactly.

    Spills one column of 12 in fiscal order, starting with the first month.
    Example: =SG_SPLIT_SEASONAL(1200000, SG_SEASONALITY(History!A2:B37), 4) for April.
    """
    indices = amounts(seasonality, "seasonality")
    if len(indices) != 12 or any(index is None for index in indices):
        raise ArgumentError(
            f"seasonality needs 12 indices, January to December (got {len(indices)})."
        )
    first = whole_number(first_month, "first_month", default=1)
    months = FiscalCalendar(_NOMINAL_FISCAL_YEAR, first).months
    split = split_by_seasonality(
        required_amount(annual, "annual"),
        [float(index) for index in indices if index is not None],
        months,
        unit=optional_amount(unit, "unit", 1),
    )
    return column([split[month] for month in months])


@worksheet_function(
    actual_to_date="Actual sales so far this year (a cell, or a column for many rows).",
    expected_to_date="The seasonal expectation to date: the target due by now.",
)
def sg_pace(actual_to_date: Any, expected_to_date: Any) -> Any:
    """Pace against the seasonal expectation: actual to date / expected to date (1 = on pace).

    Blank while nothing is expected yet. Ranges of the same size give one result per row.
    Example: =SG_PACE(C2, D2) with 82,000 and 100,000 gives 0.82.
    """

    return _per_row(pace, actual_to_date=actual_to_date, expected_to_date=expected_to_date)


@worksheet_function(
    actual_to_date="Actual sales so far this year.",
    target_to_date="The target due by now (the seasonal expectation to date).",
    annual_target="The target for the whole year.",
    unit="Optional: the step the projection is rounded to (default 1).",
)
def sg_project(
    actual_to_date: Any, target_to_date: Any, annual_target: Any, unit: Any = None
) -> Any:
    """Projected landing: actual to date plus the rest of the year's target at the pace so far.

    Rounded half-up to the unit; blank while no target is due yet. Ranges of the same size
    give one result per row.
    Example: =SG_PROJECT(45000, 50000, 120000) gives 108,000 (pace 0.9).
    """
    step = optional_amount(unit, "unit", 1)
    return _per_row(
        lambda done, due, year: projected_landing(done, due, year, unit=step),
        actual_to_date=actual_to_date,
        target_to_date=target_to_date,
        annual_target=annual_target,
    )


@worksheet_function(
    annual_target="The target for the whole year.",
    actual_to_date="Actual sales so far this year.",
    periods_left="How many months (or weeks) are left in the year.",
    unit="Optional: the step the rate is rounded up to (default 1).",
)
def sg_run_rate_needed(
    annual_target: Any, actual_to_date: Any, periods_left: Any, unit: Any = None
) -> Any:
    """The run rate still needed: what each period left must bring to reach the annual target.

    Rounded up to the unit; 0 once the target is reached; blank when no period is left.
    Ranges of the same size give one result per row.
    Example: =SG_RUN_RATE_NEEDED(220000, 120000, 3) gives 33,334.
    """
    step = optional_amount(unit, "unit", 1)
    return _per_row(
        lambda year, done, left: required_run_rate(year, done, left, unit=step),
        annual_target=annual_target,
        actual_to_date=actual_to_date,
        periods_left=periods_left,
    )


# The workbook's own defaults, read exactly (0.9 means nine tenths).
_AMBER_DEFAULT: Final = Fraction(str(SETTINGS_BY_KEY["amber_threshold"].default))
_RED_DEFAULT: Final = Fraction(str(SETTINGS_BY_KEY["red_threshold"].default))


@worksheet_function(
    actual_to_date="Actual sales so far this year.",
    expected_to_date="The seasonal expectation to date: the target due by now.",
    annual_target="The target for the whole year.",
    periods_left="How many months are left in the year.",
    best_month="Optional: the best month's actual so far, to compare the needed rate with.",
    amber_below=f"Optional: amber below this pace (default {float(_AMBER_DEFAULT):.0%}, as in "
    "Settings).",
    red_below=f"Optional: red below this pace (default {float(_RED_DEFAULT):.0%}, as in Settings).",
)
def sg_risk(
    actual_to_date: Any,
    expected_to_date: Any,
    annual_target: Any,
    periods_left: Any,
    best_month: Any = None,
    amber_below: Any = None,
    red_below: Any = None,
) -> Any:
    """Risk flag (green, amber or red) by seasonal pace, and a reason a manager can act on.

    Spills two cells in a row: the flag and the reason, e.g. amber | behind seasonal pace by
    18%; needs 1.4x the best month so far. Use INDEX(...,1) for the flag alone.
    Example: =SG_RISK(82000, 100000, 250000, 6, 20000).
    """
    flag = risk_flag(
        actual_to_date=required_amount(actual_to_date, "actual_to_date"),
        expected_to_date=required_amount(expected_to_date, "expected_to_date"),
        annual_target=required_amount(annual_target, "annual_target"),
        periods_left=whole_number(periods_left, "periods_left"),
        best_period=amount(single(best_month, "best_month"), "best_month"),
        amber_below=optional_amount(amber_below, "amber_below", _AMBER_DEFAULT),
        red_below=optional_amount(red_below, "red_below", _RED_DEFAULT),
    )
    return [[flag.level.value, flag.reason]]


@worksheet_function(
    values="The values to compare, e.g. each rep's target or attainment (blanks skipped).",
)
def sg_gini(values: Any) -> Any:
    """Gini coefficient of a set of values: 0 when all are equal, towards 1 when one has all.

    A fairness figure for targets or attainment across reps.
    Example: =SG_GINI(B2:B61).
    """
    numbers = [number for number in amounts(values, "values") if number is not None]
    return gini([float(number) for number in numbers])


@worksheet_function(
    target="The proposed target (whole currency units).",
    forecast="The forecast it is judged against (whole currency units, above 0).",
)
def sg_challenge(target: Any, forecast: Any) -> Any:
    """Challenge ratio: target / forecast, as the Target setting sheet shows it (1.1 = 10% above).

    Rounded to four places, like the proposal. Example: =SG_CHALLENGE(1100000, 1000000) is 1.1.
    """
    goal = _whole_units(required_amount(target, "target"), "target")
    expected = _whole_units(required_amount(forecast, "forecast"), "forecast")
    # The proposal computes the ratio; only its ratio is read, so the settings are neutral.
    proposal = build_proposal(
        baseline=0,
        forecast=expected,
        settings=ProposalSettings(fiscal_year=_NOMINAL_FISCAL_YEAR),
        final_target=goal,
    )
    if proposal.challenge_ratio is None:
        raise ArgumentError(f"forecast must be above 0 to judge a target (got {expected}).")
    return to_excel(proposal.challenge_ratio)


def _per_part(value: object, what: str, count: int) -> list[Amount | None] | None:
    """A bound per weight, or None when none is given (left out, or all blank)."""
    bounds = amounts(value, what)
    if all(bound is None for bound in bounds):
        return None
    return same_count(bounds, what, count, "weights")


def _is_header(cell: object) -> bool:
    return isinstance(cell, str) and classify_number_text(cell)[0] is NumberText.NOT_NUMBER


def _month(cell: object, where: str) -> object:
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        try:
            parse_month(cell)
        except CalendarError:
            raise ArgumentError(
                f"{where}: {cell!r} is not a month; type 2025-04 or a date."
            ) from None
        return cell
    if isinstance(cell, int | float | Decimal):
        raise ArgumentError(
            f"{where}: the month is the number {cell:g}; format the cell as a date or type 2025-04."
        )
    raise ArgumentError(f"{where}: the month is blank or not a date (got {cell!r}).")


def _per_row(rule: Callable[..., object], **arguments: object) -> Any:
    """``rule`` on the numbers of each row of the arguments; a row with a blank stays blank."""
    names = list(arguments)

    def one(*row: object) -> object:
        numbers = [amount(value, name) for value, name in zip(row, names, strict=True)]
        return None if any(number is None for number in numbers) else rule(*numbers)

    return _each_cell(one, **arguments)


def _whole_units(value: Amount, what: str) -> int:
    if not isinstance(value, int):
        raise ArgumentError(f"{what} must be a whole number of currency units (got {value!r}).")
    return value


def _each_cell(rule: Callable[..., Any], **arguments: object) -> Any:
    """Apply ``rule`` to one cell of each argument at a time; single cells go with every row.

    A single result is returned as a value, a block as rows; an error names the item.
    """
    grids = {name: grid(value) for name, value in arguments.items()}
    rows = max(len(block) for block in grids.values())
    columns = max(len(block[0]) for block in grids.values())
    for name, block in grids.items():
        if (len(block), len(block[0])) not in ((1, 1), (rows, columns)):
            raise ArgumentError(
                f"{name} is {len(block)}x{len(block[0])} but another argument is "
                f"{rows}x{columns}; give ranges of the same size, or single cells."
            )
    results: list[list[float | str]] = []
    for row in range(rows):
        results.append([])
        for col in range(columns):
            picked = [
                block[row if len(block) > 1 else 0][col if len(block[0]) > 1 else 0]
                for block in grids.values()
            ]
            try:
                results[-1].append(to_excel(rule(*picked)))
            except SalesgoalError as error:
                if rows * columns == 1:
                    raise
                raise ArgumentError(f"item {row * columns + col + 1}: {error}") from None
    return results[0][0] if rows * columns == 1 else results
