"""The generated VBA wrappers of the worksheet functions, pinned by a golden file."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from salesgoal_xl.addin import udfs, vba_gen

GOLDEN = Path(__file__).resolve().parents[2] / "addin" / "generated" / "SalesgoalFunctions.bas"


def test_generated_module_matches_the_golden_file() -> None:
    """The generator's text is the committed file (regenerate: salesgoal addin functions-vba)."""
    expected = GOLDEN.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert vba_gen.functions_module() == expected


def test_every_wrapper_has_the_python_signature() -> None:
    """Each VBA Function has the Python function's arguments, Optional where it has a default."""
    text = vba_gen.functions_module()
    for function in udfs.FUNCTIONS:
        parameters = inspect.signature(getattr(udfs, function.python_name)).parameters.values()
        wanted = ", ".join(
            ("Optional " if p.default is not inspect.Parameter.empty else "") + p.name
            for p in parameters
        )
        assert f"Public Function {function.excel_name}({wanted})\r\n" in text
        assert f'"{function.python_name}", Array({", ".join(p.name for p in parameters)})' in text


def test_registration_describes_every_function_and_argument() -> None:
    """One MacroOptions call per function, with as many argument texts as arguments."""
    text = vba_gen.functions_module()
    calls = re.findall(
        r'MacroOptions Macro:="(\w+)".*?ArgumentDescriptions:=Array\((.*?)\)\r\n', text, flags=re.S
    )
    assert [name for name, _ in calls] == [f.excel_name for f in udfs.FUNCTIONS]
    for (_, listed), function in zip(calls, udfs.FUNCTIONS, strict=True):
        assert listed.count('"') == 2 * len(function.arguments)


def test_module_is_valid_vba_text() -> None:
    """ASCII only, lines within VBA's 1023 characters, fewer than 25 line continuations each."""
    text = vba_gen.functions_module()
    text.encode("ascii")
    lines = text.split("\r\n")
    assert max(len(line) for line in lines) <= 1023
    run = 0
    for line in lines:
        run = run + 1 if line.endswith(" _") else 0
        assert run < 25
