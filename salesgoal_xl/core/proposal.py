"""The target proposal: baseline, forecast and market figures, the recommended range, the
challenge ratio, the too-high/too-low/far-from-market flags and the SMART checklist.

Definitions (all money in whole currency units, ratios as fractions rounded to 4 places):

* **market figure** of a region = market size x target share, rounded half-up to a whole unit
  (the same as the workbook's ``ROUND(size*share, 0)``); the company figure is their sum.
* **recommended range**: *conservative* = the lower of the forecast and the market figure (the
  forecast alone when there is no market figure); *base* = the forecast, because it is the one
  figure built from the company's own trend and season; *stretch* = base x (1 + stretch).
  Each is rounded half-up to the rounding unit. The strategic input is shown beside the range
  and checked under "Relevant", not blended in, so each figure keeps one clear source.
* **challenge ratio** = final target / forecast; **growth** = final target / baseline - 1.
* **flags**: *too high* when the target is above ``too_high_above`` x forecast, *too low* when
  below ``too_low_below`` x forecast, *far from market* when it differs from the market figure
  by more than ``market_tolerance`` of it. Limits themselves pass: exactly 125% is not too high.
  The comparisons are exact; only the displayed ratios are rounded.
* **SMART**: Specific fails for a target of zero or less and warns while no final target has
  been entered; Measurable warns without last year's actual; Achievable fails when too high
  and warns when too low; Relevant warns when far from the market figure or the strategic
  input, or when there is no market figure; Time-bound warns when the forecast does not cover
  the plan year.

Every message is a reason code with formatted parameters, rendered on demand in English,
Traditional or Simplified Chinese from ``proposal_text.MESSAGES``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from numbers import Integral
from types import MappingProxyType
from typing import Final, TypeGuard

from salesgoal_xl.core.allocation import allocate
from salesgoal_xl.core.calendar import FiscalCalendar
from salesgoal_xl.core.errors import ProposalError
from salesgoal_xl.core.forecast import Forecast
from salesgoal_xl.core.money import round_half_up, round_half_up_units
from salesgoal_xl.core.problems import NOWHERE, Problem, ProblemCode, ProblemsFound, Source, error
from salesgoal_xl.core.proposal_text import Language, message

COMPANY_SCOPE: Final = "company"
"""The company row's scope key; regions are keyed by their own codes."""
COMPANY_LABELS: Final[Mapping[Language, str]] = MappingProxyType(
    {"en": "Company", "zh-Hant": "全公司", "zh-Hans": "全公司"}
)
"""How the company row is written in tblProposal in each language."""
_COMPANY_SPELLINGS: Final = frozenset(
    {"company", "total", "公司", "全公司", "全公司合计", "總計", "总计"}
)


def is_company_scope(text: object) -> bool:
    """Whether a typed scope names the company row (any language, any case, trimmed)."""
    return isinstance(text, str) and text.strip().casefold() in _COMPANY_SPELLINGS


_RATIO_PLACES = Decimal("0.0001")


class SmartCriterion(StrEnum):
    """The five SMART criteria, in checklist order."""

    SPECIFIC = "specific"
    MEASURABLE = "measurable"
    ACHIEVABLE = "achievable"
    RELEVANT = "relevant"
    TIME_BOUND = "time_bound"


class CheckStatus(StrEnum):
    """How a SMART criterion came out; ``fail`` needs fixing, ``warn`` needs a look."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class FlagCode(StrEnum):
    """The warnings shown beside a proposed target."""

    TOO_HIGH = "too_high"
    TOO_LOW = "too_low"
    FAR_FROM_MARKET = "far_from_market"


@dataclass(frozen=True)
class Reason:
    """A one-line reason kept as a code and formatted parameters until it is shown."""

    code: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def text(self, language: Language = "en") -> str:
        """The reason in ``language``; a ``scope`` of 'company' is translated too."""
        params = dict(self.params)
        if params.get("scope") == COMPANY_SCOPE:
            params["scope"] = message("scope.company", language)
        return message(self.code, language).format(**params)


@dataclass(frozen=True)
class TargetFlag:
    """One of the three warnings; ``reason`` explains it whether raised or not."""

    code: FlagCode
    raised: bool
    reason: Reason

    def name(self, language: Language = "en") -> str:
        """The flag's display name in ``language``."""
        return message(f"flag.{self.code.value}", language)


@dataclass(frozen=True)
class SmartCheck:
    """One SMART criterion with its status and an actionable one-line reason."""

    criterion: SmartCriterion
    status: CheckStatus
    reason: Reason

    def name(self, language: Language = "en") -> str:
        """The criterion's display name in ``language``."""
        return message(f"criterion.{self.criterion.value}", language)

    def status_label(self, language: Language = "en") -> str:
        """The status's display word in ``language``."""
        return message(f"status.{self.status.value}", language)


@dataclass(frozen=True)
class MarketAssumption:
    """A region's market size for the plan year and the share of it the company aims for."""

    region: str
    market_size: int
    target_share: Decimal  # a fraction: 0.18 is 18%
    # Where the two figures were typed, so a problem can name the cell.
    size_source: Source = field(default=NOWHERE, compare=False)
    share_source: Source = field(default=NOWHERE, compare=False)

    @property
    def market_figure(self) -> int:
        """Market size x target share, rounded half-up to a whole unit as the workbook does."""
        return _round_half_up(Decimal(self.market_size) * self.target_share, 1)


@dataclass(frozen=True)
class ProposalSettings:
    """The plan settings a proposal reads; percentages are fractions as in the workbook."""

    fiscal_year: int
    first_month: int = 1
    stretch: Decimal = Decimal("0.10")
    too_low_below: Decimal = Decimal("1.00")
    too_high_above: Decimal = Decimal("1.25")
    market_tolerance: Decimal = Decimal("0.15")
    rounding_unit: int = 1

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.first_month <= 12:
            problems.append(f"first_month must be 1 to 12 (got {self.first_month})")
        for name in ("stretch", "too_low_below", "too_high_above", "market_tolerance"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or value < 0:
                problems.append(f"{name} must be a Decimal fraction >= 0 (got {value!r})")
        if not problems and self.too_low_below > self.too_high_above:
            problems.append(
                f"too_low_below must not exceed too_high_above (got {self.too_low_below} "
                f"and {self.too_high_above})"
            )
        if not _is_whole(self.rounding_unit) or self.rounding_unit < 1:
            problems.append(f"rounding_unit must be a whole number >= 1 (got {self.rounding_unit})")
        if problems:
            raise ProposalError("proposal settings have problems: " + "; ".join(problems) + ".")

    @property
    def plan_periods(self) -> tuple[str, str]:
        """First and last 'YYYY-MM' of the plan year; a fiscal year is named by the year it ends."""
        months = FiscalCalendar(self.fiscal_year, self.first_month).months
        return months[0], months[-1]


@dataclass(frozen=True)
class RecommendedRange:
    """Conservative, base and stretch targets (see the module docstring for definitions)."""

    conservative: int
    base: int
    stretch: int


@dataclass(frozen=True)
class Proposal:
    """The proposal for one scope (the company or a region), ready for the Setting sheet."""

    scope: str
    fiscal_year: int
    baseline: int
    forecast: int
    forecast_method: str | None
    market_figure: int | None
    strategic_input: int | None
    recommended: RecommendedRange
    final_target: int
    final_target_entered: bool
    challenge_ratio: Decimal | None
    growth_vs_baseline: Decimal | None
    market_ratio: Decimal | None
    flags: tuple[TargetFlag, ...]
    smart: tuple[SmartCheck, ...]

    @property
    def too_high(self) -> bool:
        """True when the target is above the too-high limit of the forecast."""
        return self.flag(FlagCode.TOO_HIGH).raised

    @property
    def too_low(self) -> bool:
        """True when the target is below the too-low limit of the forecast."""
        return self.flag(FlagCode.TOO_LOW).raised

    @property
    def far_from_market(self) -> bool:
        """True when the target is further from the market figure than the tolerance."""
        return self.flag(FlagCode.FAR_FROM_MARKET).raised

    def flag(self, code: FlagCode) -> TargetFlag:
        """The flag with ``code``."""
        return next(flag for flag in self.flags if flag.code is code)

    def check(self, criterion: SmartCriterion) -> SmartCheck:
        """The SMART check for ``criterion``."""
        return next(check for check in self.smart if check.criterion is criterion)

    def flags_text(self, language: Language = "en") -> str:
        """The raised flags' names joined for one cell; empty when nothing is raised."""
        separator = "; " if language == "en" else "；"
        return separator.join(flag.name(language) for flag in self.flags if flag.raised)


@dataclass(frozen=True)
class RegionFigures:
    """What a per-region proposal row is built from."""

    region: str
    baseline: int
    forecast: Forecast | int
    market: MarketAssumption | None = None
    final_target: int | None = None


def build_proposal(
    *,
    baseline: int,
    forecast: Forecast | int,
    settings: ProposalSettings,
    markets: Sequence[MarketAssumption] = (),
    strategic_input: int | None = None,
    final_target: int | None = None,
    scope: str = COMPANY_SCOPE,
    sources: Mapping[str, Source] | None = None,
) -> Proposal:
    """Build the proposal for ``scope`` from last year's actual, the forecast and the market.

    ``final_target`` defaults to the recommended base (and Specific then warns that none was
    entered). Bad inputs are collected into one ``ProposalInputsInvalid`` whose problems sit
    at ``sources`` ('strategic input', 'final target') or at each market's own source.
    """
    forecast_total = forecast.total if isinstance(forecast, Forecast) else forecast
    _check_inputs(baseline, forecast_total, markets, strategic_input, final_target, sources or {})
    unit = settings.rounding_unit
    market_figure = sum(m.market_figure for m in markets) if markets else None

    base = _round_half_up(Decimal(forecast_total), unit)
    low_anchor = forecast_total if market_figure is None else min(forecast_total, market_figure)
    recommended = RecommendedRange(
        conservative=_round_half_up(Decimal(low_anchor), unit),
        base=base,
        stretch=_round_half_up(Decimal(base) * (1 + settings.stretch), unit),
    )
    entered = final_target is not None
    target = final_target if final_target is not None else recommended.base

    figures = _Figures(
        scope=scope,
        target=target,
        forecast=forecast_total,
        baseline=baseline,
        market=market_figure,
        strategic=strategic_input,
        settings=settings,
    )
    flags = (figures.too_high_flag(), figures.too_low_flag(), figures.market_flag())
    smart = (
        figures.specific(entered),
        figures.measurable(),
        figures.achievable(),
        figures.relevant(),
        figures.time_bound(forecast if isinstance(forecast, Forecast) else None),
    )
    return Proposal(
        scope=scope,
        fiscal_year=settings.fiscal_year,
        baseline=baseline,
        forecast=forecast_total,
        forecast_method=forecast.method.value if isinstance(forecast, Forecast) else None,
        market_figure=market_figure,
        strategic_input=strategic_input,
        recommended=recommended,
        final_target=target,
        final_target_entered=entered,
        challenge_ratio=_ratio(target, forecast_total),
        growth_vs_baseline=_growth(target, baseline),
        market_ratio=_ratio(target, market_figure),
        flags=flags,
        smart=smart,
    )


def build_region_proposals(
    regions: Sequence[RegionFigures], settings: ProposalSettings
) -> tuple[Proposal, ...]:
    """One proposal row per region, in the order given, each judged against its own market."""
    seen: set[str] = set()
    for figures in regions:
        if figures.region in seen:
            raise ProposalError(f"region {figures.region!r} appears more than once.")
        if figures.market is not None and figures.market.region != figures.region:
            raise ProposalError(
                f"region {figures.region!r} was given the market of {figures.market.region!r}."
            )
        seen.add(figures.region)
    return tuple(
        build_proposal(
            baseline=figures.baseline,
            forecast=figures.forecast,
            settings=settings,
            markets=() if figures.market is None else (figures.market,),
            final_target=figures.final_target,
            scope=figures.region,
        )
        for figures in regions
    )


def reconcile_regions(
    company: Proposal, regions: Sequence[Proposal], settings: ProposalSettings
) -> tuple[Proposal, ...]:
    """The region rows made to add up to the company row, column by column.

    Rule (top-down proportional): forecast, conservative, base and stretch of the regions are
    the company's figure split over the regions by the shares of their own forecasts (each
    region's forecast from its own history), exactly, in whole rounding units by largest
    remainder (in whole units when the company figure is not a multiple of the rounding
    unit). So every column sums to the company row, and a region's share of each is its
    share of what its own history forecasts. Baseline and market figure are bottom-up: a
    region's own last year and market, whose sums are the company's. With no forecast
    anywhere the shares are the baselines', then equal. Flags and SMART checks are judged
    again on the reconciled figures; a typed final target is kept as typed.
    """
    if not regions:
        return ()
    weights = [region.forecast for region in regions]
    if not any(weights):
        weights = [region.baseline for region in regions]
    if not any(weights):
        weights = [1] * len(regions)
    unit = settings.rounding_unit
    company_figures = {
        "forecast": company.forecast,
        "conservative": company.recommended.conservative,
        "base": company.recommended.base,
        "stretch": company.recommended.stretch,
    }
    parts = {
        name: _top_down(total, weights, unit if total % unit == 0 else 1)
        for name, total in company_figures.items()
    }
    reconciled = []
    for index, region in enumerate(regions):
        forecast = parts["forecast"][index]
        recommended = RecommendedRange(
            conservative=parts["conservative"][index],
            base=parts["base"][index],
            stretch=parts["stretch"][index],
        )
        entered = region.final_target_entered
        target = region.final_target if entered else recommended.base
        figures = _Figures(
            scope=region.scope,
            target=target,
            forecast=forecast,
            baseline=region.baseline,
            market=region.market_figure,
            strategic=region.strategic_input,
            settings=settings,
        )
        reconciled.append(
            replace(
                region,
                forecast=forecast,
                recommended=recommended,
                final_target=target,
                challenge_ratio=_ratio(target, forecast),
                growth_vs_baseline=_growth(target, region.baseline),
                market_ratio=_ratio(target, region.market_figure),
                flags=(figures.too_high_flag(), figures.too_low_flag(), figures.market_flag()),
                smart=(
                    figures.specific(entered),
                    figures.measurable(),
                    figures.achievable(),
                    figures.relevant(),
                    figures.time_bound(None),
                ),
            )
        )
    return tuple(reconciled)


def _top_down(total: int, weights: Sequence[int], unit: int) -> list[int]:
    """`total` over `weights` exactly in multiples of `unit` (the one allocation rule)."""
    return [int(part) for part in allocate(total, weights, unit=unit)]


@dataclass(frozen=True)
class _Figures:
    """The numbers one proposal judges, with the rules that turn them into flags and checks."""

    scope: str
    target: int
    forecast: int
    baseline: int
    market: int | None
    strategic: int | None
    settings: ProposalSettings

    def _challenge_params(self) -> dict[str, str]:
        ratio = _ratio(self.target, self.forecast)
        assert ratio is not None  # callers check for a zero forecast first
        return {
            "ratio": _percent(ratio),
            "low": _percent(self.settings.too_low_below),
            "high": _percent(self.settings.too_high_above),
        }

    def _is_too_high(self) -> bool:
        return self.forecast > 0 and self.target > self.settings.too_high_above * self.forecast

    def _is_too_low(self) -> bool:
        return self.forecast > 0 and self.target < self.settings.too_low_below * self.forecast

    def too_high_flag(self) -> TargetFlag:
        if self.forecast <= 0:
            return TargetFlag(FlagCode.TOO_HIGH, False, _reason("forecast.zero"))
        code = "challenge.above" if self._is_too_high() else "challenge.not_above"
        return TargetFlag(
            FlagCode.TOO_HIGH, self._is_too_high(), _reason(code, **self._challenge_params())
        )

    def too_low_flag(self) -> TargetFlag:
        if self.forecast <= 0:
            return TargetFlag(FlagCode.TOO_LOW, False, _reason("forecast.zero"))
        code = "challenge.below" if self._is_too_low() else "challenge.not_below"
        return TargetFlag(
            FlagCode.TOO_LOW, self._is_too_low(), _reason(code, **self._challenge_params())
        )

    def _distance_reason(self, reference: int, kind: str, param: str) -> Reason | None:
        """A reason when the target is beyond the tolerance of a positive ``reference``."""
        tolerance = self.settings.market_tolerance
        if abs(self.target - reference) <= tolerance * reference:
            return None
        gap = abs(Decimal(self.target - reference) / reference)
        direction = "above" if self.target > reference else "below"
        return _reason(
            f"{kind}.{direction}",
            gap=_percent(gap),
            tolerance=_percent(tolerance),
            **{param: _money(reference)},
        )

    def market_flag(self) -> TargetFlag:
        if not self.market:
            return TargetFlag(FlagCode.FAR_FROM_MARKET, False, _reason("market.missing"))
        far = self._distance_reason(self.market, "market", "market")
        if far is not None:
            return TargetFlag(FlagCode.FAR_FROM_MARKET, True, far)
        return TargetFlag(FlagCode.FAR_FROM_MARKET, False, self._near_market())

    def _near_market(self) -> Reason:
        assert self.market is not None
        return _reason(
            "market.near",
            tolerance=_percent(self.settings.market_tolerance),
            market=_money(self.market),
        )

    def specific(self, entered: bool) -> SmartCheck:
        criterion = SmartCriterion.SPECIFIC
        if self.target <= 0:
            return SmartCheck(
                criterion,
                CheckStatus.FAIL,
                _reason("target.not_positive", target=_money(self.target)),
            )
        if not entered:
            return SmartCheck(
                criterion, CheckStatus.WARN, _reason("target.defaulted", target=_money(self.target))
            )
        return SmartCheck(
            criterion,
            CheckStatus.PASS,
            _reason(
                "target.ok",
                target=_money(self.target),
                scope=self.scope,
                fiscal_year=str(self.settings.fiscal_year),
            ),
        )

    def measurable(self) -> SmartCheck:
        criterion = SmartCriterion.MEASURABLE
        growth = _growth(self.target, self.baseline)
        if growth is None:
            return SmartCheck(criterion, CheckStatus.WARN, _reason("baseline.missing"))
        return SmartCheck(
            criterion,
            CheckStatus.PASS,
            _reason(
                "baseline.ok",
                baseline=_money(self.baseline),
                growth=_percent(growth, signed=True),
            ),
        )

    def achievable(self) -> SmartCheck:
        criterion = SmartCriterion.ACHIEVABLE
        if self.forecast <= 0:
            return SmartCheck(criterion, CheckStatus.WARN, _reason("forecast.zero"))
        params = self._challenge_params()
        if self._is_too_high():
            return SmartCheck(criterion, CheckStatus.FAIL, _reason("challenge.above", **params))
        if self._is_too_low():
            return SmartCheck(criterion, CheckStatus.WARN, _reason("challenge.below", **params))
        return SmartCheck(criterion, CheckStatus.PASS, _reason("challenge.within", **params))

    def relevant(self) -> SmartCheck:
        criterion = SmartCriterion.RELEVANT
        if not self.market:
            return SmartCheck(criterion, CheckStatus.WARN, _reason("market.missing"))
        far = self._distance_reason(self.market, "market", "market")
        if far is not None:
            return SmartCheck(criterion, CheckStatus.WARN, far)
        if self.strategic:
            off = self._distance_reason(self.strategic, "strategy", "strategic")
            if off is not None:
                return SmartCheck(criterion, CheckStatus.WARN, off)
        return SmartCheck(criterion, CheckStatus.PASS, self._near_market())

    def time_bound(self, forecast: Forecast | None) -> SmartCheck:
        criterion = SmartCriterion.TIME_BOUND
        first, last = self.settings.plan_periods
        params = {"fiscal_year": str(self.settings.fiscal_year), "first": first, "last": last}
        if forecast is not None and (forecast.periods[0], forecast.periods[-1]) != (first, last):
            return SmartCheck(
                criterion,
                CheckStatus.WARN,
                _reason(
                    "period.mismatch",
                    forecast_first=forecast.periods[0],
                    forecast_last=forecast.periods[-1],
                    **params,
                ),
            )
        return SmartCheck(criterion, CheckStatus.PASS, _reason("period.ok", **params))


class ProposalInputsInvalid(ProblemsFound, ProposalError):  # noqa: N818 -- a sentence
    """Inputs a proposal cannot be built from; each problem names its cell when known."""


def _check_inputs(
    baseline: object,
    forecast_total: object,
    markets: Sequence[MarketAssumption],
    strategic_input: object,
    final_target: object,
    sources: Mapping[str, Source],
) -> None:
    """Collect every bad input into one error naming what was expected and what arrived."""
    problems: list[Problem] = []
    amounts: list[tuple[str, object, bool]] = [
        ("baseline", baseline, True),
        ("forecast", forecast_total, True),
        ("strategic input", strategic_input, True),
        ("final target", final_target, False),
    ]
    for name, value, non_negative in amounts:
        where = sources.get(name, NOWHERE)
        if value is None and name in ("strategic input", "final target"):
            continue
        if not _is_whole(value):
            problems.append(
                error(
                    ProblemCode.NOT_WHOLE_UNITS,
                    f"{name} must be a whole number of currency units (got {value})",
                    source=where,
                    hint="type the amount without cents",
                )
            )
        elif non_negative and value < 0:
            problems.append(
                error(
                    ProblemCode.NEGATIVE_AMOUNT, f"{name} must be >= 0 (got {value})", source=where
                )
            )
    regions: set[str] = set()
    for market in markets:
        if market.region in regions:
            problems.append(
                error(
                    ProblemCode.DUPLICATE_KEY,
                    f"market region {market.region!r} appears more than once",
                    source=market.size_source,
                    hint="keep one row per region in the market table",
                )
            )
        regions.add(market.region)
        if not _is_whole(market.market_size) or market.market_size < 0:
            problems.append(
                error(
                    ProblemCode.OUT_OF_RANGE,
                    f"market size of {market.region} must be a whole number >= 0 "
                    f"(got {market.market_size})",
                    source=market.size_source,
                )
            )
        share = market.target_share
        if not isinstance(share, Decimal) or not Decimal(0) <= share <= Decimal(1):
            problems.append(
                error(
                    ProblemCode.OUT_OF_RANGE,
                    f"target share of {market.region} must be from 0% to 100% (got {share:%})"
                    if isinstance(share, Decimal)
                    else f"target share of {market.region} must be a fraction (got {share!r})",
                    source=market.share_source,
                    hint="type the share of the market the company aims for, e.g. 18%",
                )
            )
    if problems:
        raise ProposalInputsInvalid(problems)


def _is_whole(value: object) -> TypeGuard[int]:
    """An integer type (numpy's too), not a bool and not a float that happens to be whole."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _reason(code: str, **params: str) -> Reason:
    return Reason(code, MappingProxyType(params))


def _round_half_up(value: Decimal, unit: int) -> int:
    """Round to a whole multiple of ``unit``, halves away from zero, as Excel's ROUND does."""
    return round_half_up_units(value, unit) * unit


def _ratio(numerator: int, denominator: int | None) -> Decimal | None:
    if not denominator:
        return None
    return round_half_up(Fraction(numerator, denominator), _RATIO_PLACES)


def _growth(target: int, baseline: int) -> Decimal | None:
    ratio = _ratio(target, baseline)
    return None if ratio is None else ratio - 1


def _percent(fraction: Decimal, *, signed: bool = False) -> str:
    """A fraction as a percentage with at most two decimals: 1.31 -> '131%', 0.0545 -> '5.45%'."""
    value = round_half_up(fraction * 100, Decimal("0.01"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    if signed and value > 0:
        text = "+" + text
    return text + "%"


def _money(amount: int) -> str:
    return f"{amount:,}"
