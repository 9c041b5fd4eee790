"""The planning workbook described as data: sheets, tables, columns, settings and labels.

Every other part of the product (template builder, readers, checks, writer, add-in) takes
table names, header labels, types and formats from here; none of them spells a header.
Table names are stable across languages; header labels exist in English, Traditional
Chinese and Simplified Chinese, and readers accept any of the three.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Final

from salesgoal_xl.core.adjustment import ADJUSTMENT_LEVELS
from salesgoal_xl.core.fingerprint import EXPORT_LEVELS

LANGUAGES: Final = ("en", "zh-Hant", "zh-Hans")


@dataclass(frozen=True)
class Label:
    """One piece of user-facing text in the three supported languages."""

    en: str
    zh_hant: str
    zh_hans: str

    def get(self, lang: str) -> str:
        """The text in `lang` ('en', 'zh-Hant' or 'zh-Hans')."""
        if lang == "en":
            return self.en
        if lang == "zh-Hant":
            return self.zh_hant
        if lang == "zh-Hans":
            return self.zh_hans
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")

    def all(self) -> tuple[str, str, str]:
        """Every spelling, for readers that accept any language."""
        return (self.en, self.zh_hant, self.zh_hans)


class ColumnType(Enum):
    """What a column holds; drives number formats, validation and parsing."""

    TEXT = "text"
    CODE = "code"  # an identifier from a list (rep id, region, channel, ...)
    INTEGER = "integer"
    MONEY = "money"  # exact amount in the plan currency
    NUMBER = "number"  # a plain decimal (capacity factor, index, weight)
    PERCENT = "percent"  # stored as a fraction: 0.25 shows as 25%
    DATE = "date"
    DATETIME = "datetime"
    PERIOD = "period"  # 'YYYY-MM' or 'YYYY-Www'


class Role(Enum):
    """Who fills a column: the user, the program, or a live Excel formula."""

    INPUT = "input"
    OUTPUT = "output"
    FORMULA = "formula"


DEFAULT_FORMATS: Final = MappingProxyType(
    {
        ColumnType.TEXT: "@",
        ColumnType.CODE: "@",
        ColumnType.INTEGER: "0",
        ColumnType.MONEY: "#,##0;-#,##0",
        ColumnType.NUMBER: "0.00",
        ColumnType.PERCENT: "0.0%",
        ColumnType.DATE: "yyyy-mm-dd",
        ColumnType.DATETIME: "yyyy-mm-dd hh:mm",
        ColumnType.PERIOD: "@",
    }
)


@dataclass(frozen=True)
class Column:
    """One column of an Excel table.

    `formula` (FORMULA columns only) is a template in which `{key}` stands for the cell of
    column `key` in the same row, `{key:above}` for the cell of column `key` one row up (the
    header cell, for the first data row) and `{Name}` for a workbook name, e.g.
    ``=IF({target}=0,"",{actual}/{target})``; fill.py turns it into A1 references.
    `choices` is a fixed list of allowed values; `list_from` names another table's column
    (``"tblReps.rep_id"``) whose values are the allowed ones, so validation grows with it.
    """

    key: str
    label: Label
    type: ColumnType
    role: Role = Role.INPUT
    required: bool = False
    choices: tuple[str, ...] = ()
    list_from: str | None = None
    formula: str | None = None
    number_format: str | None = None
    width: float = 14.0
    unique: bool = False
    # Free text (reasons, messages, notes): the cells wrap, and both writers give each row the
    # height its longest text needs (`layout.row_heights`), as Excel would not on open.
    wrap: bool = False

    @property
    def format(self) -> str:
        """The Excel number format for the column's cells."""
        return self.number_format or DEFAULT_FORMATS[self.type]


@dataclass(frozen=True)
class Table:
    """An Excel table (ListObject) with a stable name and its columns."""

    name: str
    sheet: str  # key of the Sheet it lives on
    title: Label
    columns: tuple[Column, ...]
    max_rows: int = 200_000
    owned: bool = True  # the program may rewrite its rows
    # The user's table that an import command may fill from the user's own export, on request
    # (import-actuals, import-history, import-org); no other command rewrites it.
    importable: bool = False
    # A user's log whose output columns one command stamps: adjust writes status, applied
    # date, old figure and chain hash into tblAdjustments, and every typed cell back as read.
    stamped: bool = False
    key_columns: tuple[str, ...] = ()
    # Rows are written grouped by the first key (in order of first appearance), then sorted by
    # the others; the Rep x Month view relies on it to sum contiguous slices (see fill.py).
    write_order: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        """The column with internal key `key`."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.name} has no column {key!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        """Internal column keys in schema order."""
        return tuple(c.key for c in self.columns)

    @property
    def has_sentences(self) -> bool:
        """Whether the table has free-text columns that wrap (`Column.wrap`), so the rows
        that hold them are sized to their text."""
        return any(c.wrap for c in self.columns)


@dataclass(frozen=True)
class Sheet:
    """A worksheet: its stable key, its localised display name and its tables in order."""

    key: str
    label: Label
    tables: tuple[str, ...] = ()
    purpose: Label = field(default_factory=lambda: Label("", "", ""))


@dataclass(frozen=True)
class Setting:
    """One row of tblSettings, also exposed as a workbook name (`name`) for formulas."""

    key: str
    label: Label
    type: ColumnType
    default: object
    name: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: Label = field(default_factory=lambda: Label("", "", ""))
    # A text default that reads differently per language (the plan's name); `default` is
    # its English text.
    default_label: Label | None = None

    def default_in(self, lang: str) -> object:
        """The default value a workbook in `lang` starts with."""
        return self.default_label.get(lang) if self.default_label else self.default


def _l(en: str, hant: str, hans: str) -> Label:
    return Label(en, hant, hans)


def _sentence(key: str, label: Label, width: float) -> Column:
    """An output column of sentences (reasons, messages): wrapped, rows sized to fit."""
    return Column(key, label, ColumnType.TEXT, Role.OUTPUT, width=width, wrap=True)


# Shared list values (codes stay English in every language so files can be merged).
METHODS: Final = (
    "history",
    "equal",
    "weights",
    "seasonal",
    "potential",
    "capacity",
    "matrix",
    "blend",
    "forecast",
)
SPLIT_LEVELS: Final = ("time", "region", "team", "rep", "channel", "product")
REASON_CATEGORIES: Final = ("market", "resources", "difficulty", "other")
ADJUSTMENT_STATUSES: Final = ("draft", "requested", "approved", "rejected", "applied")
YES_NO: Final = ("no", "yes")
APPROVAL_STATUSES: Final = ("approved", "revoked", "superseded")
RISK_LEVELS: Final = ("green", "amber", "red")
SEVERITIES: Final = ("error", "warning", "info")
SMART_STATUSES: Final = ("pass", "warn", "fail")
GRANULARITIES: Final = ("month", "week")
KPI_DIRECTIONS: Final = ("higher", "lower")
TRACKING_LEVELS: Final = ("company", "region", "team", "channel", "product")
SCORECARD_LEVELS: Final = ("rep", "team")
WARNING_KINDS: Final = ("early_warning", "retarget")
RECONCILIATION_LEVELS: Final = ("region", "team", "rep")

# How each choice code is shown: the English text is the code itself, so English workbooks
# and merged files keep the codes; the Chinese workbooks show the words. A code means the same
# in every list it is in, so one label per code serves every table.
CHOICE_LABELS: Final = MappingProxyType(
    {
        code: Label(code, hant, hans)
        for code, hant, hans in (
            # split methods
            ("history", "歷史", "历史"),
            ("equal", "平均", "平均"),
            ("weights", "權重", "权重"),
            ("seasonal", "季節性", "季节性"),
            ("potential", "潛力", "潜力"),
            ("capacity", "產能", "产能"),
            ("matrix", "矩陣", "矩阵"),
            ("blend", "混合", "混合"),
            ("forecast", "預測", "预测"),
            # levels (split, tracking, scorecards)
            ("time", "時間", "时间"),
            ("company", "公司", "公司"),
            ("region", "區域", "区域"),
            ("team", "團隊", "团队"),
            ("rep", "業務", "销售"),
            ("manager", "主管", "主管"),
            ("channel", "通路", "渠道"),
            ("product", "產品線", "产品线"),
            # adjustment reasons and statuses, approval statuses
            ("market", "市場變化", "市场变化"),
            ("resources", "內部資源", "内部资源"),
            ("difficulty", "目標難度", "目标难度"),
            ("other", "其他", "其他"),
            ("draft", "草稿", "草稿"),
            ("requested", "已申請", "已申请"),
            ("approved", "已核准", "已批准"),
            ("rejected", "已駁回", "已驳回"),
            ("applied", "已套用", "已生效"),
            ("revoked", "已撤銷", "已撤销"),
            ("superseded", "已取代", "已被取代"),
            ("yes", "是", "是"),
            ("no", "否", "否"),
            # risk, check severities, SMART statuses
            ("green", "綠燈", "绿灯"),
            ("amber", "黃燈", "黄灯"),
            ("red", "紅燈", "红灯"),
            ("error", "錯誤", "错误"),
            ("warning", "警告", "警告"),
            ("info", "提示", "提示"),
            ("pass", "通過", "通过"),
            ("warn", "注意", "注意"),
            ("fail", "未通過", "未通过"),
            # granularity, KPI direction, warning kinds, languages
            ("month", "月", "月"),
            ("week", "週", "周"),
            ("higher", "越高越好", "越高越好"),
            ("lower", "越低越好", "越低越好"),
            ("early_warning", "預警", "预警"),
            ("retarget", "目標調整建議", "目标调整建议"),
            ("en", "英文", "英文"),
            ("zh-Hant", "繁體中文", "繁体中文"),
            ("zh-Hans", "簡體中文", "简体中文"),
        )
    }
)


def choice_label(code: str) -> Label:
    """How choice `code` is shown in each language (the code itself where no label exists)."""
    return CHOICE_LABELS.get(code) or Label(code, code, code)


def choice_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    """Map every accepted spelling of `choices` (the code, or its text in any language; case-
    and space-insensitive) to its code: the data behind `cells.choice_code`."""
    lookup: dict[str, str] = {}
    for code in choices:
        for text in (code, *choice_label(code).all()):
            lookup[normalise_header(text)] = code
    return lookup


# Columns that recur in several tables.
_PERIOD = Column("period", _l("Period", "期間", "期间"), ColumnType.PERIOD, required=True)
_REP = Column(
    "rep_id",
    _l("Rep ID", "業務代號", "销售代号"),
    ColumnType.CODE,
    required=True,
    list_from="tblReps.rep_id",
)
_CHANNEL = Column(
    "channel",
    _l("Channel", "通路", "渠道"),
    ColumnType.CODE,
    list_from="tblChannels.channel",
)
_PRODUCT = Column(
    "product",
    _l("Product", "產品線", "产品线"),
    ColumnType.CODE,
    list_from="tblProducts.product",
)
_REGION = Column(
    "region",
    _l("Region", "區域", "区域"),
    ColumnType.CODE,
    list_from="tblRegions.region",
)
_TEAM = Column(
    "team",
    _l("Team", "團隊", "团队"),
    ColumnType.CODE,
    list_from="tblTeams.team",
)
_REP_NAME = Column("rep_name", _l("Rep name", "業務姓名", "销售姓名"), ColumnType.TEXT, width=20)
_AMOUNT = Column("amount", _l("Amount", "金額", "金额"), ColumnType.MONEY, required=True)
_NOTE = Column("note", _l("Note", "備註", "备注"), ColumnType.TEXT, width=30, wrap=True)
_BEST_PERIOD = Column(
    "best_period",
    _l("Best period so far", "目前最佳單期", "目前最佳单期"),
    ColumnType.MONEY,
    Role.OUTPUT,
    width=15,
)
_BEHIND_PERIODS = Column(
    "behind_periods",
    _l("Periods behind pace", "連續落後期數", "连续落后期数"),
    ColumnType.INTEGER,
    Role.OUTPUT,
    width=10,
)


# `{key:above}` is the cell of column `key` in the row above (the header, for the first row).
# The fiscal month comes from the Month column (a weekly row carries the month its working
# days belong to), or from a monthly Period when Month is blank.
MATRIX_KEY_FORMULA: Final = (
    "=(INT(N({matrix_key:above})/100)+IF({rep_id}={rep_id:above},0,1))*100"
    '+IFERROR(MOD(VALUE(MID(IF({month}="",{period},{month}),6,2))-FirstMonth,12)+1,0)'
)


def _out(col: Column) -> Column:
    """The same column, filled by the program rather than typed by the user."""
    return Column(
        col.key,
        col.label,
        col.type,
        Role.OUTPUT,
        col.required,
        col.choices,
        None,
        col.formula,
        col.number_format,
        col.width,
        col.unique,
    )


TABLES: Final[tuple[Table, ...]] = (
    Table(
        "tblSettings",
        "settings",
        _l("Plan settings", "計畫設定", "计划设置"),
        (
            Column(
                "setting",
                _l("Setting", "設定項目", "设置项"),
                ColumnType.TEXT,
                required=True,
                width=44,
                unique=True,
            ),
            Column("value", _l("Value", "值", "值"), ColumnType.TEXT, width=28),
        ),
        max_rows=200,
        owned=False,
        key_columns=("setting",),
    ),
    Table(
        "tblRegions",
        "settings",
        _l("Regions", "區域", "区域"),
        (
            Column(
                "region", _l("Region", "區域", "区域"), ColumnType.CODE, required=True, unique=True
            ),
            Column(
                "region_name", _l("Region name", "區域名稱", "区域名称"), ColumnType.TEXT, width=20
            ),
        ),
        max_rows=1_000,
        owned=False,
        importable=True,
        key_columns=("region",),
    ),
    Table(
        "tblTeams",
        "settings",
        _l("Teams", "團隊", "团队"),
        (
            Column("team", _l("Team", "團隊", "团队"), ColumnType.CODE, required=True, unique=True),
            Column("team_name", _l("Team name", "團隊名稱", "团队名称"), ColumnType.TEXT, width=20),
            Column(
                "region",
                _l("Region", "區域", "区域"),
                ColumnType.CODE,
                required=True,
                list_from="tblRegions.region",
            ),
        ),
        max_rows=5_000,
        owned=False,
        importable=True,
        key_columns=("team",),
    ),
    Table(
        "tblReps",
        "settings",
        _l("Sales reps", "業務人員", "销售人员"),
        (
            Column(
                "rep_id",
                _l("Rep ID", "業務代號", "销售代号"),
                ColumnType.CODE,
                required=True,
                unique=True,
            ),
            _REP_NAME,
            Column(
                "team",
                _l("Team", "團隊", "团队"),
                ColumnType.CODE,
                required=True,
                list_from="tblTeams.team",
            ),
            Column(
                "region",
                _l("Region", "區域", "区域"),
                ColumnType.CODE,
                required=True,
                list_from="tblRegions.region",
            ),
            Column("manager", _l("Manager", "主管", "主管"), ColumnType.TEXT, width=20),
            Column("start_date", _l("Start date", "到職日", "入职日期"), ColumnType.DATE, width=12),
            Column("end_date", _l("End date", "離職日", "离职日期"), ColumnType.DATE, width=12),
            Column("capacity", _l("Capacity", "產能係數", "产能系数"), ColumnType.NUMBER, width=10),
            Column("potential", _l("Potential", "潛力", "潜力"), ColumnType.MONEY),
        ),
        max_rows=50_000,
        owned=False,
        importable=True,
        key_columns=("rep_id",),
    ),
    Table(
        "tblChannels",
        "settings",
        _l("Channels", "通路", "渠道"),
        (
            Column(
                "channel",
                _l("Channel", "通路", "渠道"),
                ColumnType.CODE,
                required=True,
                unique=True,
            ),
            Column(
                "channel_name",
                _l("Channel name", "通路名稱", "渠道名称"),
                ColumnType.TEXT,
                width=20,
            ),
        ),
        max_rows=1_000,
        owned=False,
        importable=True,
        key_columns=("channel",),
    ),
    Table(
        "tblProducts",
        "settings",
        _l("Product lines", "產品線", "产品线"),
        (
            Column(
                "product",
                _l("Product", "產品線", "产品线"),
                ColumnType.CODE,
                required=True,
                unique=True,
            ),
            Column(
                "product_name",
                _l("Product name", "產品名稱", "产品名称"),
                ColumnType.TEXT,
                width=20,
            ),
            Column(
                "launch_date", _l("Launch date", "上市日", "上市日期"), ColumnType.DATE, width=12
            ),
        ),
        max_rows=5_000,
        owned=False,
        importable=True,
        key_columns=("product",),
    ),
    Table(
        "tblHistory",
        "history",
        _l("Past actuals", "歷史實績", "历史业绩"),
        (_PERIOD, _REP, _CHANNEL, _PRODUCT, _AMOUNT),
        max_rows=1_000_000,
        owned=False,
        importable=True,
    ),
    Table(
        "tblMarket",
        "setting",
        _l("Market assumptions", "市場假設", "市场假设"),
        (
            Column(
                "region",
                _l("Region", "區域", "区域"),
                ColumnType.CODE,
                required=True,
                unique=True,
                list_from="tblRegions.region",
            ),
            Column(
                "market_size", _l("Market size", "市場規模", "市场规模"), ColumnType.MONEY, width=16
            ),
            Column(
                "target_share", _l("Target share", "目標市佔率", "目标市场份额"), ColumnType.PERCENT
            ),
            Column(
                "market_figure",
                _l("Market-based target", "市場推估目標", "市场测算目标"),
                ColumnType.MONEY,
                Role.FORMULA,
                formula="=ROUND({market_size}*{target_share},0)",
                width=18,
            ),
        ),
        max_rows=1_000,
        owned=False,
        key_columns=("region",),
    ),
    Table(
        "tblProposal",
        "setting",
        _l("Target proposal", "目標提案", "目标提案"),
        (
            Column(
                "scope",
                _l("Scope", "範圍", "范围"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
                unique=True,
            ),
            _out(
                Column(
                    "baseline",
                    _l("Baseline (last FY)", "基準 (上年度)", "基准 (上年度)"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            _out(
                Column(
                    "forecast",
                    _l("Trend forecast", "趨勢預測", "趋势预测"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            _out(
                Column(
                    "market_figure",
                    _l("Market-based", "市場推估", "市场测算"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            Column(
                "strategic",
                _l("Strategic input", "策略目標", "战略目标"),
                ColumnType.MONEY,
                width=16,
            ),
            _out(
                Column(
                    "conservative", _l("Conservative", "保守", "保守"), ColumnType.MONEY, width=16
                )
            ),
            _out(Column("base", _l("Base", "基準方案", "基准方案"), ColumnType.MONEY, width=16)),
            _out(Column("stretch", _l("Stretch", "挑戰", "挑战"), ColumnType.MONEY, width=16)),
            Column(
                "final_target",
                _l("Final target", "最終目標", "最终目标"),
                ColumnType.MONEY,
                width=16,
            ),
            Column(
                "challenge",
                _l("Challenge ratio", "挑戰度", "挑战度"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(OR(N({forecast})=0,{final_target}=""),"",{final_target}/{forecast})',
            ),
            Column(
                "growth",
                _l("Growth vs baseline", "較上年成長", "较上年增长"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(OR(N({baseline})=0,{final_target}=""),"",{final_target}/{baseline}-1)',
            ),
            _out(
                Column("flags", _l("Flags", "警示", "警示"), ColumnType.TEXT, width=40, wrap=True)
            ),
        ),
        max_rows=1_000,
        key_columns=("scope",),
    ),
    Table(
        "tblSmart",
        "setting",
        _l("SMART checklist", "SMART 檢核", "SMART 校验"),
        (
            Column(
                "criterion",
                _l("Criterion", "準則", "准则"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
                unique=True,
                width=16,
            ),
            Column(
                "status",
                _l("Status", "狀態", "状态"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=SMART_STATUSES,
                width=10,
            ),
            _sentence("reason", _l("Reason", "說明", "说明"), 60),
        ),
        max_rows=50,
        key_columns=("criterion",),
    ),
    Table(
        "tblBacktest",
        "setting",
        _l("Forecast back-test", "預測回測", "预测回测"),
        (
            Column(
                "scope",
                _l("Scope", "範圍", "范围"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
            ),
            Column(
                "method",
                _l("Forecast method", "預測方法", "预测方法"),
                ColumnType.TEXT,
                Role.OUTPUT,
                width=29,
            ),
            Column(
                "held_out",
                _l("Held-out months", "保留驗證月份", "留出验证月份"),
                ColumnType.TEXT,
                Role.OUTPUT,
                width=18,
            ),
            Column(
                "mape",
                _l("Back-test MAPE", "回測 MAPE", "回测 MAPE"),
                ColumnType.PERCENT,
                Role.OUTPUT,
                number_format="0.00%",
                width=12,
            ),
            _sentence(
                "backtest_parameters", _l("Back-test parameters", "回測參數", "回测参数"), 40
            ),
            Column("chosen", _l("Chosen", "採用", "采用"), ColumnType.TEXT, Role.OUTPUT, width=8),
            _sentence(
                "plan_parameters",
                _l("Plan forecast parameters", "計畫預測參數", "计划预测参数"),
                40,
            ),
            _out(
                Column(
                    "forecast",
                    _l("Plan forecast", "計畫預測", "计划预测"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            _sentence("reason", _l("Reason", "說明", "说明"), 50),
        ),
        max_rows=1_000,
        key_columns=("scope", "method"),
    ),
    Table(
        "tblSplitRules",
        "decomposition",
        _l("Split rules", "分解規則", "分解规则"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                required=True,
                unique=True,
                choices=SPLIT_LEVELS,
            ),
            Column(
                "method",
                _l("Method", "方法", "方法"),
                ColumnType.CODE,
                required=True,
                choices=METHODS,
            ),
            Column(
                "lookback",
                _l("Lookback (months)", "回溯月數", "回溯月数"),
                ColumnType.INTEGER,
                width=12,
            ),
            Column(
                "over_assignment",
                _l("Over-assignment", "超額分配", "超额分配"),
                ColumnType.PERCENT,
                width=12,
            ),
            _NOTE,
        ),
        max_rows=50,
        owned=False,
        key_columns=("level",),
    ),
    Table(
        "tblWeights",
        "decomposition",
        _l("Custom weights", "自訂權重", "自定义权重"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                required=True,
                choices=SPLIT_LEVELS,
            ),
            Column(
                "code",
                _l("Code", "代碼", "代码"),
                ColumnType.CODE,
                required=True,
                width=12,
            ),
            Column("weight", _l("Weight", "權重", "权重"), ColumnType.NUMBER, required=True),
        ),
        max_rows=50_000,
        owned=False,
        key_columns=("level", "code"),
    ),
    Table(
        "tblOverrides",
        "decomposition",
        _l("Locked overrides", "鎖定調整", "锁定调整"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                required=True,
                choices=SPLIT_LEVELS,
            ),
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE, required=True),
            Column("period", _l("Period", "期間", "期间"), ColumnType.PERIOD),
            Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY, required=True),
            Column("reason", _l("Reason", "原因", "原因"), ColumnType.TEXT, width=30, wrap=True),
        ),
        max_rows=10_000,
        owned=False,
    ),
    Table(
        "tblRepPlan",
        "rep_plan",
        _l("Rep plan", "業務目標說明", "销售目标说明"),
        (
            _out(_REP),
            _out(_REP_NAME),
            _out(_TEAM),
            _out(_REGION),
            _out(
                Column(
                    "last_year",
                    _l("Last year", "去年實績", "去年实际"),
                    ColumnType.MONEY,
                    width=14,
                )
            ),
            _out(
                Column(
                    "months_last_year",
                    _l("Months last year", "去年在職月數", "去年在职月数"),
                    ColumnType.INTEGER,
                    width=10,
                )
            ),
            _out(
                Column(
                    "months_this_year",
                    _l("Months this year", "今年在職月數", "今年在职月数"),
                    ColumnType.INTEGER,
                    width=10,
                )
            ),
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY, width=14)),
            _out(
                Column(
                    "change",
                    _l("Change vs last year", "較去年同期變動", "较去年同期变动"),
                    ColumnType.PERCENT,
                    width=11,
                )
            ),
            _out(
                Column(
                    "team_share",
                    _l("Share of team", "占團隊比重", "占团队比重"),
                    ColumnType.PERCENT,
                    width=10,
                )
            ),
            Column("method", _l("Method", "方法", "方法"), ColumnType.TEXT, Role.OUTPUT, width=12),
            _sentence("reason", _l("Reason", "原因", "原因"), 50),
        ),
        max_rows=10_000,
    ),
    Table(
        "tblTargets",
        "targets",
        _l("Leaf targets", "明細目標", "明细目标"),
        (
            _out(_PERIOD),
            Column("month", _l("Month", "月份", "月份"), ColumnType.PERIOD, Role.OUTPUT, width=9),
            Column("quarter", _l("Quarter", "季度", "季度"), ColumnType.CODE, Role.OUTPUT, width=9),
            _out(_REGION),
            _out(_TEAM),
            _out(_REP),
            _out(_REP_NAME),
            _out(_CHANNEL),
            _out(_PRODUCT),
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY, required=True)),
            Column("method", _l("Method", "方法", "方法"), ColumnType.TEXT, Role.OUTPUT, width=56),
            Column(
                "matrix_key",
                _l("Matrix key", "矩陣索引", "矩阵索引"),
                ColumnType.INTEGER,
                Role.FORMULA,
                # rep block number x 100 + fiscal month (1-12; weeks by their Thursday). It only
                # looks at this row and the one above, so it stays linear on 1,000,000 rows.
                formula=MATRIX_KEY_FORMULA,
                width=10,
            ),
        ),
        max_rows=1_000_000,
        write_order=("rep_id", "month", "period"),
    ),
    Table(
        "tblActuals",
        "actuals",
        _l("Actuals", "實績", "实际业绩"),
        (
            _PERIOD,
            _REP,
            _CHANNEL,
            _PRODUCT,
            _AMOUNT,
            # How many deals the amount sums (import-actuals counts the export's rows): the
            # count a KPI such as deals closed is scored on.
            Column("deals", _l("Deals", "成交筆數", "成交笔数"), ColumnType.INTEGER, width=9),
        ),
        max_rows=1_000_000,
        owned=False,
        importable=True,
    ),
    Table(
        "tblTracking",
        "tracking",
        _l("Tracking", "進度追蹤", "进度跟踪"),
        (
            _out(_REP),
            _out(_REP_NAME),
            _out(_TEAM),
            _out(_REGION),
            Column("period", _l("As of", "截至期間", "截至期间"), ColumnType.PERIOD, Role.OUTPUT),
            _out(
                Column(
                    "target_to_date",
                    _l("Target to date", "累計目標", "累计目标"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _out(
                Column(
                    "actual_to_date",
                    _l("Actual to date", "累計實績", "累计实际业绩"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "attainment",
                _l("Attainment", "達成率", "达成率"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(N({target_to_date})=0,"",{actual_to_date}/{target_to_date})',
            ),
            _out(
                Column(
                    "expected_to_date",
                    _l("Seasonal expectation", "季節性預期", "季节性预期"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "pace",
                _l("Pace", "進度", "进度"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(N({expected_to_date})=0,"",{actual_to_date}/{expected_to_date})',
            ),
            _out(
                Column(
                    "annual_target",
                    _l("Annual target", "年度目標", "年度目标"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _out(
                Column(
                    "projection",
                    _l("Projected landing", "預估達成", "预估达成"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "gap",
                _l("Gap to target", "目標缺口", "目标缺口"),
                ColumnType.MONEY,
                Role.FORMULA,
                formula="={annual_target}-{actual_to_date}",
            ),
            _out(
                Column(
                    "required_run_rate",
                    _l("Required run rate", "所需月均", "所需月均"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _BEST_PERIOD,
            _BEHIND_PERIODS,
            Column(
                "risk",
                _l("Risk", "風險", "风险"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=RISK_LEVELS,
                width=9,
            ),
            _sentence("reason", _l("Reason", "原因", "原因"), 50),
            # 1 for the highest attainment, each place once (ties by rep ID): the Dashboard's
            # top and bottom reps look places up with one exact MATCH each.
            Column(
                "attainment_position",
                _l("Attainment position", "達成率名次", "达成率名次"),
                ColumnType.INTEGER,
                Role.OUTPUT,
                width=11,
            ),
        ),
        max_rows=200_000,
    ),
    Table(
        "tblTrackingUnits",
        "tracking",
        _l("Tracking by unit", "各單位進度", "各单位进度"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
                choices=TRACKING_LEVELS,
                width=10,
            ),
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE, Role.OUTPUT, required=True),
            Column("period", _l("As of", "截至期間", "截至期间"), ColumnType.PERIOD, Role.OUTPUT),
            _out(
                Column(
                    "target_to_date",
                    _l("Target to date", "累計目標", "累计目标"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _out(
                Column(
                    "actual_to_date",
                    _l("Actual to date", "累計實績", "累计实际业绩"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "attainment",
                _l("Attainment", "達成率", "达成率"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(N({target_to_date})=0,"",{actual_to_date}/{target_to_date})',
            ),
            _out(
                Column(
                    "expected_to_date",
                    _l("Seasonal expectation", "季節性預期", "季节性预期"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "pace",
                _l("Pace", "進度", "进度"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(N({expected_to_date})=0,"",{actual_to_date}/{expected_to_date})',
            ),
            _out(
                Column(
                    "annual_target",
                    _l("Annual target", "年度目標", "年度目标"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _out(
                Column(
                    "projection",
                    _l("Projected landing", "預估達成", "预估达成"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            Column(
                "gap",
                _l("Gap to target", "目標缺口", "目标缺口"),
                ColumnType.MONEY,
                Role.FORMULA,
                formula="={annual_target}-{actual_to_date}",
            ),
            _out(
                Column(
                    "required_run_rate",
                    _l("Required run rate", "所需月均", "所需月均"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _BEST_PERIOD,
            _BEHIND_PERIODS,
            Column(
                "risk",
                _l("Risk", "風險", "风险"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=RISK_LEVELS,
                width=9,
            ),
            _sentence("reason", _l("Reason", "原因", "原因"), 50),
        ),
        max_rows=50_000,
    ),
    Table(
        "tblWarnings",
        "tracking",
        _l("Early warnings and re-targeting", "預警與目標調整建議", "预警与目标调整建议"),
        (
            Column(
                "kind",
                _l("Kind", "類型", "类型"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
                choices=WARNING_KINDS,
                width=14,
            ),
            Column("level", _l("Level", "層級", "层级"), ColumnType.CODE, Role.OUTPUT, width=10),
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE, Role.OUTPUT),
            Column(
                "period", _l("From period", "起始期間", "起始期间"), ColumnType.PERIOD, Role.OUTPUT
            ),
            _out(
                Column(
                    "suggested_target",
                    _l("Suggested target", "建議目標", "建议目标"),
                    ColumnType.MONEY,
                    width=15,
                )
            ),
            _sentence("message", _l("Message", "訊息", "信息"), 70),
        ),
        max_rows=50_000,
    ),
    Table(
        "tblKpis",
        "evaluation",
        _l("KPI definitions", "KPI 定義", "KPI 定义"),
        (
            Column("kpi", _l("KPI", "KPI", "KPI"), ColumnType.CODE, required=True, unique=True),
            Column("kpi_name", _l("KPI name", "KPI 名稱", "KPI 名称"), ColumnType.TEXT, width=24),
            Column("weight", _l("Weight", "權重", "权重"), ColumnType.PERCENT, required=True),
            Column(
                "direction",
                _l("Direction", "方向", "方向"),
                ColumnType.CODE,
                choices=KPI_DIRECTIONS,
                width=10,
            ),
            Column("cap", _l("Score cap", "得分上限", "得分上限"), ColumnType.PERCENT),
            # The measured value that scores 100% (blank: 100% for ratios, the median rep for
            # counts) and the value on the wrong side of which the KPI scores 0.
            Column(
                "goal",
                _l("Goal (scores 100%)", "目標值 (得分 100%)", "目标值 (得分 100%)"),
                ColumnType.NUMBER,
                width=12,
            ),
            Column("threshold", _l("Threshold", "門檻值", "门槛值"), ColumnType.NUMBER, width=12),
        ),
        max_rows=100,
        owned=False,
        key_columns=("kpi",),
    ),
    Table(
        "tblScorecard",
        "evaluation",
        _l("Scorecards", "績效計分卡", "绩效计分卡"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=SCORECARD_LEVELS,
                width=8,
            ),
            # Team rows have no rep: the Rep ID is filled on rep rows only.
            replace(_out(_REP), required=False),
            _out(_REP_NAME),
            _out(_TEAM),
            _out(_REGION),
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY)),
            _out(Column("actual", _l("Actual", "實績", "实际业绩"), ColumnType.MONEY)),
            Column(
                "attainment",
                _l("Attainment", "達成率", "达成率"),
                ColumnType.PERCENT,
                Role.FORMULA,
                formula='=IF(N({target})=0,"",{actual}/{target})',
            ),
            Column(
                "growth",
                _l("Growth vs last year", "較去年成長", "较去年增长"),
                ColumnType.PERCENT,
                Role.OUTPUT,
            ),
            Column("deals", _l("Deals", "成交筆數", "成交笔数"), ColumnType.INTEGER, Role.OUTPUT),
            _out(
                Column(
                    "score",
                    _l("Weighted score", "加權得分", "加权得分"),
                    ColumnType.NUMBER,
                    width=12,
                )
            ),
            _out(Column("rank", _l("Rank", "排名", "排名"), ColumnType.INTEGER, width=8)),
            Column("band", _l("Band", "等級", "等级"), ColumnType.CODE, Role.OUTPUT, width=9),
        ),
        max_rows=50_000,
    ),
    Table(
        "tblFairness",
        "evaluation",
        _l("Fairness", "公平性", "公平性"),
        (
            Column(
                "metric",
                _l("Metric", "指標", "指标"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
                unique=True,
                width=22,
            ),
            _out(Column("value", _l("Value", "值", "值"), ColumnType.NUMBER, width=12)),
            _out(Column("low", _l("Healthy from", "健康下限", "健康下限"), ColumnType.NUMBER)),
            _out(Column("high", _l("Healthy to", "健康上限", "健康上限"), ColumnType.NUMBER)),
            _sentence("comment", _l("Comment", "說明", "说明"), 50),
        ),
        max_rows=100,
        key_columns=("metric",),
    ),
    Table(
        "tblAdjustments",
        "adjustments",
        _l("Adjustment log", "調整紀錄", "调整记录"),
        (
            Column(
                "adj_id",
                _l("Adjustment ID", "調整編號", "调整编号"),
                ColumnType.CODE,
                required=True,
                unique=True,
            ),
            Column("date", _l("Date", "日期", "日期"), ColumnType.DATE, required=True, width=12),
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                required=True,
                choices=ADJUSTMENT_LEVELS,
            ),
            # Blank for the company; otherwise a region, team, rep, channel or product code.
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE),
            Column(
                "from_period",
                _l("From period", "起始期間", "起始期间"),
                ColumnType.PERIOD,
                required=True,
            ),
            Column(
                "new_target",
                _l("New yearly target", "新年度目標", "新年度目标"),
                ColumnType.MONEY,
                required=True,
                width=16,
            ),
            Column(
                "keep_parent_total",
                _l("Keep parent total", "維持上層總額", "保持上级总额"),
                ColumnType.CODE,
                choices=YES_NO,
                width=12,
            ),
            Column(
                "reason_category",
                _l("Reason category", "原因類別", "原因类别"),
                ColumnType.CODE,
                required=True,
                choices=REASON_CATEGORIES,
                width=16,
            ),
            Column(
                "description",
                _l("Description", "說明", "说明"),
                ColumnType.TEXT,
                width=40,
                wrap=True,
            ),
            Column(
                "requested_by", _l("Requested by", "申請人", "申请人"), ColumnType.TEXT, width=24
            ),
            Column("approved_by", _l("Approved by", "核准人", "审批人"), ColumnType.TEXT, width=24),
            Column(
                "status",
                _l("Status", "狀態", "状态"),
                ColumnType.CODE,
                choices=ADJUSTMENT_STATUSES,
                width=11,
            ),
            Column(
                "applied_on",
                _l("Applied on", "套用日期", "应用日期"),
                ColumnType.DATE,
                Role.OUTPUT,
                width=12,
            ),
            Column(
                "old_target",
                _l("Old yearly target", "原年度目標", "原年度目标"),
                ColumnType.MONEY,
                Role.OUTPUT,
                width=16,
            ),
            Column(
                "delta",
                _l("Change", "差異", "差异"),
                ColumnType.MONEY,
                Role.FORMULA,
                # Blank until adjust has logged the old figure: a change from nothing means nothing.
                formula='=IF(COUNT({old_target})=0,"",N({new_target})-N({old_target}))',
            ),
            Column(
                "chain_hash",
                _l("Chain hash", "鏈結雜湊", "链式哈希"),
                ColumnType.TEXT,
                Role.OUTPUT,
                width=66,  # 64 hex digits, shown whole
            ),
        ),
        max_rows=100_000,
        owned=False,
        stamped=True,
        key_columns=("adj_id",),
    ),
    Table(
        "tblAdjustmentChanges",
        "adjustments",
        _l("Targets moved by the last adjust", "最近一次調整變動的目標", "最近一次调整变动的目标"),
        (
            _out(Column("adj_id", _l("Adjustment ID", "調整編號", "调整编号"), ColumnType.CODE)),
            _out(Column("level", _l("Level", "層級", "层级"), ColumnType.CODE)),
            _out(Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE)),
            _out(
                Column("from_period", _l("From period", "起始期間", "起始期间"), ColumnType.PERIOD)
            ),
            _out(
                Column(
                    "old_target",
                    _l("Old yearly target", "原年度目標", "原年度目标"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            _out(
                Column(
                    "new_target",
                    _l("New yearly target", "新年度目標", "新年度目标"),
                    ColumnType.MONEY,
                    width=16,
                )
            ),
            Column(
                "change",
                _l("Change", "差異", "差异"),
                ColumnType.MONEY,
                Role.FORMULA,
                formula="=N({new_target})-N({old_target})",
            ),
            _sentence("why", _l("Why", "原因", "原因"), 50),
            _out(Column("approved_by", _l("Approved by", "核准人", "审批人"), ColumnType.TEXT)),
        ),
        max_rows=100_000,
    ),
    Table(
        "tblAdjustmentSeal",
        "adjustments",
        _l("Log seal", "紀錄封存", "记录封存"),
        (
            _out(
                Column(
                    "logged_rows",
                    _l("Applied rows", "已套用筆數", "已应用条数"),
                    ColumnType.INTEGER,
                    width=12,
                )
            ),
            _out(
                Column(
                    "last_adj_id",
                    _l("Last adjustment", "最後一筆調整", "最后一笔调整"),
                    ColumnType.CODE,
                    width=14,
                )
            ),
            _out(
                Column(
                    "head_hash", _l("Last hash", "最後雜湊", "最后哈希"), ColumnType.TEXT, width=66
                )
            ),
            _out(Column("sealed_on", _l("Sealed on", "封存日期", "封存日期"), ColumnType.DATE)),
        ),
        max_rows=1,
    ),
    Table(
        "tblApprovals",
        "approvals",
        _l("Approvals", "核准紀錄", "审批记录"),
        (
            Column(
                "approval_id",
                _l("Approval ID", "核准編號", "审批编号"),
                ColumnType.CODE,
                required=True,
                unique=True,
            ),
            Column("scope", _l("Scope", "範圍", "范围"), ColumnType.TEXT, required=True),
            Column("version", _l("Version", "版本", "版本"), ColumnType.INTEGER, width=9),
            Column("approver", _l("Approver", "核准人", "审批人"), ColumnType.TEXT, required=True),
            Column("role", _l("Role", "職務", "职务"), ColumnType.TEXT, width=16),
            Column(
                "approved_at",
                _l("Approved at", "核准時間", "审批时间"),
                ColumnType.DATETIME,
                width=17,
            ),
            Column(
                "fingerprint",
                _l("Fingerprint", "數字指紋", "数字指纹"),
                ColumnType.TEXT,
                Role.OUTPUT,
                width=22,
            ),
            Column(
                "signature",
                _l("Signature", "數位簽章", "数字签名"),
                ColumnType.TEXT,
                Role.OUTPUT,
                width=22,
            ),
            Column(
                "status",
                _l("Status", "狀態", "状态"),
                ColumnType.CODE,
                choices=APPROVAL_STATUSES,
                width=11,
            ),
            _NOTE,
        ),
        max_rows=100_000,
        owned=False,
        stamped=True,
        key_columns=("approval_id",),
    ),
    Table(
        "tblApprovers",
        "approvals",
        _l("Approvers' public keys", "核准人公開金鑰", "审批人公钥"),
        (
            Column(
                "approver",
                _l("Approver", "核准人", "审批人"),
                ColumnType.TEXT,
                required=True,
                unique=True,
            ),
            Column("role", _l("Role", "職務", "职务"), ColumnType.TEXT, width=16),
            # "ed25519:" and the 32-byte raw public key in base64, as `salesgoal keys new` prints.
            Column(
                "public_key",
                _l("Public key", "公開金鑰", "公钥"),
                ColumnType.TEXT,
                required=True,
                width=40,
            ),
            _NOTE,
        ),
        max_rows=10_000,
        owned=False,
        stamped=True,
        key_columns=("approver",),
    ),
    Table(
        "tblApprovedNumbers",
        "approved",
        _l("Numbers as approved", "核准時的數字", "审批时的数字"),
        (
            Column(
                "approval_id",
                _l("Approval ID", "核准編號", "审批编号"),
                ColumnType.CODE,
                Role.OUTPUT,
                required=True,
            ),
            _out(_PERIOD),
            _out(_REGION),
            _out(_TEAM),
            _out(_REP),
            _out(_CHANNEL),
            _out(_PRODUCT),
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY, required=True)),
        ),
        max_rows=1_000_000,
        write_order=("approval_id",),
    ),
    Table(
        "tblCommits",
        "commits",
        _l("Commits", "業務承諾", "销售承诺"),
        (
            _REP,
            _out(_REP_NAME),
            _PERIOD,
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY)),
            Column("commit", _l("Commit", "承諾數", "承诺数"), ColumnType.MONEY),
            Column("comment", _l("Comment", "說明", "说明"), ColumnType.TEXT, width=30, wrap=True),
            Column(
                "committed_by", _l("Committed by", "承諾人", "承诺人"), ColumnType.TEXT, width=16
            ),
        ),
        max_rows=1_000_000,
        owned=False,
        stamped=True,
        key_columns=("rep_id", "period"),
    ),
    Table(
        "tblReconciliation",
        "commits",
        _l("Top-down against bottom-up", "由上而下對照由下而上", "自上而下对照自下而上"),
        (
            Column(
                "level",
                _l("Level", "層級", "层级"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=RECONCILIATION_LEVELS,
                width=10,
            ),
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE, Role.OUTPUT),
            Column("name", _l("Name", "名稱", "名称"), ColumnType.TEXT, Role.OUTPUT, width=20),
            _out(_PERIOD),
            _out(Column("target", _l("Target", "目標", "目标"), ColumnType.MONEY)),
            _out(Column("commit", _l("Commit", "承諾數", "承诺数"), ColumnType.MONEY)),
            Column(
                "gap",
                _l("Gap", "缺口", "缺口"),
                ColumnType.MONEY,
                Role.FORMULA,
                # Commit minus target; blank where nobody has committed yet.
                formula='=IF(COUNT({commit})=0,"",N({commit})-N({target}))',
            ),
            _out(
                Column(
                    "committed_by",
                    _l("Committed by", "承諾人", "承诺人"),
                    ColumnType.TEXT,
                    width=16,
                )
            ),
        ),
        max_rows=1_000_000,
    ),
    Table(
        "tblChecks",
        "checks",
        _l("Last check", "最近檢查", "最近检查"),
        (
            Column(
                "severity",
                _l("Severity", "嚴重度", "严重度"),
                ColumnType.CODE,
                Role.OUTPUT,
                choices=SEVERITIES,
                width=10,
            ),
            Column("code", _l("Code", "代碼", "代码"), ColumnType.CODE, Role.OUTPUT, width=22),
            Column("sheet", _l("Sheet", "工作表", "工作表"), ColumnType.TEXT, Role.OUTPUT),
            Column("cell", _l("Cell", "儲存格", "单元格"), ColumnType.TEXT, Role.OUTPUT, width=10),
            _sentence("message", _l("Message", "訊息", "信息"), 60),
            _sentence("hint", _l("Hint", "建議", "建议"), 50),
        ),
        max_rows=100_000,
    ),
)

SHEETS: Final[tuple[Sheet, ...]] = (
    Sheet(
        "guide",
        _l("Guide", "說明", "说明"),
        (),
        _l(
            "What this workbook is, the workflow and the buttons.",
            "本活頁簿的用途、作業流程與按鈕說明。",
            "本工作簿的用途、工作流程与按钮说明。",
        ),
    ),
    Sheet(
        "settings",
        _l("Settings", "設定", "设置"),
        ("tblSettings", "tblRegions", "tblTeams", "tblChannels", "tblProducts", "tblReps"),
        _l(
            "Plan settings and the organisation: regions, teams, channels, products, reps.",
            "計畫設定與組織：區域、團隊、通路、產品線、業務人員。",
            "计划设置与组织：区域、团队、渠道、产品线、销售人员。",
        ),
    ),
    Sheet(
        "history",
        _l("History", "歷史", "历史"),
        ("tblHistory",),
        _l(
            "Past actuals, one row per period, rep, channel and product.",
            "歷史實績，每列為一個期間、業務、通路與產品。",
            "历史业绩，每行为一个期间、销售、渠道与产品。",
        ),
    ),
    Sheet(
        "setting",
        _l("Target setting", "目標制定", "目标制定"),
        ("tblProposal", "tblSmart", "tblMarket", "tblBacktest"),
        _l(
            "The proposal for the company and each region (region rows add up to the Company "
            "row), the SMART checklist, market assumptions and the forecast back-test.",
            "全公司與各區域的目標提案（區域列加總等於全公司列）、SMART 檢核、市場假設與預測回測。",
            "全公司与各区域的目标提案（区域行合计等于全公司行）、SMART 校验、市场假设与预测回测。",
        ),
    ),
    Sheet(
        "decomposition",
        _l("Decomposition", "目標分解", "目标分解"),
        ("tblSplitRules", "tblWeights", "tblOverrides"),
        _l(
            "Split rules per level, custom weights, and locked overrides the split must keep.",
            "各層級的分解規則、自訂權重，以及分解時必須保留的鎖定調整。",
            "各层级的分解规则、自定义权重，以及分解时必须保留的锁定调整。",
        ),
    ),
    Sheet(
        "rep_plan",
        _l("Rep plan", "業務目標說明", "销售目标说明"),
        ("tblRepPlan",),
        _l(
            "Each rep's target against last year over the same months, share of team, and the "
            "reason in words (guard rails, leavers, new hires, Potential).",
            "每位業務相對去年同期的目標、占團隊比重，以及文字說明的原因（增減幅上限、離職、新進、潛力）。",
            "每位销售相对去年同期的目标、占团队比重，以及文字说明的原因（增减幅上限、离职、新人、潜力）。",
        ),
    ),
    Sheet(
        "targets",
        _l("Targets", "明細目標", "明细目标"),
        ("tblTargets",),
        _l(
            "The leaf targets the split wrote: one row per period, rep, channel and product.",
            "分解產生的明細目標：每列為一個期間、業務、通路與產品。",
            "分解生成的明细目标：每行为一个期间、销售、渠道与产品。",
        ),
    ),
    Sheet(
        "matrix",
        _l("Rep x Month", "業務x月份", "销售x月份"),
        (),
        _l(
            "Readable view: each rep's target per month, summed live from the leaf targets.",
            "易讀檢視：每位業務每月目標，由明細目標即時加總。",
            "易读视图：每位销售每月目标，由明细目标实时汇总。",
        ),
    ),
    Sheet(
        "views",
        _l("Plan views", "規劃檢視", "规划视图"),
        (),
        _l(
            "Region and team by month and quarter, and channel by product line, summed live "
            "from Rep x Month and Targets; each block prints on its own page.",
            "各區域與團隊的每月及每季目標、各通路與產品線目標，由業務x月份與明細目標即時加總；每個區塊各自分頁列印。",
            "各区域与团队的每月及每季目标、各渠道与产品线目标，由销售x月份与明细目标实时汇总；每个区块各自分页打印。",
        ),
    ),
    Sheet(
        "actuals",
        _l("Actuals", "實績", "实际业绩"),
        ("tblActuals",),
        _l(
            "Actuals input, one row per period, rep, channel and product: typed, pasted or "
            "loaded by Import actuals.",
            "實績輸入，每列為一個期間、業務、通路與產品：可手動輸入、貼上或由「匯入實績」載入。",
            "实际业绩输入，每行为一个期间、销售、渠道与产品：可手动输入、粘贴或由“导入实际业绩”导入。",
        ),
    ),
    Sheet(
        "tracking",
        _l("Tracking", "進度追蹤", "进度跟踪"),
        ("tblTracking", "tblTrackingUnits", "tblWarnings"),
        _l(
            "Per rep: attainment, pace, projection, gap and risk.",
            "每位業務的達成率、進度、預估、缺口與風險。",
            "每位销售的达成率、进度、预估、缺口与风险。",
        ),
    ),
    Sheet(
        "dashboard",
        _l("Dashboard", "儀表板", "仪表板"),
        (),
        _l(
            "Cumulative actual against target by month, and attainment by region, with charts.",
            "每月累計實績對目標，以及各區域達成率，附圖表。",
            "每月累计实际业绩对目标，以及各区域达成率，附图表。",
        ),
    ),
    Sheet(
        "evaluation",
        _l("Evaluation", "績效評估", "绩效评估"),
        ("tblKpis", "tblScorecard", "tblFairness"),
        _l(
            "KPI weights, scorecards, ranks and bands, and fairness figures.",
            "KPI 權重、計分卡、排名與等級，以及公平性指標。",
            "KPI 权重、计分卡、排名与等级，以及公平性指标。",
        ),
    ),
    Sheet(
        "adjustments",
        _l("Adjustments", "目標調整", "目标调整"),
        ("tblAdjustments", "tblAdjustmentChanges", "tblAdjustmentSeal"),
        _l(
            "Every target change with its reason, requester, approver and chain hash.",
            "每一筆目標變更及其原因、申請人、核准人與鏈結雜湊。",
            "每一笔目标变更及其原因、申请人、审批人与链式哈希。",
        ),
    ),
    Sheet(
        "commits",
        _l("Commits", "業務承諾", "销售承诺"),
        ("tblCommits", "tblReconciliation"),
        _l(
            "Bottom-up commits per rep and month, as managers return them, against the targets.",
            "各業務每月由下而上的承諾數（主管回傳），與目標對照。",
            "各销售每月自下而上的承诺数（主管回传），与目标对照。",
        ),
    ),
    Sheet(
        "approvals",
        _l("Approvals", "核准", "审批"),
        ("tblApprovals", "tblApprovers"),
        _l(
            "Who approved which scope and version, when, the fingerprint approved and its "
            "signature; the approvers' public keys.",
            "誰在何時核准了哪個範圍與版本、核准時的數字指紋與簽章；以及核准人的公開金鑰。",
            "谁在何时审批了哪个范围与版本、审批时的数字指纹与签名；以及审批人的公钥。",
        ),
    ),
    Sheet(
        "approved",
        _l("Approved numbers", "核准數字", "审批数字"),
        ("tblApprovedNumbers",),
        _l(
            "The leaf targets exactly as each approval saw them, so verify can name what changed.",
            "每筆核准當下的明細目標原樣保存，供驗證時指出哪個數字變了。",
            "每笔审批当时的明细目标原样保存，供验证时指出哪个数字变了。",
        ),
    ),
    Sheet(
        "checks",
        _l("Checks", "檢查", "检查"),
        ("tblChecks",),
        _l(
            "The last validation run: severity, code, sheet, cell, message and hint.",
            "最近一次檢查結果：嚴重度、代碼、工作表、儲存格、訊息與建議。",
            "最近一次检查结果：严重度、代码、工作表、单元格、信息与建议。",
        ),
    ),
)

SETTINGS: Final[tuple[Setting, ...]] = (
    Setting(
        "plan_name",
        _l("Plan name", "計畫名稱", "计划名称"),
        ColumnType.TEXT,
        "Sales plan",
        "PlanName",
        default_label=_l("Sales plan", "銷售目標計畫", "销售目标计划"),
        help=_l(
            "Shown on the Guide and in exported copies; any text.",
            "顯示於指南與匯出的副本；可輸入任意文字。",
            "显示于指南与导出的副本；可输入任意文字。",
        ),
    ),
    Setting(
        "fiscal_year",
        _l("Fiscal year", "會計年度", "会计年度"),
        ColumnType.INTEGER,
        2026,
        "FiscalYear",
        minimum=2000,
        maximum=2100,
        help=_l(
            "Named by the calendar year in which it ends.",
            "以結束的日曆年命名。",
            "以结束的日历年命名。",
        ),
    ),
    Setting(
        "first_month",
        _l("First month of fiscal year", "會計年度起始月", "会计年度起始月"),
        ColumnType.INTEGER,
        1,
        "FirstMonth",
        minimum=1,
        maximum=12,
        help=_l(
            "Calendar month the fiscal year starts in: 1 is January, 4 is April.",
            "會計年度起始的月份：1 為一月，4 為四月。",
            "会计年度起始的月份：1 为一月，4 为四月。",
        ),
    ),
    Setting(
        "currency",
        _l("Currency", "幣別", "币种"),
        ColumnType.CODE,
        "USD",
        "Currency",
        help=_l(
            "ISO code of the plan currency (USD, TWD, CNY); it labels amounts, "
            "nothing is converted.",
            "計畫幣別的 ISO 代碼（USD、TWD、CNY）；僅用於標示金額，不做換算。",
            "计划币种的 ISO 代码（USD、TWD、CNY）；仅用于标示金额，不做换算。",
        ),
    ),
    Setting(
        "rounding_unit",
        _l("Rounding unit", "進位單位", "舍入单位"),
        ColumnType.MONEY,
        100,
        "RoundingUnit",
        minimum=0.01,
        help=_l(
            "Every target is a whole multiple of this amount: 100 rounds to "
            "hundreds, 0.01 to cents.",
            "每個目標都是此金額的整數倍：100 取到百位，0.01 取到分。",
            "每个目标都是此金额的整数倍：100 取到百位，0.01 取到分。",
        ),
    ),
    Setting(
        "granularity",
        _l("Granularity", "時間粒度", "时间粒度"),
        ColumnType.CODE,
        "month",
        "Granularity",
        choices=GRANULARITIES,
        help=_l(
            "month: one target per rep, channel, product and month; week: each "
            "month split further into ISO weeks by working days.",
            "月：每位業務、通路、產品每月一個目標；週：每月再依工作日拆到 ISO 週。",
            "月：每位销售、渠道、产品每月一个目标；周：每月再按工作日拆到 ISO 周。",
        ),
    ),
    Setting(
        "country",
        _l("Holiday country code", "假日國別代碼", "假日国别代码"),
        ColumnType.CODE,
        "US",
        "HolidayCountry",
        help=_l(
            "Two-letter code of the country whose public holidays weekly targets skip, as "
            "well as weekends (US, TW, CN).",
            "週目標除週末外也略過其國定假日的國家代碼（US、TW、CN）。",
            "周目标除周末外也跳过其法定节假日的国家代码（US、TW、CN）。",
        ),
    ),
    Setting(
        "over_assignment",
        _l("Over-assignment", "超額分配", "超额分配"),
        ColumnType.PERCENT,
        0.0,
        "OverAssignment",
        minimum=0,
        maximum=1,
        help=_l(
            "Each team's rep targets add up to the team's target plus this (5% "
            "is a common cushion); 0% adds nothing.",
            "每個團隊的業務目標加總為團隊目標再加上此比例（常見緩衝為 5%）；0% 表示不加。",
            "每个团队的销售目标合计为团队目标再加上此比例（常见缓冲为 5%）；0% 表示不加。",
        ),
    ),
    Setting(
        "max_rise",
        _l("Largest rise vs last year", "較去年最大增幅", "较去年最大增幅"),
        ColumnType.PERCENT,
        0.5,
        "MaxRise",
        minimum=0,
        maximum=10,
        help=_l(
            "A rep active in both years gets at most this rise over last year's sales (at "
            "their usual monthly rate); what the cap removes goes to the rest of the team.",
            "兩年皆在職的業務，目標最多比去年（以其平常月均）增加此幅度；被限額扣下的部分由同團隊其他人分攤。",
            "两年都在职的销售，目标最多比去年（按其平常月均）增加此幅度；被封顶扣下的部分由同团队其他人分摊。",
        ),
    ),
    Setting(
        "max_cut",
        _l("Largest cut vs last year", "較去年最大降幅", "较去年最大降幅"),
        ColumnType.PERCENT,
        0.3,
        "MaxCut",
        minimum=0,
        maximum=1,
        help=_l(
            "A rep active in both years gets at most this cut against last year's sales (at "
            "their usual monthly rate); the rest of the team gives up what the floor keeps.",
            "兩年皆在職的業務，目標最多比去年（以其平常月均）減少此幅度；保底所需由同團隊其他人讓出。",
            "两年都在职的销售，目标最多比去年（按其平常月均）减少此幅度；保底所需由同团队其他人让出。",
        ),
    ),
    Setting(
        "blend_history",
        _l("Blend: history part", "混合法：歷史占比", "混合法：历史占比"),
        ColumnType.PERCENT,
        0.7,
        "BlendHistory",
        minimum=0,
        maximum=1,
        help=_l(
            "A level split by blend gives each unit this part by its share of the siblings' "
            "history and the rest by its share of their potential (tblReps Potential).",
            "以「混合」分解的層級，每個單位依此比例按其在同層中的歷史占比分配，其餘按潛力占比分配（業務人員表的潛力）。",
            "以“混合”分解的层级，每个单位按此比例依其在同层中的历史占比分配，其余依潜力占比分配（销售人员表的潜力）。",
        ),
    ),
    Setting(
        "stretch",
        _l("Stretch", "挑戰幅度", "挑战幅度"),
        ColumnType.PERCENT,
        0.10,
        "StretchPct",
        minimum=0,
        maximum=2,
        help=_l(
            "The stretch target is the base (the forecast) times 1 plus this.",
            "挑戰目標 = 基準方案（預測）×（1 + 此比例）。",
            "挑战目标 = 基准方案（预测）×（1 + 此比例）。",
        ),
    ),
    Setting(
        "challenge_low",
        _l("Too low below (x forecast)", "過低門檻 (相對預測)", "过低门槛 (相对预测)"),
        ColumnType.PERCENT,
        1.0,
        "ChallengeLow",
        minimum=0,
        maximum=5,
        help=_l(
            "A final target below this multiple of the forecast is flagged too "
            "low (100% is the forecast itself).",
            "最終目標低於預測的此倍數即標示為過低（100% 即預測本身）。",
            "最终目标低于预测的此倍数即标示为过低（100% 即预测本身）。",
        ),
    ),
    Setting(
        "challenge_high",
        _l("Too high above (x forecast)", "過高門檻 (相對預測)", "过高门槛 (相对预测)"),
        ColumnType.PERCENT,
        1.25,
        "ChallengeHigh",
        minimum=0,
        maximum=5,
        help=_l(
            "A final target above this multiple of the forecast is flagged too high.",
            "最終目標高於預測的此倍數即標示為過高。",
            "最终目标高于预测的此倍数即标示为过高。",
        ),
    ),
    Setting(
        "market_tolerance",
        _l("Market tolerance", "市場差異容忍度", "市场差异容忍度"),
        ColumnType.PERCENT,
        0.15,
        "MarketTolerance",
        minimum=0,
        maximum=5,
        help=_l(
            "A target further than this from the market-based figure, either "
            "way, is flagged far from market.",
            "目標與市場推估的差距（高或低）超過此比例即標示為偏離市場。",
            "目标与市场测算的差距（高或低）超过此比例即标示为偏离市场。",
        ),
    ),
    Setting(
        "amber_threshold",
        _l("Amber below pace", "黃燈門檻 (進度)", "黄灯门槛 (进度)"),
        ColumnType.PERCENT,
        0.90,
        "AmberThreshold",
        minimum=0,
        maximum=2,
        help=_l(
            "Amber when the actual to date is below this share of the seasonal "
            "expectation (the pace).",
            "累計實績低於季節性預期的此比例（進度）即為黃燈。",
            "累计实际业绩低于季节性预期的此比例（进度）即为黄灯。",
        ),
    ),
    Setting(
        "red_threshold",
        _l("Red below pace", "紅燈門檻 (進度)", "红灯门槛 (进度)"),
        ColumnType.PERCENT,
        0.75,
        "RedThreshold",
        minimum=0,
        maximum=2,
        help=_l(
            "Red when the pace is below this share; keep it below the amber threshold.",
            "進度低於此比例即為紅燈；須低於黃燈門檻。",
            "进度低于此比例即为红灯；须低于黄灯门槛。",
        ),
    ),
    Setting(
        "reach_limit",
        _l(
            "Out of reach above (x best period)",
            "無法達成門檻 (相對最佳單期)",
            "无法达成门槛 (相对最佳单期)",
        ),
        ColumnType.PERCENT,
        1.5,
        "ReachLimit",
        minimum=0,
        maximum=100,
        help=_l(
            "Red when the run rate still needed is above this multiple of the best period so far.",
            "所需單期業績超過目前最佳單期的此倍數時為紅燈。",
            "所需单期业绩超过目前最佳单期的此倍数时为红灯。",
        ),
    ),
    Setting(
        "warn_periods",
        _l("Early warning after (periods behind)", "預警 (連續落後期數)", "预警 (连续落后期数)"),
        ColumnType.INTEGER,
        3,
        "WarnPeriods",
        minimum=1,
        maximum=60,
        help=_l(
            "An early warning when a unit has been behind pace this many periods in a row.",
            "連續落後進度達此期數即發出預警。",
            "连续落后进度达此期数即发出预警。",
        ),
    ),
    Setting(
        "retarget_share",
        _l(
            "Re-target when reps below exceed", "調整建議 (落後業務比例)", "调整建议 (落后销售比例)"
        ),
        ColumnType.PERCENT,
        0.6,
        "RetargetShare",
        minimum=0,
        maximum=1,
        help=_l(
            "Suggest re-targeting a region or team when more than this share of"
            " its reps are below the attainment in the next setting.",
            "區域或團隊中低於下一項達成率的業務比例超過此值時，建議重新調整目標。",
            "区域或团队中低于下一项达成率的销售比例超过此值时，建议重新调整目标。",
        ),
    ),
    Setting(
        "retarget_attainment",
        _l("Re-target: reps below attainment", "調整建議 (達成率門檻)", "调整建议 (达成率门槛)"),
        ColumnType.PERCENT,
        0.7,
        "RetargetAttainment",
        minimum=0,
        maximum=5,
        help=_l(
            "The attainment below which a rep counts as behind for the re-targeting rule.",
            "重新調整目標規則中，業務被視為落後的達成率門檻。",
            "重新调整目标规则中，销售被视为落后的达成率门槛。",
        ),
    ),
    Setting(
        "retarget_after",
        _l("Re-target from (share of year)", "調整建議起始 (年度進度)", "调整建议起始 (年度进度)"),
        ColumnType.PERCENT,
        0.5,
        "RetargetAfter",
        minimum=0,
        maximum=1,
        help=_l(
            "The re-targeting rule applies once this share of the year has passed.",
            "年度經過此比例後才套用重新調整目標規則。",
            "年度经过此比例后才应用重新调整目标规则。",
        ),
    ),
    Setting(
        "band_a",
        _l("Band A from (score)", "A 級門檻 (得分)", "A 级门槛 (得分)"),
        ColumnType.PERCENT,
        1.1,
        "BandA",
        minimum=0,
        maximum=10,
        help=_l(
            "Scorecard band A for a weighted score at or above this.",
            "加權分數達此值以上為 A 級。",
            "加权分数达此值以上为 A 级。",
        ),
    ),
    Setting(
        "band_b",
        _l("Band B from (score)", "B 級門檻 (得分)", "B 级门槛 (得分)"),
        ColumnType.PERCENT,
        0.95,
        "BandB",
        minimum=0,
        maximum=10,
        help=_l(
            "Band B for a score at or above this and below band A.",
            "分數達此值以上且未達 A 級者為 B 級。",
            "分数达此值以上且未达 A 级者为 B 级。",
        ),
    ),
    Setting(
        "band_c",
        _l("Band C from (score)", "C 級門檻 (得分)", "C 级门槛 (得分)"),
        ColumnType.PERCENT,
        0.8,
        "BandC",
        minimum=0,
        maximum=10,
        help=_l(
            "Band C for a score at or above this and below band B; below it is band D.",
            "分數達此值以上且未達 B 級者為 C 級；低於此值為 D 級。",
            "分数达此值以上且未达 B 级者为 C 级；低于此值为 D 级。",
        ),
    ),
    Setting(
        "fair_quota_low",
        _l("Healthy share at quota from", "達標比例健康下限", "达标比例健康下限"),
        ColumnType.PERCENT,
        0.55,
        "FairQuotaLow",
        minimum=0,
        maximum=1,
        help=_l(
            "55-70% of reps at or above quota is a common rule of thumb.",
            "常見經驗法則：55-70% 的業務達標。",
            "常见经验法则：55-70% 的销售达标。",
        ),
    ),
    Setting(
        "fair_quota_high",
        _l("Healthy share at quota to", "達標比例健康上限", "达标比例健康上限"),
        ColumnType.PERCENT,
        0.7,
        "FairQuotaHigh",
        minimum=0,
        maximum=1,
        help=_l(
            "Upper end of the healthy share of reps at or above quota.",
            "達成配額之業務比例的健康區間上限。",
            "达成配额之销售比例的健康区间上限。",
        ),
    ),
    Setting(
        "fair_median_low",
        _l("Healthy median attainment from", "達成率中位數健康下限", "达成率中位数健康下限"),
        ColumnType.PERCENT,
        0.9,
        "FairMedianLow",
        minimum=0,
        maximum=5,
        help=_l(
            "Lower end of the healthy median attainment.",
            "達成率中位數的健康區間下限。",
            "达成率中位数的健康区间下限。",
        ),
    ),
    Setting(
        "fair_median_high",
        _l("Healthy median attainment to", "達成率中位數健康上限", "达成率中位数健康上限"),
        ColumnType.PERCENT,
        1.1,
        "FairMedianHigh",
        minimum=0,
        maximum=5,
        help=_l(
            "Upper end of the healthy median attainment.",
            "達成率中位數的健康區間上限。",
            "达成率中位数的健康区间上限。",
        ),
    ),
    Setting(
        "fair_spread_max",
        _l(
            "Healthy attainment spread up to (IQR)",
            "達成率離散健康上限 (四分位距)",
            "达成率离散健康上限 (四分位距)",
        ),
        ColumnType.PERCENT,
        0.3,
        "FairSpreadMax",
        minimum=0,
        maximum=5,
        help=_l(
            "Largest healthy interquartile range of attainment: how far apart "
            "the middle half of reps are.",
            "達成率四分位距的健康上限：中間一半業務彼此的差距。",
            "达成率四分位距的健康上限：中间一半销售彼此的差距。",
        ),
    ),
    Setting(
        "fair_gini_max",
        _l("Healthy Gini of attainment up to", "達成率吉尼係數健康上限", "达成率基尼系数健康上限"),
        ColumnType.PERCENT,
        0.15,
        "FairGiniMax",
        minimum=0,
        maximum=1,
        help=_l(
            "Largest healthy Gini coefficient of attainment (0 means everyone attains the same).",
            "達成率吉尼係數的健康上限（0 代表人人達成率相同）。",
            "达成率基尼系数的健康上限（0 代表人人达成率相同）。",
        ),
    ),
    Setting(
        "fair_correlation_max",
        _l(
            "Healthy size-attainment correlation up to",
            "目標規模與達成率相關健康上限",
            "目标规模与达成率相关健康上限",
        ),
        ColumnType.PERCENT,
        0.3,
        "FairCorrelationMax",
        minimum=0,
        maximum=1,
        help=_l(
            "Largest healthy correlation, either way, between target size and "
            "attainment: large targets should not be harder to reach.",
            "目標大小與達成率相關係數（正負皆計）的健康上限：大目標不應更難達成。",
            "目标大小与达成率相关系数（正负皆计）的健康上限：大目标不应更难达成。",
        ),
    ),
    Setting(
        "fair_difficulty_low",
        _l("Healthy target / last year from", "目標/去年健康下限", "目标/去年健康下限"),
        ColumnType.PERCENT,
        0.95,
        "FairDifficultyLow",
        minimum=0,
        maximum=10,
        help=_l(
            "Lower end of the healthy median of each rep's target divided by their own last year.",
            "每位業務目標 ÷ 本人去年實績之中位數的健康區間下限。",
            "每位销售目标 ÷ 本人去年业绩之中位数的健康区间下限。",
        ),
    ),
    Setting(
        "fair_difficulty_high",
        _l("Healthy target / last year to", "目標/去年健康上限", "目标/去年健康上限"),
        ColumnType.PERCENT,
        1.25,
        "FairDifficultyHigh",
        minimum=0,
        maximum=10,
        help=_l(
            "Upper end of the healthy median of each rep's target divided by their own last year.",
            "每位業務目標 ÷ 本人去年實績之中位數的健康區間上限。",
            "每位销售目标 ÷ 本人去年业绩之中位数的健康区间上限。",
        ),
    ),
    Setting(
        "actuals_file",
        _l("Import actuals from (file)", "實績匯入檔案", "实际业绩导入文件"),
        ColumnType.TEXT,
        "",
        "ActualsFile",
        help=_l(
            "Full path of the CRM or ERP export (CSV or xlsx) the Import actuals button "
            "reads, e.g. C:\\Sales\\deals.csv; the command line takes the file itself.",
            "「匯入實績」按鈕讀取的 CRM 或 ERP 匯出檔（CSV 或 xlsx）完整路徑，例如 "
            "C:\\Sales\\deals.csv；命令列則直接指定檔案。",
            "“导入实际业绩”按钮读取的 CRM 或 ERP 导出文件（CSV 或 xlsx）完整路径，例如 "
            "C:\\Sales\\deals.csv；命令行则直接指定文件。",
        ),
    ),
    Setting(
        "history_file",
        _l("Import history from (file)", "歷史匯入檔案", "历史导入文件"),
        ColumnType.TEXT,
        "",
        "HistoryFile",
        help=_l(
            "Full path of the export of past months the Import history button reads.",
            "「匯入歷史」按鈕讀取的過去月份匯出檔完整路徑。",
            "“导入历史”按钮读取的过去月份导出文件完整路径。",
        ),
    ),
    Setting(
        "org_file",
        _l("Import org from (file)", "組織匯入檔案", "组织导入文件"),
        ColumnType.TEXT,
        "",
        "OrgFile",
        help=_l(
            "Full path of the HR or CRM list (reps, teams, regions) the Import org button reads.",
            "「匯入組織」按鈕讀取的人資或 CRM 名單（業務、團隊、區域）完整路徑。",
            "“导入组织”按钮读取的人事或 CRM 名单（销售、团队、区域）完整路径。",
        ),
    ),
    Setting(
        "export_by",
        _l("Export copies by", "副本匯出依據", "副本导出依据"),
        ColumnType.CODE,
        "region",
        "ExportBy",
        choices=EXPORT_LEVELS,
        help=_l(
            "Whom the Export copies button writes one copy for: each region, team or manager"
            " (the command line's --by).",
            "「匯出副本」按鈕為誰各寫一份副本：每個區域、團隊或主管（命令列的 --by）。",
            "“导出副本”按钮为谁各写一份副本：每个区域、团队或主管（命令行的 --by）。",
        ),
    ),
    Setting(
        "export_folder",
        _l("Export copies to (folder)", "副本匯出資料夾", "副本导出文件夹"),
        ColumnType.TEXT,
        "",
        "ExportFolder",
        help=_l(
            "Full path of the folder the Export copies button writes the copies to; blank: "
            "the plan's own folder.",
            "「匯出副本」按鈕寫入副本的資料夾完整路徑；空白則為計畫檔所在資料夾。",
            "“导出副本”按钮写入副本的文件夹完整路径；空白则为计划文件所在文件夹。",
        ),
    ),
    Setting(
        "returns_folder",
        _l("Collect returns from (folder)", "收回副本資料夾", "收回副本文件夹"),
        ColumnType.TEXT,
        "",
        "ReturnsFolder",
        help=_l(
            "Full path of the folder holding the copies sent back; Collect returns reads every"
            " copy of this plan in it (blank: the export folder).",
            "存放寄回副本的資料夾完整路徑；「收回副本」會讀取其中本計畫的每份副本（空白則為副本匯出資料夾）。",
            "存放寄回副本的文件夹完整路径；“收回副本”会读取其中本计划的每份副本（空白则为副本导出文件夹）。",
        ),
    ),
    Setting(
        "language",
        _l("Language", "語言", "语言"),
        ColumnType.CODE,
        "en",
        "Language",
        choices=LANGUAGES,
        help=_l(
            "Language of labels and choice values (en, zh-Hant, zh-Hans); files"
            " in any of the three read the same.",
            "標籤與選項值的語言（en、zh-Hant、zh-Hans）；三種語言的檔案讀取結果相同。",
            "标签与选项值的语言（en、zh-Hant、zh-Hans）；三种语言的文件读取结果相同。",
        ),
    ),
)

TABLES_BY_NAME: Final = MappingProxyType({t.name: t for t in TABLES})
SHEETS_BY_KEY: Final = MappingProxyType({s.key: s for s in SHEETS})
SETTINGS_BY_KEY: Final = MappingProxyType({s.key: s for s in SETTINGS})


def table(name: str) -> Table:
    """The table called `name` (e.g. 'tblTargets')."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"no table {name!r} in the planning-workbook schema") from None


# Terms the Simplified Chinese labels used before they were put in mainland usage (now, then):
# workbooks built earlier keep their headers and setting names, so those still read.
FORMER_HANS_TERMS: Final = (
    ("历史业绩", "历史实绩"),
    ("实际业绩", "实绩"),
    ("校验", "检核"),
    ("市场测算", "市场推估"),
    ("舍入单位", "取整单位"),
    ("目标市场份额", "目标市占率"),
    ("审批人", "核准人"),
)


def _spellings(label: Label, key: str) -> tuple[str, ...]:
    """Every text that names `label`: its three languages, its key, and older zh-Hans terms."""
    former = label.zh_hans
    for now, then in FORMER_HANS_TERMS:
        former = former.replace(now, then)
    return (*label.all(), key, former)


def header_lookup(tbl: Table) -> dict[str, str]:
    """Map every accepted header spelling (any language, case- and space-insensitive) to a key."""
    lookup: dict[str, str] = {}
    for col in tbl.columns:
        for text in _spellings(col.label, col.key):
            lookup[normalise_header(text)] = col.key
    return lookup


def normalise_header(text: str) -> str:
    """Header comparison form: trimmed, inner whitespace collapsed, case-folded."""
    return " ".join(str(text).split()).casefold()


def setting_lookup() -> dict[str, str]:
    """Map every accepted setting label (any language, or the key itself) to its key."""
    lookup: dict[str, str] = {}
    for st in SETTINGS:
        for text in _spellings(st.label, st.key):
            lookup[normalise_header(text)] = st.key
    return lookup
