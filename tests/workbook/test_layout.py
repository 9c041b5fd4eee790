"""How many lines a wrapped cell takes (`layout.text_lines`), the one rule both writers use to
size the rows of sentence columns, and the heights that follow (`layout.row_heights`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.workbook import layout as lay


def test_words_wrap_at_spaces_as_excel_wraps_them() -> None:
    assert lay.text_lines("", 10) == 1
    assert lay.text_lines("ahead of pace", 13) == 1
    assert lay.text_lines("ahead of pace", 12) == 2  # "ahead of" | "pace"
    assert lay.text_lines("aaaa bbbb cccc", 9) == 2  # "aaaa bbbb" | "cccc"
    assert lay.text_lines("aaaa bbbb cccc", 8) == 3


def test_a_word_longer_than_a_line_breaks_where_it_must() -> None:
    assert lay.text_lines("x" * 25, 10) == 3
    assert lay.text_lines("ab " + "x" * 25, 10) == 4


def test_chinese_characters_take_two_narrow_places_and_break_anywhere() -> None:
    assert lay.text_lines("落後季節進度", 12) == 1
    assert lay.text_lines("落後季節進度", 11) == 2
    assert lay.text_lines("落後季節進度連續四期", 8) == 3  # 20 places in lines of 8


def test_line_breaks_start_new_lines() -> None:
    assert lay.text_lines("one\ntwo\n\nthree", 40) == 4


@given(st.text(alphabet="ab 字\n", max_size=200), st.integers(1, 60))
def test_more_room_never_takes_more_lines(text: str, room: int) -> None:
    assert lay.text_lines(text, room + 1) <= lay.text_lines(text, room)
    assert lay.text_lines(text, room) <= max(1, lay.display_width(text)) + text.count("\n") + 1


def test_rows_take_their_tallest_cell_and_one_line_rows_need_no_height() -> None:
    long = "needs 121,400 a month from here, more than its best month"  # 58: 2 lines at 40
    heights = lay.row_heights(
        [(5, "on pace", 40.0), (5, long, 40.0), (6, "on pace", 40.0), (7, long * 3, 40.0)]
    )
    assert heights == {5: 2 * lay.LINE_POINTS, 7: 4 * lay.LINE_POINTS}  # 43 places a line
    chinese = lay.row_heights([(9, "落後季節進度連續四期，" * 4, 20.0)])
    assert chinese == {9: 5 * lay.CJK_LINE_POINTS}
    assert lay.row_heights([(3, "x " * 5000, 10.0)]) == {3: lay.MAX_ROW_POINTS}
