"""The package adapter reads what the openpyxl adapter reads, and writes what it would write."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from salesgoal_xl.commands.demo import write_demo_workbook
from salesgoal_xl.commands.propose import run_propose
from salesgoal_xl.commands.split import run_split
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.file_port import FilePort
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.port import TableData

READ_BY_COMMANDS = [
    "tblSettings",
    "tblReps",
    "tblChannels",
    "tblProducts",
    "tblHistory",
    "tblMarket",
    "tblProposal",
    "tblSplitRules",
    "tblOverrides",
    "tblWeights",
]


@cache
def _demo_bytes(tmp: str) -> bytes:
    path = Path(tmp) / "demo.xlsx"
    write_demo_workbook(path)
    run_propose(FilePort(path), final="base")
    return path.read_bytes()


@pytest.fixture
def plan(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the demo workbook with a proposal (built once per session)."""
    folder = tmp_path_factory.getbasetemp() / "package-port-demo"
    folder.mkdir(exist_ok=True)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_demo_bytes(str(folder)))
    return path


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Cell values compared as text, so 1 and 1.0 or a date and its midnight agree."""

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)[:10] if hasattr(value, "year") else str(value)

    return frame.map(text).reset_index(drop=True)


@pytest.fixture(scope="module")
def both_reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[TableData, TableData]]:
    """Each table read once through each adapter from the same demo workbook."""
    folder = tmp_path_factory.getbasetemp() / "package-port-demo"
    folder.mkdir(exist_ok=True)
    path = tmp_path_factory.mktemp("reads") / "plan.xlsx"
    path.write_bytes(_demo_bytes(str(folder)))
    fast, slow = PackagePort(path), FilePort(path)
    return {name: (fast.read_table(name), slow.read_table(name)) for name in READ_BY_COMMANDS}


@pytest.mark.parametrize("name", READ_BY_COMMANDS)
def test_tables_read_the_same_as_through_openpyxl(
    both_reads: dict[str, tuple[TableData, TableData]], name: str
) -> None:
    """Every table a command reads comes back with the same keys, rows and values.

    Formula columns are left out: openpyxl gives their formula text, the package adapter
    their last computed value, and no command reads them.
    """
    fast, slow = both_reads[name]
    assert (fast.sheet, fast.first_row) == (slow.sheet, slow.first_row)
    assert dict(fast.letters) == {k: v for k, v in slow.letters.items() if k in fast.letters}
    formulas = {c.key for c in schema.table(name).columns if c.role is schema.Role.FORMULA}
    columns = [c for c in slow.frame.columns if c not in formulas]
    pd.testing.assert_frame_equal(
        _normalised(fast.frame[columns]), _normalised(slow.frame[columns]), check_dtype=False
    )


def test_split_writes_targets_part_wise_and_openpyxl_reads_them(plan: Path) -> None:
    """split through the package adapter rewrites only the parts of tblTargets and tblRepPlan
    (each alone on its sheet); openpyxl agrees, and the rep plan adds up to the leaves."""
    port = PackagePort(plan)
    summary = run_split(port)
    assert port.fast_writes == ["tblTargets", "tblRepPlan"]
    rep_plan = FilePort(plan).read_table("tblRepPlan").frame
    assert sum(int(t) for t in rep_plan["target"]) == summary.total
    assert len(rep_plan) == len(summary.level_totals["rep"])
    written = FilePort(plan).read_table("tblTargets").frame
    assert len(written) == summary.leaf_rows
    assert sum(int(t) for t in written["target"]) == summary.total
    ws = openpyxl.load_workbook(plan)["Targets"]
    assert ws.tables["tblTargets"].ref.endswith(str(4 + summary.leaf_rows))
    # Read-only readers trust the sheet's dimension: it must cover the new rows.
    streamed = openpyxl.load_workbook(plan, read_only=True)["Targets"]
    assert streamed.max_row == 4 + summary.leaf_rows


def test_formula_column_is_written_for_every_row(plan: Path) -> None:
    """The live Matrix key formula is on every row, pointing at its own row and the one above."""
    run_split(PackagePort(plan))
    ws = openpyxl.load_workbook(plan)["Targets"]
    ref = ws.tables["tblTargets"].ref
    last = int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    headers = [c.value for c in ws[4]]
    col = headers.index("Matrix key") + 1
    for row in (5, 6, last):
        formula = ws.cell(row, col).value
        assert isinstance(formula, str) and formula.startswith("=")
        assert f"{row - 1}" in formula and f"{row}" in formula


def test_a_note_beside_the_targets_survives_the_fast_write(plan: Path) -> None:
    """A value the user typed beside tblTargets stays where it was after split."""
    wb = openpyxl.load_workbook(plan)
    wb["Targets"]["Z7"] = "ask Lee about Q3"
    wb.save(plan)
    port = PackagePort(plan)
    run_split(port)
    assert port.fast_writes == ["tblTargets", "tblRepPlan"]
    assert openpyxl.load_workbook(plan)["Targets"]["Z7"].value == "ask Lee about Q3"


def _rules(path: Path, sheet: str) -> list[tuple[str, str]]:
    """The sheet's validation and conditional-format ranges, as openpyxl reads them."""
    ws = openpyxl.load_workbook(path)[sheet]
    ranges = [("validation", str(dv.sqref)) for dv in ws.data_validations.dataValidation]
    ranges += [("format", str(cf.sqref)) for cf in ws.conditional_formatting]
    return sorted(ranges)


def test_tables_side_by_side_are_written_part_wise_as_openpyxl_writes_them(
    plan: Path, tmp_path: Path
) -> None:
    """propose writes three of the four tables that sit side by side on Target setting: part-wise
    now, with the same rows, validation and formatting ranges as the openpyxl writer gives, and
    tblMarket (not written) and a note typed beside the tables keep their cells."""
    slow_copy = tmp_path / "slow.xlsx"
    wb = openpyxl.load_workbook(plan)
    wb["Target setting"]["AH40"] = "board wants 62M"
    wb.save(plan)
    slow_copy.write_bytes(plan.read_bytes())
    market_before = FilePort(plan).read_table("tblMarket").frame
    port = PackagePort(plan)
    run_propose(port, final="stretch")
    assert port.fast_writes == ["tblProposal", "tblSmart", "tblBacktest"]
    run_propose(FilePort(slow_copy), final="stretch")
    for name in ("tblProposal", "tblSmart", "tblBacktest", "tblMarket"):
        fast, slow = FilePort(plan).read_table(name), FilePort(slow_copy).read_table(name)
        formulas = {c.key for c in schema.table(name).columns if c.role is schema.Role.FORMULA}
        columns = [c for c in slow.frame.columns if c not in formulas]
        pd.testing.assert_frame_equal(
            _normalised(fast.frame[columns]), _normalised(slow.frame[columns]), check_dtype=False
        )
    pd.testing.assert_frame_equal(
        _normalised(FilePort(plan).read_table("tblMarket").frame), _normalised(market_before)
    )
    assert _rules(plan, "Target setting") == _rules(slow_copy, "Target setting")
    assert openpyxl.load_workbook(plan)["Target setting"]["AH40"].value == "board wants 62M"
    proposal = FilePort(plan).read_table("tblProposal").frame
    assert int(proposal["final_target"][0]) == int(proposal["stretch"][0])


def test_a_table_below_another_falls_back_to_openpyxl(plan: Path) -> None:
    """A table the user put below tblProposal, in its columns, would be overrun by a longer
    tblProposal: the openpyxl adapter does the save (and keeps the user's table)."""
    wb = openpyxl.load_workbook(plan)
    ws = wb["Target setting"]
    ws["A40"], ws["B40"], ws["A41"], ws["B41"] = "Owner", "Step", "Lee", "review"
    ws.add_table(openpyxl.worksheet.table.Table(displayName="tblMine", ref="A40:B41"))
    wb.save(plan)
    port = PackagePort(plan)
    run_propose(port, final="stretch")
    assert port.fast_writes == []
    assert port.last_save is not None
    kept = openpyxl.load_workbook(plan)["Target setting"]
    assert "tblMine" in kept.tables and kept["A41"].value == "Lee"


def test_missing_table_names_the_sheet(plan: Path) -> None:
    """Asking for a table the workbook lacks gives MISSING_TABLE, not a traceback."""
    wb = openpyxl.load_workbook(plan)
    del wb["Targets"].tables["tblTargets"]
    wb.save(plan)
    with pytest.raises(ProblemsFound) as caught:
        PackagePort(plan).read_table("tblTargets")
    assert caught.value.problems[0].code is ProblemCode.MISSING_TABLE


def test_cells_are_typed_like_the_openpyxl_writer(plan: Path) -> None:
    """A product code pandas widened to 101.0 is written as the code '101', as fill_table does."""
    row = {
        "period": "2026-01",
        "month": "2026-01",
        "quarter": "Q1",
        "region": "NORTH",
        "team": "N1",
        "rep_id": "R001",
        "rep_name": "Ann",
        "channel": "DIR",
        "product": 101.0,
        "target": 1_000.0,
        "method": "typed by hand",
    }
    port = PackagePort(plan)
    port.write_table("tblTargets", pd.DataFrame([row]))
    port.commit()
    assert port.fast_writes == ["tblTargets"]
    written = FilePort(plan).read_table("tblTargets").frame
    assert written["product"].tolist() == ["101"]
    assert float(written["target"][0]) == 1_000


LONG_REASON = (
    "behind seasonal pace for 4 periods in a row; needs 121,400 a month from here to reach "
    "the target, more than the best month it has ever had (98,700)"
)


def _sheet_heights(path: Path, sheet: str) -> dict[int, float]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {r: d.height for r, d in ws.row_dimensions.items() if d.height and r > 4}


def _tracking_rows(reasons: list[str], **columns: object) -> pd.DataFrame:
    return pd.DataFrame({**{k: [v] * len(reasons) for k, v in columns.items()}, "reason": reasons})


def test_wrapped_rows_get_the_same_heights_from_both_writers(plan: Path, tmp_path: Path) -> None:
    """Issue 9.7: sentence cells wrap, and each row gets the height its longest one needs, the
    cells of the tables beside it counted, from the part-wise and the openpyxl writer alike; a
    row whose sentences shrink gets Excel's own height back."""
    slow_copy = tmp_path / "slow.xlsx"
    slow_copy.write_bytes(plan.read_bytes())
    units = _tracking_rows([LONG_REASON, "on pace", LONG_REASON * 2, "on pace"], level="region")
    reps = _tracking_rows(["ahead of pace by 5%"] * 6, rep_id="R001")
    for port_type, path in ((PackagePort, plan), (FilePort, slow_copy)):
        for name, frame in (("tblTrackingUnits", units), ("tblTracking", reps)):
            port = port_type(path)
            port.write_table(name, frame)  # the short reasons land beside the long ones
            port.commit()
            assert not isinstance(port, PackagePort) or port.fast_writes == [name]
    fast, slow = _sheet_heights(plan, "Tracking"), _sheet_heights(slow_copy, "Tracking")
    assert fast == slow
    # 50 wide: about 54 narrow characters a line; 13 points a line.
    assert fast == {5: 3 * 13.0, 7: 6 * 13.0}
    ws = openpyxl.load_workbook(plan)["Tracking"]
    letter = _letter(ws, "tblTrackingUnits", "reason")
    assert ws[f"{letter}5"].alignment.wrap_text and ws[f"{letter}5"].value == LONG_REASON
    for port_type, path in ((PackagePort, plan), (FilePort, slow_copy)):
        port = port_type(path)
        port.write_table("tblTrackingUnits", units.assign(reason="on pace"))
        port.commit()
    assert _sheet_heights(plan, "Tracking") == _sheet_heights(slow_copy, "Tracking") == {}


def _letter(ws: Worksheet, table: str, key: str) -> str:
    first = range_boundaries(ws.tables[table].ref)[0]
    return get_column_letter(first + schema.table(table).keys.index(key))
