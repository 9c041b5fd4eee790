"""The committed templates are what the builder makes now (content compared, not bytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook

from salesgoal_xl.commands.new import build_template, template_path
from salesgoal_xl.workbook import schema

TEMPLATES = Path(__file__).resolve().parents[2] / "workbook_templates"


def content(wb: Workbook) -> dict[str, Any]:
    """What a template is made of: sheets, tables, cells, validation, rules, names, props."""
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "cells": {
                c.coordinate: (c.value, c.number_format)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            },
            "tables": {
                t.name: (t.ref, [c.name for c in t.tableColumns]) for t in ws.tables.values()
            },
            "validation": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.formula2)
                for dv in ws.data_validations.dataValidation
            ),
            "rules": sorted(
                (str(cf.sqref), r.type, str(r.formula))
                for cf in ws.conditional_formatting
                for r in cf.rules
            ),
            "frozen": ws.freeze_panes,
            "charts": len(ws._charts),
        }
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    props = {p.name: p.value for p in wb.custom_doc_props}
    return {"sheets": sheets, "names": names, "props": props}


def reloaded(wb: Workbook, tmp_path: Path) -> Workbook:
    """`wb` as it reads back from disk (so both sides went through the same writer)."""
    path = tmp_path / "fresh.xlsx"
    wb.save(path)
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize("lang", schema.LANGUAGES)
def test_committed_template_matches_the_builder(lang: str, tmp_path: Path) -> None:
    """Regenerate with `salesgoal templates workbook_templates` when this fails."""
    committed = template_path(TEMPLATES, lang)
    assert committed.exists(), f"missing {committed}: run `make templates`"
    fresh = content(reloaded(build_template(lang), tmp_path))
    stored = content(openpyxl.load_workbook(committed))
    assert stored["names"] == fresh["names"]
    assert stored["props"] == fresh["props"]
    assert stored["sheets"].keys() == fresh["sheets"].keys()
    for title, sheet in fresh["sheets"].items():
        assert stored["sheets"][title] == sheet, title


def test_templates_carry_no_plan_id() -> None:
    """A template is not a plan: its PlanId property is empty until `salesgoal new`."""
    wb = openpyxl.load_workbook(template_path(TEMPLATES, "en"))
    assert {p.name: p.value for p in wb.custom_doc_props}.get("PlanId") in ("", None)
