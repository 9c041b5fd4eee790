"""`import-actuals` and `import-history`: deal rows of an export summed into tblActuals or
tblHistory, one row per period, rep, channel and product.

A row's date (or period) becomes the plan's period: the month, or the ISO week when the
plan's Granularity is week (history is always monthly). Reps are matched by Rep ID, or by
their exact name. Importing again replaces the periods the export covers and keeps the rest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from salesgoal_xl.commands.imports.common import (
    ImportOptions,
    ImportSummary,
    bad_row,
    cell_text,
    finish,
    open_export,
    read_amount,
    require_columns,
    settle_convention,
)
from salesgoal_xl.commands.inputs import load_settings, text_codes
from salesgoal_xl.core.calendar import FiscalCalendar, iso_week_label
from salesgoal_xl.core.problems import Problem, ProblemCode
from salesgoal_xl.workbook.cells import PERIOD_MONTH, PERIOD_WEEK, parse_period
from salesgoal_xl.workbook.port import WorkbookPort
from salesgoal_xl.workbook.schema import table
from salesgoal_xl.workbook.source import SourceFile
from salesgoal_xl.workbook.source_values import AmountReader, source_day

# Header spellings CRM and ERP exports use, beyond the schema's own three languages.
FACT_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "period": (
        "Close Date",
        "Closed Date",
        "Date Closed",
        "Close",
        "Date",
        "Order Date",
        "Invoice Date",
        "Posting Date",
        "Booking Date",
        "Month",
        "Week",
        "成交日期",
        "日期",
        "月份",
        "週次",
        "周次",
    ),
    "rep_id": (
        "Owner ID",
        "Owner Id",
        "Sales Rep ID",
        "Salesperson ID",
        "Employee ID",
        "業務編號",
        "销售编号",
    ),
    "rep_name": (
        "Owner",
        "Owner Name",
        "Opportunity Owner",
        "Deal Owner",
        "Account Owner",
        "Sales Rep",
        "Salesperson",
        "Rep",
        "業務",
        "业务员",
        "销售",
    ),
    "channel": ("Sales Channel", "Lead Source Channel", "Route to Market", "銷售通路", "销售渠道"),
    "product": (
        "Product Line",
        "Product Family",
        "Product Category",
        "Product Code",
        "SKU Group",
        "產品",
        "产品",
    ),
    "amount": (
        "Revenue",
        "Amount (USD)",
        "Deal Amount",
        "Deal Value",
        "Opportunity Amount",
        "Value",
        "Net Amount",
        "Net Sales",
        "Sales",
        "Total",
        "營收",
        "銷售額",
        "销售额",
        "营收",
    ),
    "deals": ("Deal Count", "Number of Deals", "# Deals", "Count", "筆數", "笔数"),
}

_REP_NAME = table("tblReps").column("rep_name")
_DEALS = table("tblActuals").column("deals")


@dataclass(frozen=True)
class _Plan:
    """What the rows are checked against: the plan's codes, names and periods."""

    reps: frozenset[str]
    names: dict[str, list[str]]
    channels: tuple[str, ...]
    products: tuple[str, ...]
    calendar: FiscalCalendar
    weekly: bool
    history: bool

    def period(self, value: Any) -> tuple[str | None, ProblemCode, str]:
        """The plan period of a date or period cell, or the code and reason it has none."""
        day = source_day(value)
        if day is not None:
            return self._period_of_day(day)
        text = cell_text(value)
        if PERIOD_MONTH.fullmatch(text) and parse_period(text):
            if self.weekly and not self.history:
                return (
                    None,
                    ProblemCode.BAD_PERIOD,
                    (
                        f"the plan is weekly, and {text!r} is a month: give the deal's date or its "
                        "ISO week (2026-W15)"
                    ),
                )
            return self._in_year(text, text)
        if PERIOD_WEEK.fullmatch(text) and parse_period(text):
            if self.history or not self.weekly:
                year, month = parse_period(text) or (0, 0)
                return self._in_year(f"{year:04d}-{month:02d}", text)
            return self._in_year(text, text)
        return (
            None,
            ProblemCode.BAD_DATE,
            (
                f"{text[:40]!r} is not a date (2026-04-15, with or without a time) or a period "
                "(2026-04, 2026-W15)"
            ),
        )

    def _period_of_day(self, day: dt.date) -> tuple[str | None, ProblemCode, str]:
        if self.weekly and not self.history:
            label = iso_week_label(day)
            if not self.calendar.start <= day <= self.calendar.end:
                return None, ProblemCode.PERIOD_OUTSIDE_YEAR, self._outside(day.isoformat())
            return label, ProblemCode.BAD_PERIOD, ""
        return self._in_year(f"{day.year:04d}-{day.month:02d}", day.isoformat())

    def _in_year(self, label: str, shown: str) -> tuple[str | None, ProblemCode, str]:
        months = self.calendar.months
        if self.history:
            if label >= months[0]:
                return (
                    None,
                    ProblemCode.PERIOD_OUTSIDE_YEAR,
                    (
                        f"{shown} is not before {self.calendar.label} ({months[0]}..{months[-1]}): "
                        "history is past actuals; load this year's with import-actuals"
                    ),
                )
            return label, ProblemCode.BAD_PERIOD, ""
        inside = label in self.calendar.iso_weeks if "W" in label else label in months
        if not inside:
            return None, ProblemCode.PERIOD_OUTSIDE_YEAR, self._outside(shown)
        return label, ProblemCode.BAD_PERIOD, ""

    def _outside(self, shown: str) -> str:
        months = self.calendar.months
        return f"{shown} is outside the plan's {self.calendar.label} ({months[0]}..{months[-1]})"

    def rep(self, value: Any) -> tuple[str | None, ProblemCode, str]:
        text = cell_text(value)
        if text in self.reps:
            return text, ProblemCode.UNKNOWN_CODE, ""
        ids = self.names.get(" ".join(text.split()).casefold(), [])
        if len(ids) == 1:
            return ids[0], ProblemCode.UNKNOWN_CODE, ""
        if ids:
            return (
                None,
                ProblemCode.AMBIGUOUS_REP,
                (f"rep name {text!r} belongs to {len(ids)} reps ({', '.join(ids[:5])})"),
            )
        if not text:
            return None, ProblemCode.BLANK_VALUE, "the rep is blank"
        return (
            None,
            ProblemCode.UNKNOWN_CODE,
            (f"rep {text!r} is neither a Rep ID nor a rep name of the plan's tblReps"),
        )


def _plan(port: WorkbookPort, *, history: bool) -> _Plan:
    settings = load_settings(port)
    reps = port.read_table("tblReps").frame
    ids = text_codes(reps, "rep_id")
    names: dict[str, list[str]] = defaultdict(list)
    for rep_id, name in zip(reps["rep_id"], reps["rep_name"], strict=True):
        if cell_text(rep_id) and cell_text(name):
            names[" ".join(cell_text(name).split()).casefold()].append(cell_text(rep_id))
    return _Plan(
        reps=frozenset(ids),
        names=dict(names),
        channels=tuple(text_codes(port.read_table("tblChannels").frame, "channel")),
        products=tuple(text_codes(port.read_table("tblProducts").frame, "product")),
        calendar=FiscalCalendar(int(settings["fiscal_year"]), int(settings["first_month"])),
        weekly=str(settings["granularity"]) == "week",
        history=history,
    )


def run_import_actuals(
    port: WorkbookPort, path: str | Path, options: ImportOptions | None = None
) -> ImportSummary:
    """Load the deal rows of an export into tblActuals (see docs/import.md)."""
    return _run(port, path, options or ImportOptions(), "tblActuals")


def run_import_history(
    port: WorkbookPort, path: str | Path, options: ImportOptions | None = None
) -> ImportSummary:
    """Load past actuals from an export into tblHistory (monthly, before the plan's year)."""
    return _run(port, path, options or ImportOptions(), "tblHistory")


def _run(port: WorkbookPort, path: str | Path, options: ImportOptions, name: str) -> ImportSummary:
    history = name == "tblHistory"
    spec = table(name)
    extra = (_REP_NAME,) if history else (_REP_NAME, _DEALS)
    port.progress(0.0, f"reading {Path(path).name}")
    source, columns = open_export(path, spec, options, aliases=FACT_ALIASES, extra=extra)
    require_columns(
        source,
        columns,
        ((("period",), "Period"), (("rep_id", "rep_name"), "Rep ID"), (("amount",), "Amount")),
    )
    port.progress(0.2, "loading the plan's reps, channels and products")
    plan = _plan(port, history=history)
    numeric = [source.column(i) for k in ("amount", "deals") if (i := columns.get(k)) is not None]
    decimal = settle_convention(source, numeric, options.decimal)
    port.progress(0.3, f"checking {source.row_count:,} rows")
    sums, deals, problems = _sum_rows(source, columns.index, plan, decimal)
    port.progress(0.7, f"merging into {name}")
    existing = port.read_table(name).frame
    frame, replaced, kept = _merge(existing, sums, deals, spec.keys, history=history)
    summary = ImportSummary(
        command="import-history" if history else "import-actuals",
        source=source.label,
        detail=source.detail + (f", decimal {decimal!r}" if numeric else ""),
        columns=dict(columns.headers),
        source_rows=source.row_count,
        good_rows=source.row_count - len({p.source.line for p in problems}),
        bad_rows=len({p.source.line for p in problems}),
        written=False,
        problems=problems,
        table=name,
        rows=len(sums),
        replaced=replaced,
        kept=kept,
        periods=tuple(sorted({key[0] for key in sums})),
    )
    return finish(port, summary, {name: frame}, options)


_Key = tuple[str, str, str, str]


def _sum_rows(
    source: SourceFile, index: Mapping[str, int], plan: _Plan, decimal: str
) -> tuple[dict[_Key, Decimal], dict[_Key, int], list[Problem]]:
    """Each good row's amount added to its (period, rep, channel, product); bad rows listed."""
    n = source.row_count

    def column(key: str) -> list[Any]:
        at = index.get(key)
        return source.column(at) if at is not None else [None] * n

    rep_key = "rep_id" if "rep_id" in index else "rep_name"
    readers: list[tuple[str, Callable[[Any], _Judged]]] = [
        ("period", plan.period),
        (rep_key, plan.rep),
        ("channel", _code_reader("channel", plan.channels, "channel" in index)),
        ("product", _code_reader("product", plan.products, "product" in index)),
    ]
    text = source.kind == "csv"
    judged = [_judge(column(key), reader, text=text) for key, reader in readers]
    labels = [[j[0] for j in found] for found in judged]
    raw_amounts = column("amount")
    amounts = AmountReader().amounts(raw_amounts, decimal)
    counts, count_problems = _deal_counts(source, index, decimal)
    sums: dict[_Key, Decimal] = defaultdict(Decimal)
    deals: dict[_Key, int] = defaultdict(int)
    bad: list[int] = []
    for row, (period, rep, channel, product, value, count) in enumerate(
        zip(*labels, amounts, counts, strict=True)
    ):
        if None in (period, rep, channel, product) or value is None or count is None:
            bad.append(row)
        else:
            leaf = (period, rep, channel, product)
            sums[leaf] += value
            deals[leaf] += count
    problems: list[Problem] = []
    columns = [index.get(k) for k, _ in readers]
    for row in bad:
        for position, found in enumerate(judged):
            label, code, reason = found[row]
            if label is None:
                problems.append(bad_row(source, row, columns[position], code, reason))
        if amounts[row] is None:
            problems.append(
                _amount_problem(source, row, index["amount"], raw_amounts[row], decimal)
            )
        if row in count_problems:
            problems.append(count_problems[row])
    return dict(sums), dict(deals), problems


_Judged = tuple[str | None, ProblemCode, str]


def _judge(values: list[Any], reader: Callable[[Any], _Judged], *, text: bool) -> list[_Judged]:
    """`reader` applied to every cell; exports repeat the same dates, reps and codes, so each
    distinct cell is judged once (1 and True stay apart: only text keys by itself).

    A CSV's cells are all text (or None for a missing column): pandas finds its distinct
    cells in C."""
    if text:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
        lookup = np.empty(len(uniques), dtype=object)
        for position, unique in enumerate(uniques):
            lookup[position] = reader(unique)
        each: list[_Judged] = lookup[codes].tolist()
        return each
    judged: dict[object, _Judged] = {}
    out: list[_Judged] = []
    append = out.append
    for value in values:
        key = value if type(value) is str else (value.__class__, value)
        found = judged.get(key)
        if found is None:
            found = judged[key] = reader(value)
        append(found)
    return out


def _deal_counts(
    source: SourceFile, index: Mapping[str, int], decimal: str
) -> tuple[list[int | None], dict[int, Problem]]:
    """How many deals each row stands for: its Deals cell when the export has one, else 1."""
    at = index.get("deals")
    if at is None:
        return [1] * source.row_count, {}
    counts: list[int | None] = []
    problems: dict[int, Problem] = {}
    for row, cell in enumerate(source.columns[at]):
        if _blank_cell(cell):
            counts.append(1)
            continue
        number = read_amount(cell, decimal)
        if number is None or number != number.to_integral_value() or number < 0:
            counts.append(None)
            problems[row] = bad_row(
                source,
                row,
                at,
                ProblemCode.NOT_A_NUMBER,
                f"Deals must be a whole number of deals (got {cell!r})",
            )
        else:
            counts.append(int(number))
    return counts, problems


def _blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _amount_problem(source: SourceFile, row: int, column: int, value: Any, decimal: str) -> Problem:
    if _blank_cell(value):
        return bad_row(source, row, column, ProblemCode.BLANK_VALUE, "the amount is blank")
    way = "a decimal point (1,234.56)" if decimal == "." else "a decimal comma (1.234,56)"
    return bad_row(
        source,
        row,
        column,
        ProblemCode.NOT_A_NUMBER,
        f"amount {str(value)[:40]!r} is not a number written with {way}, as the file's "
        "other amounts are",
    )


def _code_reader(
    what: str, codes: tuple[str, ...], present: bool
) -> Callable[[Any], tuple[str | None, ProblemCode, str]]:
    """Codes of the plan's list; a blank is the plan's only code, if it has one. An export
    without the column at all leaves it blank (actuals by rep only)."""
    known = frozenset(codes)

    def read(value: Any) -> tuple[str | None, ProblemCode, str]:
        text = cell_text(value)
        if text in known:
            return text, ProblemCode.UNKNOWN_CODE, ""
        if not text:
            if len(codes) == 1:
                return codes[0], ProblemCode.UNKNOWN_CODE, ""
            if not codes or not present:
                return "", ProblemCode.UNKNOWN_CODE, ""
            return (
                None,
                ProblemCode.BLANK_VALUE,
                (f"the {what} is blank and the plan has {len(codes)} of them"),
            )
        return (
            None,
            ProblemCode.UNKNOWN_CODE,
            (f"{what} {text!r} is not in the plan's tbl{what.capitalize()}s"),
        )

    return read


def _merge(
    existing: pd.DataFrame,
    sums: dict[_Key, Decimal],
    deals: dict[_Key, int],
    keys: tuple[str, ...],
    *,
    history: bool,
) -> tuple[pd.DataFrame, int, int]:
    """The table's rows after the import: rows of periods the export covers are replaced."""
    covered = {key[0] for key in sums}
    labels = [_period_label(v) for v in existing["period"].tolist()] if len(existing) else []
    keep = [label not in covered for label in labels]
    kept = existing.loc[keep, [k for k in keys if k in existing.columns]]
    ordered = sorted(sums)
    new: dict[str, list[Any]] = {
        "period": [k[0] for k in ordered],
        "rep_id": [k[1] for k in ordered],
        "channel": [k[2] or None for k in ordered],
        "product": [k[3] or None for k in ordered],
        "amount": [money(sums[k]) for k in ordered],
    }
    if not history:
        new["deals"] = [deals[k] for k in ordered]
    added = pd.DataFrame(new, dtype=object)
    frame = pd.concat([kept, added], ignore_index=True) if len(kept) else added
    labels = [_period_label(v) for v in frame["period"].tolist()]
    order = sorted(range(len(frame)), key=lambda i: labels[i])
    frame = frame.iloc[order].reset_index(drop=True)
    return frame, len(existing) - int(sum(keep)), int(sum(keep))


def _period_label(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return cell_text(value)


def money(value: Decimal) -> int | Decimal:
    """An exact amount as written to a cell: an int when whole, else a Decimal."""
    return int(value) if value == value.to_integral_value() else value.normalize()


__all__ = ["FACT_ALIASES", "money", "run_import_actuals", "run_import_history"]
