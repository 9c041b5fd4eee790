"""Exported copies for collect's tests, made without `export` (built in parallel): the master's
file with only the scope's leaf targets, one tblCommits row per rep and month, and the
properties export writes. `make_copy` is the one place to swap for the real export later.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from salesgoal_xl.core.fingerprint import Scope, fingerprint, leaf_entries
from salesgoal_xl.core.reconcile import rep_month_targets
from salesgoal_xl.workbook.identity import (
    EXPORT_FINGERPRINT,
    EXPORT_SCOPE,
    EXPORTED_AT,
    EXPORTED_TO,
    identity_of,
)
from salesgoal_xl.workbook.package_port import PackagePort
from salesgoal_xl.workbook.reader import find_table


def make_copy(master: Path, scope: Scope, path: Path) -> Path:
    """Write `path`: the master's workbook holding the scope's leaf targets, a commit row for
    each of its reps and months (the master's commit, comment and committer when it has them),
    and ExportScope, ExportFingerprint and ExportedTo set as
    the contract says export sets them."""
    source = PackagePort(master)
    identity = identity_of(source.properties())
    leaves = source.read_table("tblTargets").frame
    reps = source.read_table("tblReps").frame
    current = source.read_table("tblCommits").frame
    source.close()
    mask = scope.mask(leaves)
    sliced = leaves[mask].reset_index(drop=True)
    names = dict(zip(reps["rep_id"], reps["rep_name"], strict=True))
    targets = rep_month_targets(sliced)
    held = {(str(r["rep_id"]), str(r["period"])): r for r in current.to_dict("records")}
    commits = pd.DataFrame(
        [
            {
                "rep_id": rep,
                "rep_name": names.get(rep, ""),
                "period": month,
                "target": target,
                **{
                    key: held.get((rep, month), {}).get(key)
                    for key in ("commit", "comment", "committed_by")
                },
            }
            for (rep, month), target in sorted(targets.items())
        ],
        dtype=object,
    )
    shutil.copyfile(master, path)
    port = PackagePort(path)
    port.write_table("tblTargets", sliced)
    port.write_table("tblCommits", commits)
    port.set_properties(
        {
            EXPORT_SCOPE: scope.text,
            EXPORT_FINGERPRINT: fingerprint(
                identity.plan_id, identity.version, scope, leaf_entries(leaves, mask)
            ),
            EXPORTED_TO: scope.code,
            EXPORTED_AT: "2026-07-01T09:00:00",
        }
    )
    port.commit()
    port.close()
    return path


def edit_cells(path: Path, table_name: str, values: Mapping[str, object]) -> None:
    """Type `values` ({A1 cell: value}) into the sheet of `table_name`, as a person would in
    Excel, and save with openpyxl."""
    wb = load_workbook(path)
    found = find_table(wb, table_name)
    assert found is not None, table_name
    ws = found[0]
    for cell, value in values.items():
        ws[cell] = value
    wb.save(path)
