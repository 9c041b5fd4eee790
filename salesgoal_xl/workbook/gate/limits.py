"""The gate's bounds (`Limits`) and the checks on the zip directory they drive: part count,
declared and actual sizes, compression ratio; bounded reading of a part."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from salesgoal_xl.core.problems import ProblemCode
from salesgoal_xl.workbook.gate.refusal import Refused, file_problem
from salesgoal_xl.workbook.schema import SHEETS, TABLES_BY_NAME

KB: Final = 1024
MB: Final = 1024 * KB
GB: Final = 1024 * MB

EXCEL_MAX_ROW: Final = 1_048_576
EXCEL_MAX_COLUMN: Final = 16_384
# Title, blank and header rows above and between a sheet's tables.
SHEET_ROW_MARGIN: Final = 1_000
CHUNK: Final = 1 * MB


def _largest_table_rows() -> int:
    return max(t.max_rows for t in TABLES_BY_NAME.values())


@dataclass(frozen=True)
class Limits:
    """Bounds the gate enforces before and while reading; the defaults suit any real plan.

    - `max_file_bytes` (200 MB): a plan with a million history rows is about 40 MB.
    - `max_parts` (10,000): Excel files have tens of parts; thousands mean something is wrong.
    - `max_uncompressed_bytes` (2 GB): the sum the zip directory declares for all parts.
    - `max_compression_ratio` (200:1) for any part larger than `ratio_applies_above` (1 MB):
      real sheet XML compresses 5-30:1; a zip bomb compresses 1000:1 and more.
    - `max_xml_tree_bytes` (16 MB): the largest structural part (workbook, relationships,
      content types, table definitions) parsed into a tree; sheets are only ever streamed.
    - `max_row` (largest schema table + 1,000): no value may sit below this row on any sheet;
      on a schema sheet the bound is the sum of its tables' `max_rows` + 1,000.
    - `max_column` (1,024, column AMJ): the widest table plus any extra user columns fit.
    - `max_row_gap` (10,000): a value this many empty rows below the previous one is stray.
    - `max_merged_ranges` (10,000, all sheets together): real plans have a handful; openpyxl
      builds an object per merge and marks every covered cell, so 10,000 load in about 1 s,
      50,000 in 7 s, and 800,000 took 100 s and 1.2 GB.
    - `max_styles` (64,000 per list in styles.xml: cell formats, cell style formats, fonts,
      fills, borders, number formats, conditional formats, named styles): Excel's own limit
      for cell formats; 64,000 formats load in about 2 s.
    - `max_shared_strings` (1,000,000, the largest table's `max_rows`): one distinct text per
      row of the largest table; real plans repeat codes and names, so they hold thousands.
      A million take openpyxl about 15 s and 260 MB, two million 27 s and 460 MB.
    """

    max_file_bytes: int = 200 * MB
    max_parts: int = 10_000
    max_uncompressed_bytes: int = 2 * GB
    max_compression_ratio: int = 200
    ratio_applies_above: int = 1 * MB
    max_xml_tree_bytes: int = 16 * MB
    max_row: int = field(default_factory=lambda: _largest_table_rows() + SHEET_ROW_MARGIN)
    max_column: int = 1_024
    max_row_gap: int = 10_000
    max_merged_ranges: int = 10_000
    max_styles: int = 64_000
    max_shared_strings: int = field(default_factory=_largest_table_rows)


def iter_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, a chunk at a time."""
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """At most the first `limit` bytes of a part, a chunk at a time."""
    read = 0
    with zf.open(info) as fh:
        while read < limit and (chunk := fh.read(min(CHUNK, limit - read))):
            read += len(chunk)
            yield chunk


def schema_sheet_rows() -> dict[str, int]:
    """Row bound for each schema sheet, under every one of its localised names."""
    bounds: dict[str, int] = {}
    # Sheets without tables (Guide, Rep x Month, Dashboard) are views with at most a row per
    # rep, so the org's size bounds them.
    view_rows = TABLES_BY_NAME["tblReps"].max_rows
    for sheet in SHEETS:
        tables_rows = sum(TABLES_BY_NAME[t].max_rows for t in sheet.tables)
        rows = (tables_rows or view_rows) + SHEET_ROW_MARGIN
        for label in sheet.label.all():
            bounds[label.casefold()] = min(rows, EXCEL_MAX_ROW)
    return bounds


def check_sizes(infos_list: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Refuse a package by its zip directory: encrypted members, odd compression, zip bombs."""
    total = 0
    for info in infos_list:
        if info.flag_bits & 0x1:
            raise Refused(
                file_problem(
                    ProblemCode.ENCRYPTED,
                    f"{name} has password-protected (zip-encrypted) parts",
                    "re-save it from Excel without a password",
                )
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(
                file_problem(
                    ProblemCode.UNREADABLE,
                    f"{name} uses a compression method ({info.compress_type}) Excel never "
                    f"writes, in {info.filename}",
                    "re-save the file from Excel",
                )
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_applies_above and ratio > limits.max_compression_ratio:
            raise Refused(
                file_problem(
                    ProblemCode.ZIP_BOMB,
                    f"{name} looks like a zip bomb: {info.filename} expands {ratio:,.0f} times "
                    f"(to {info.file_size / MB:,.0f} MB); the limit is "
                    f"{limits.max_compression_ratio}:1",
                    "do not open this file; ask the sender for the original workbook",
                )
            )
    if total > limits.max_uncompressed_bytes:
        raise Refused(
            file_problem(
                ProblemCode.ZIP_BOMB,
                f"{name} would expand to {total / MB:,.0f} MB; the limit is "
                f"{limits.max_uncompressed_bytes // MB:,} MB",
                "do not open this file; ask the sender for the original workbook",
            )
        )


def counting(
    chunks: Iterator[bytes], info: zipfile.ZipInfo, limits: Limits, before: int, name: str
) -> Iterator[bytes]:
    """Pass chunks on, refusing a part that inflates past what the zip directory declared."""
    read = 0
    for chunk in chunks:
        read += len(chunk)
        if read > info.file_size or before + read > limits.max_uncompressed_bytes:
            raise Refused(
                file_problem(
                    ProblemCode.ZIP_BOMB,
                    f"{name}: {info.filename} inflates past its declared size",
                    "do not open this file; ask the sender for the original workbook",
                )
            )
        yield chunk
