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
    NOTES_PART,
    SETTINGS_PART,
    STAGE,
    CorpusFile,
    build_base_workbook,
    build_corpus,
    repack,
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
