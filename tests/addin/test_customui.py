"""The ribbon: valid customUI14 in every language, its callbacks in the VBA, its ids dispatched."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from salesgoal_xl.addin import ribbon
from salesgoal_xl.addin.build import SOURCES, ribbon_xml
from salesgoal_xl.addin.customui import (
    NAMESPACE,
    button_ids,
    callbacks,
    check_custom_ui,
    localised_ribbon,
)
from salesgoal_xl.workbook.schema import LANGUAGES

LABELS = json.loads((SOURCES / "ribbon" / "labels.json").read_text(encoding="utf-8"))


def ui(body: str, root_attributes: str = "") -> bytes:
    """A customUI document around ``body`` (the inside of a group)."""
    return (
        f'<customUI xmlns="{NAMESPACE}"{root_attributes}><ribbon><tabs>'
        f'<tab id="t" label="T"><group id="g" label="G">{body}</group></tab>'
        "</tabs></ribbon></customUI>"
    ).encode()


GOOD_BUTTON = '<button id="b" label="B" imageMso="Help" screentip="S" onAction="M.OnAction"/>'


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ribbon_is_valid_in_every_language(language: str) -> None:
    """The built part has no problem, carries the tab's label, and is in the 2009/07 namespace."""
    document = ribbon_xml(language)
    assert check_custom_ui(document) == []
    assert LABELS[language]["salesgoal_tab"]["label"] in document.decode("utf-8")
    assert f'xmlns="{NAMESPACE}"'.encode() in document


def test_the_tab_has_the_groups_and_buttons_of_the_design() -> None:
    """Plan, data, track, adjust, review and help, each with its buttons, in order."""
    assert button_ids(ribbon_xml("en")) == [
        *("new", "propose", "split"),
        *("import_actuals", "import_history", "import_org"),
        "evaluate",
        "adjust",
        *("check", "approve", "verify", "export", "collect"),
        *("guide", "about"),
    ]


def test_labels_cover_every_id_in_every_language() -> None:
    """Each language labels the same ids with the same kinds of text."""
    shape = {key: sorted(words) for key, words in LABELS["en"].items()}
    for language in LANGUAGES:
        assert {key: sorted(words) for key, words in LABELS[language].items()} == shape


def test_a_label_for_an_id_the_ribbon_lacks_is_refused() -> None:
    """A stale label is an error, not silently dropped."""
    with pytest.raises(ValueError, match="ids the ribbon does not have: gone"):
        localised_ribbon(ui(GOOD_BUTTON), {"gone": {"label": "x"}}, "en")


def test_the_checker_accepts_a_minimal_good_document() -> None:
    """The fixture itself is valid, so each broken case below fails for its own reason."""
    assert check_custom_ui(ui(GOOD_BUTTON)) == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (b"<customUI", "not well-formed"),
        (b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"/>', "the root"),
        (ui(GOOD_BUTTON + GOOD_BUTTON), "id 'b' is used twice"),
        (ui(GOOD_BUTTON.replace('id="b"', 'id="1b"')), "is not a valid id"),
        (ui(GOOD_BUTTON.replace('label="B"', f'label="{"x" * 1025}"')), "1 to 1024 characters"),
        (ui(GOOD_BUTTON.replace('label="B"', 'label=""')), "1 to 1024 characters"),
        (ui(GOOD_BUTTON.replace(' imageMso="Help"', "")), "has no icon"),
        (ui(GOOD_BUTTON.replace(' onAction="M.OnAction"', "")), "has no onAction"),
        (ui(GOOD_BUTTON.replace(' label="B"', "")), "has no label"),
        (ui(GOOD_BUTTON.replace('imageMso="Help"', 'imageMso="Help" image="x"')), "exclude"),
        (ui(GOOD_BUTTON.replace("/>", ' size="huge"/>')), "size must be one of large, normal"),
        (ui(GOOD_BUTTON.replace("/>", ' visible="yes"/>')), "visible must be true or false"),
        (ui(GOOD_BUTTON.replace("/>", ' keytip="ABCD"/>')), "keytip must be 1 to 3"),
        (ui(GOOD_BUTTON.replace("/>", ' colour="red"/>')), "attribute colour is not allowed"),
        (ui(GOOD_BUTTON.replace('id="b"', 'id="b" idMso="Copy"')), "exactly one of id"),
        (ui("<tab/>"), "group 'g': may not hold tab"),
        (ui("<editBox/>"), "editBox is not an element"),
        (
            f'<customUI xmlns="{NAMESPACE}"><ribbon/><commands/></customUI>'.encode(),
            "in the order commands, ribbon",
        ),
        (
            f'<customUI xmlns="{NAMESPACE}"><ribbon><tabs/><tabs/></ribbon></customUI>'.encode(),
            "once each",
        ),
    ],
)
def test_the_checker_finds_each_broken_rule(document: bytes, problem: str) -> None:
    """Each rule of the schema (and the product's own) is reported when broken."""
    problems = check_custom_ui(document)
    assert any(problem in found for found in problems), problems


def _public_ribbon_subs() -> dict[str, set[str]]:
    """Module name -> the Public Subs taking (control As IRibbonControl) in addin/vba/*.bas."""
    found: dict[str, set[str]] = {}
    pattern = re.compile(
        r"^Public Sub (\w+)\(\s*(?:ByVal |ByRef )?control As IRibbonControl\s*\)", re.M | re.I
    )
    for path in sorted((SOURCES / "vba").glob("*.bas")):
        found[path.stem] = set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_callback_is_a_public_sub_taking_the_ribbon_control(language: str) -> None:
    """Each callback the XML names (onAction, ...) is Module.Sub with the ribbon signature."""
    subs = _public_ribbon_subs()
    named = callbacks(ribbon_xml(language))
    assert named, "the ribbon names no callback"
    for callback in named:
        module, _, sub = callback.rpartition(".")
        assert module in subs, f"{callback}: no module {module}.bas in addin/vba"
        assert sub in subs[module], f"{callback}: not a Public Sub (control As IRibbonControl)"


def test_every_button_is_dispatched_and_every_dispatch_is_a_button() -> None:
    """The ribbon's button ids and on_action's table are the same set."""
    assert set(button_ids(ribbon_xml("en"))) == set(ribbon.ACTIONS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_carries_the_language_of_the_build(language: str) -> None:
    """Each control with an action has the build's language as its tag, nothing else does."""
    document = ribbon_xml(language)
    pattern = re.compile(r"<(\w+) ([^>]*)>")
    for name, attributes in pattern.findall(document.decode("utf-8")):
        if "onAction=" in attributes:
            assert f'tag="{language}"' in attributes, name
        else:
            assert "tag=" not in attributes, name


def _vba_string(expression: str, control: dict[str, str]) -> str:
    """The value of a VBA string expression of quoted literals, control.<Property> and &."""
    pieces = re.findall(r'"((?:[^"]|"")*)"|control\.(\w+)', expression)
    return "".join(
        literal.replace('""', '"') if not prop else control[prop] for literal, prop in pieces
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_callback_hands_the_control_id_and_language_to_on_action(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python line OnAction gives xlwings' RunPython, with a button's id and tag filled in
    as VBA would, runs on_action for that button with the add-in's language."""
    source = (SOURCES / "vba" / "SalesgoalRibbon.bas").read_text(encoding="utf-8")
    body = source.split("Public Sub OnAction(control As IRibbonControl)", 1)[1]
    call = re.search(r"^\s*RunPython (.+)$", body, re.MULTILINE)
    assert call is not None
    line = _vba_string(call.group(1), {"Id": "new", "Tag": language})
    seen: list[tuple[str, str]] = []

    class Host:
        def __init__(self, book: object = None, language: str = "en") -> None:
            self.language = language

        def ask_new_plan(self) -> None:
            seen.append(("asked", self.language))

        def alert(self, text: str, level: str) -> None:
            seen.append((level, text))

    monkeypatch.setattr(ribbon, "ExcelHost", Host)
    exec(line, {})  # what RunPython runs
    assert seen == [("asked", language), ("info", "New plan: cancelled.")]


def test_sources_live_in_the_addin_folder() -> None:
    """The ribbon and VBA sources are text files under addin/."""
    assert Path(__file__).resolve().parents[2] / "addin" == SOURCES
    assert (SOURCES / "ribbon" / "customUI14.xml").is_file()
