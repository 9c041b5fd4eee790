"""The product's formula evaluator: Excel's rules, typed cached values, strict about vocabulary."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook

from salesgoal_xl.core.problems import ProblemsFound
from salesgoal_xl.workbook.calc import FormulaOutsideVocabulary, cache_formula_values
from salesgoal_xl.workbook.calc.functions import FUNCTIONS
from salesgoal_xl.workbook.door import STRICT_FORMULAS_ENV, save_atomically
from salesgoal_xl.workbook.package_port import PackagePort
from tests.workbook.plan_data import sample_data


def _saved(wb: Workbook, path: Path) -> Path:
    save_atomically(wb, path)
    return path


def _cells(path: Path, sheet: str = "Sheet") -> dict[str, tuple[str, str | None]]:
    """Cell -> (t attribute, <v> text) of each formula cell, straight from the sheet XML."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet)
    wb.close()
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{index + 1}.xml").decode()
    out = {}
    for match in re.finditer(r'<c r="([A-Z]+\d+)"([^>]*)>(<f[^<]*</f>|<f[^>]*/>)(.*?)</c>', xml):
        kind = re.search(r't="(\w+)"', match.group(2))
        value = re.fullmatch(r"<v>(.*)</v>", match.group(4))
        out[match.group(1)] = (kind.group(1) if kind else "n", value.group(1) if value else None)
    return out


def _evaluate(formulas: dict[str, Any], tmp_path: Path) -> dict[str, tuple[str, str | None]]:
    wb = Workbook()
    ws = wb.active
    for cell, value in formulas.items():
        ws[cell] = value
    return _cells(_saved(wb, tmp_path / "book.xlsx"))


def test_results_are_typed_in_the_xml(tmp_path: Path) -> None:
    """Numbers bare, text t="str" (empty text too), booleans t="b", errors t="e"."""
    got = _evaluate(
        {
            "A1": 7,
            "A2": "x",
            "B1": "=A1*3",
            "B2": '=A2&"-"&A1',
            "B3": '=IF(A1>5,"","big")',
            "B4": "=A1>5",
            "B5": "=A1/0",
            "B6": "=A1/4",
            "B7": "=Z99",
        },
        tmp_path,
    )
    assert got == {
        "B1": ("n", "21"),
        "B2": ("str", "x-7"),
        "B3": ("str", ""),
        "B4": ("b", "1"),
        "B5": ("e", "#DIV/0!"),
        "B6": ("n", "1.75"),
        "B7": ("n", "0"),  # a formula pointing at an empty cell shows 0
    }


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ('="abc"="ABC"', ("b", "1")),  # text compares without case
        ("=MOD(-1,12)", ("n", "11")),  # the sign of the divisor
        ("=ROUND(2.5,0)", ("n", "3")),  # halves away from zero
        ("=ROUND(-2.5,0)", ("n", "-3")),
        ("=ROUND(1234.5*0.1,0)", ("n", "123")),
        ('=YEAR(DATE(2025,4+11,1))&"-"&RIGHT("0"&MONTH(DATE(2025,4+11,1)),2)', ("str", "2026-03")),
        ('=VALUE(MID("2026-04",6,2))', ("n", "4")),
        ("=INT(-1.5)", ("n", "-2")),
        ('=N("text")+N(TRUE)', ("n", "1")),
        ('=IFERROR(VALUE(""),-1)', ("n", "-1")),
        ("=1/3", ("n", repr(1 / 3))),
        ('="n"&0.1+0.2', ("str", "n0.3")),
        ("=MAX(1,5,3)-ABS(-2)", ("n", "3")),
        ("=AND(TRUE,1)+OR(FALSE,0)", ("n", "1")),
        ('=""=0', ("b", "0")),
    ],
)
def test_excel_rules(tmp_path: Path, formula: str, expected: tuple[str, str]) -> None:
    """Coercions, rounding, dates and comparisons follow Excel."""
    assert _evaluate({"A1": formula}, tmp_path)["A1"] == expected


def test_lookups_sums_and_criteria(tmp_path: Path) -> None:
    """MATCH (exact and binary search), INDEX ranges, SUMIFS, COUNTIF, COUNT, SUMPRODUCT."""
    cells: dict[str, Any] = {}
    for i, (key, text, amount) in enumerate(
        [(101, "Apple", 5), (101, "apple", 7), (103, "Pear", 11), (201, "Fig", 13)], start=1
    ):
        cells |= {f"A{i}": key, f"B{i}": text, f"C{i}": amount}
    cells |= {
        "E1": "=MATCH(102.5,A1:A4,1)",
        "E2": '=MATCH("PEAR",B1:B4,0)',
        "E3": "=SUM(INDEX(C1:C4,1):INDEX(C1:C4,MATCH(101.5,A1:A4,1)))",
        "E4": '=SUMIFS(C1:C4,B1:B4,"apple")',
        "E5": '=COUNTIF(C1:C4,"<>7")',
        "E6": "=SUMPRODUCT(--(INDEX(A1:A4,2):INDEX(A1:A4,4)<INDEX(A1:A4,1):INDEX(A1:A4,3)))",
        "E7": "=IFERROR(MATCH(50,A1:A4,1),0)",
        "E8": "=COUNT(A1:C4)+ROWS(A1:A4)",
    }
    got = _evaluate(cells, tmp_path)
    assert {k: v for k, v in got.items() if k.startswith("E")} == {
        "E1": ("n", "2"),
        "E2": ("n", "3"),
        "E3": ("n", "12"),
        "E4": ("n", "12"),
        "E5": ("n", "3"),
        "E6": ("n", "0"),
        "E7": ("n", "0"),
        "E8": ("n", "12"),
    }


def test_a_formula_outside_the_vocabulary_fails_loudly_when_strict(tmp_path: Path) -> None:
    """In the test session (strict) a save with a VLOOKUP fails, naming the cell."""
    wb = Workbook()
    wb.active["A1"] = "=VLOOKUP(1,B1:C2,2,FALSE)"
    with pytest.raises(ProblemsFound, match=r"Sheet!A1 =VLOOKUP.*not in the vocabulary"):
        save_atomically(wb, tmp_path / "book.xlsx")


def test_a_users_unknown_formula_is_left_without_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For a user, a formula outside the vocabulary saves without a (stale) cache; the rest
    still get theirs, and the report lists the cell."""
    monkeypatch.delenv(STRICT_FORMULAS_ENV)
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = 2, "=VLOOKUP(1,B1:C2,2,FALSE)", "=A1*10"
    report = save_atomically(wb, tmp_path / "book.xlsx")
    assert _cells(tmp_path / "book.xlsx") == {"A2": ("n", None), "A3": ("n", "20")}
    assert report.formulas is not None
    assert [(u.cell, u.formula) for u in report.formulas.uncached] == [
        ("A2", "VLOOKUP(1,B1:C2,2,FALSE)")
    ]


def test_strict_evaluation_names_every_cell_it_cannot_compute(tmp_path: Path) -> None:
    """The evaluator itself raises in strict mode, listing each cell and its reason."""
    wb = Workbook()
    wb.active["B2"] = "=TODAY()"
    wb.active["B3"] = "={1,2}"
    path = tmp_path / "raw.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        with pytest.raises(FormulaOutsideVocabulary) as raised:
            cache_formula_values(lambda n: archive.read(n) if n in names else None, strict=True)
    assert "Sheet!B2 =TODAY()" in str(raised.value)
    assert "Sheet!B3" in str(raised.value)


def test_shared_formulas_and_stale_caches(tmp_path: Path) -> None:
    """A shared formula (as Excel saves copied-down cells) is evaluated per cell, and a stale
    cached value from an earlier save is replaced."""
    wb = Workbook()
    ws = wb.active
    for row in range(1, 4):
        ws[f"A{row}"] = row * 10
    path = tmp_path / "raw.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(
        '<c r="A1" t="n"><v>10</v></c>',
        '<c r="A1" t="n"><v>10</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f>'
        "<v>999</v></c>",
    )
    sheet = sheet.replace(
        '<c r="A2" t="n"><v>20</v></c>',
        '<c r="A2" t="n"><v>20</v></c><c r="B2"><f t="shared" si="0"/><v>999</v></c>',
    )
    sheet = sheet.replace(
        '<c r="A3" t="n"><v>30</v></c>',
        '<c r="A3" t="n"><v>30</v></c><c r="B3"><f t="shared" si="0"/><v>999</v></c>',
    )
    assert sheet.count("999") == 3
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    new, report = cache_formula_values(parts.get, strict=True)
    assert report.cached == 3
    written = new["xl/worksheets/sheet1.xml"].decode()
    assert re.findall(r'<c r="(B\d)"><f[^>]*(?:/>|>[^<]*</f>)<v>(\d+)</v>', written) == [
        ("B1", "20"),
        ("B2", "40"),
        ("B3", "60"),
    ]


def test_the_vocabulary_is_what_the_product_writes() -> None:
    """The known functions are exactly those the builder and the schema use (inventory)."""
    assert sorted(FUNCTIONS) == [
        "ABS",
        "AND",
        "COUNT",
        "COUNTIF",
        "DATE",
        "IF",
        "IFERROR",
        "INDEX",
        "INT",
        "MATCH",
        "MAX",
        "MID",
        "MOD",
        "MONTH",
        "N",
        "OR",
        "RIGHT",
        "ROUND",
        "ROWS",
        "SUM",
        "SUMIFS",
        "SUMPRODUCT",
        "VALUE",
        "YEAR",
    ]


def test_part_wise_writes_keep_a_users_sheet_and_cache_its_formulas(tmp_path: Path) -> None:
    """After a part-wise write, a user's own sheet is kept, and its formulas over the
    rewritten table get their new values (no stale number from before the write)."""
    from salesgoal_xl.workbook.builder import build_workbook, save_workbook

    data = sample_data()
    wb = build_workbook("en", fiscal_year=2026, first_month=4, data=data)
    mine = wb.create_sheet("My notes")
    mine["A1"] = "my total"
    mine["B1"] = "=SUM(tblTargets[Target])"
    path = save_workbook(wb, tmp_path / "plan.xlsx")
    before = _cells(path, "My notes")["B1"]
    assert before == ("n", str(data["tblTargets"]["target"].sum()))
    port = PackagePort(path)
    doubled = data["tblTargets"].assign(target=data["tblTargets"]["target"] * 2)
    port.write_table("tblTargets", doubled)
    port.commit()
    port.close()
    assert port.fast_writes == ["tblTargets"]
    assert _cells(path, "My notes")["B1"] == ("n", str(2 * data["tblTargets"]["target"].sum()))
    assert openpyxl.load_workbook(path)["My notes"]["A1"].value == "my total"
