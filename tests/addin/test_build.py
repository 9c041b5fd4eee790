"""salesgoal.xlam: a valid OPC package, its VBA read back by olevba, the same bytes every time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
import xlwings
from defusedxml import ElementTree
from typer.testing import CliRunner

from salesgoal_xl.addin import build
from salesgoal_xl.addin.build import (
    RIBBON_PART,
    RIBBON_RELATIONSHIP,
    AddinBuildError,
    ModuleKind,
    addin_modules,
    build_addin,
    bundled_xlwings_version,
    this_workbook_code,
    xlwings_module,
)
from salesgoal_xl.addin.customui import check_custom_ui
from salesgoal_xl.cli import app

with warnings.catch_warnings():  # oletools' pyparsing calls are deprecated, not our concern
    warnings.simplefilter("ignore")
    from oletools.olevba import VBA_Parser

ROOT = Path(__file__).resolve().parents[2]
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The English add-in, built once for this module."""
    return build_addin(tmp_path_factory.mktemp("en") / "salesgoal.xlam", "en").path


def test_the_package_is_a_valid_zip_of_stored_entries_with_fixed_dates(addin: Path) -> None:
    """Every entry reads back intact, uncompressed, dated 1980-01-01."""
    with zipfile.ZipFile(addin) as package:
        assert package.testzip() is None
        for entry in package.infolist():
            assert entry.compress_type == zipfile.ZIP_STORED
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)
        assert package.namelist()[:2] == ["[Content_Types].xml", "_rels/.rels"]


def test_every_part_has_the_right_content_type(addin: Path) -> None:
    """The workbook is an add-in's, the project a VBA project's, and nothing lacks a type."""
    with zipfile.ZipFile(addin) as package:
        types = ElementTree.fromstring(package.read("[Content_Types].xml"))
        defaults = {
            d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CONTENT_TYPES}Default")
        }
        overrides = {
            o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CONTENT_TYPES}Override")
        }
        assert overrides["/xl/workbook.xml"] == ADDIN_MAIN
        assert defaults["bin"] == VBA_PROJECT
        for name in package.namelist():
            if name == "[Content_Types].xml":
                continue
            assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
        assert defaults["xml"] == "application/xml"  # the type of customUI14.xml


def test_package_relationships_reach_existing_parts_and_the_ribbon(addin: Path) -> None:
    """Every package relationship points at a part; the ribbon's has the 2007 extensibility type."""
    with zipfile.ZipFile(addin) as package:
        rels = ElementTree.fromstring(package.read("_rels/.rels"))
        targets = {
            r.get("Target"): r.get("Type") for r in rels.iter(f"{RELATIONSHIPS}Relationship")
        }
        ids = [r.get("Id") for r in rels.iter(f"{RELATIONSHIPS}Relationship")]
        assert len(ids) == len(set(ids))
        for target in targets:
            assert target in package.namelist(), target
        assert targets[RIBBON_PART] == RIBBON_RELATIONSHIP
        assert check_custom_ui(package.read(RIBBON_PART)) == []


def _body(code: str) -> str:
    """A module's code without its export preamble and attribute lines, in CRLF."""
    lines = code.replace("\r\n", "\n").split("\n")
    skip = re.compile(r"^(VERSION \d|BEGIN$|\s+MultiUse = |END$|Attribute VB_)")
    while lines and skip.match(lines[0]):
        lines.pop(0)
    return "\r\n".join(lines)


def test_olevba_reads_back_every_module_as_its_source(addin: Path) -> None:
    """oletools (not the writer) finds each module, Module1 gone, the code identical."""
    parser = VBA_Parser(str(addin))
    try:
        found = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    expected = {
        f"{m.name}.{'bas' if m.kind is ModuleKind.STANDARD else 'cls'}": m for m in addin_modules()
    }
    assert set(found) == {*expected, "ThisWorkbook.cls", "Sheet1.cls"}
    for name, module in expected.items():
        if module.kind is ModuleKind.STANDARD:
            assert found[name] == module.source, name
        assert _body(found[name]) == _body(module.source), name
    assert _body(found["ThisWorkbook.cls"]) == this_workbook_code()


def test_the_add_in_registers_its_functions_when_it_loads() -> None:
    """Workbook_Open calls the generated registration Sub, which the functions module defines."""
    assert (
        "Private Sub Workbook_Open()\r\n    RegisterSalesgoalFunctions\r\n" in this_workbook_code()
    )
    generated = next(m for m in addin_modules() if m.name == "SalesgoalFunctions")
    assert "Public Sub RegisterSalesgoalFunctions()" in generated.source


def test_vba_text_is_cp1252_and_our_own_is_plain_ascii() -> None:
    """Every module fits the project's code page; ours are ASCII, so no label hides in VBA."""
    for module in addin_modules():
        module.source.encode("cp1252")
        if not module.origin.startswith("xlwings/"):
            module.source.encode("ascii")
    this_workbook_code().encode("ascii")


def test_a_chinese_word_in_vba_is_refused_with_its_place(tmp_path: Path) -> None:
    """VBA would turn it into '?': the build stops and names the file and line."""
    sources = tmp_path / "addin"
    (sources / "vba").mkdir(parents=True)
    (sources / "ribbon").mkdir()
    for path in (ROOT / "addin" / "ribbon").iterdir():
        (sources / "ribbon" / path.name).write_bytes(path.read_bytes())
    (sources / "vba" / "ThisWorkbook.cls").write_text("Option Explicit\n", encoding="utf-8")
    (sources / "vba" / "Bad.bas").write_text(
        'Attribute VB_Name = "Bad"\nPublic Sub Hi()\n    MsgBox "銷售"\nEnd Sub\n', encoding="utf-8"
    )
    with pytest.raises(AddinBuildError, match=r"addin/vba/Bad.bas line 3 has '銷'.*cp1252"):
        build_addin(tmp_path / "out.xlam", "en", sources)


def test_an_invalid_ribbon_is_refused(tmp_path: Path) -> None:
    """A ribbon that breaks the schema rules never reaches the package."""
    sources = tmp_path / "addin"
    (sources / "ribbon").mkdir(parents=True)
    template = (ROOT / "addin" / "ribbon" / "customUI14.xml").read_text(encoding="utf-8")
    broken = template.replace('imageMso="FileNew" ', "")
    (sources / "ribbon" / "customUI14.xml").write_text(broken, encoding="utf-8")
    labels = (ROOT / "addin" / "ribbon" / "labels.json").read_bytes()
    (sources / "ribbon" / "labels.json").write_bytes(labels)
    with pytest.raises(AddinBuildError, match="button 'new': has no icon"):
        build_addin(tmp_path / "out.xlam", "en", sources)


BUILD = (
    "from pathlib import Path; from salesgoal_xl.addin.build import build_addin; "
    "build_addin(Path('salesgoal.xlam'), '{lang}')"
)


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_two_builds_in_other_folders_and_time_zones_are_byte_equal(
    tmp_path: Path, lang: str
) -> None:
    """Separate processes, folders and TZ settings write the very same bytes."""
    outputs = []
    for zone in ("Asia/Taipei", "America/Los_Angeles"):
        folder = tmp_path / zone.replace("/", "-")
        folder.mkdir()
        env = {**os.environ, "TZ": zone}
        subprocess.run(
            [sys.executable, "-c", BUILD.format(lang=lang)], cwd=folder, env=env, check=True
        )
        outputs.append((folder / "salesgoal.xlam").read_bytes())
    assert outputs[0] == outputs[1]


def test_languages_differ_only_in_the_ribbon_and_the_title(tmp_path: Path) -> None:
    """The VBA is the same in every language; only the words change."""
    parts = {}
    for lang in ("en", "zh-Hans"):
        with zipfile.ZipFile(build_addin(tmp_path / f"{lang}.xlam", lang).path) as package:
            parts[lang] = {name: package.read(name) for name in package.namelist()}
    differing = {name for name in parts["en"] if parts["en"][name] != parts["zh-Hans"][name]}
    assert differing == {RIBBON_PART, "docProps/core.xml"}
    assert "销售目标".encode() in parts["zh-Hans"]["docProps/core.xml"]


def test_the_bundled_xlwings_module_is_the_installed_version() -> None:
    """The VBA module comes from the installed xlwings, same version, named for this add-in."""
    module = xlwings_module()
    assert bundled_xlwings_version(module) == xlwings.__version__
    assert f'"xlwings64-{xlwings.__version__}.dll"' in module
    assert 'Public Const PROJECT_NAME As String = "salesgoal"\r\n' in module


def test_xlwings_code_is_never_committed_and_ours_uses_no_pro_feature() -> None:
    """No copy of xlwings' VBA in the repository; no PRO module or licence key in our sources."""
    tracked = subprocess.run(
        ["git", "ls-files", "addin", "salesgoal_xl/addin"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked, "git ls-files found nothing"
    assert not [p for p in tracked if re.search(r"xlwings.*\.bas$|Dictionary\.cls$", p)]
    for path in tracked:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "xlwings.pro" not in text and "LICENSE_KEY" not in text, path


def test_the_cli_builds_the_add_in(tmp_path: Path) -> None:
    """salesgoal addin build --lang --out writes the add-in and says where."""
    out = tmp_path / "dist" / "salesgoal.xlam"
    result = CliRunner().invoke(app, ["addin", "build", "--lang", "zh-Hant", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "add-in written" in result.output


def test_the_cli_refuses_an_unknown_language(tmp_path: Path) -> None:
    """An unknown language exits 2 with the languages it knows."""
    result = CliRunner().invoke(
        app, ["addin", "build", "--lang", "fr", "--out", str(tmp_path / "x.xlam")]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlam").exists()


def test_missing_sources_say_where_to_build_from(tmp_path: Path) -> None:
    """Without an addin/ folder the error says the build needs a checkout."""
    with pytest.raises(AddinBuildError, match="built from a checkout"):
        build.build_addin(tmp_path / "x.xlam", "en", tmp_path / "nowhere")
