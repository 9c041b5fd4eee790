"""A small plan file and export writers for the import tests, built in code."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from salesgoal_xl.commands.new import new_workbook
from salesgoal_xl.workbook import schema
from salesgoal_xl.workbook.package_port import PackagePort

REPS = pd.DataFrame(
    {
        "rep_id": ["R1", "R2", "R3", "R4"],
        "rep_name": ["Ann Lee", "Bo Chen", "Cy Diaz", "Cy Diaz"],
        "team": ["T1", "T1", "T2", "T2"],
        "region": ["N", "N", "S", "S"],
    }
)


def plan_tables(granularity: str = "month") -> dict[str, pd.DataFrame]:
    """Four reps (two share a name), two channels, two products, fiscal year 2026 from April."""
    settings = pd.DataFrame(
        {
            "setting": [s.key for s in schema.SETTINGS],
            "value": pd.Series([s.default for s in schema.SETTINGS], dtype=object),
        }
    )
    settings.loc[settings["setting"] == "fiscal_year", "value"] = 2026
    settings.loc[settings["setting"] == "first_month", "value"] = 4
    settings.loc[settings["setting"] == "granularity", "value"] = granularity
    return {
        "tblSettings": settings,
        "tblRegions": pd.DataFrame({"region": ["N", "S"], "region_name": ["North", "South"]}),
        "tblTeams": pd.DataFrame(
            {"team": ["T1", "T2"], "team_name": ["One", "Two"], "region": ["N", "S"]}
        ),
        "tblReps": REPS,
        "tblChannels": pd.DataFrame({"channel": ["DIR", "ONL"], "channel_name": ["D", "O"]}),
        "tblProducts": pd.DataFrame({"product": ["P1", "P2"], "product_name": ["A", "B"]}),
    }


@cache
def _built(granularity: str, folder: str) -> Path:
    path = Path(folder) / f"plan-{granularity}.xlsx"
    new_workbook(path, data=plan_tables(granularity), year=2026, first_month=4)
    return path


def plan_file(tmp_path: Path, cache_dir: Path, granularity: str = "month") -> Path:
    """A fresh copy of the small plan in `tmp_path` (built once per session in `cache_dir`)."""
    target = tmp_path / "plan.xlsx"
    shutil.copyfile(_built(granularity, str(cache_dir)), target)
    return target


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    """An export as CRMs write it: quoted only where needed, in the given encoding."""

    def cell(value: object) -> str:
        text = str(value)
        needs = delimiter in text or '"' in text or "\n" in text
        return '"' + text.replace('"', '""') + '"' if needs else text

    text = newline.join(delimiter.join(cell(v) for v in row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], sheet: str = "Deals") -> Path:
    """An xlsx export with real date cells (datetimes stay datetimes)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=2):
        for c in cells:
            if isinstance(c.value, dt.datetime | dt.date):
                c.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def table_rows(path: Path, name: str) -> list[dict[str, Any]]:
    """The table's rows as read back by the part-wise reader."""
    port = PackagePort(path)
    try:
        frame = port.read_table(name).frame
    finally:
        port.close()
    keys = [k for k in schema.table(name).keys if k in frame.columns]
    return [dict(zip(keys, row, strict=True)) for row in frame[keys].itertuples(index=False)]
