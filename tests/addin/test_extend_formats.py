"""The copies that give a growing Calc table its first row's formats: every new row exactly
once, from a row that already has them, in a number of calls that grows with the log of the
rows. (test_live_uno checks the result in LibreOffice itself on the demo.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.addin.live_uno import _extend_formats


@dataclass(frozen=True)
class Address:
    Row: int
    Column: int = 0
    StartRow: int = 0
    EndRow: int = 0


@dataclass
class Cells:
    top: int
    bottom: int

    def getRangeAddress(self) -> Address:  # noqa: N802 (UNO's name)
        return Address(self.top, StartRow=self.top, EndRow=self.bottom)

    def getCellAddress(self) -> Address:  # noqa: N802
        return Address(self.top)


@dataclass
class Sheet:
    """Rows that carry the first row's formats, and the copyRange calls made."""

    formatted: set[int]
    calls: list[tuple[int, int, int]] = field(default_factory=list)

    def getCellRangeByPosition(self, left: int, top: int, right: int, bottom: int) -> Cells:  # noqa: N802
        return Cells(top, bottom)

    def getCellByPosition(self, column: int, row: int) -> Cells:  # noqa: N802
        return Cells(row, row)

    def copyRange(self, target: Address, source: Address) -> None:  # noqa: N802
        rows = range(source.StartRow, source.EndRow + 1)
        assert all(row in self.formatted for row in rows), "copied from a row not formatted"
        onto = set(range(target.Row, target.Row + len(rows)))
        assert not onto & self.formatted, "a row copied onto twice"
        self.formatted |= onto
        self.calls.append((source.StartRow, source.EndRow, target.Row))


@given(have=st.integers(0, 40), want=st.integers(0, 5_000))
def test_every_new_row_is_formatted_once_in_logarithmic_calls(have: int, want: int) -> None:
    """From `have` data rows (a table keeps one at least) to `want`: rows first..first+want-1
    all carry the formats afterwards, nothing below them is touched."""
    first = 4
    sheet = Sheet(formatted=set(range(first, first + max(have, 1))))
    _extend_formats(sheet, 0, 11, first, have, want)
    assert sheet.formatted == set(range(first, first + max(have, 1, want)))
    new = max(0, want - max(have, 1))
    assert len(sheet.calls) == (0 if new == 0 else 1 + (new - 1).bit_length())  # 1 + ceil(log2)
