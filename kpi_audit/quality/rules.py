"""The rule catalogue (``rules.toml``) parsed into typed rule objects, validated strictly.

One dataclass per kind holds that kind's parameters; every rule shares :class:`Rule`'s
id, severity, names and message texts. Any mistake is a
:class:`~kpi_audit.core.errors.ConfigError` naming the file, line and key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.fields import FIELDS_BY_ID, INT_FIELDS, ORG_TYPES
from kpi_audit.core.models import POPULATION_COLUMNS, Indicator, Measure
from kpi_audit.quality.kinds import (
    AREA_LEVELS,
    COMMON_KEYS,
    RULE_KINDS,
    SEVERITIES,
    ConsistencyRule,
    JumpRule,
    LateRule,
    OutlierRule,
    OverlapRule,
    RelatedRule,
    RepeatedRule,
    Rule,
    Side,
)
from kpi_audit.spec.tomlsource import ConfigProblem, EntryReader, TomlSource

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COMMON = COMMON_KEYS


_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "outlier_history": (
        "fields",
        "z",
        "min_history",
        "max_history",
        "mad_zero_margin",
        "seasonal_tolerance",
        "floor",
    ),
    "jump_previous": ("fields", "factor", "floor"),
    "consistency_over_time": ("indicators", "levels", "compare", "years", "tolerance"),
    "related": ("levels", "left", "right", "op", "factor", "band"),
    "repeated_submission": ("fields", "compare", "min_fields", "floor", "within"),
    "late_submission": ("deadline_months", "deadline_day"),
    "population_overlap": ("types",),
}


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules in file order; ``path`` None reads the bundled ``rules.toml`` (parsed once
    per process). Raises ConfigError on the first problem."""
    if path is None:
        return _bundled_rules()
    return _load(path)


@lru_cache(maxsize=1)
def _bundled_rules() -> tuple[Rule, ...]:
    return _load(Path(str(files("kpi_audit.quality").joinpath("rules.toml"))))


def _load(path: Path) -> tuple[Rule, ...]:
    rules, problems = check_rules(path)
    if problems:
        rest = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(f"invalid quality rules: {problems[0]}{rest}")
    return rules


def check_rules(
    path: Path, catalog: Mapping[str, Indicator] | None = None
) -> tuple[tuple[Rule, ...], list[ConfigProblem]]:
    """Parse and validate a rules file: the valid rules and every problem."""
    source, problems = TomlSource.read(path)
    if source.data is None:
        return (), problems
    if catalog is None:
        from kpi_audit.spec.catalog import load_catalog

        catalog = load_catalog()
    for key in sorted(set(source.data) - {"rule"}):
        problems.append(
            ConfigProblem(
                source.path, source.table_line(key), key, "unknown table (expected [[rule]])"
            )
        )
    entries = source.data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        return (), [*problems, ConfigProblem(source.path, None, "rule", "no [[rule]] entries")]
    rules: list[Rule] = []
    for index, entry in enumerate(entries):
        parser = _RuleParser(source, index, entry, catalog)
        rule = parser.parse()
        problems.extend(parser.problems)
        if rule is None:
            continue
        if any(r.id == rule.id for r in rules):
            problems.append(parser.problem("id", "duplicate rule id"))
            continue
        rules.append(rule)
    return tuple(rules), problems


class _RuleParser(EntryReader):
    def __init__(
        self,
        source: TomlSource,
        index: int,
        entry: dict[str, Any],
        catalog: Mapping[str, Indicator],
    ) -> None:
        raw_id = entry.get("id")
        name = raw_id if isinstance(raw_id, str) and raw_id else f"rule[{index + 1}]"
        super().__init__(source, "rule", index, entry, name)
        self.catalog = catalog

    def parse(self) -> Rule | None:
        kind = self.entry.get("kind")
        if kind not in RULE_KINDS:
            self._add("kind", f"unknown kind {kind!r} (expected one of {', '.join(RULE_KINDS)})")
            return None
        self._check_keys(_COMMON + _KIND_KEYS[kind])
        ident = self._text("id", required=True)
        if ident and not _ID.match(ident):
            self._add("id", "must be lower-case letters, digits and _")
        severity = self.entry.get("severity", "warning")
        if severity not in SEVERITIES:
            self._add("severity", f"expected one of {', '.join(SEVERITIES)}")
        common = {
            "id": ident,
            "kind": kind,
            "severity": severity,
            **{k: self._text(k, required=True) for k in _COMMON[3:]},
        }
        rule = _BUILDERS[kind](self, common)
        return None if self.problems else rule

    # ---- typed values -------------------------------------------------------------

    def _positive(self, key: str, default: float, *, integer: bool = False) -> Any:
        value = self._number(key, required=False)
        if value is None:
            return default
        if value < 0 or (integer and int(value) != value):
            self._add(key, "must be a non-negative " + ("whole number" if integer else "number"))
            return default
        return int(value) if integer else float(value)

    def _fields(self) -> tuple[str, ...]:
        raw = self.entry.get("fields")
        if not isinstance(raw, list) or not raw:
            self._add("fields", "must be a non-empty list of count fields")
            return ()
        for f in raw:
            if f not in INT_FIELDS:
                known = f in FIELDS_BY_ID
                self._add("fields", f"{f!r} is not a {'count' if known else 'submission'} field")
        return tuple(raw)

    def _choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.entry.get(key, choices[0])
        if value not in choices:
            self._add(key, f"expected one of {', '.join(choices)}")
            return choices[0]
        return str(value)

    def _area_levels(self, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.entry.get("levels", list(default))
        if not isinstance(raw, list) or not raw or any(lv not in AREA_LEVELS for lv in raw):
            self._add("levels", f"must be a non-empty list of {', '.join(AREA_LEVELS)}")
            return default
        return tuple(lv for lv in AREA_LEVELS if lv in raw)

    def _indicator(self, key: str, ident: Any) -> Indicator | None:
        ind = self.catalog.get(ident) if isinstance(ident, str) else None
        if ind is None:
            self._add(key, f"{ident!r} is not an indicator of the catalog")
        elif ind.kind not in ("ratio", "sum", "count", "facility_share") or ind.needs:
            self._add(key, f"{ident!r} is not a ratio, sum or count computed from submissions")
            return None
        return ind

    def _side(self, key: str) -> Side | None:
        raw = self.entry.get(key)
        if isinstance(raw, str):
            ind = self._indicator(key, raw)
            return Side(ind) if ind else None
        if not isinstance(raw, dict):
            self._add(key, "missing: an indicator id or an inline { numerator, denominator }")
            return None
        from kpi_audit.spec.catalog import read_ratio_measures

        known = ("numerator", "denominator", "per_year", "population_denominator", "register_only")
        for sub in raw:
            if sub not in known:
                self._add(f"{key}.{sub}", f"unknown key (expected {', '.join(known)})")
        per_year = raw.get("per_year", False)
        if not isinstance(per_year, bool):
            self._add(f"{key}.per_year", "must be true or false")
        population = raw.get("population_denominator")
        if population is not None and population not in POPULATION_COLUMNS:
            self._add(
                f"{key}.population_denominator", f"must be one of {', '.join(POPULATION_COLUMNS)}"
            )
            population = None
        register_only = raw.get("register_only", False)
        if not isinstance(register_only, bool) or (register_only and population is None):
            self._add(f"{key}.register_only", "true or false, with a population_denominator")
            register_only = False
        measures = {k: v for k, v in raw.items() if k in ("numerator", "denominator")}
        num, den, problems = read_ratio_measures(
            self.source, "rule", self.index or 0, measures, f"{self.prefix}.{key}"
        )
        self.problems.extend(problems)
        if num is None or den is None or problems:
            return None
        ind = Indicator(
            id=f"{self.prefix}.{key}",
            name_zh=self.entry.get("name_zh", ""),
            name_en=self.entry.get("name_en", ""),
            kind="ratio",
            numerator=num,
            denominator=den,
            population_denominator=population,
        )
        return Side(ind, per_year=bool(per_year), register_only=register_only)


def _outlier(p: _RuleParser, common: dict[str, Any]) -> Rule:
    return OutlierRule(
        **common,
        fields=p._fields(),
        z=p._positive("z", 3.5),
        min_history=p._positive("min_history", 4, integer=True),
        max_history=p._positive("max_history", 8, integer=True),
        mad_zero_margin=p._positive("mad_zero_margin", 0.5),
        seasonal_tolerance=p._positive("seasonal_tolerance", 0.2),
        floor=p._positive("floor", 0.0),
    )


def _jump(p: _RuleParser, common: dict[str, Any]) -> Rule:
    factor = p._positive("factor", 3.0)
    if factor <= 1:
        p._add("factor", "must be greater than 1")
    return JumpRule(**common, fields=p._fields(), factor=factor, floor=p._positive("floor", 0.0))


def _consistency(p: _RuleParser, common: dict[str, Any]) -> Rule:
    raw = p.entry.get("indicators")
    if not isinstance(raw, list) or not raw:
        p._add("indicators", "must be a non-empty list of indicator ids")
        raw = []
    indicators = tuple(i for i in raw if p._indicator("indicators", i))
    compare = p._choice("compare", ("own_history", "city"))
    levels = p._area_levels(("county",))
    if compare == "city" and levels != ("county",):
        p._add("levels", 'compare = "city" compares counties only: levels = ["county"]')
    return ConsistencyRule(
        **common,
        indicators=indicators,
        levels=levels,
        compare=compare,  # type: ignore[arg-type]
        years=max(1, p._positive("years", 3, integer=True)),
        tolerance=p._positive("tolerance", 0.33),
    )


def _related(p: _RuleParser, common: dict[str, Any]) -> Rule:
    left = p._side("left")
    band_raw = p.entry.get("band")
    if band_raw is not None:
        if "op" in p.entry or "right" in p.entry:
            p._add("band", "give either band or op with right, not both")
        if (
            not isinstance(band_raw, list)
            or len(band_raw) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in band_raw)
            or band_raw[0] > band_raw[1]
        ):
            p._add("band", "must be [low, high] with low ≤ high")
            band_raw = [0, 0]
        band = (float(band_raw[0]), float(band_raw[1]))
        return RelatedRule(
            **common, left=left, op="band", band=band, levels=p._area_levels(("county",))
        )
    op = p._choice("op", (">=", "<="))
    return RelatedRule(
        **common,
        left=left,
        right=p._side("right"),
        op=op,  # type: ignore[arg-type]
        factor=p._positive("factor", 1.0),
        levels=p._area_levels(("county",)),
    )


def _repeated(p: _RuleParser, common: dict[str, Any]) -> Rule:
    return RepeatedRule(
        **common,
        fields=p._fields(),
        compare=p._choice("compare", ("previous", "institutions")),  # type: ignore[arg-type]
        min_fields=max(1, p._positive("min_fields", 2, integer=True)),
        floor=p._positive("floor", 0.0),
        within=p._choice("within", ("city", "county", "all")),  # type: ignore[arg-type]
    )


def _late(p: _RuleParser, common: dict[str, Any]) -> Rule:
    day = p._positive("deadline_day", 15, integer=True)
    if not 1 <= day <= 28:
        p._add("deadline_day", "must be a day 1–28 (every month has it)")
    return LateRule(
        **common, deadline_months=p._positive("deadline_months", 1, integer=True), deadline_day=day
    )


def _overlap(p: _RuleParser, common: dict[str, Any]) -> Rule:
    raw = p.entry.get("types", ["乡镇卫生院", "村卫生室"])
    if not isinstance(raw, list) or len(raw) < 2 or any(t not in ORG_TYPES for t in raw):
        p._add(
            "types", "must list two or more institution types (机构类别), e.g. 乡镇卫生院, 村卫生室"
        )
        raw = ["乡镇卫生院", "村卫生室"]
    return OverlapRule(**common, types=tuple(raw))


_BUILDERS: dict[str, Any] = {
    "outlier_history": _outlier,
    "jump_previous": _jump,
    "consistency_over_time": _consistency,
    "related": _related,
    "repeated_submission": _repeated,
    "late_submission": _late,
    "population_overlap": _overlap,
}


def measure_fields(m: Measure | None) -> list[str]:
    if m is None:
        return []
    return [*([m.field] if m.field else []), *(c.field for c in m.where if c.field != "org_class")]
