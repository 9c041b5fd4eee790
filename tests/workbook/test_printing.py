"""Reading and printing (issue 9.7): every table and every Plan views block starts its own
printed page, with nothing spilling onto a page of its own, in each language. The page setup is
checked in the file; the pages themselves are printed to PDF by LibreOffice and read back."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from salesgoal_xl.workbook import layout as lay
from salesgoal_xl.workbook import schema, styles, texts
from salesgoal_xl.workbook.builder import build_workbook, save_workbook
from salesgoal_xl.workbook.package_port import PackagePort
from tests import libreoffice
from tests.workbook.plan_data import FIRST_MONTH, FISCAL_YEAR, sample_data

pytestmark = pytest.mark.libreoffice
FOOTER = re.compile(r"^(.+) - (\d+) / (\d+)$")
VIEW_TITLES = (
    texts.REGION_BY_MONTH_TITLE,
    texts.TEAM_BY_MONTH_TITLE,
    texts.CHANNEL_BY_PRODUCT_TITLE,
)


def _blocks(lang: str) -> dict[str, list[str]]:
    """Sheet title -> the titles of the blocks that must each start a page."""
    blocks = {
        s.label.get(lang): [schema.table(t).title.get(lang) for t in s.tables]
        for s in schema.SHEETS
        if len(s.tables) > 1
    }
    views = next(s for s in schema.SHEETS if s.key == "views").label.get(lang)
    blocks[views] = [title.get(lang) for title in VIEW_TITLES]
    return blocks


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_side_by_side_tables_are_separated_by_page_breaks(lang: str) -> None:
    """A column break before each next table, and a fixed scale (Excel ignores manual breaks
    under fit-to-page); sheets with one block stay fitted to one page wide."""
    wb = build_workbook(lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH)
    for sheet in schema.SHEETS:
        ws = wb[sheet.label.get(lang)]
        if len(sheet.tables) > 1:
            starts = lay.table_columns([len(schema.table(t).columns) for t in sheet.tables])
            assert sorted(b.id for b in ws.col_breaks.brk) == [s - 1 for s in starts[1:]]
            assert not ws.sheet_properties.pageSetUpPr.fitToPage, sheet.key
            assert 10 <= ws.page_setup.scale <= 100, sheet.key
        elif sheet.key == "views":
            assert len(ws.row_breaks.brk) == 2 and not ws.sheet_properties.pageSetUpPr.fitToPage
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage, sheet.key
            assert ws.page_setup.fitToWidth == 1, sheet.key


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, list[str]]]]:
    """Each language's filled sample plan printed by LibreOffice: per page, its sheet (from
    the footer) and its lines."""
    folder = tmp_path_factory.mktemp("print")
    paths = []
    for lang in schema.LANGUAGES:
        wb = build_workbook(
            lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data()
        )
        paths.append(save_workbook(wb, folder / f"plan-{lang}.xlsx", backup=False))
    # History four times over (240 rows at about 40 a page): still two pages at most.
    data = sample_data()
    data["tblHistory"] = pd.concat([data["tblHistory"]] * 4, ignore_index=True)
    wb = build_workbook("en", fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=data)
    paths.append(save_workbook(wb, folder / "long-history.xlsx", backup=False))
    pdfs = libreoffice.convert(paths, folder / "pdf", "pdf")
    out = {}
    for lang, pdf in zip([*schema.LANGUAGES, "long"], pdfs, strict=True):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = []
        for page in text.split("\f"):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            footer = next(
                (FOOTER.match(line) for line in reversed(lines) if FOOTER.match(line)), None
            )
            if footer:
                pages.append((footer.group(1), lines))
        out[lang] = pages
    return out


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_every_block_starts_a_printed_page_and_nothing_spills(
    printed: dict[str, list[tuple[str, list[str]]]], lang: str
) -> None:
    """On the sheets with several blocks each block's title is at the top of its own page,
    and every page of such a sheet starts with the sheet's or one of its blocks' titles (a
    column that did not fit would start a page with nothing but numbers)."""
    pages = printed[lang]
    for sheet, titles in _blocks(lang).items():
        mine = [lines for name, lines in pages if name == sheet]
        assert mine, sheet
        heads = [lines[:3] for lines in mine]
        for title in titles:
            starts = [i for i, head in enumerate(heads) if any(h.startswith(title) for h in head)]
            assert starts, (sheet, title)
        first_pages = {
            title: next(i for i, h in enumerate(heads) if any(x.startswith(title) for x in h))
            for title in titles
        }
        assert len(set(first_pages.values())) == len(titles), (sheet, first_pages)
        for head in heads:
            assert head[0].startswith((sheet, *titles)), (sheet, head)


def test_long_data_sheets_print_their_first_rows_and_say_so(
    printed: dict[str, list[tuple[str, list[str]]]],
) -> None:
    """History, Targets, Actuals and Approved numbers print the heading and the first 50 rows
    by default (not hundreds of pages); the sheet's description says how to print all."""
    wb = build_workbook("en", fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH)
    for key in ("history", "targets", "actuals", "approved"):
        ws = wb[schema.SHEETS_BY_KEY[key].label.en]
        assert str(ws.print_area).endswith(f"${lay.FIRST_DATA_ROW + 49}"), key
        assert "Clear Print Area" in str(ws.cell(lay.PURPOSE_ROW, 1).value), key
    history = [lines for sheet, lines in printed["long"] if sheet == "History"]
    assert 1 <= len(history) <= 2  # 54 rows of 240; the whole table prints on 5
    assert any("Prints the first 50 rows" in line for line in history[0])


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_no_header_is_cut(lang: str) -> None:
    """Every header-band cell's label fits in its column on the lines its row is tall (15
    points a line; a CJK character takes two narrow ones): the Dashboard's 'Seasonal
    expectation' takes two lines instead of being cut."""
    wb = build_workbook(lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data())
    band = styles.header_fill().fgColor.rgb
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=lay.TABLE_TITLE_ROW):
            for cell in row:
                text = cell.value
                if not isinstance(text, str) or text.startswith("=") or cell.fill is None:
                    continue
                if cell.fill.fgColor.rgb != band:
                    continue
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                lines = (ws.row_dimensions[cell.row].height or 15) // 15
                assert lay.display_width(text) <= lines * (width - 1), (ws.title, cell.coordinate)
                checked += 1
    assert checked > 100


REASONS = (
    "on pace",
    "last year's sales at the usual monthly rate; above Potential (991,000); adjusted by "
    "ADJ-001 from 2026-07",
    "behind seasonal pace for 4 periods in a row; needs 121,400 a month from here to reach the "
    "target, more than the best month it has ever had (98,700); the region's own forecast is "
    "+2.5% and the plan asks +13.9%, so the gap is the plan's, not the rep's",
    "新進人員自 2026-03 起，爬坡 25/50/75/100%；去年同期無業績，依團隊平均月產能計算，"
    "並經 ADJ-001 自 2026-07 起調整",
    "ahead",
)


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    """(x, y, word) of every word LibreOffice printed, pages after one another in y."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for number, page in enumerate(html.split("<page ")[1:]):
        for x, y, word in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<', page):
            words.append((float(x), float(y) + 10_000 * number, htmllib.unescape(word)))
    return words


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_sentences_wrap_inside_their_own_rows_when_printed(lang: str, tmp_path: Path) -> None:
    """Issue 9.7, no sentence spills out of its cell: Rep plan reasons written by the
    command-line writer wrap, and LibreOffice (which, unlike Excel, sizes no row on load) prints
    every word of each one inside its own row, between its rep and the next, in each language."""
    path = tmp_path / f"plan-{lang}.xlsx"
    wb = build_workbook(lang, fiscal_year=FISCAL_YEAR, first_month=FIRST_MONTH, data=sample_data())
    save_workbook(wb, path, backup=False)
    ids = [f"QA{i:02}" for i in range(len(REASONS))] + ["QA99"]
    port = PackagePort(path)
    frame = pd.DataFrame(
        {"rep_id": ids, "rep_name": "Ann Lee", "target": 100, "method": "history"}
    ).assign(reason=[*REASONS, "last"])
    port.write_table("tblRepPlan", frame)
    port.commit()
    assert port.fast_writes == ["tblRepPlan"]
    (pdf,) = libreoffice.convert([path], tmp_path / "pdf", "pdf")
    words = _words(pdf)
    tops = {word: y for _, y, word in words if word in ids}
    assert list(tops) == ids  # every rep printed once, in order
    method_end = max(x for x, _, word in words if word == "history")
    for rep, next_rep, reason in zip(ids, ids[1:], REASONS, strict=False):
        inside = [
            w for x, y, w in words if x > method_end and tops[rep] - 2 < y < tops[next_rep] - 2
        ]
        assert "".join(inside) == reason.replace(" ", ""), (rep, inside)
