"""Typed objects that parsing produces and evaluation consumes (parse, then evaluate).

The indicator catalog (``kpi_audit/spec/indicators.toml``) parses into
:class:`Indicator`; target files (``targets/*.toml``) parse into :class:`TargetSet`.
Evaluation never reads TOML: it takes these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["facility", "county", "city"]
LEVELS: tuple[Level, ...] = ("facility", "county", "city")
# The order reports show the levels in: the whole area first.
DISPLAY_LEVEL_ORDER: tuple[Level, ...] = ("city", "county", "facility")

# ratio:           Σ numerator / Σ denominator × scale
# yoy_decline:     1 − Σ numerator(P) / Σ numerator(P − 1 year), comparable units only
# yoy_growth:      Σ numerator(P) / Σ numerator(P − 1 year) − 1, comparable units only
# sum:             Σ numerator (e.g. key specialties in a county)
# count:           number of institutions that pass the numerator filter
# facility_share:  institutions passing the numerator filter / institutions passing
#                  the denominator filter
IndicatorKind = Literal["ratio", "yoy_decline", "yoy_growth", "sum", "count", "facility_share"]
Scale = Literal["fraction", "per_1000", "per_10000", "number"]
SCALE_FACTOR: dict[str, float] = {
    "fraction": 1.0,
    "per_1000": 1000.0,
    "per_10000": 10000.0,
    "number": 1.0,
}
# What an indicator's value is, for display (see Indicator.value_kind): a share or a
# rate of change (fractions, shown as percentages), a count (whole numbers), a rate per
# 1,000 / 10,000, or another number.
# The area register's column that is an indicator's denominator when the register covers
# the period's year (domain.md §4b): 常住人口 overall, urban, rural or key populations.
PopulationColumn = Literal["population", "urban_population", "rural_population", "key_population"]
POPULATION_COLUMNS: tuple[PopulationColumn, ...] = (
    "population",
    "urban_population",
    "rural_population",
    "key_population",
)
ValueKind = Literal["share", "rate", "count", "per_1000", "per_10000", "number"]
VALUE_KINDS: tuple[ValueKind, ...] = ("share", "rate", "count", "per_1000", "per_10000", "number")
PERCENT_KINDS: tuple[ValueKind, ...] = ("share", "rate")
# around: met within ± ``tolerance`` of ``threshold`` (the documents' “左右”).
Operator = Literal[">=", "<=", "between", "==", ">", "<", "around"]
# from: applies from the start of from_year; year_end: judged on the whole year (or its
# last quarter), earlier quarters of the year are not_due.
Due = Literal["from", "year_end"]
AreaType = Literal["市辖区", "县", "县级市", "其他"]
AREA_TYPES: tuple[AreaType, ...] = ("市辖区", "县", "县级市", "其他")
ConditionOp = Literal["=", "!=", ">=", "<=", ">", "<", "in", "not in"]


@dataclass(frozen=True)
class Condition:
    """One test on a submission column, or on the pseudo-column ``org_class``."""

    field: str
    op: ConditionOp
    value: str | int | float | bool | tuple[str | int | float, ...]


@dataclass(frozen=True)
class Measure:
    """What is summed (``field``) or counted (``field is None``) over which rows."""

    field: str | None
    where: tuple[Condition, ...] = ()
    # Summed instead of ``field`` on a row where ``field`` is blank (e.g. 总诊疗人次 for
    # 门诊人次); the audit lists the institutions it was used for.
    fallback: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    kind: IndicatorKind
    numerator: Measure
    denominator: Measure | None = None
    scale: Scale = "fraction"
    levels: tuple[Level, ...] = ("county", "city")
    description: str = ""
    # Data the submission fields cannot supply (e.g. in-county visits of county
    # residents). Non-empty means every target on this indicator is not evaluable.
    needs: tuple[str, ...] = ()
    # The same, in Chinese, entry for entry (the catalog requires it with ``needs``).
    needs_zh: tuple[str, ...] = ()
    # A population-based indicator: the area register's column that replaces the summed
    # facility denominator at county and city level when the register covers the year.
    population_denominator: PopulationColumn | None = None

    @property
    def value_kind(self) -> ValueKind:
        """What the value is, from kind and scale: the one rule every renderer follows."""
        if self.kind in ("sum", "count"):
            return "count"
        if self.scale == "fraction":
            return "rate" if self.kind in ("yoy_decline", "yoy_growth") else "share"
        return self.scale

    @property
    def fields_used(self) -> tuple[str, ...]:
        used: list[str] = []
        for m in (self.numerator, self.denominator):
            if m is None:
                continue
            if m.field:
                used.append(m.field)
            if m.fallback:
                used.append(m.fallback)
            used.extend(c.field for c in m.where if c.field != "org_class")
        return tuple(dict.fromkeys(used))

    @property
    def evaluable(self) -> bool:
        return not self.needs


@dataclass(frozen=True)
class Source:
    document: str  # title, e.g. 郑州市人民政府关于推进分级诊疗制度建设的实施意见
    number: str  # document number, e.g. 郑政〔2016〕31号
    clause: str  # e.g. 二、(二)3
    quote: str  # the sentence that sets the target, quoted

    @property
    def citation(self) -> str:
        """Title and number, as reports and the JSON ``source.document`` show it."""
        return f"{self.document}（{self.number}）" if self.number else self.document


@dataclass(frozen=True)
class Scope:
    """Which areas and institutions a target applies to.

    ``area_type`` (empty = every type): a county-level unit of another type is
    ``out_of_scope`` for the target. ``where``: institution conditions (the catalog's
    ``where`` grammar, ANDed) that every row counted for this target must pass, on top
    of the indicator's own — e.g. ``org_class != tcm_institution`` to leave 三级中医医院
    out of a 三级医院 target. Empty = the indicator's rows unchanged.
    """

    area_type: tuple[AreaType, ...] = ()
    where: tuple[Condition, ...] = ()

    @property
    def is_everything(self) -> bool:
        return not self.area_type and not self.where

    def applies_to_area(self, area_type: str | None) -> bool:
        """Whether a unit of ``area_type`` is in scope (unknown types are in scope)."""
        return not self.area_type or area_type is None or area_type in self.area_type


@dataclass(frozen=True)
class Target:
    id: str
    target_set: str
    indicator: str  # an Indicator id
    operator: Operator
    threshold: float
    from_year: int
    levels: tuple[Level, ...]
    source: Source
    threshold_high: float | None = None  # the upper bound for ``between``
    # A value short of the threshold by no more than this is ``warn`` rather than
    # ``fail`` (same units as the threshold; None = no warning band).
    warn_within: float | None = None
    until_year: int | None = None  # last year in force; None = until replaced
    # False for an aspiration (力争/努力): evaluated and shown as progress, never a failure
    # in the summary's ``fail`` count or the exit code.
    binding: bool = True
    tolerance: float | None = None  # for ``around``: met within ± tolerance of threshold
    due: Due = "from"
    scope: Scope = field(default_factory=Scope)
    title_zh: str = ""
    note: str = ""
    line: int | None = None  # where it is defined in its file, for messages

    def in_force(self, year: int) -> bool:
        return self.from_year <= year and (self.until_year is None or year <= self.until_year)


@dataclass(frozen=True)
class ReferenceValue:
    """A value a document reports (e.g. 湖北省2018年 signing coverage 36.65%): context shown
    next to an indicator's results, never a threshold — nothing is judged against it."""

    id: str
    indicator: str  # an Indicator id
    value: float  # in the indicator's scale (shares as fractions)
    year: int
    area: str  # e.g. 湖北省
    label_zh: str  # e.g. 湖北省2018年
    label_en: str
    source: Source
    reference_set: str = ""


@dataclass(frozen=True)
class TargetSet:
    name: str  # e.g. zhengzhou-2016
    title: str
    path: str
    targets: tuple[Target, ...] = field(default_factory=tuple)
    area: str = ""  # the area the document governs, e.g. 郑州市
