"""Worksheet functions called as Excel calls them: 2-D lists, blanks as None, floats, text."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import typing
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.addin import udfs
from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.errors import AllocationError
from salesgoal_xl.core.fairness import gini
from salesgoal_xl.core.seasonality import seasonal_indices
from salesgoal_xl.core.tracking import projected_landing, required_run_rate, risk_flag
from salesgoal_xl.workbook.schema import SETTINGS_BY_KEY


def col(*values: object) -> list[list[object]]:
    """A one-column range as xlwings passes it with ndim=2."""
    return [[value] for value in values]


def is_error(result: object) -> bool:
    """Whether a result is the readable error text a cell shows."""
    return isinstance(result, str) and result.startswith("#SG: ")


# ---------------------------------------------------------------- SG_ALLOCATE


def test_allocate_spills_a_column_that_adds_up_exactly() -> None:
    """1000 over three equal weights: 334, 333, 333, summing to 1000."""
    result = udfs.sg_allocate([[1000.0]], col(1.0, 1.0, 1.0))
    assert result == col(334.0, 333.0, 333.0)


def test_allocate_is_the_core_allocation() -> None:
    """The cell shows exactly what core.allocation.allocate gives for the same inputs."""
    weights = [3.5, 1.25, 0.0, 7.0]
    got = udfs.sg_allocate(98_765.0, col(*weights), 5.0)
    assert got == col(*(float(p) for p in allocate(98_765, weights, unit=5)))


def test_allocate_reads_blanks_text_numbers_and_rows() -> None:
    """A blank weight counts 0, '2' is 2, and a row of weights still spills a column."""
    assert udfs.sg_allocate("1000", col(1.0, None, "2")) == col(333.0, 0.0, 667.0)
    assert udfs.sg_allocate(90.0, [[1.0, 1.0, 1.0]]) == col(30.0, 30.0, 30.0)


def test_allocate_floors_and_caps_one_for_all_or_one_each() -> None:
    """A single floor applies to every part; per-part caps leave blanks unbounded."""
    assert udfs.sg_allocate(100.0, col(1.0, 9.0), None, 30.0) == col(30.0, 70.0)
    assert udfs.sg_allocate(100.0, col(1.0, 9.0), None, None, col(None, 60.0)) == col(40.0, 60.0)


@settings(max_examples=150, deadline=None)
@given(
    weights=st.lists(st.integers(0, 99_999).map(lambda n: n / 100), min_size=1, max_size=30),
    total_units=st.integers(0, 10**7),
    unit=st.sampled_from(["1", "5", "100", "0.01", "0.05"]),
)
def test_the_vectorised_path_gives_what_allocate_gives(
    weights: list[float], total_units: int, unit: str
) -> None:
    """Without bounds SG_ALLOCATE goes through allocate_groups; it equals allocate exactly."""
    total = float(Decimal(total_units) * Decimal(unit))
    try:
        expected: object = col(*(float(p) for p in allocate(total, weights, unit=float(unit))))
    except AllocationError:
        expected = None
    got = udfs.sg_allocate(total, col(*weights), float(unit))
    if expected is None:
        assert is_error(got)
    else:
        assert got == expected


def test_the_vectorised_path_is_taken_for_plain_splits() -> None:
    """The fast path is used (not silently skipped) for an ordinary split in cents."""
    assert udfs._allocate_as_one_group(100, [1.5, 2.5], 0.01) == [[37.5], [62.5]]


def test_allocate_in_cents() -> None:
    """Unit 0.01 gives cent parts that add up to the total."""
    result = udfs.sg_allocate(100.0, col(1.0, 1.0, 1.0), 0.01)
    assert result == col(33.34, 33.33, 33.33)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-5.0, col(1.0)), "total must be >= 0"),
        ((None, col(1.0)), "total is blank"),
        (("1,000", col(1.0)), "could mean 1 or 1000"),
        ((100.0, col(True)), "weights item 1 must be a number (got TRUE)"),
        ((100.0, col(1.0, "abc")), "weights item 2 must be a number (got the text 'abc')"),
        ((100.0, col(1.0, 1.0), None, col(1.0, 2.0, 3.0)), "floors has 3 values but weights"),
        ((100.0, col(0.0, 0.0)), "add up to 0"),
        ((100.0, col(1.0), 3.0), "multiple of the unit 3"),
        ((col(1.0, 2.0), col(1.0)), "total takes one cell"),
    ],
)
def test_allocate_bad_arguments_read_as_text_in_the_cell(
    args: tuple[object, ...], message: str
) -> None:
    """Each bad argument gives '#SG: ...' naming what is wrong, never an exception."""
    result = udfs.sg_allocate(*args)
    assert is_error(result)
    assert message in result


# ---------------------------------------------------------------- seasonality


def _history(years: int = 3) -> list[list[object]]:
    rows: list[list[object]] = [["Month", "Amount"]]
    for month in range(12 * years):
        year, number = 2023 + month // 12, month % 12 + 1
        rows.append([dt.datetime(year, number, 1), 100.0 + (60.0 if number == 12 else 0.0)])
    return rows


def test_seasonality_is_the_core_index_and_skips_header_and_blanks() -> None:
    """Twelve indices equal to core.seasonality's, with a header and a blank row ignored."""
    rows = [*_history(), [None, None]]
    got = udfs.sg_seasonality(rows)
    frame = pd.DataFrame(
        {"period": [r[0] for r in rows[1:-1]], "amount": [r[1] for r in rows[1:-1]]}
    )
    assert got == col(*seasonal_indices(frame).tolist())
    assert len(got) == 12 and got[11][0] > got[0][0]


def test_seasonality_reads_text_months() -> None:
    """Months typed as text ('2024-03') work like dates."""
    rows = [[f"{2023 + m // 12}-{m % 12 + 1:02d}", 10.0 * (m % 12 + 1)] for m in range(24)]
    assert len(udfs.sg_seasonality(rows)) == 12


def test_seasonality_refuses_a_month_given_as_a_plain_number() -> None:
    """A date serial that is not formatted as a date is refused with what to do."""
    result = udfs.sg_seasonality([[45658.0, 100.0]])
    assert is_error(result) and "format the cell as a date" in result


def test_split_seasonal_adds_up_in_fiscal_order() -> None:
    """Flat indices split 1200 into 100s; April first puts April's share in row 1."""
    assert udfs.sg_split_seasonal(1200.0, col(*[1.0] * 12)) == col(*[100.0] * 12)
    indices = [1.0] * 12
    indices[3] = 2.0  # April
    result = udfs.sg_split_seasonal(1300.0, col(*indices), 4.0)
    assert result[0] == [200.0] and sum(row[0] for row in result) == 1300.0


def test_split_seasonal_needs_twelve_indices() -> None:
    """Eleven indices are refused."""
    result = udfs.sg_split_seasonal(1200.0, col(*[1.0] * 11))
    assert is_error(result) and "12 indices" in result


# ---------------------------------------------------------------- tracking


def test_pace_single_cells_and_columns() -> None:
    """One pair gives a number; columns give a column, blank where nothing is expected."""
    assert udfs.sg_pace(82_000.0, 100_000.0) == pytest.approx(0.82)
    assert udfs.sg_pace(col(50.0, 10.0, None), col(100.0, 0.0, 5.0)) == col(0.5, "", "")


def test_pace_broadcasts_a_single_expectation_and_refuses_mismatched_ranges() -> None:
    """A single cell goes with every row; ranges of different sizes are refused."""
    assert udfs.sg_pace(col(1.0, 2.0), 4.0) == col(0.25, 0.5)
    result = udfs.sg_pace(col(1.0, 2.0), col(1.0, 2.0, 3.0))
    assert is_error(result) and "same size" in result


def test_project_is_the_core_projection() -> None:
    """SG_PROJECT shows core.tracking.projected_landing, blank before a target is due."""
    assert udfs.sg_project(45_000.0, 50_000.0, 120_000.0) == float(
        projected_landing(45_000, 50_000, 120_000) or 0
    )
    assert udfs.sg_project(10.0, 0.0, 100.0) == ""


def test_run_rate_needed_is_the_core_rate_and_names_a_bad_row() -> None:
    """SG_RUN_RATE_NEEDED shows core.tracking.required_run_rate; a bad row says which."""
    assert udfs.sg_run_rate_needed(220_000.0, 120_000.0, 3.0) == float(
        required_run_rate(220_000, 120_000, 3) or 0
    )
    result = udfs.sg_run_rate_needed(col(100.0, 100.0), col(10.0, 10.0), col(2.0, 2.5))
    assert is_error(result) and "item 2" in result and "whole number" in result


def test_risk_spills_flag_and_reason_from_the_core() -> None:
    """SG_RISK is the core's flag and reason, with the workbook's default thresholds."""
    result = udfs.sg_risk(82_000.0, 100_000.0, 250_000.0, 6.0, 20_000.0)
    flag = risk_flag(
        actual_to_date=82_000,
        expected_to_date=100_000,
        annual_target=250_000,
        periods_left=6,
        best_period=20_000,
        amber_below=Decimal(str(SETTINGS_BY_KEY["amber_threshold"].default)),
        red_below=Decimal(str(SETTINGS_BY_KEY["red_threshold"].default)),
    )
    assert result == [[flag.level.value, flag.reason]]
    assert result == [["amber", "behind seasonal pace by 18%; needs 1.4x the best month so far"]]


def test_risk_thresholds_can_be_given_and_blanks_take_the_defaults() -> None:
    """Given thresholds change the level; blank ones fall back to the Settings defaults."""
    assert udfs.sg_risk(82.0, 100.0, 250.0, 6.0, None, 0.85, 0.83)[0][0] == "red"
    assert udfs.sg_risk(82.0, 100.0, 250.0, 6.0, None, None, None)[0][0] == "amber"


def test_risk_refuses_fractional_periods() -> None:
    """6.5 months left is a readable error."""
    assert "periods_left must be a whole number" in udfs.sg_risk(1.0, 1.0, 2.0, 6.5)


def test_gini_and_challenge_are_the_core_figures() -> None:
    """SG_GINI is core.fairness.gini (blanks skipped); SG_CHALLENGE is the proposal's ratio."""
    assert udfs.sg_gini(col(1.0, 2.0, None, 3.0)) == gini([1, 2, 3])
    assert udfs.sg_challenge(1_100_000.0, 1_000_000.0) == 1.1
    assert "forecast must be above 0" in udfs.sg_challenge(1.0, 0.0)
    assert "whole number of currency units" in udfs.sg_challenge(1.5, 2.0)


# ---------------------------------------------------------------- every function


cell_values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.text(max_size=8),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
arguments = st.one_of(
    cell_values,
    st.lists(st.lists(cell_values, min_size=1, max_size=3), min_size=1, max_size=4),
)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_no_function_ever_raises_whatever_excel_passes(data: st.DataObject) -> None:
    """Any mix of blanks, numbers, text, booleans, dates and ranges gives a value or '#SG:'."""
    for function in udfs.FUNCTIONS:
        compute = getattr(udfs, function.python_name)
        values = [data.draw(arguments) for _ in function.arguments]
        result = compute(*values)
        if isinstance(result, str):
            assert result == "" or is_error(result)
            assert "Traceback" not in result


def test_every_function_is_registered_with_wizard_texts() -> None:
    """Nine functions, each with a description and argument texts Excel accepts (<= 255)."""
    names = [f.excel_name for f in udfs.FUNCTIONS]
    assert names == [
        "SG_ALLOCATE",
        "SG_SEASONALITY",
        "SG_SPLIT_SEASONAL",
        "SG_PACE",
        "SG_PROJECT",
        "SG_RUN_RATE_NEEDED",
        "SG_RISK",
        "SG_GINI",
        "SG_CHALLENGE",
    ]
    for function in udfs.FUNCTIONS:
        texts = [function.description, *(a.description for a in function.arguments)]
        assert all(0 < len(text) <= 255 for text in texts), function.excel_name
        assert function.description == " ".join(
            getattr(udfs, function.python_name).__doc__.split("\n\n")[0].split()
        )


@pytest.fixture
def windows_xlwings(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """xlwings' Windows UDF module (xlwings.udfs), importable here with COM stubbed out."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        monkeypatch.setitem(sys.modules, name, mock.MagicMock(name=name))
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    import xlwings.udfs

    yield xlwings.udfs
    sys.modules.pop("xlwings.udfs", None)


def test_xlwings_decorators_are_plain_here_and_mark_every_function_on_windows(
    windows_xlwings: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off Windows xw.func leaves functions unmarked; with Windows' xlfunc/xlarg each function
    carries the marks xlwings' call_udf reads: argument names, defaults, ndim=2, descriptions."""
    import xlwings as xw
    from xlwings.conversion import accessors

    assert not hasattr(udfs.sg_risk, "__xlfunc__")
    monkeypatch.setattr(xw, "func", windows_xlwings.xlfunc)
    monkeypatch.setattr(xw, "arg", windows_xlwings.xlarg)
    spec = importlib.util.spec_from_file_location("udfs_on_windows", udfs.__file__)
    assert spec is not None and spec.loader is not None
    on_windows = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "udfs_on_windows", on_windows)  # dataclasses look it up
    spec.loader.exec_module(on_windows)
    for function in on_windows.FUNCTIONS:
        marks = getattr(on_windows, function.python_name).__xlfunc__
        assert marks["category"] == udfs.CATEGORY
        assert [a["name"] for a in marks["args"]] == [a.name for a in function.arguments]
        for mark, argument in zip(marks["args"], function.arguments, strict=True):
            assert mark["doc"] == argument.description
            assert mark["options"]["ndim"] == 2
            assert accessors.get(mark["options"]["convert"]) is accessors.get(typing.Any)
            assert ("optional" in mark) is argument.optional
