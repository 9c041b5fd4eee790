"""The workbook schema is internally consistent: every reference in it resolves."""

from __future__ import annotations

import re

import pytest

from salesgoal_xl.workbook import schema

REQUIRED_TABLES = [
    "tblSettings",
    "tblReps",
    "tblProducts",
    "tblChannels",
    "tblHistory",
    "tblMarket",
    "tblProposal",
    "tblSmart",
    "tblSplitRules",
    "tblOverrides",
    "tblTargets",
    "tblActuals",
    "tblTracking",
    "tblKpis",
    "tblScorecard",
    "tblFairness",
    "tblAdjustments",
    "tblApprovals",
    "tblChecks",
]


def test_every_required_table_exists() -> None:
    """Every table named in the design is described by the schema."""
    assert set(REQUIRED_TABLES) <= set(schema.TABLES_BY_NAME)


def test_each_table_sits_on_exactly_one_sheet() -> None:
    """A table is listed on the sheet it names, and on no other sheet."""
    for tbl in schema.TABLES:
        hosts = [s.key for s in schema.SHEETS if tbl.name in s.tables]
        assert hosts == [tbl.sheet], tbl.name


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_headers_are_unique_within_a_table(lang: str) -> None:
    """Excel requires unique table headers, in every language."""
    for tbl in schema.TABLES:
        labels = [c.label.get(lang) for c in tbl.columns]
        assert len(set(labels)) == len(labels), (tbl.name, labels)


def test_list_sources_name_existing_columns() -> None:
    """A validation list drawn from another table points at a real table column."""
    for tbl in schema.TABLES:
        for col in tbl.columns:
            if col.list_from:
                src_table, src_col = col.list_from.split(".")
                assert src_col in schema.table(src_table).keys, (tbl.name, col.key)


def test_formula_placeholders_resolve() -> None:
    """Every {key} in a formula template is a column of the same table or a setting name."""
    names = {s.name for s in schema.SETTINGS}
    for tbl in schema.TABLES:
        for col in tbl.columns:
            if col.formula:
                assert col.role is schema.Role.FORMULA
                for ref in re.findall(r"\{(\w+)\}", col.formula):
                    assert ref in tbl.keys or ref in names, (tbl.name, col.key, ref)


def test_english_headers_match_the_design() -> None:
    """The English headers of the core tables are the ones the design fixes."""
    expected = {
        "tblTargets": {
            "period": "Period",
            "quarter": "Quarter",
            "region": "Region",
            "team": "Team",
            "rep_id": "Rep ID",
            "rep_name": "Rep name",
            "channel": "Channel",
            "product": "Product",
            "target": "Target",
        },
        "tblActuals": {
            "period": "Period",
            "rep_id": "Rep ID",
            "channel": "Channel",
            "product": "Product",
            "amount": "Amount",
        },
        "tblReps": {
            "rep_id": "Rep ID",
            "team": "Team",
            "region": "Region",
            "manager": "Manager",
            "start_date": "Start date",
            "capacity": "Capacity",
            "potential": "Potential",
        },
    }
    for name, cols in expected.items():
        tbl = schema.table(name)
        for key, label in cols.items():
            assert tbl.column(key).label.en == label


def test_headers_are_read_in_any_language() -> None:
    """A header in any of the three languages, any case and spacing, maps to its key."""
    lookup = schema.header_lookup(schema.table("tblReps"))
    assert lookup[schema.normalise_header("  rep   id ")] == "rep_id"
    assert lookup[schema.normalise_header("業務代號")] == "rep_id"
    assert lookup[schema.normalise_header("销售代号")] == "rep_id"


def test_setting_names_are_valid_excel_names() -> None:
    """Workbook names for settings are letters only, unique, and not cell references."""
    names = [s.name for s in schema.SETTINGS]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z]+", name), name
        assert not re.fullmatch(r"[A-Za-z]{1,3}\d+", name)


def test_unknown_language_is_a_clear_error() -> None:
    """Asking for a language the schema lacks names the choices."""
    with pytest.raises(ValueError, match="zh-Hant"):
        schema.SHEETS[0].label.get("fr")
