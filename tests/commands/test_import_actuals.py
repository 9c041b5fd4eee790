"""import-actuals and import-history on a real plan file: formats, columns, rows, re-imports.

The plan's fiscal year 2026 starts in April: its months are 2025-04 .. 2026-03.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from salesgoal_xl.commands.imports import (
    ImportOptions,
    ImportSummary,
    run_import_actuals,
    run_import_history,
)
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound
from salesgoal_xl.workbook.package_port import PackagePort
from tests.commands.import_files import plan_file, table_rows, write_csv, write_xlsx

HEADER = ["Deal ID", "Close Date", "Owner ID", "Channel", "Product", "Amount"]
DEALS = [
    [1, "2025-04-03", "R1", "DIR", "P1", "1,200.50"],
    [2, "2025-04-17", "R1", "DIR", "P1", "800"],
    [3, "2025-05-02", "R2", "ONL", "P2", "2,000.25"],
]
EXPECTED = [
    {"period": "2025-04", "rep_id": "R1", "channel": "DIR", "product": "P1", "amount": 2000.5},
    {"period": "2025-05", "rep_id": "R2", "channel": "ONL", "product": "P2", "amount": 2000.25},
]


@pytest.fixture
def plan(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan_file(tmp_path, tmp_path_factory.getbasetemp())


def _import(plan: Path, source: Path, **options: object) -> ImportSummary:
    port = PackagePort(plan)
    try:
        return run_import_actuals(port, source, ImportOptions(**options))  # type: ignore[arg-type]
    finally:
        port.close()


def _amounts(plan: Path) -> list[dict[str, object]]:
    return [
        {k: r[k] for k in ("period", "rep_id", "channel", "product", "amount")}
        for r in table_rows(plan, "tblActuals")
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "newline"),
    [
        (",", "utf-8", "\n"),
        (";", "utf-8-sig", "\r\n"),
        ("\t", "utf-8", "\r\n"),
        ("\t", "utf-16", "\r\n"),  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        (",", "utf-8-sig", "\n"),
    ],
)
def test_every_csv_flavour_reads_the_same(
    plan: Path, tmp_path: Path, delimiter: str, encoding: str, newline: str
) -> None:
    """Comma, semicolon and tab; UTF-8 with or without BOM and UTF-16; CRLF or LF: same rows."""
    rows = DEALS
    if delimiter == ";":  # a semicolon export is usually a decimal-comma one
        rows = [
            [*r[:5], str(r[5]).replace(",", "X").replace(".", ",").replace("X", ".")] for r in DEALS
        ]
    source = write_csv(
        tmp_path / "deals.csv",
        [HEADER, *rows],
        delimiter=delimiter,
        encoding=encoding,
        newline=newline,
    )
    _import(plan, source)
    assert _amounts(plan) == EXPECTED
    assert [r["deals"] for r in table_rows(plan, "tblActuals")] == [2, 1]


def test_an_xlsx_export_with_real_date_cells(plan: Path, tmp_path: Path) -> None:
    """An xlsx sheet with date cells and number cells imports like the CSV; it is not changed."""
    rows = [
        [1, dt.datetime(2025, 4, 3, 15, 30), "R1", "DIR", "P1", 1200.5],
        [2, dt.datetime(2025, 4, 17), "R1", "DIR", "P1", 800],
        [3, dt.date(2025, 5, 2), "R2", "ONL", "P2", "2,000.25"],
    ]
    source = write_xlsx(tmp_path / "deals.xlsx", [HEADER, *rows])
    before = source.read_bytes()
    _import(plan, source, sheet="deals")
    assert _amounts(plan) == EXPECTED
    assert source.read_bytes() == before


def test_xlsx_problems_name_sheet_and_cell(plan: Path, tmp_path: Path) -> None:
    """A bad cell of an xlsx export is named as file:Sheet!Cell."""
    rows = [[1, dt.datetime(2025, 4, 3), "NOBODY", "DIR", "P1", 10]]
    source = write_xlsx(tmp_path / "deals.xlsx", [HEADER, *rows])
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, source)
    assert refused.value.problems[0].format("plan.xlsx").startswith("deals.xlsx:Deals!C2: ")


def test_an_xlsx_export_goes_through_the_gate(plan: Path, tmp_path: Path) -> None:
    """A zip that is not a workbook is refused by the gate with exit-2 file problems."""
    fake = tmp_path / "deals.xlsx"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, fake)
    assert all(p.category.value == "file" for p in refused.value.problems)


def test_aliases_names_and_maps(plan: Path, tmp_path: Path) -> None:
    """CRM headers (aliases), reps by exact name, extra columns, and --map for the rest."""
    rows = [
        ["Stage", "Opportunity Owner", "Booked On", "Route", "Product Line", "Revenue"],
        ["Won", "Ann Lee", "2025-04-03 10:00", "DIR", "P1", "$1,200.50"],
        ["Won", " ann  lee ", "2025-04-17T08:00:00Z", "DIR", "P1", "USD 800"],
        ["Won", "Bo Chen", "2025/05/02", "ONL", "P2", "2,000.25 €"],
    ]
    source = write_csv(tmp_path / "crm.csv", rows)
    with pytest.raises(ProblemsFound) as no_period:
        _import(plan, source)
    assert [p.code for p in no_period.value.problems] == [ProblemCode.NO_SOURCE_COLUMN]
    summary = _import(plan, source, maps=("Booked On=Period", "route=通路"))
    assert _amounts(plan) == EXPECTED
    assert summary.columns["rep_name"] == "Opportunity Owner"


def test_a_name_two_reps_share_is_ambiguous(plan: Path, tmp_path: Path) -> None:
    """A rep name that belongs to two reps is a bad row, not a guess."""
    source = write_csv(
        tmp_path / "d.csv", [["Date", "Owner", "Amount"], ["2025-04-03", "Cy Diaz", "5"]]
    )
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, source)
    assert [p.code for p in refused.value.problems] == [ProblemCode.AMBIGUOUS_REP]


def test_every_bad_row_family_is_listed_and_nothing_is_written(plan: Path, tmp_path: Path) -> None:
    """Unknown rep, channel, product; a period outside the year; bad amounts and dates: one
    line each at its file line, and the plan stays byte for byte as it was."""
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "100"],
        [2, "2025-04-03", "R9", "DIR", "P1", "100"],
        [3, "2025-04-03", "R1", "TV", "P1", "100"],
        [4, "2025-04-03", "R1", "DIR", "P7", "100"],
        [5, "2026-04-01", "R1", "DIR", "P1", "100"],
        [6, "2025-04-03", "R1", "DIR", "P1", "lots"],
        [7, "soon", "R1", "DIR", "P1", "100"],
        [8, "2025-04-03", "R1", "DIR", "P1", ""],
        [9, "2025-04-03", "R1", "", "P1", "100"],
    ]
    source = write_csv(tmp_path / "deals.csv", rows)
    before = plan.read_bytes()
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, source)
    found = [(p.source.line, p.code) for p in refused.value.problems]
    assert found == [
        (3, ProblemCode.UNKNOWN_CODE),
        (4, ProblemCode.UNKNOWN_CODE),
        (5, ProblemCode.UNKNOWN_CODE),
        (6, ProblemCode.PERIOD_OUTSIDE_YEAR),
        (7, ProblemCode.NOT_A_NUMBER),
        (8, ProblemCode.BAD_DATE),
        (9, ProblemCode.BLANK_VALUE),
        (10, ProblemCode.BLANK_VALUE),
    ]
    assert refused.value.problems[0].format("plan.xlsx").startswith("deals.csv:3: UNKNOWN_CODE ")
    assert plan.read_bytes() == before


def test_skip_bad_imports_the_good_rows_and_still_lists_the_bad(plan: Path, tmp_path: Path) -> None:
    """With --skip-bad the good rows land and the bad ones are reported."""
    rows = [HEADER, *DEALS, [4, "2025-04-03", "R9", "DIR", "P1", "100"]]
    summary = _import(plan, write_csv(tmp_path / "d.csv", rows), skip_bad=True)
    assert _amounts(plan) == EXPECTED
    assert [p.source.line for p in summary.problems] == [5]
    assert (summary.good_rows, summary.bad_rows) == (3, 1)


def test_an_ambiguous_convention_is_refused_until_decimal_is_given(
    plan: Path, tmp_path: Path
) -> None:
    """Every amount like 1,234: refused with both readings; --decimal picks one."""
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "1,234"],
        [2, "2025-04-04", "R1", "DIR", "P1", "2,500"],
    ]
    source = write_csv(tmp_path / "d.csv", rows)
    before = plan.read_bytes()
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, source)
    problem = refused.value.problems[0]
    assert problem.code is ProblemCode.AMBIGUOUS_DECIMAL
    assert "1,234 with a decimal point" in problem.message
    assert "1.234 with a decimal comma" in problem.message
    assert plan.read_bytes() == before
    _import(plan, source, decimal=",")
    assert _amounts(plan)[0]["amount"] == pytest.approx(3.734)
    _import(plan, source, decimal=".")
    assert _amounts(plan)[0]["amount"] == 3734


def test_one_unambiguous_amount_settles_the_whole_file(plan: Path, tmp_path: Path) -> None:
    """'1.234' is ambiguous alone, but a '12,5' elsewhere makes the file decimal-comma."""
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "1.234"],
        [2, "2025-04-04", "R1", "DIR", "P1", "12,5"],
    ]
    _import(plan, write_csv(tmp_path / "d.csv", rows, delimiter=";"))
    assert _amounts(plan)[0]["amount"] == pytest.approx(1246.5)


def test_amounts_written_both_ways_are_refused(plan: Path, tmp_path: Path) -> None:
    """A file with '1,234.5' and '1.234,5' has no one convention: refused (exit 2)."""
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "1,234.5"],
        [2, "2025-04-04", "R1", "DIR", "P1", "1.234,5"],
    ]
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, write_csv(tmp_path / "d.csv", rows, delimiter=";"))
    assert refused.value.problems[0].code is ProblemCode.MIXED_DECIMAL


def test_many_deals_add_up_exactly(plan: Path, tmp_path: Path) -> None:
    """Ten thousand deals of 0.10 sum to exactly 1000 (no float drift)."""
    rows = [HEADER] + [[i, "2025-06-01", "R3", "DIR", "P2", "0.10"] for i in range(10_000)]
    summary = _import(plan, write_csv(tmp_path / "d.csv", rows))
    assert _amounts(plan) == [
        {"period": "2025-06", "rep_id": "R3", "channel": "DIR", "product": "P2", "amount": 1000}
    ]
    assert table_rows(plan, "tblActuals")[0]["deals"] == 10_000
    assert summary.rows == 1


def test_reimport_replaces_the_periods_it_covers(plan: Path, tmp_path: Path) -> None:
    """Importing April again replaces April's rows (no double count); May stays."""
    _import(plan, write_csv(tmp_path / "a.csv", [HEADER, *DEALS]))
    april = [
        HEADER,
        [9, "2025-04-30", "R2", "DIR", "P1", "10"],
        [10, "2025-04-30", "R2", "DIR", "P1", "5"],
    ]
    summary = _import(plan, write_csv(tmp_path / "b.csv", april))
    assert _amounts(plan) == [
        {"period": "2025-04", "rep_id": "R2", "channel": "DIR", "product": "P1", "amount": 15},
        EXPECTED[1],
    ]
    assert (summary.replaced, summary.kept, summary.rows) == (1, 1, 1)
    again = _import(plan, write_csv(tmp_path / "b.csv", april))
    assert _amounts(plan)[0]["amount"] == 15
    assert again.replaced == 1


def test_dry_run_writes_nothing(plan: Path, tmp_path: Path) -> None:
    """--dry-run reports what would happen and leaves the plan byte-identical."""
    before = plan.read_bytes()
    summary = _import(plan, write_csv(tmp_path / "d.csv", [HEADER, *DEALS]), dry_run=True)
    assert plan.read_bytes() == before
    assert (summary.written, summary.rows) == (False, 2)


def test_weekly_plans_get_iso_weeks(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With Granularity week a date lands in its ISO week; a bare month is a bad row."""
    plan = plan_file(tmp_path, tmp_path_factory.getbasetemp(), "week")
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "7"],
        [2, "2025-W15", "R1", "DIR", "P1", "3"],
    ]
    _import(plan, write_csv(tmp_path / "d.csv", rows))
    assert [(r["period"], r["amount"]) for r in _amounts(plan)] == [
        ("2025-W14", 7),
        ("2025-W15", 3),
    ]
    with pytest.raises(ProblemsFound) as refused:
        _import(
            plan, write_csv(tmp_path / "m.csv", [HEADER, [1, "2025-04", "R1", "DIR", "P1", "1"]])
        )
    assert refused.value.problems[0].code is ProblemCode.BAD_PERIOD


def test_history_takes_months_before_the_plan_year(plan: Path, tmp_path: Path) -> None:
    """import-history fills tblHistory with past months; a month of the plan year is bad."""
    rows = [
        HEADER,
        [1, "2024-04-03", "R1", "DIR", "P1", "100"],
        [2, "2025-03", "R1", "DIR", "P1", "50"],
        [3, "2025-04-01", "R1", "DIR", "P1", "1"],
    ]
    source = write_csv(tmp_path / "h.csv", rows)
    port = PackagePort(plan)
    summary = run_import_history(port, source, ImportOptions(skip_bad=True))
    port.close()
    assert [(p.source.line, p.code) for p in summary.problems] == [
        (4, ProblemCode.PERIOD_OUTSIDE_YEAR)
    ]
    assert [(r["period"], r["amount"]) for r in table_rows(plan, "tblHistory")] == [
        ("2024-04", 100),
        ("2025-03", 50),
    ]


def test_the_cli_exit_codes_and_json(plan: Path, tmp_path: Path) -> None:
    """0 on success with the replaced count, 1 for bad rows, 2 for an unreadable export."""
    runner = CliRunner()
    good = write_csv(tmp_path / "good.csv", [HEADER, *DEALS])
    result = runner.invoke(app, ["import-actuals", str(plan), str(good), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["rows"], payload["replaced_rows"], payload["written"]) == (2, 0, True)
    result = runner.invoke(app, ["import-actuals", str(plan), str(good)])
    assert result.exit_code == 0
    assert "2 existing rows of those periods replaced" in result.stdout
    bad = write_csv(tmp_path / "bad.csv", [HEADER, [1, "2025-04-03", "R9", "DIR", "P1", "1"]])
    result = runner.invoke(app, ["import-actuals", str(plan), str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:2: UNKNOWN_CODE" in result.stderr
    (tmp_path / "latin1.csv").write_bytes("Date,Owner,Amount\n2025-04-03,Zoë,1\n".encode("latin-1"))
    result = runner.invoke(app, ["import-actuals", str(plan), str(tmp_path / "latin1.csv")])
    assert result.exit_code == 2
    assert "UNREADABLE_SOURCE" in result.stderr


def test_the_exact_sum_keeps_cents(plan: Path, tmp_path: Path) -> None:
    """Decimal amounts are written exactly as their sum."""
    rows = [
        HEADER,
        [1, "2025-04-03", "R1", "DIR", "P1", "0.1"],
        [2, "2025-04-03", "R1", "DIR", "P1", "0.2"],
    ]
    _import(plan, write_csv(tmp_path / "d.csv", rows))
    assert Decimal(repr(_amounts(plan)[0]["amount"])) == Decimal("0.3")


def test_both_csv_readers_agree_and_count_lines(plan: Path, tmp_path: Path) -> None:
    """An export with an empty line and a quoted line break (read by the line-counting
    reader) gives the same rows as the plain one (pandas' reader), and its bad row is named
    at its real line."""
    plain = write_csv(tmp_path / "plain.csv", [[*HEADER, "Note"], *[[*r, "ok"] for r in DEALS]])
    _import(plan, plain)
    expected = table_rows(plan, "tblActuals")
    text = plain.read_text().splitlines()
    text[2] = text[2].replace(",ok", ',"two\nlines"')
    odd = tmp_path / "odd.csv"
    odd.write_text("\n".join([text[0], "", *text[1:], ""]) + "\n")
    _import(plan, odd)
    assert table_rows(plan, "tblActuals") == expected
    with odd.open("a") as fh:
        fh.write("9,2025-04-03,R9,DIR,P1,1,x\n")
    with pytest.raises(ProblemsFound) as refused:
        _import(plan, odd)
    assert [p.source.line for p in refused.value.problems] == [8]


def test_bad_maps_and_doubled_columns_are_refused(plan: Path, tmp_path: Path) -> None:
    """A --map to no target column, or two columns that both read as Amount: refused (exit 2)."""
    source = write_csv(tmp_path / "d.csv", [HEADER, *DEALS])
    with pytest.raises(ProblemsFound) as bad_map:
        _import(plan, source, maps=("Close Date=When",))
    assert [p.code for p in bad_map.value.problems] == [ProblemCode.BAD_MAP]
    with pytest.raises(ProblemsFound) as missing:
        _import(plan, source, maps=("Booked=Period",))
    assert [p.code for p in missing.value.problems] == [ProblemCode.BAD_MAP]
    doubled = write_csv(
        tmp_path / "two.csv",
        [[*HEADER[:5], "Revenue", "Deal Value"], [1, "2025-04-03", "R1", "DIR", "P1", "1", "2"]],
    )
    with pytest.raises(ProblemsFound) as twice:
        _import(plan, doubled)
    assert [p.code for p in twice.value.problems] == [ProblemCode.DUPLICATE_HEADER]
    assert all(p.category.value == "file" for p in twice.value.problems)
    _import(plan, doubled, maps=("Deal Value=Amount",))
    assert _amounts(plan)[0]["amount"] == 2


def test_history_and_org_commands_and_json_problems(plan: Path, tmp_path: Path) -> None:
    """import-history and import-org run from the CLI; --skip-bad --json lists bad rows with
    their file and line."""
    runner = CliRunner()
    history = write_csv(
        tmp_path / "h.csv",
        [
            HEADER,
            [1, "2024-05-03", "R1", "DIR", "P1", "5"],
            [2, "2024-05-03", "R1", "XX", "P1", "5"],
        ],
    )
    result = runner.invoke(app, ["import-history", str(plan), str(history), "--skip-bad", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["rows"] == 1
    assert [(p["file"], p["line"], p["code"]) for p in payload["problems"]] == [
        ("h.csv", 3, "UNKNOWN_CODE")
    ]
    org = write_csv(tmp_path / "org.csv", [["Rep ID", "Team", "Rep name"], ["R9", "T2", "Zed"]])
    result = runner.invoke(app, ["import-org", str(plan), str(org), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was written" in result.stdout
    assert "R9" not in {r["rep_id"] for r in table_rows(plan, "tblReps")}
    result = runner.invoke(app, ["import-org", str(plan), str(org)])
    assert result.exit_code == 0, result.output
    assert {r["rep_id"]: r["region"] for r in table_rows(plan, "tblReps")}["R9"] == "S"
