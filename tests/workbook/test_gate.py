"""The gate: every corpus file gets its code, nothing escapes, inputs stay unchanged."""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from salesgoal_xl.core.problems import Problem, ProblemCode, ProblemsFound, Severity
from salesgoal_xl.workbook import gate
from salesgoal_xl.workbook.gate import (
    Limits,
    assert_defusedxml,
    inspect_package,
    load_workbook_safely,
    open_workbook,
    problem_from_exception,
)
from tests.workbook.corpus import (
    HOSTILE,
    MAIN_NS,
    NOTES_PART,
    SETTINGS_PART,
    STAGE,
    CorpusFile,
    build_base_workbook,
    build_corpus,
    repack,
    with_cell_formats,
    with_shared_strings,
)

GATE_FILES = sorted(name for name, stage in STAGE.items() if stage == "gate")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusFile]:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@pytest.mark.parametrize("name", GATE_FILES)
def test_gate_reports_the_expected_code(corpus: dict[str, CorpusFile], name: str) -> None:
    """Each file-level corpus file yields its code from the gate and is left byte-identical."""
    path, code = corpus[name]
    before = _digest(path)
    problems = inspect_package(path)
    codes = [p.code for p in problems]
    if code is None:
        assert problems == []
    else:
        assert code in codes, [p.format() for p in problems]
    assert _digest(path) == before


@pytest.mark.parametrize("name", sorted(STAGE))
def test_open_workbook_raises_only_problems(corpus: dict[str, CorpusFile], name: str) -> None:
    """Opening any corpus file returns a workbook or raises ProblemsFound, never anything else."""
    path, code = corpus[name]
    before = _digest(path)
    found: list[ProblemCode] = []
    try:
        warnings_out: list[Problem] = []
        workbook = open_workbook(path, warnings_out=warnings_out)
        workbook.close()
        found = [p.code for p in warnings_out]
        assert all(p.severity is not Severity.ERROR for p in warnings_out)
    except ProblemsFound as stopped:
        found = [p.code for p in stopped.problems]
        assert stopped.problems, "ProblemsFound must carry at least one problem"
        assert "Traceback" not in str(stopped)
    if STAGE[name] == "gate" and code is not None:
        assert code in found
    assert _digest(path) == before


def _run_bounded(script: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit_memory() -> None:
        one_gb = 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (one_gb, one_gb))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit_memory,
        cwd=REPO,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def bounded_run(corpus: dict[str, CorpusFile]) -> dict[str, list[str]]:
    """Open every hostile file in one child process under the memory limit; codes by name."""
    paths = {name: str(corpus[name].path) for name in sorted(HOSTILE)}
    script = textwrap.dedent(
        f"""
        from salesgoal_xl.workbook.gate import open_workbook
        from salesgoal_xl.core.problems import ProblemsFound
        for name, path in {paths!r}.items():
            try:
                open_workbook(path).close()
                print(name, "OPENED", flush=True)
            except ProblemsFound as stopped:
                print(name, *(p.code.value for p in stopped.problems), flush=True)
        """
    )
    result = _run_bounded(script)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = (line.split() for line in result.stdout.splitlines() if line.strip())
    return {words[0]: words[1:] for words in lines}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_handled_within_memory_and_time(
    corpus: dict[str, CorpusFile], bounded_run: dict[str, list[str]], name: str
) -> None:
    """Under a 1 GB address-space limit and a timeout, a hostile file is named, not obeyed."""
    code = corpus[name].code
    expected = code.value if code is not None else "OPENED"
    assert expected in bounded_run[name]


def test_openpyxl_parses_through_defusedxml() -> None:
    """openpyxl is using defusedxml, and the gate refuses to read if it ever is not."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    assert_defusedxml()


def test_gate_fails_closed_without_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    """With openpyxl's defusedxml switch off, loading stops with a problem, not a parse."""
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ProblemsFound) as stopped:
        assert_defusedxml()
    assert stopped.value.problems[0].code is ProblemCode.UNREADABLE


@pytest.mark.parametrize("name", ["billion_laughs", "xxe"])
def test_loader_alone_maps_entity_attacks(corpus: dict[str, CorpusFile], name: str) -> None:
    """Even past the gate, defusedxml's refusal becomes XML_ENTITIES, not an exception."""
    with pytest.raises(ProblemsFound) as stopped:
        load_workbook_safely(corpus[name].path)
    assert [p.code for p in stopped.value.problems] == [ProblemCode.XML_ENTITIES]


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (MemoryError(), ProblemCode.FILE_TOO_LARGE),
        (KeyError("xl/sharedStrings.xml"), ProblemCode.UNREADABLE),
        (ValueError("bad value"), ProblemCode.UNREADABLE),
        (TypeError("expected str"), ProblemCode.UNREADABLE),
        (zipfile.BadZipFile("Bad CRC-32"), ProblemCode.TRUNCATED),
        (EOFError(), ProblemCode.TRUNCATED),
        (PermissionError(13, "denied"), ProblemCode.FILE_LOCKED),
        (FileNotFoundError(2, "gone"), ProblemCode.FILE_NOT_FOUND),
        (OSError(5, "I/O error"), ProblemCode.UNREADABLE),
        (RecursionError(), ProblemCode.UNREADABLE),
    ],
)
def test_library_exceptions_map_to_stable_codes(exc: BaseException, code: ProblemCode) -> None:
    """Each kind of library failure maps to one stable code with a one-line message."""
    problem = problem_from_exception(exc, "plan.xlsx")
    assert problem.code is code
    assert "\n" not in problem.message


def test_invalid_file_exception_means_not_xlsx() -> None:
    """openpyxl's InvalidFileException is reported as NOT_XLSX."""
    from openpyxl.utils.exceptions import InvalidFileException

    assert problem_from_exception(InvalidFileException("x"), "a").code is ProblemCode.NOT_XLSX


def test_loader_maps_a_crash_inside_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception inside openpyxl's load surfaces as UNREADABLE, chained to none."""
    import openpyxl

    path = build_base_workbook(tmp_path / "plan.xlsx")

    def explode(*args: object, **kwargs: object) -> None:
        raise AttributeError("'NoneType' object has no attribute 'tag'")

    monkeypatch.setattr(openpyxl, "load_workbook", explode)
    with pytest.raises(ProblemsFound) as stopped:
        open_workbook(path)
    assert stopped.value.problems[0].code is ProblemCode.UNREADABLE
    assert stopped.value.__cause__ is None


def test_far_away_value_on_a_user_sheet_is_a_warning(tmp_path: Path) -> None:
    """A stray value on the user's own sheet is reported as a warning and the file still opens."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        notes = zf.read(NOTES_PART)
    far = notes.replace(
        b"</sheetData>", b'<row r="500000"><c r="B500000"><v>1</v></c></row></sheetData>'
    )
    path = repack(base, tmp_path / "far_user.xlsx", {NOTES_PART: far}, {})
    warnings_out: list[Problem] = []
    open_workbook(path, warnings_out=warnings_out).close()
    assert [(p.code, p.sheet, p.cell) for p in warnings_out] == [
        (ProblemCode.FAR_AWAY_CELL, "My notes", "B500000")
    ]


def test_cells_without_references_are_still_placed(tmp_path: Path) -> None:
    """Sheets that leave out `r` (some generators do) are followed tag by tag, not skipped."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        settings = zf.read(SETTINGS_PART)
    start = settings.index(b"<sheetData>")
    end = settings.index(b"</sheetData>") + len(b"</sheetData>")
    rows = (
        b"<sheetData><row><c><v>1</v></c><c><v>2</v></c></row>"
        b'<row r="950000"><c/><c><v>3</v></c></row></sheetData>'
    )
    path = repack(
        base,
        tmp_path / "no_refs.xlsx",
        {SETTINGS_PART: settings[:start] + rows + settings[end:]},
        {},
    )
    problems = inspect_package(path)
    assert [(p.code, p.cell, p.severity) for p in problems] == [
        (ProblemCode.FAR_AWAY_CELL, "B950000", Severity.ERROR)
    ]


def test_a_wide_column_is_far_away(tmp_path: Path) -> None:
    """A value beyond the column bound (here column XFD, row 2) is reported with its cell."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        settings = zf.read(SETTINGS_PART)
    wide = settings.replace(b'<row r="2"', b'<row r="2"><c r="XFD2"><v>5</v></c></row><row r="2"')
    path = repack(base, tmp_path / "wide.xlsx", {SETTINGS_PART: wide}, {})
    assert [(p.code, p.cell) for p in inspect_package(path)] == [
        (ProblemCode.FAR_AWAY_CELL, "XFD2")
    ]


def test_dde_in_a_defined_name_is_caught(tmp_path: Path) -> None:
    """A DDE call hidden in a workbook name, not a cell, is still a DDE_LINK."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        book = zf.read("xl/workbook.xml")
    named = book.replace(
        b"</sheets>",
        b"</sheets><definedNames><definedName name=\"Go\">cmd|'/c calc'!A0</definedName>"
        b"</definedNames>",
    )
    path = repack(base, tmp_path / "dde_name.xlsx", {"xl/workbook.xml": named}, {})
    assert ProblemCode.DDE_LINK in [p.code for p in inspect_package(path)]


def test_quoted_pipes_are_not_dde() -> None:
    """A '|' inside quoted text or a quoted sheet name is not a DDE call."""
    assert gate.is_dde_formula("cmd|' /C calc'!A0")
    assert gate.is_dde_formula("MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe'!''")
    assert not gate.is_dde_formula('CONCAT("a|b",A1)')
    assert not gate.is_dde_formula("'Plan|2025'!A1*2")


def test_owner_file_names_who_has_it_open(corpus: dict[str, CorpusFile], tmp_path: Path) -> None:
    """Excel's and LibreOffice's lock files both yield FILE_LOCKED naming the owner."""
    problem = gate.lock_problem(corpus["locked"].path, writing=True)
    assert problem is not None and "open in Excel by Alice Chen" in problem.message
    path = build_base_workbook(tmp_path / "shared.xlsx")
    (tmp_path / ".~lock.shared.xlsx#").write_text(",Bo Chen,laptop,01.02.2025 10:00,file;")
    problem = gate.lock_problem(path, writing=False)
    assert problem is not None and problem.severity is Severity.WARNING
    assert "Bo Chen" in problem.message


def test_limits_are_configurable(tmp_path: Path) -> None:
    """Tighter limits turn an ordinary file into FILE_TOO_LARGE and TOO_MANY_PARTS."""
    path = build_base_workbook(tmp_path / "plan.xlsx")
    assert [p.code for p in inspect_package(path, Limits(max_file_bytes=100))] == [
        ProblemCode.FILE_TOO_LARGE
    ]
    assert [p.code for p in inspect_package(path, Limits(max_parts=3))] == [
        ProblemCode.TOO_MANY_PARTS
    ]


def test_a_large_clean_table_passes_quickly(tmp_path: Path) -> None:
    """A 20,000-row history table raises no false alarm (and is scanned in bounded time)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("History")
    sheet.append(["Period", "Rep ID", "Channel", "Product", "Amount"])
    for i in range(20_000):
        sheet.append([f"2024-{i % 12 + 1:02d}", f"R{i % 300}", "Direct", "Widgets", i])
    path = tmp_path / "big.xlsx"
    workbook.save(path)
    assert inspect_package(path) == []


def test_a_large_org_view_sheet_is_not_far_away(tmp_path: Path) -> None:
    """A Rep x Month view with a row per rep for 3,000 reps is not mistaken for a stray cell."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rep x Month"
    for row in range(1, 3_001):
        ws.cell(row, 2, f"R{row:05d}")
    path = tmp_path / "view.xlsx"
    wb.save(path)
    assert [p.code for p in gate.inspect_package(path)] == []


@pytest.mark.parametrize("name", ["xxe", "xxe_utf32"])
def test_entities_are_reported_at_their_part(corpus: dict[str, CorpusFile], name: str) -> None:
    """An external entity in xl/workbook.xml, in UTF-8 or UTF-32, is XML_ENTITIES naming it."""
    problems = inspect_package(corpus[name].path)
    assert [p.code for p in problems] == [ProblemCode.XML_ENTITIES]
    assert "xl/workbook.xml" in problems[0].message


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("malformed_rels", "_rels/.rels"),
        ("malformed_content_types", "[Content_Types].xml"),
        ("malformed_book_rels", "xl/_rels/workbook.xml.rels"),
        ("malformed_workbook", "xl/workbook.xml"),
    ],
)
def test_a_malformed_structural_part_is_named(
    corpus: dict[str, CorpusFile], name: str, part: str
) -> None:
    """A structural part that is not well-formed XML is one UNREADABLE naming the part."""
    problems = inspect_package(corpus[name].path)
    assert [p.code for p in problems] == [ProblemCode.UNREADABLE]
    assert f"{part} " in problems[0].message and "not well-formed XML" in problems[0].message
    assert "line 1" not in problems[0].message  # the parser's own words stay out


def test_part_readers_used_by_the_door_raise_problems(corpus: dict[str, CorpusFile]) -> None:
    """The gate's part readers, which the door also uses, raise ProblemsFound, not ParseError."""
    with zipfile.ZipFile(corpus["malformed_book_rels"].path) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        with pytest.raises(ProblemsFound) as stopped:
            gate.sheet_parts(zf, infos, Limits(), "xl/workbook.xml")
    assert [p.code for p in stopped.value.problems] == [ProblemCode.UNREADABLE]


@pytest.mark.parametrize(
    "exc",
    [
        TypeError("list indices must be integers or slices, not str"),
        ValueError("invalid literal for int() with base 10: 'abc'"),
        AttributeError("'NoneType' object has no attribute 'tag'"),
        KeyError("There is no item named 'xl/worksheets/sheet9.xml' in the archive"),
        OSError(5, "Input/output error"),
        RecursionError("maximum recursion depth exceeded"),
    ],
)
def test_unreadable_never_shows_the_exception_text(exc: BaseException) -> None:
    """An UNREADABLE message and hint say what to do in the user's terms, not Python's."""
    problem = problem_from_exception(exc, "plan.xlsx")
    assert problem.code is ProblemCode.UNREADABLE
    raw = str(exc).strip("'")
    assert raw not in problem.message and raw not in problem.hint
    assert problem.message.startswith("plan.xlsx ") and problem.hint


def test_a_missing_part_is_named() -> None:
    """A KeyError for a missing part names that part (and nothing else of the exception)."""
    problem = problem_from_exception(
        KeyError("There is no item named 'xl/worksheets/sheet9.xml' in the archive"), "plan.xlsx"
    )
    assert "xl/worksheets/sheet9.xml, which is missing" in problem.message
    assert "There is no item" not in problem.message


def test_a_sheet_openpyxl_cannot_read_is_named(tmp_path: Path) -> None:
    """When openpyxl fails inside a sheet, the problem names that sheet, not the exception."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        settings = zf.read(SETTINGS_PART)
    odd = settings.replace(b'<c r="A2"', b'<c s="abc" r="A2"', 1)
    path = repack(base, tmp_path / "odd_style.xlsx", {SETTINGS_PART: odd}, {})
    with pytest.raises(ProblemsFound) as stopped:
        open_workbook(path)
    [problem] = stopped.value.problems
    assert problem.code is ProblemCode.UNREADABLE
    assert "the sheet 'Settings'" in problem.message
    assert "invalid literal" not in problem.message + problem.hint


def _with_merges(base: Path, dst: Path, counts: dict[str, int], prefix: str = "") -> Path:
    """The base workbook with `counts[part]` merged ranges after each sheet part's data."""
    tag = f"{prefix}:mergeCell" if prefix else "mergeCell"
    declare = f' xmlns:{prefix}="{MAIN_NS}"' if prefix else ""
    replace = {}
    with zipfile.ZipFile(base) as zf:
        for part, count in counts.items():
            ranges = "".join(f'<{tag} ref="A{r}:B{r}"/>' for r in range(20, 20 + count))
            block = f'<{tag}s{declare} count="{count}">{ranges}</{tag}s>'.encode()
            replace[part] = zf.read(part).replace(b"</sheetData>", b"</sheetData>" + block)
    return repack(base, dst, replace, {})


def test_merged_ranges_up_to_the_limit_pass(tmp_path: Path) -> None:
    """A workbook with exactly `max_merged_ranges` merges (10,000) raises no problem."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    path = _with_merges(base, tmp_path / "merges.xlsx", {NOTES_PART: 10_000})
    assert Limits().max_merged_ranges == 10_000
    assert inspect_package(path) == []


def test_merged_ranges_count_across_sheets(tmp_path: Path) -> None:
    """Merges on all sheets add up; the refusal names the sheet holding the most."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    path = _with_merges(base, tmp_path / "merges.xlsx", {SETTINGS_PART: 4_000, NOTES_PART: 6_001})
    problems = inspect_package(path)
    assert [(p.code, p.sheet) for p in problems] == [(ProblemCode.TOO_MANY_MERGES, "My notes")]
    assert "6,001" in problems[0].message and "10,001" in problems[0].message


def test_prefixed_merge_tags_are_counted(tmp_path: Path) -> None:
    """Merges written with a namespace prefix (x:mergeCell) are counted like plain ones."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    path = _with_merges(base, tmp_path / "merges.xlsx", {SETTINGS_PART: 3}, prefix="x")
    assert [p.code for p in inspect_package(path, Limits(max_merged_ranges=2))] == [
        ProblemCode.TOO_MANY_MERGES
    ]
    assert inspect_package(path, Limits(max_merged_ranges=3)) == []


def test_the_merge_bomb_is_refused_fast_and_small(corpus: dict[str, CorpusFile]) -> None:
    """800,000 merges are refused by open_workbook in seconds and well under 400 MB."""
    # VmHWM is this process's own peak; getrusage's maxrss would include the forking parent's.
    script = textwrap.dedent(
        f"""
        import re, time
        from pathlib import Path
        from salesgoal_xl.core.problems import ProblemsFound
        from salesgoal_xl.workbook.gate import open_workbook
        start = time.perf_counter()
        try:
            open_workbook({str(corpus["merge_bomb"].path)!r})
        except ProblemsFound as stopped:
            print(*(p.code.value for p in stopped.problems))
        peak = re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text())
        print(time.perf_counter() - start, peak[1])
        """
    )
    result = _run_bounded(script)
    assert result.returncode == 0, result.stderr[-2000:]
    codes, figures = result.stdout.splitlines()
    seconds, peak_kb = figures.split()
    assert codes == "TOO_MANY_MERGES"
    assert float(seconds) < 15
    assert int(peak_kb) < 400 * 1024


def test_cell_formats_up_to_excels_limit_pass(tmp_path: Path) -> None:
    """64,000 cell formats (Excel's own limit) pass; one more is TOO_MANY_STYLES."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    assert inspect_package(with_cell_formats(base, tmp_path / "at.xlsx", 64_000)) == []
    over = inspect_package(with_cell_formats(base, tmp_path / "over.xlsx", 64_001))
    assert [p.code for p in over] == [ProblemCode.TOO_MANY_STYLES]
    assert "64,001 cell formats" in over[0].message


def test_shared_strings_are_bounded(tmp_path: Path) -> None:
    """The shared-strings count is checked against `max_shared_strings`, inclusive."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    path = with_shared_strings(base, tmp_path / "strings.xlsx", 5)
    assert inspect_package(path, Limits(max_shared_strings=5)) == []
    assert [p.code for p in inspect_package(path, Limits(max_shared_strings=4))] == [
        ProblemCode.TOO_MANY_STRINGS
    ]


def test_strict_open_xml_is_one_problem(corpus: dict[str, CorpusFile]) -> None:
    """A Strict Open XML workbook is refused with one STRICT_OOXML, not a list of missing tables."""
    problems = inspect_package(corpus["strict_ooxml"].path)
    assert [p.code for p in problems] == [ProblemCode.STRICT_OOXML]
    assert "Excel Workbook (.xlsx)" in problems[0].hint


def test_strict_relationships_alone_are_strict(tmp_path: Path) -> None:
    """A package whose pointer to the workbook uses Strict's relationship types is STRICT_OOXML."""
    base = build_base_workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as zf:
        rels = zf.read("_rels/.rels")
    strict = rels.replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
    assert strict != rels
    path = repack(base, tmp_path / "strict_rels.xlsx", {"_rels/.rels": strict}, {})
    assert [p.code for p in inspect_package(path)] == [ProblemCode.STRICT_OOXML]
