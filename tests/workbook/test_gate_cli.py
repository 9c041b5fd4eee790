"""`salesgoal check` over the whole bad-file corpus: never an internal error, always JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from salesgoal_xl.cli import app
from tests.workbook.corpus import STAGE, CorpusFile, build_corpus

runner = CliRunner()
# The file families the gate used to let through to an internal error (exit 3), or to a
# slow load or a page of MISSING_TABLE lines; each must now be refused with exit 2.
REFUSED = (
    "xxe",
    "xxe_utf32",
    "malformed_rels",
    "malformed_content_types",
    "malformed_book_rels",
    "malformed_workbook",
    "merge_bomb",
    "style_bomb",
    "string_bomb",
    "strict_ooxml",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusFile]:
    # A corpus of its own: `check` without --no-write may log into a readable file.
    return build_corpus(tmp_path_factory.mktemp("cli-corpus"))


def _check(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *args])
    return result.exit_code, result.stdout, result.output


@pytest.mark.parametrize("name", sorted(STAGE))
def test_check_never_ends_in_an_internal_error(corpus: dict[str, CorpusFile], name: str) -> None:
    """`check FILE` exits 0, 1 or 2 on every corpus file, with no internal error or traceback."""
    code, _stdout, output = _check(str(corpus[name].path))
    assert code in (0, 1, 2), output
    assert "internal error" not in output and "Traceback" not in output


@pytest.mark.parametrize("name", sorted(STAGE))
def test_check_json_is_always_json(corpus: dict[str, CorpusFile], name: str) -> None:
    """`check --json FILE` prints one JSON document on every corpus file, naming its code."""
    path, expected = corpus[name]
    code, stdout, output = _check("--json", str(path))
    assert code in (0, 1, 2), output
    report = json.loads(stdout)
    codes = {p["code"] for p in report["problems"]}
    if expected is not None and STAGE[name] == "gate":
        assert expected.value in codes, (name, codes)


@pytest.mark.parametrize("name", REFUSED)
def test_refused_files_exit_2_with_their_code(corpus: dict[str, CorpusFile], name: str) -> None:
    """Each newly refused family exits 2 with exactly its own error, as text and as JSON."""
    path, expected = corpus[name]
    assert expected is not None
    code, stdout, _output = _check("--json", str(path))
    assert code == 2
    problems = json.loads(stdout)["problems"]
    assert [(p["code"], p["severity"], p["category"]) for p in problems] == [
        (expected.value, "error", "file")
    ]
    code, _stdout, output = _check(str(path))
    assert code == 2 and f"{expected.value} " in output
