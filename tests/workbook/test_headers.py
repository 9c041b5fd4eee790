"""The one header matcher: languages, spacing, the user's columns, duplicates, missing columns."""

from __future__ import annotations

import pytest

from salesgoal_xl.core.problems import ProblemCode, Severity
from salesgoal_xl.workbook.headers import match_headers
from salesgoal_xl.workbook.schema import TABLES, table

REPS = table("tblReps")


def _labels(lang: str) -> list[str]:
    return [c.label.get(lang) for c in REPS.columns]


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans"])
def test_every_language_and_the_keys_match_with_any_case_and_spacing(lang: str) -> None:
    """Headers in each language, shouted or with doubled spaces, give the schema keys."""
    texts: list[object | None] = [
        f"  {label.upper()}  ".replace(" ", "  ") for label in _labels(lang)
    ]
    match = match_headers(REPS, texts, 2, 5, "Org", lang)
    assert match.names == list(REPS.keys) and not match.problems
    assert match.letters["rep_id"] == "B" and match.header_cells["rep_id"] == "B5"
    by_key = match_headers(REPS, list(REPS.keys), 1, 1, "Org")
    assert by_key.names == list(REPS.keys)


def test_a_users_own_columns_are_kept_under_their_header() -> None:
    """Unknown headers are extras, named by their text or their letter, never a schema key."""
    texts: list[object | None] = [*_labels("en"), "Notes", None, "Notes"]
    match = match_headers(REPS, texts, 1, 3, "Org")
    width = len(REPS.columns)
    assert match.names[width:] == ["Notes", f"Column {chr(65 + width + 1)}", "Notes (2)"]
    assert match.extras == ("Notes", f"Column {chr(65 + width + 1)}", "Notes (2)")
    assert not match.problems


def test_a_column_twice_is_read_from_its_first_place_and_the_second_is_named() -> None:
    """The second 'Rep ID' (in Chinese here) is a DUPLICATE_HEADER error at its own cell."""
    texts: list[object | None] = [*_labels("en"), table("tblReps").column("rep_id").label.zh_hant]
    match = match_headers(REPS, texts, 1, 4, "Org")
    duplicate = len(REPS.columns) + 1
    letter = chr(64 + duplicate)
    assert match.letters["rep_id"] == "A"
    [problem] = match.problems
    assert problem.code is ProblemCode.DUPLICATE_HEADER and problem.cell == f"{letter}4"
    assert problem.source.table == "tblReps" and problem.source.column == "rep_id"
    assert match.names[-1] == f"{texts[-1]} ({letter}4)"


def test_missing_columns_are_errors_when_needed_and_warnings_otherwise() -> None:
    """Required Rep ID missing: error; optional Manager missing: warning, read as blank."""
    keep = [c for c in REPS.columns if c.key not in ("rep_id", "manager")]
    match = match_headers(REPS, [c.label.en for c in keep], 1, 2, "Org")
    found = {p.source.column: p for p in match.problems}
    assert found["rep_id"].severity is Severity.ERROR
    assert found["manager"].severity is Severity.WARNING
    assert "read as blank" in found["manager"].message
    assert match.errors == [found["rep_id"]]
    assert {p.code for p in match.problems} == {ProblemCode.MISSING_HEADER}


def test_an_owned_table_needs_every_column() -> None:
    """In a table the program writes, even an optional column's absence is an error."""
    owned = next(t for t in TABLES if t.owned and any(not c.required for c in t.columns))
    optional = next(c for c in owned.columns if not c.required)
    texts = [c.label.en for c in owned.columns if c.key != optional.key]
    match = match_headers(owned, texts, 1, 1, "Sheet")
    assert [p.source.column for p in match.errors] == [optional.key]
