"""The reader finds tables by name, matches headers in any language and reads only their range."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from salesgoal_xl.core.problems import Problem, ProblemCode, Severity
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.cells import NumberText, classify_number_text
from salesgoal_xl.workbook.reader import (
    find_table,
    read_settings,
    read_table,
    usable_frame,
    workbook_language,
)
from tests.workbook.bad_tables import add_table, build_workbook, data_cell, good_plan, reopen


def _codes(problems: list[Problem]) -> set[ProblemCode]:
    return {p.code for p in problems}


def test_table_found_on_a_renamed_and_moved_sheet() -> None:
    """A table is found by its name after its sheet is renamed and moved to the front."""
    wb = build_workbook()
    ws = wb["Settings"]
    ws.title = "Our people"
    wb.move_sheet(ws, offset=-wb.index(ws))
    read = read_table(reopen(wb), "tblReps")
    assert read.found and read.data.sheet == "Our people"
    assert list(read.data.frame["rep_id"]) == ["R01", "R02", "R03"]


def test_table_name_is_case_insensitive() -> None:
    """Excel treats table names case-insensitively, and so does the reader."""
    wb = build_workbook()
    assert find_table(wb, "TBLREPS") is not None


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_headers_in_any_language_and_any_order(lang: str) -> None:
    """Headers in any of the three languages, shuffled, map to the schema keys and letters."""
    spec = schema.table("tblReps")
    order = list(spec.keys)
    random.Random(7).shuffle(order)
    wb = Workbook()
    ws = wb.active
    labels = [spec.column(k).label.get(lang) for k in order]
    rows = good_plan()["tblReps"]
    add_table(ws, 4, "tblReps", labels, tuple(order), rows)
    read = read_table(reopen(wb), "tblReps")
    assert read.problems == []
    assert list(read.data.frame.columns) == list(spec.keys)
    assert list(read.data.frame["team"]) == ["T1", "T1", "T2"]
    team_letter = "ABCDEFGHI"[order.index("team")]
    assert read.data.cell(0, "team") == f"{team_letter}6"


def test_extra_user_columns_are_kept_under_their_header() -> None:
    """A column the user added is kept in the frame after the schema columns, with no problem."""
    spec = schema.table("tblKpis")
    labels = [c.label.en for c in spec.columns] + ["My comment"]
    wb = Workbook()
    add_table(wb.active, 1, "tblKpis", labels, (*spec.keys, "mine"), good_plan()["tblKpis"])
    data_cell(wb, "tblKpis", spec.columns[-1].key, 0).offset(0, 1).value = "keep me"
    read = read_table(reopen(wb), "tblKpis")
    assert read.problems == []
    assert read.extra_columns == ("My comment",)
    assert read.data.frame["My comment"].tolist() == ["keep me", None]


def test_missing_header_is_named_in_the_workbook_language() -> None:
    """A renamed header is reported as missing, in the workbook's language, at the header row."""
    plan = good_plan()
    for row in plan["tblSettings"]:
        if row["setting"] == "Language":
            row["value"] = "zh-Hant"
    wb = build_workbook(plan, lang="zh-Hant")
    data_cell(wb, "tblReps", "team", -1).value = "小組"
    wb = reopen(wb)
    assert workbook_language(wb) == "zh-Hant"
    read = read_table(wb, "tblReps")
    [problem] = read.problems
    assert problem.code is ProblemCode.MISSING_HEADER
    assert "團隊" in problem.message and "小組" in problem.hint
    assert problem.sheet == "設定"
    assert re.fullmatch(r"A(\d+):[A-Z](\1)", problem.cell)  # the header row of the table


def test_duplicate_header_names_both_cells() -> None:
    """Two headers meaning the same column (English and Chinese) are reported with both cells."""
    wb = build_workbook()
    data_cell(wb, "tblKpis", "cap", -1).value = "權重"
    read = read_table(reopen(wb), "tblKpis")
    duplicate = [p for p in read.problems if p.code is ProblemCode.DUPLICATE_HEADER]
    assert len(duplicate) == 1
    assert "C2" in duplicate[0].message and duplicate[0].cell == "E2"


def test_optional_missing_column_is_a_warning() -> None:
    """An optional input column deleted from a user table is read as blank with a warning."""
    spec = schema.table("tblKpis")
    keys = tuple(k for k in spec.keys if k != "cap")
    wb = Workbook()
    add_table(wb.active, 1, "tblKpis", [spec.column(k).label.en for k in keys], keys, [])
    read = read_table(reopen(wb), "tblKpis")
    assert [(p.code, p.severity) for p in read.problems] == [
        (ProblemCode.MISSING_HEADER, Severity.WARNING)
    ]
    assert "cap" in read.data.frame.columns


def test_a_table_claiming_too_many_rows_is_refused_without_reading() -> None:
    """A table whose range exceeds the schema's max_rows is TOO_MANY_ROWS and no cell is made."""
    wb = build_workbook()
    found = find_table(wb, "tblKpis")
    assert found is not None
    ws, tbl = found
    tbl.ref = "A2:E1048576"
    before = len(ws._cells)
    read = read_table(wb, "tblKpis")
    assert _codes(read.problems) == {ProblemCode.TOO_MANY_ROWS}
    assert len(ws._cells) == before


def test_a_long_empty_range_is_read_without_creating_cells() -> None:
    """Reading a 200,000-row range that is mostly empty creates no cells and keeps no blank tail."""
    wb = build_workbook()
    found = find_table(wb, "tblHistory")
    assert found is not None
    ws, tbl = found
    tbl.ref = "A2:E200000"
    before = len(ws._cells)
    read = read_table(wb, "tblHistory")
    assert len(ws._cells) == before
    assert len(read.data.frame) == len(good_plan()["tblHistory"])
    assert read.problems == []


def test_formulas_and_error_values_are_noted_beside_the_frame() -> None:
    """Formula cells and error cells are listed by (row, key); the frame keeps their text."""
    wb = build_workbook()
    data_cell(wb, "tblHistory", "amount", 0).value = "=1+1"
    data_cell(wb, "tblHistory", "amount", 1).value = "#DIV/0!"
    read = read_table(reopen(wb), "tblHistory")
    assert read.formulas == {(0, "amount")}
    assert read.errors == {(1, "amount")}
    assert read.data.frame.at[0, "amount"] == "=1+1"


def test_a_table_away_from_a1_gives_right_addresses() -> None:
    """Cell addresses follow the table wherever it starts on the sheet."""
    wb = Workbook()
    ws = wb.active
    ws.insert_cols(1)
    spec = schema.table("tblRegions")
    add_table(ws, 9, "tblRegions", [c.label.en for c in spec.columns], spec.keys, [{"region": "N"}])
    read = read_table(reopen(wb), "tblRegions")
    assert read.data.first_row == 11 and read.data.cell(0, "region_name") == "B11"


def test_settings_in_chinese_are_typed_and_bounded() -> None:
    """Setting labels in Chinese are read; a percent typed as text is a number; bad values named."""
    plan = good_plan()
    hans = {s.key: s.label.zh_hans for s in schema.SETTINGS}
    keys = [s.key for s in schema.SETTINGS]
    for row, key in zip(plan["tblSettings"], keys, strict=True):
        row["setting"] = hans[key]
    values = {"fiscal_year": "2027", "over_assignment": "5%", "granularity": "day"}
    for row, key in zip(plan["tblSettings"], keys, strict=True):
        row["value"] = values.get(key, row["value"])
    wb = reopen(build_workbook(plan, lang="zh-Hans"))
    settings, problems = read_settings(wb)
    assert settings["fiscal_year"] == 2027
    assert settings["over_assignment"] == pytest.approx(0.05)
    assert settings["granularity"] == "month"  # the default stays when the value is bad
    [bad] = problems
    assert bad.code is ProblemCode.BAD_SETTING and bad.cell.startswith("B")


def test_missing_setting_falls_back_to_default_with_a_warning() -> None:
    """A deleted setting row gives a warning and the schema default."""
    plan = good_plan()
    plan["tblSettings"] = [r for r in plan["tblSettings"] if r["setting"] != "Stretch"]
    settings, problems = read_settings(reopen(build_workbook(plan)))
    assert settings["stretch"] == pytest.approx(0.10)
    assert [(p.code, p.severity) for p in problems] == [(ProblemCode.BAD_SETTING, Severity.WARNING)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("1234.5", NumberText.PLAIN, 1234.5),
        ("-3", NumberText.PLAIN, -3.0),
        ("25%", NumberText.PLAIN, 0.25),
        ("１２３", NumberText.PLAIN, 123.0),
        ("0.125", NumberText.PLAIN, 0.125),
        ("1.000,50", NumberText.LOCALE, None),
        ("1,000.50", NumberText.LOCALE, None),
        ("12 345", NumberText.LOCALE, None),
        ("1.000", NumberText.LOCALE, None),
        ("1,5", NumberText.LOCALE, None),
        ("$1,200", NumberText.LOCALE, None),
        ("(1,000)", NumberText.LOCALE, None),
        ("n/a", NumberText.NOT_NUMBER, None),
        ("", NumberText.NOT_NUMBER, None),
    ],
)
def test_number_text_is_classified(text: str, kind: NumberText, value: float | None) -> None:
    """Text in a numeric cell is plain (one reading), locale-formatted or not a number."""
    got_kind, got_value, _ = classify_number_text(text)
    assert got_kind is kind
    assert got_value == (pytest.approx(value) if value is not None else None)


def test_locale_readings_show_the_ambiguity() -> None:
    """'1,000' could mean one or one thousand; both readings are given for the message."""
    assert classify_number_text("1,000")[2] == (1.0, 1000.0)
    assert classify_number_text("1.000,50")[2] == (1000.5,)


def test_usable_frame_converts_only_plain_numbers_as_text() -> None:
    """Commands get '50000' as 50000, while '1.000,50' stays text for the checks to report."""
    plan = good_plan()
    plan["tblHistory"][0]["amount"] = "50000"
    plan["tblHistory"][1]["amount"] = "1.000,50"
    plan["tblHistory"][2]["amount"] = dt.datetime(2026, 1, 1)
    frame = usable_frame(read_table(reopen(build_workbook(plan)), "tblHistory"))
    assert frame.at[0, "amount"] == 50000
    assert frame.at[1, "amount"] == "1.000,50"
    assert isinstance(frame.at[2, "amount"], dt.datetime)


def test_missing_table_comes_back_not_found() -> None:
    """A table that is nowhere in the workbook is reported as not found, with an empty frame."""
    wb = build_workbook()
    del wb["Decomposition"].tables["tblWeights"]
    read = read_table(wb, "tblWeights")
    assert not read.found and read.data.frame.empty


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_any_plain_number_text_reads_back_exactly(number: float) -> None:
    """A number written plainly as text (Python's repr) always reads back as that number."""
    text = repr(number)
    kind, value, _ = classify_number_text(text)
    if kind is NumberText.PLAIN:
        assert value == number
    else:  # only the '1.000'-like shapes are held back as ambiguous
        assert kind is NumberText.LOCALE and number in classify_number_text(text)[2]


@given(st.integers(min_value=1_000, max_value=10**12), st.sampled_from([",", ".", " ", "'"]))
def test_grouped_thousands_are_never_read_silently(number: int, separator: str) -> None:
    """An integer with thousands separators is a LOCALE number whose readings include it."""
    text = f"{number:,}".replace(",", separator)
    kind, value, readings = classify_number_text(text)
    assert kind is NumberText.LOCALE and value is None
    assert float(number) in readings
