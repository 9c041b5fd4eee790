"""Choice values: shown in the workbook's language, read in any of the three, by every reader."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.builder import build_workbook, save_workbook
from salesgoal_xl.workbook.cells import choice_code
from salesgoal_xl.workbook.checks import run_checks
from salesgoal_xl.workbook.file_port import FilePort
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.reader import read_settings

# The split method and level as a person may type them: the code, each language's word, any case.
METHOD_SPELLINGS = ("history", "歷史", "历史", " History ", "ＨＩＳＴＯＲＹ")
LEVEL_SPELLINGS = ("rep", "業務", "销售", "REP", "rep")
SPLIT_RULES_SHEET = schema.SHEETS_BY_KEY["decomposition"].label
SETTINGS_SHEET = schema.SHEETS_BY_KEY["settings"].label


def _plan(folder: Path, lang: str) -> Path:
    """A workbook in `lang` whose split rules spell the same choice five ways."""
    path = folder / f"plan-{lang}.xlsx"
    wb = build_workbook(lang, fiscal_year=2026)
    ws = wb[SPLIT_RULES_SHEET.get(lang)]
    for row, (level, method) in enumerate(zip(LEVEL_SPELLINGS, METHOD_SPELLINGS, strict=True)):
        ws.cell(5 + row, 1).value = level if row != 1 else "團隊"
        ws.cell(5 + row, 2).value = method
    ws.tables["tblSplitRules"].ref = f"A4:E{4 + len(METHOD_SPELLINGS)}"
    save_workbook(wb, path, backup=False)
    return path


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_a_choice_reads_as_its_code_in_any_language_through_both_readers(
    tmp_path: Path, lang: str
) -> None:
    """history, 歷史, 历史, any case or full-width: both file readers hand commands 'history'."""
    path = _plan(tmp_path, lang)
    frames = []
    for adapter in (FilePort, PackagePort):
        port = adapter(path)
        frame = port.read_table("tblSplitRules").frame
        assert frame["method"].tolist() == ["history"] * len(METHOD_SPELLINGS)
        assert frame["level"].tolist() == ["rep", "team", "rep", "rep", "rep"]
        frames.append(frame[list(schema.table("tblSplitRules").keys)].to_dict("list"))
    assert frames[0] == frames[1]


def test_a_setting_choice_reads_in_another_language(tmp_path: Path) -> None:
    """A zh-Hant workbook whose Granularity says 周 (zh-Hans) or WEEK is on weeks."""
    for typed in ("周", "週", "WEEK"):
        path = tmp_path / "plan.xlsx"
        wb = build_workbook("zh-Hant", fiscal_year=2026)
        ws = wb[SETTINGS_SHEET.get("zh-Hant")]
        row = next(r for r in range(5, 60) if ws.cell(r, 1).value == "時間粒度")
        assert ws.cell(row, 2).value == "月"
        ws.cell(row, 2).value = typed
        save_workbook(wb, path, backup=False)
        values, problems = read_settings(openpyxl.load_workbook(path))
        assert values["granularity"] == "week"
        assert values["language"] == "zh-Hant"
        assert not [p for p in problems if p.cell == f"B{row}"]


@pytest.mark.parametrize(
    ("lang", "severities"),
    [("en", ["error", "info"]), ("zh-Hant", ["錯誤", "提示"]), ("zh-Hans", ["错误", "提示"])],
)
def test_the_program_writes_choices_in_the_workbooks_language(
    tmp_path: Path, lang: str, severities: list[str]
) -> None:
    """A severity written by either writer is the workbook's word, and reads back as the code."""
    for adapter in (PackagePort, FilePort):
        path = tmp_path / f"{adapter.__name__}.xlsx"
        save_workbook(build_workbook(lang, fiscal_year=2026), path, backup=False)
        port = adapter(path)
        rows = pd.DataFrame({"severity": ["error", "info"], "code": ["A", "B"]})
        port.write_table("tblChecks", rows)
        port.commit()
        ws = openpyxl.load_workbook(path)[schema.SHEETS_BY_KEY["checks"].label.get(lang)]
        assert [ws.cell(5, 1).value, ws.cell(6, 1).value] == severities
        for reader in (FilePort, PackagePort):
            assert reader(path).read_table("tblChecks").frame["severity"].tolist() == [
                "error",
                "info",
            ]


@pytest.mark.parametrize(
    ("lang", "methods", "granularities"),
    [
        ("en", "history,equal,weights", "month,week"),
        ("zh-Hant", "歷史,平均,權重", "月,週"),
        ("zh-Hans", "历史,平均,权重", "月,周"),
    ],
)
def test_validation_lists_are_in_the_workbooks_language(
    lang: str, methods: str, granularities: str
) -> None:
    """The Method column's and the Granularity setting's lists show the workbook's words."""
    wb = build_workbook(lang, fiscal_year=2026)
    rules = wb[SPLIT_RULES_SHEET.get(lang)].data_validations.dataValidation
    assert any(str(dv.formula1).startswith(f'"{methods},') for dv in rules)
    settings = wb[SETTINGS_SHEET.get(lang)].data_validations.dataValidation
    assert any(dv.formula1 == f'"{granularities}"' for dv in settings)


def test_a_bad_choice_names_its_cell_and_the_allowed_words(tmp_path: Path) -> None:
    """An unknown method in a zh-Hans workbook is an error at its cell listing 历史, 平均, ..."""
    path = _plan(tmp_path, "zh-Hans")
    wb = openpyxl.load_workbook(path)
    wb[SPLIT_RULES_SHEET.get("zh-Hans")]["B6"] = "猜测"
    wb.save(path)
    problems = run_checks(openpyxl.load_workbook(path))
    bad = [p for p in problems if p.code is ProblemCode.UNKNOWN_CODE and p.cell == "B6"]
    assert len(bad) == 1
    assert "'猜测'" in bad[0].message
    assert "历史, 平均, 权重, 季节性" in bad[0].message


def test_every_choice_has_one_reading_per_list() -> None:
    """Each list's codes have words in all three languages, and no spelling means two codes."""
    lists = {c.choices for t in schema.TABLES for c in t.columns if c.choices}
    lists |= {s.choices for s in schema.SETTINGS if s.choices}
    for choices in lists:
        for code in choices:
            assert code in schema.CHOICE_LABELS, code
            for lang in schema.LANGUAGES:
                assert choice_code(choices, schema.choice_label(code).get(lang)) == code
        spellings = [
            schema.normalise_header(t) for c in choices for t in {c, *schema.choice_label(c).all()}
        ]
        assert len(spellings) == len(set(spellings)), choices


# Taiwan usage that mainland readers would not write (mainland term in the comment).
TAIWAN_ONLY = (
    "资料",
    "档案",
    "预设",
    "栏位",
    "储存格",
    "软体",
    "专案",
    "讯息",
    "检核",
    "实绩",
    "推估",
    "载入",
    "进位单位",
    "核准",
    "「",
)  # 数据 文件 默认 字段 单元格 软件 项目 信息 校验 实际业绩 测算 导入 舍入单位 审批 “


def _hans_texts(value: object) -> list[str]:
    """Every zh-Hans text in `value`: labels, and the tables, columns and settings holding them."""
    if isinstance(value, schema.Label):
        return [value.zh_hans]
    if isinstance(value, tuple | list):
        return [t for item in value for t in _hans_texts(item)]
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        return [t for name in value.__dataclass_fields__ for t in _hans_texts(getattr(value, name))]
    return []


def test_simplified_chinese_uses_mainland_terms() -> None:
    """No zh-Hans label, Guide text or proposal message uses a Taiwan-only term."""
    from salesgoal_xl.core.proposal_text import MESSAGES
    from salesgoal_xl.workbook import texts

    found = _hans_texts([schema.TABLES, schema.SHEETS, schema.SETTINGS])
    found += _hans_texts(list(schema.CHOICE_LABELS.values()))
    found += _hans_texts([v for v in vars(texts).values()])
    found += list(MESSAGES["zh-Hans"].values())
    assert len(found) > 300
    assert [t for t in found if any(term in t for term in TAIWAN_ONLY)] == []
