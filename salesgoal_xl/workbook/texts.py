"""User-facing text of the template outside the tables: the Guide, block titles, charts, checks.

Header labels live in schema.py; this module holds the prose around them, in the same three
languages.
"""

from __future__ import annotations

from typing import Final

from salesgoal_xl.workbook.schema import Label

TEMPLATE_VERSION: Final = "1.0"


def _l(en: str, hant: str, hans: str) -> Label:
    return Label(en, hant, hans)


GUIDE_TITLE: Final = _l(
    "Sales target planning workbook", "業績目標規劃活頁簿", "销售目标规划工作簿"
)
GUIDE_INTRO: Final = _l(
    "One workbook for the whole target cycle: set the company target, split it, track actuals, "
    "evaluate people and adjust with every change logged. It works in plain Excel or "
    "LibreOffice: every number is a value written by salesgoal or a normal Excel formula.",
    "一本活頁簿涵蓋整個目標循環：制定公司目標、分解、追蹤實績、評估績效，"
    "並在每次調整時留下紀錄。在一般 Excel 或 LibreOffice 中即可使用："
    "所有數字不是 salesgoal 寫入的值，就是一般 Excel 公式。",
    "一本工作簿涵盖整个目标循环：制定公司目标、分解、跟踪实际业绩、评估绩效，"
    "并在每次调整时留下记录。在普通 Excel 或 LibreOffice 中即可使用："
    "所有数字不是 salesgoal 写入的值，就是普通 Excel 公式。",
)

IDENTITY_TITLE: Final = _l("Plan identity", "計畫識別", "计划标识")
PLAN_NAME: Final = _l("Plan name", "計畫名稱", "计划名称")
PLAN_ID: Final = _l("Plan ID", "計畫編號", "计划编号")
PLAN_VERSION: Final = _l("Plan version", "計畫版本", "计划版本")
TEMPLATE_VERSION_LABEL: Final = _l("Template version", "範本版本", "模板版本")
FINGERPRINT: Final = _l("Fingerprint of approved numbers", "核准數字指紋", "审批数字指纹")
NOT_APPROVED: Final = _l(
    "(none yet: set by Approve)", "(尚無：由「核准」寫入)", "(尚无：由“审批”写入)"
)
TEMPLATE_PLAN_ID: Final = _l(
    "(set by salesgoal new)", "(由 salesgoal new 產生)", "(由 salesgoal new 生成)"
)

WORKFLOW_TITLE: Final = _l("Workflow", "作業流程", "工作流程")
STEP: Final = _l("Step", "步驟", "步骤")
WHAT_YOU_DO: Final = _l("What you do", "要做的事", "要做的事")
WHERE: Final = _l("Sheets", "工作表", "工作表")

# (step name, what to do, sheet keys)
WORKFLOW: Final[tuple[tuple[Label, Label, tuple[str, ...]], ...]] = (
    (
        _l("1. Set", "1. 制定", "1. 制定"),
        _l(
            "Fill Settings and History, then press Propose target. Read the baseline, trend, "
            "market figure and SMART checklist, and type the agreed Final target.",
            "填寫設定與歷史資料，按「提出目標」。檢視基準、趨勢、市場推估與 SMART 檢核，"
            "再輸入議定的最終目標。",
            "填写设置与历史数据，按“提出目标”。查看基准、趋势、市场测算与 SMART 校验，"
            "再输入议定的最终目标。",
        ),
        ("settings", "history", "setting"),
    ),
    (
        _l("2. Split", "2. 分解", "2. 分解"),
        _l(
            "Choose a split method per level and lock any figures that must not move, then press "
            "Split targets. Every split adds up exactly to its parent.",
            "為每個層級選擇分解方法，鎖定不可變動的數字，再按「分解目標」。每次分解都精確加總回上層。",
            "为每个层级选择分解方法，锁定不可变动的数字，再按“分解目标”。每次分解都精确汇总回上层。",
        ),
        ("decomposition", "targets", "matrix"),
    ),
    (
        _l("3. Track", "3. 追蹤", "3. 跟踪"),
        _l(
            "Paste actuals into the Actuals table (or run import-actuals), then press Evaluate: "
            "attainment, seasonal pace, projected landing, gap, required run rate and risk.",
            "將實績貼入實績表（或執行 import-actuals），再按「評估」："
            "達成率、季節性進度、預估達成、缺口、所需月均與風險。",
            "将实际业绩粘贴到实际业绩表（或运行 import-actuals），再按“评估”：达成率、季节性进度、"
            "预估达成、缺口、所需月均与风险。",
        ),
        ("actuals", "tracking", "dashboard"),
    ),
    (
        _l("4. Evaluate", "4. 評估", "4. 评估"),
        _l(
            "Set KPI weights, then press Evaluate: scorecards, ranks, bands and fairness figures.",
            "設定 KPI 權重，再按「評估」：計分卡、排名、等級與公平性指標。",
            "设置 KPI 权重，再按“评估”：计分卡、排名、等级与公平性指标。",
        ),
        ("evaluation",),
    ),
    (
        _l("5. Adjust", "5. 調整", "5. 调整"),
        _l(
            "Press Adjust to change a target with a logged reason; the rest is re-spread. "
            "Approve records who approved which numbers; Verify detects later changes.",
            "按「調整」以記錄原因變更目標，其餘部分重新分配。「核准」記錄誰核准了哪些數字；"
            "「驗證」偵測之後的變更。",
            "按“调整”以记录原因变更目标，其余部分重新分配。“审批”记录谁审批了哪些数字；"
            "“验证”检测之后的变更。",
        ),
        ("adjustments", "approvals", "checks"),
    ),
)

BUTTONS_TITLE: Final = _l("Buttons and commands", "按鈕與指令", "按钮与命令")
BUTTON: Final = _l("Button", "按鈕", "按钮")
COMMAND: Final = _l("Command line", "命令列", "命令行")
WHAT_IT_DOES: Final = _l("What it does", "功能", "功能")

# (ribbon button id, button, CLI command, what it does)
BUTTONS: Final[tuple[tuple[str, Label, str, Label], ...]] = (
    (
        "new",
        _l("New workbook", "新活頁簿", "新工作簿"),
        "salesgoal new",
        _l(
            "Builds this workbook in the chosen language.",
            "以所選語言建立本活頁簿。",
            "以所选语言创建本工作簿。",
        ),
    ),
    (
        "propose",
        _l("Propose target", "提出目標", "提出目标"),
        "salesgoal propose",
        _l(
            "Baseline, trend forecast, market figure, range and SMART checks.",
            "基準、趨勢預測、市場推估、建議區間與 SMART 檢核。",
            "基准、趋势预测、市场测算、建议区间与 SMART 校验。",
        ),
    ),
    (
        "split",
        _l("Split targets", "分解目標", "分解目标"),
        "salesgoal split",
        _l(
            "Writes the leaf targets (Targets sheet) from the final target and the rules.",
            "依最終目標與規則寫入明細目標（明細目標工作表）。",
            "依最终目标与规则写入明细目标（明细目标工作表）。",
        ),
    ),
    (
        "import_actuals",
        _l("Import actuals", "匯入實績", "导入实际业绩"),
        "salesgoal import-actuals",
        _l(
            "Loads actuals from the CSV or Excel export named in Settings (Import actuals "
            "from) into the Actuals table.",
            "從設定中「實績匯入檔案」指定的 CSV 或 Excel 匯出檔匯入實績。",
            "从设置中“实际业绩导入文件”指定的 CSV 或 Excel 导出文件导入实际业绩。",
        ),
    ),
    (
        "import_history",
        _l("Import history", "匯入歷史", "导入历史"),
        "salesgoal import-history",
        _l(
            "Loads past months from the export named in Settings (Import history from) into "
            "the History table.",
            "從設定中「歷史匯入檔案」指定的匯出檔匯入過去月份至歷史表。",
            "从设置中“历史导入文件”指定的导出文件导入过去月份至历史表。",
        ),
    ),
    (
        "import_org",
        _l("Import org", "匯入組織", "导入组织"),
        "salesgoal import-org",
        _l(
            "Loads reps, teams and regions from the HR or CRM list named in Settings (Import "
            "org from).",
            "從設定中「組織匯入檔案」指定的人資或 CRM 名單匯入業務、團隊與區域。",
            "从设置中“组织导入文件”指定的人事或 CRM 名单导入销售、团队与区域。",
        ),
    ),
    (
        "evaluate",
        _l("Evaluate", "評估", "评估"),
        "salesgoal evaluate",
        _l(
            "Tracking (attainment, pace, projection, gap, run rate, risk per rep), scorecards, "
            "ranks, bands and fairness figures.",
            "追蹤（每位業務的達成率、進度、預估、缺口、月均需求與風險）、計分卡、排名、等級與公平性指標。",
            "跟踪（每位销售的达成率、进度、预估、缺口、月均需求与风险）、计分卡、排名、等级与公平性指标。",
        ),
    ),
    (
        "check",
        _l("Check", "檢查", "检查"),
        "salesgoal check",
        _l(
            "Validates the whole workbook and lists problems on the Checks sheet.",
            "檢查整本活頁簿，並將問題列於檢查工作表。",
            "检查整本工作簿，并将问题列于检查工作表。",
        ),
    ),
    (
        "adjust",
        _l("Adjust", "調整", "调整"),
        "salesgoal adjust",
        _l(
            "Changes a target with a reason, logs it and re-spreads the remainder.",
            "附原因變更目標、記錄並重新分配剩餘部分。",
            "附原因变更目标、记录并重新分配剩余部分。",
        ),
    ),
    (
        "approve",
        _l("Approve", "核准", "审批"),
        "salesgoal approve",
        _l(
            "Records the approvals typed into the Approvals log (approver and scope, no ID "
            "yet), each bound to the fingerprint of the numbers approved.",
            "記錄在核准紀錄中輸入的核准（核准人與範圍，尚無編號），每筆綁定所核准數字的指紋。",
            "记录在审批记录中输入的审批（审批人与范围，尚无编号），每笔绑定所审批数字的指纹。",
        ),
    ),
    (
        "verify",
        _l("Verify", "驗證", "验证"),
        "salesgoal verify",
        _l(
            "Tells whether numbers changed since they were approved.",
            "判斷數字在核准後是否被變更。",
            "判断数字在审批后是否被变更。",
        ),
    ),
    (
        "export",
        _l("Export copies", "匯出副本", "导出副本"),
        "salesgoal export",
        _l(
            "One copy per region, team or manager (Settings: Export copies by), with only "
            "their part, into the folder Settings names.",
            "依設定「副本匯出依據」為每個區域、團隊或主管匯出僅含其範圍的副本，存入設定指定的資料夾。",
            "按设置“副本导出依据”为每个区域、团队或主管导出仅含其范围的副本，存入设置指定的文件夹。",
        ),
    ),
    (
        "collect",
        _l("Collect returns", "收回副本", "收回副本"),
        "salesgoal collect",
        _l(
            "Merges the copies sent back into the folder Settings names, shows what changed "
            "and refuses silent conflicts.",
            "合併寄回至設定指定資料夾的副本，顯示變更並拒絕無聲衝突。",
            "合并寄回至设置指定文件夹的副本，显示变更并拒绝无声冲突。",
        ),
    ),
)

LEGEND_TITLE: Final = _l("Colours", "顏色說明", "颜色说明")
LEGEND_INPUT: Final = _l(
    "Input: type or paste here.", "輸入：在此輸入或貼上。", "输入：在此输入或粘贴。"
)
LEGEND_OUTPUT: Final = _l(
    "Output: written by a button; press it again to refresh.",
    "輸出：由按鈕寫入；再按一次即可更新。",
    "输出：由按钮写入；再按一次即可更新。",
)
LEGEND_FORMULA: Final = _l(
    "Live Excel formula: recalculates as you edit; do not type over it.",
    "即時 Excel 公式：編輯時自動重算，請勿覆寫。",
    "实时 Excel 公式：编辑时自动重算，请勿覆盖。",
)

SHEETS_TITLE: Final = _l("Sheets", "工作表", "工作表")
PERIODS_TITLE: Final = _l("Fiscal years and periods", "會計年度與期間", "会计年度与期间")
PERIODS_TEXT: Final = (
    _l(
        "A fiscal year is named by the calendar year in which it ends: with a first month of "
        "April, FY2026 runs from 2025-04 to 2026-03.",
        "會計年度以其結束的日曆年命名：起始月為 4 月時，FY2026 為 2025-04 至 2026-03。",
        "会计年度以其结束的日历年命名：起始月为 4 月时，FY2026 为 2025-04 至 2026-03。",
    ),
    _l(
        "Months are written YYYY-MM (2026-03); ISO weeks YYYY-Www (2026-W09). Type them as text.",
        "月份寫作 YYYY-MM（2026-03）；ISO 週寫作 YYYY-Www（2026-W09）。請以文字輸入。",
        "月份写作 YYYY-MM（2026-03）；ISO 周写作 YYYY-Www（2026-W09）。请以文本输入。",
    ),
    _l(
        "Tables are found by name (tblTargets, ...): you may rename or reorder sheets and add your "
        "own columns, sheets and charts.",
        "程式依名稱（tblTargets 等）尋找表格：您可重新命名或排列工作表，"
        "並加入自己的欄位、工作表與圖表。",
        "程序按名称（tblTargets 等）查找表格：您可重命名或排列工作表，"
        "并加入自己的列、工作表与图表。",
    ),
)

# Blocks outside tables.
MATRIX_TITLE: Final = _l(
    "Target by rep and fiscal month (live from Targets)",
    "各業務每月目標（由明細目標即時計算）",
    "各销售每月目标（由明细目标实时计算）",
)
ROW_NO: Final = _l("#", "#", "#")
TOTAL: Final = _l("Total", "合計", "合计")
MONTH_NO: Final = _l("Month", "月次", "月次")
CHECKS_TITLE: Final = _l("Check sums", "檢核加總", "校验汇总")
LEAF_TOTAL: Final = _l("Total of leaf targets", "明細目標合計", "明细目标合计")
FINAL_TARGET: Final = _l("Final target (company)", "最終目標（公司）", "最终目标（公司）")
DIFFERENCE: Final = _l("Difference", "差異", "差异")
ALLOWED_OVER: Final = _l("Allowed over-assignment", "允許超額分配", "允许超额分配")
OVER_SHARE: Final = _l(
    "Over-assignment (quota sum vs final target)",
    "超額分配（配額合計對最終目標）",
    "超额分配（配额合计对最终目标）",
)
TARGET_BASIS_TITLE: Final = _l(
    "Final target and quota sum", "最終目標與配額合計", "最终目标与配额合计"
)
QUOTA_SUM: Final = _l("Quota sum (leaf targets)", "配額合計（明細目標）", "配额合计（明细目标）")
BASIS_ITEM: Final = _l("Figure", "項目", "项目")
BASIS_VALUE: Final = _l("Value", "數值", "数值")
TARGET_CHECK: Final = _l("Targets add up", "目標加總相符", "目标汇总相符")
MATRIX_TOTAL: Final = _l("Rep x Month total", "業務x月份合計", "销售x月份合计")
MATRIX_CHECK: Final = _l("Matrix matches targets", "矩陣與明細相符", "矩阵与明细相符")
ORDER_CHECK: Final = _l("Rows in rep/period order", "列依業務/期間排序", "行按销售/期间排序")
OK: Final = _l("OK", "正確", "正确")
MISMATCH: Final = _l("CHECK", "請檢查", "请检查")

BY_MONTH_TITLE: Final = _l(
    "Cumulative actual vs target by month", "每月累計實績對目標", "每月累计实际业绩对目标"
)
BY_REGION_TITLE: Final = _l("Attainment by region", "各區域達成率", "各区域达成率")
REGION_BY_MONTH_TITLE: Final = _l(
    "Target by region, month and quarter (live from Rep x Month)",
    "各區域每月與每季目標（由業務x月份即時加總）",
    "各区域每月与每季目标（由销售x月份实时汇总）",
)
TEAM_BY_MONTH_TITLE: Final = _l(
    "Target by team, month and quarter (live from Rep x Month)",
    "各團隊每月與每季目標（由業務x月份即時加總）",
    "各团队每月与每季目标（由销售x月份实时汇总）",
)
CHANNEL_BY_PRODUCT_TITLE: Final = _l(
    "Target by channel and product line, for the year (live from Targets)",
    "各通路與產品線全年目標（由明細目標即時加總）",
    "各渠道与产品线全年目标（由明细目标实时汇总）",
)
PERIOD: Final = _l("Period", "期間", "期间")
TARGET: Final = _l("Target", "目標", "目标")
ACTUAL: Final = _l("Actual", "實績", "实际业绩")
CUM_TARGET: Final = _l("Cumulative target", "累計目標", "累计目标")
CUM_ACTUAL: Final = _l("Cumulative actual", "累計實績", "累计实际业绩")
ATTAINMENT: Final = _l("Attainment", "達成率", "达成率")
REGION: Final = _l("Region", "區域", "区域")
TARGET_TO_DATE: Final = _l("Target to date", "累計目標", "累计目标")
ACTUAL_TO_DATE: Final = _l("Actual to date", "累計實績", "累计实际业绩")
PACE_BY_REGION_TITLE: Final = _l("Pace by region", "各區域進度", "各区域进度")
DISTRIBUTION_TITLE: Final = _l("Attainment distribution", "達成率分布", "达成率分布")
FROM: Final = _l("From", "自", "自")
BELOW: Final = _l("Below", "未滿", "未满")
BUCKET: Final = _l("Attainment", "達成率", "达成率")
REPS: Final = _l("Reps", "業務人數", "销售人数")
SHARE: Final = _l("Share", "占比", "占比")
TOP_BOTTOM_TITLE: Final = _l(
    "Top and bottom reps by attainment", "達成率最高與最低的業務", "达成率最高与最低的销售"
)
POSITION: Final = _l("Position", "名次", "名次")
TABLE_ROW: Final = _l("Row in Tracking", "追蹤表列號", "跟踪表行号")

# --- exported copies (salesgoal export) ------------------------------------------------------

COPY_TITLE: Final = _l("This copy", "本副本", "本副本")
COPY_SENT_TO: Final = _l("Sent to", "寄送對象", "发送对象")
COPY_SCOPE: Final = _l("Covers", "涵蓋範圍", "涵盖范围")
COPY_FINGERPRINT: Final = _l("Fingerprint of the numbers sent", "寄出數字指紋", "发出数字指纹")
COPY_EXPORTED_AT: Final = _l("Exported at", "匯出時間", "导出时间")
COPY_PROTECTION_NOTE: Final = _l(
    "Only the Commit, Comment and Committed by cells on the Commits sheet can be typed into. "
    "The protection guards against accidents, not intent (it has no password); when the copy "
    "comes back, collect checks its numbers against the fingerprint above.",
    "只有「業務承諾」工作表的承諾數、說明與承諾人欄位可以輸入。"
    "保護只防止誤改，並不防止蓄意修改（沒有密碼）；副本交回時，"
    "collect 會以上方的指紋核對其中的數字。",
    "只有“销售承诺”工作表的承诺数、说明与承诺人列可以输入。"
    "保护只防止误改，并不防止蓄意修改（没有密码）；副本交回时，"
    "collect 会用上方的指纹核对其中的数字。",
)
