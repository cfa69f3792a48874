"""The rule kinds as typed objects: one dataclass per kind holds its parameters; every
rule shares :class:`Rule`'s id, severity, names and message texts. Parsed from
``rules.toml`` by :mod:`kpi_audit.quality.rules`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from kpi_audit.core.models import Indicator

RuleKind = Literal[
    "outlier_history",
    "jump_previous",
    "consistency_over_time",
    "related",
    "repeated_submission",
    "late_submission",
    "population_overlap",
]
Severity = Literal["error", "warning"]
RULE_KINDS: tuple[str, ...] = get_args(RuleKind)
SEVERITIES: tuple[str, ...] = get_args(Severity)
AREA_LEVELS = ("county", "city")
COMMON_KEYS = ("id", "kind", "severity", "name_zh", "name_en", "text_zh", "text_en")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    severity: Severity
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def parameters(self) -> dict[str, Any]:
        """The kind's own parameters (what `quality rules` lists)."""
        skip = set(COMMON_KEYS)
        return {k: v for k, v in self.__dict__.items() if k not in skip}


@dataclass(frozen=True)
class OutlierRule(Rule):
    fields: tuple[str, ...] = ()
    z: float = 3.5
    min_history: int = 4
    max_history: int = 8
    mad_zero_margin: float = 0.5
    seasonal_tolerance: float = 0.2
    floor: float = 0.0


@dataclass(frozen=True)
class JumpRule(Rule):
    fields: tuple[str, ...] = ()
    factor: float = 3.0
    floor: float = 0.0


@dataclass(frozen=True)
class ConsistencyRule(Rule):
    indicators: tuple[str, ...] = ()
    levels: tuple[str, ...] = ("county",)
    compare: Literal["own_history", "city"] = "own_history"
    years: int = 3
    tolerance: float = 0.33


@dataclass(frozen=True)
class Side:
    """One side of a related-data rule: a catalog indicator or an inline ratio."""

    indicator: Indicator
    per_year: bool = False
    # only where the area register divides it (a unit on the facilities' basis has no
    # value): visits per resident over primary care's served population reads low
    register_only: bool = False


@dataclass(frozen=True)
class RelatedRule(Rule):
    left: Side | None = None
    right: Side | None = None
    op: Literal[">=", "<=", "band"] = ">="
    factor: float = 1.0
    band: tuple[float, float] | None = None
    levels: tuple[str, ...] = ("county",)


@dataclass(frozen=True)
class RepeatedRule(Rule):
    fields: tuple[str, ...] = ()
    compare: Literal["previous", "institutions"] = "previous"
    min_fields: int = 2
    floor: float = 0.0
    # compare = "institutions": among the institutions of one city (the office that
    # receives the reports), of one county, or of every city loaded. Across a whole
    # province or nation, identical small rows meet by chance: 1,000,000 institutions
    # in one comparison gave 212,559 findings on the benchmark's data.
    within: Literal["city", "county", "all"] = "city"


@dataclass(frozen=True)
class LateRule(Rule):
    deadline_months: int = 1
    deadline_day: int = 15


@dataclass(frozen=True)
class OverlapRule(Rule):
    """Without an area register, a county where institutions of every one of ``types``
    report 服务常住人口 may count its residents twice (a 乡镇卫生院 and the 村卫生室 under
    it both report the township)."""

    types: tuple[str, ...] = ("乡镇卫生院", "村卫生室")
