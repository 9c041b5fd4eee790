"""The proposal's words: every reason code and label in English, Traditional and Simplified
Chinese. `core.proposal` keeps reasons as codes with formatted parameters and renders them
through `message` only when they are shown."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

from salesgoal_xl.core.errors import ProposalError

Language = Literal["en", "zh-Hant", "zh-Hans"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh-Hant", "zh-Hans")

MESSAGES: Final[Mapping[Language, Mapping[str, str]]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "criterion.specific": "Specific",
                "criterion.measurable": "Measurable",
                "criterion.achievable": "Achievable",
                "criterion.relevant": "Relevant",
                "criterion.time_bound": "Time-bound",
                "status.pass": "pass",
                "status.warn": "warn",
                "status.fail": "fail",
                "flag.too_high": "too high",
                "flag.too_low": "too low",
                "flag.far_from_market": "far from market",
                "scope.company": "the company",
                "target.ok": "one figure, {target}, for {scope} in FY{fiscal_year}",
                "target.not_positive": (
                    "the target must be above zero (got {target}); enter a final target"
                ),
                "target.defaulted": (
                    "no final target entered; the recommended base {target} is used until "
                    "you enter one"
                ),
                "baseline.ok": "measured against last year's actual of {baseline} ({growth})",
                "baseline.missing": (
                    "no actual for last year, so growth cannot be measured; load the history"
                ),
                "challenge.within": "target is {ratio} of forecast; within {low} to {high}",
                "challenge.above": "target is {ratio} of forecast; above the {high} limit",
                "challenge.below": (
                    "target is {ratio} of forecast; below the {low} limit, so it asks for "
                    "no stretch"
                ),
                "challenge.not_above": (
                    "target is {ratio} of forecast; not above the {high} limit"
                ),
                "challenge.not_below": ("target is {ratio} of forecast; not below the {low} limit"),
                "forecast.zero": (
                    "the forecast is zero, so the target cannot be judged; check the history"
                ),
                "market.near": ("target is within {tolerance} of the market-based figure {market}"),
                "market.above": (
                    "target is {gap} above the market-based figure {market}; beyond the "
                    "{tolerance} tolerance"
                ),
                "market.below": (
                    "target is {gap} below the market-based figure {market}; beyond the "
                    "{tolerance} tolerance"
                ),
                "market.missing": (
                    "no market-based figure; enter market size and target share per region"
                ),
                "strategy.above": (
                    "target is {gap} above the strategic input {strategic}; beyond the "
                    "{tolerance} tolerance"
                ),
                "strategy.below": (
                    "target is {gap} below the strategic input {strategic}; beyond the "
                    "{tolerance} tolerance"
                ),
                "period.ok": "covers FY{fiscal_year}, {first} to {last}",
                "period.mismatch": (
                    "the forecast covers {forecast_first} to {forecast_last}, not "
                    "FY{fiscal_year} ({first} to {last}); run the forecast again"
                ),
                # The forecast back-test (core.backtest): method names and why one was chosen.
                "backtest.yes": "yes",
                "method.holt_winters": "Holt-Winters (damped trend)",
                "method.seasonal_naive": "seasonal naive",
                "method.yoy_growth": "year-on-year growth",
                "method.seasonal_naive_trend": "seasonal naive with trend",
                "method.run_rate": "run rate x 12",
                "backtest.chosen": "chosen: lowest back-test MAPE ({mape}), {first} to {last}",
                "backtest.too_short": (
                    "no back-test: it needs {needed} months of history (12 to fit, 12 held "
                    "out), got {months}; {method} by history length"
                ),
                "backtest.one_scored": (
                    "chosen by history length: only one method could be back-tested on "
                    "{months} months"
                ),
                "backtest.needs": (
                    "not back-tested: needs {needed} months of history ({fit} to fit, 12 held out)"
                ),
            }
        ),
        "zh-Hant": MappingProxyType(
            {
                "criterion.specific": "具體",
                "criterion.measurable": "可衡量",
                "criterion.achievable": "可達成",
                "criterion.relevant": "相關",
                "criterion.time_bound": "有時限",
                "status.pass": "通過",
                "status.warn": "注意",
                "status.fail": "未通過",
                "flag.too_high": "目標過高",
                "flag.too_low": "目標過低",
                "flag.far_from_market": "偏離市場",
                "scope.company": "全公司",
                "target.ok": "{scope} FY{fiscal_year} 的單一目標：{target}",
                "target.not_positive": "目標必須大於零（目前為 {target}）；請輸入最終目標",
                "target.defaulted": "尚未輸入最終目標；暫以建議基準方案 {target} 計算",
                "baseline.ok": "以上年度實績 {baseline} 衡量（{growth}）",
                "baseline.missing": "沒有上年度實績，無法衡量成長；請載入歷史資料",
                "challenge.within": "目標為預測的 {ratio}；在 {low} 至 {high} 之間",
                "challenge.above": "目標為預測的 {ratio}；高於 {high} 上限",
                "challenge.below": "目標為預測的 {ratio}；低於 {low} 下限，缺乏挑戰",
                "challenge.not_above": "目標為預測的 {ratio}；未高於 {high} 上限",
                "challenge.not_below": "目標為預測的 {ratio}；未低於 {low} 下限",
                "forecast.zero": "預測為零，無法判斷目標；請檢查歷史資料",
                "market.near": "目標與市場推估 {market} 的差距在 {tolerance} 以內",
                "market.above": "目標高於市場推估 {market} 達 {gap}；超出 {tolerance} 容忍度",
                "market.below": "目標低於市場推估 {market} 達 {gap}；超出 {tolerance} 容忍度",
                "market.missing": "沒有市場推估；請輸入各區域的市場規模與目標市佔率",
                "strategy.above": "目標高於策略目標 {strategic} 達 {gap}；超出 {tolerance} 容忍度",
                "strategy.below": "目標低於策略目標 {strategic} 達 {gap}；超出 {tolerance} 容忍度",
                "period.ok": "涵蓋 FY{fiscal_year}：{first} 至 {last}",
                "period.mismatch": (
                    "預測涵蓋 {forecast_first} 至 {forecast_last}，而非 FY{fiscal_year}"
                    "（{first} 至 {last}）；請重新預測"
                ),
                "backtest.yes": "是",
                "method.holt_winters": "Holt-Winters（阻尼趨勢）",
                "method.seasonal_naive": "季節性單純法",
                "method.yoy_growth": "年增率法",
                "method.seasonal_naive_trend": "含趨勢的季節性單純法",
                "method.run_rate": "月均值 x 12",
                "backtest.chosen": "採用：回測 MAPE 最低（{mape}），{first} 至 {last}",
                "backtest.too_short": (
                    "未回測：需要 {needed} 個月歷史資料（12 個月擬合、12 個月保留驗證），"
                    "目前 {months} 個月；依歷史長度採用{method}"
                ),
                "backtest.one_scored": "依歷史長度採用：{months} 個月資料只能回測一種方法",
                "backtest.needs": (
                    "未回測：需要 {needed} 個月歷史資料（{fit} 個月擬合、12 個月保留驗證）"
                ),
            }
        ),
        "zh-Hans": MappingProxyType(
            {
                "criterion.specific": "具体",
                "criterion.measurable": "可衡量",
                "criterion.achievable": "可达成",
                "criterion.relevant": "相关",
                "criterion.time_bound": "有时限",
                "status.pass": "通过",
                "status.warn": "注意",
                "status.fail": "未通过",
                "flag.too_high": "目标过高",
                "flag.too_low": "目标过低",
                "flag.far_from_market": "偏离市场",
                "scope.company": "全公司",
                "target.ok": "{scope} FY{fiscal_year} 的单一目标：{target}",
                "target.not_positive": "目标必须大于零（目前为 {target}）；请输入最终目标",
                "target.defaulted": "尚未输入最终目标；暂以建议基准方案 {target} 计算",
                "baseline.ok": "以上年度实际业绩 {baseline} 衡量（{growth}）",
                "baseline.missing": "没有上年度实际业绩，无法衡量增长；请导入历史数据",
                "challenge.within": "目标为预测的 {ratio}；在 {low} 至 {high} 之间",
                "challenge.above": "目标为预测的 {ratio}；高于 {high} 上限",
                "challenge.below": "目标为预测的 {ratio}；低于 {low} 下限，缺乏挑战",
                "challenge.not_above": "目标为预测的 {ratio}；未高于 {high} 上限",
                "challenge.not_below": "目标为预测的 {ratio}；未低于 {low} 下限",
                "forecast.zero": "预测为零，无法判断目标；请检查历史数据",
                "market.near": "目标与市场测算 {market} 的差距在 {tolerance} 以内",
                "market.above": "目标高于市场测算 {market} 达 {gap}；超出 {tolerance} 容忍度",
                "market.below": "目标低于市场测算 {market} 达 {gap}；超出 {tolerance} 容忍度",
                "market.missing": "没有市场测算；请输入各区域的市场规模与目标市场份额",
                "strategy.above": "目标高于战略目标 {strategic} 达 {gap}；超出 {tolerance} 容忍度",
                "strategy.below": "目标低于战略目标 {strategic} 达 {gap}；超出 {tolerance} 容忍度",
                "period.ok": "涵盖 FY{fiscal_year}：{first} 至 {last}",
                "period.mismatch": (
                    "预测涵盖 {forecast_first} 至 {forecast_last}，而非 FY{fiscal_year}"
                    "（{first} 至 {last}）；请重新预测"
                ),
                "backtest.yes": "是",
                "method.holt_winters": "Holt-Winters（阻尼趋势）",
                "method.seasonal_naive": "季节性朴素法",
                "method.yoy_growth": "同比增长法",
                "method.seasonal_naive_trend": "含趋势的季节性朴素法",
                "method.run_rate": "月均值 x 12",
                "backtest.chosen": "采用：回测 MAPE 最低（{mape}），{first} 至 {last}",
                "backtest.too_short": (
                    "未回测：需要 {needed} 个月历史数据（12 个月拟合、12 个月留出验证），"
                    "目前 {months} 个月；按历史长度采用{method}"
                ),
                "backtest.one_scored": "按历史长度采用：{months} 个月数据只能回测一种方法",
                "backtest.needs": (
                    "未回测：需要 {needed} 个月历史数据（{fit} 个月拟合、12 个月留出验证）"
                ),
            }
        ),
    }
)


def message(key: str, language: Language = "en") -> str:
    """One entry of ``MESSAGES``; an unknown language is an error rather than silent English."""
    try:
        return MESSAGES[language][key]
    except KeyError:
        raise ProposalError(
            f"no message {key!r} in language {language!r}; expected one of {', '.join(LANGUAGES)}."
        ) from None
