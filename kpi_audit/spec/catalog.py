"""The indicator catalog: ``indicators.toml`` (data) parsed into :class:`Indicator`
objects, validated strictly.

Adding an indicator means adding an ``[[indicator]]`` entry to the TOML file; the
header comment of that file describes the shape. Any mistake (unknown field, kind,
scale or level; a ratio without denominator; a duplicate id …) is a
:class:`~kpi_audit.core.errors.ConfigError` naming the file, line and key.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast, get_args

from kpi_audit.core.errors import ConfigError
from kpi_audit.core.fields import FIELDS_BY_ID, ORG_CLASSES
from kpi_audit.core.models import (
    POPULATION_COLUMNS,
    Condition,
    ConditionOp,
    Indicator,
    IndicatorKind,
    Measure,
    Scale,
)
from kpi_audit.spec.tomlsource import ConfigProblem, EntryReader, TomlSource

__all__ = [
    "KINDS",
    "SCALES",
    "ConfigProblem",
    "WhereReader",
    "check_catalog",
    "load_catalog",
    "read_ratio_measures",
]

KINDS: tuple[str, ...] = get_args(IndicatorKind)
SCALES: tuple[str, ...] = get_args(Scale)
CONDITION_OPS: tuple[str, ...] = get_args(ConditionOp)
ORG_CLASS = "org_class"  # the pseudo-field: keys of kpi_audit.core.fields.ORG_CLASSES

_INDICATOR_KEYS = (
    "id",
    "name_zh",
    "name_en",
    "kind",
    "scale",
    "levels",
    "description",
    "numerator",
    "denominator",
    "needs",
    "needs_zh",
    "population_denominator",
)
_MEASURE_KEYS = ("field", "where", "fallback")
# Kinds that sum a field; the others count institutions.
_SUMMING_KINDS = ("ratio", "yoy_decline", "yoy_growth", "sum")
_ORDER_OPS = (">=", "<=", ">", "<")
_LIST_OPS = ("in", "not in")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def load_catalog(path: Path | None = None) -> dict[str, Indicator]:
    """The indicators by id. ``path`` None reads the bundled ``indicators.toml`` (parsed
    once per process). Raises ConfigError on the first problem."""
    if path is None:
        return dict(_bundled_catalog())
    return _load(path)


@lru_cache(maxsize=1)
def _bundled_catalog() -> dict[str, Indicator]:
    resource = files("kpi_audit.spec").joinpath("indicators.toml")
    return _load(Path(str(resource)))


def _load(path: Path) -> dict[str, Indicator]:
    indicators, problems = check_catalog(path)
    if problems:
        rest = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(f"invalid indicator catalog: {problems[0]}{rest}")
    return indicators


def check_catalog(path: Path) -> tuple[dict[str, Indicator], list[ConfigProblem]]:
    """Parse and validate a catalog file: the valid indicators and every problem."""
    source, problems = TomlSource.read(path)
    if source.data is None:
        return {}, problems
    unknown = sorted(set(source.data) - {"indicator"})
    for key in unknown:
        problems.append(
            ConfigProblem(
                source.path,
                source.table_line(key),
                key,
                "unknown table (expected [[indicator]] entries)",
            )
        )
    entries = source.data.get("indicator", [])
    if not isinstance(entries, list) or not entries:
        problems.append(ConfigProblem(source.path, None, "indicator", "no [[indicator]] entries"))
        return {}, problems
    indicators: dict[str, Indicator] = {}
    first_line: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        parser = _IndicatorParser(source, index, entry)
        indicator = parser.parse()
        problems.extend(parser.problems)
        if indicator is None:
            continue
        if indicator.id in indicators:
            problems.append(
                parser.problem(
                    "id",
                    f"duplicate indicator id (first defined on line {first_line[indicator.id]})",
                )
            )
            continue
        indicators[indicator.id] = indicator
        first_line[indicator.id] = parser.line("id")
    return indicators, problems


class WhereReader(EntryReader):
    """An EntryReader that also reads ``where`` tables (field = value, list, or
    {operator = value}): the catalog's measures and the target files' ``scope.where``."""

    def _where(self, key: str, raw: Any) -> tuple[Condition, ...]:
        if not isinstance(raw, dict):
            self._add(f"{key}.where", "must be a table of field = value")
            return ()
        conditions: list[Condition] = []
        for field, spec in raw.items():
            where_key = f"{key}.where.{field}"
            if field != ORG_CLASS and (field not in FIELDS_BY_ID or field == "period"):
                self._add(where_key, "unknown field (a submission field id or org_class)")
                continue
            if isinstance(spec, dict):
                pairs = list(spec.items())
            elif isinstance(spec, list):
                pairs = [("in", spec)]
            else:
                pairs = [("=", spec)]
            for op, value in pairs:
                condition = self._condition(where_key, field, op, value)
                if condition is not None:
                    conditions.append(condition)
        return tuple(conditions)

    def _condition(self, key: str, field: str, op: str, value: Any) -> Condition | None:
        if op not in CONDITION_OPS:
            self._add(key, f"unknown operator {op!r} (expected one of {', '.join(CONDITION_OPS)})")
            return None
        if op in _LIST_OPS:
            if not isinstance(value, list) or not value:
                self._add(key, f"'{op}' needs a non-empty list")
                return None
            values = value
        elif isinstance(value, list | dict):
            self._add(key, f"'{op}' needs a single value")
            return None
        else:
            values = [value]
        ftype = "org_class" if field == ORG_CLASS else FIELDS_BY_ID[field].type
        if op in _ORDER_OPS and ftype != "int":
            self._add(key, f"'{op}' only compares numbers; {field} is not numeric")
            return None
        for v in values:
            message = _value_problem(field, ftype, v)
            if message:
                self._add(key, message)
                return None
        stored = tuple(values) if op in _LIST_OPS else values[0]
        return Condition(field=field, op=cast(ConditionOp, op), value=stored)


class _IndicatorParser(WhereReader):
    """Turns one ``[[indicator]]`` table into an Indicator, collecting problems."""

    def __init__(self, source: TomlSource, index: int, entry: dict[str, Any]) -> None:
        raw_id = entry.get("id")
        name = raw_id if isinstance(raw_id, str) and raw_id else f"indicator[{index + 1}]"
        super().__init__(source, "indicator", index, entry, name)

    def parse(self) -> Indicator | None:
        e = self.entry
        self._check_keys(_INDICATOR_KEYS, suggest=False)
        ident = self._required_text("id")
        if ident and not _ID.match(ident):
            self._add("id", "must be lower-case letters, digits and _ (e.g. primary_visit_share)")
        name_zh, name_en = self._required_text("name_zh"), self._required_text("name_en")
        description = self._text("description")
        kind = e.get("kind")
        if kind not in KINDS:
            self._add("kind", f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        scale = e.get("scale", "fraction")
        if scale not in SCALES:
            self._add("scale", f"unknown scale {scale!r} (expected one of {', '.join(SCALES)})")
        levels = self._levels(("county", "city"))
        population = e.get("population_denominator")
        if population is not None and (
            population not in POPULATION_COLUMNS or kind != "ratio" or "denominator" not in e
        ):
            self._add(
                "population_denominator",
                f"must be one of {', '.join(POPULATION_COLUMNS)}, on a ratio with a denominator",
            )
        needs = self._needs()
        needs_zh = self._needs_zh(needs)
        numerator = denominator = None
        if needs:
            for key in ("numerator", "denominator"):
                if key in e:
                    self._add(
                        key,
                        "an indicator with 'needs' cannot be computed: drop "
                        f"'{key}' (or drop 'needs')",
                    )
        elif kind in KINDS:
            numerator, denominator = self._measures(kind)
        if self.problems:
            return None
        return Indicator(
            id=ident,
            name_zh=name_zh,
            name_en=name_en,
            kind=cast(IndicatorKind, kind),
            scale=scale,
            numerator=numerator or Measure(None),
            denominator=denominator,
            levels=levels,
            description=description,
            needs=needs,
            needs_zh=needs_zh,
            population_denominator=population,
        )

    def _required_text(self, key: str) -> str:
        return self._text(key, required=True, if_empty="missing")

    def _needs(self) -> tuple[str, ...]:
        raw = self.entry.get("needs", [])
        if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
            self._add("needs", "must be a list of descriptions of the data it needs")
            return ()
        return tuple(n.strip() for n in raw)

    def _needs_zh(self, needs: tuple[str, ...]) -> tuple[str, ...]:
        """The Chinese of ``needs``, entry for entry: reports in Chinese show it."""
        raw = self.entry.get("needs_zh")
        if raw is None:
            if needs:
                message = "missing: give a Chinese description of each entry of 'needs'"
                self._add("needs_zh", message, at="needs")
            return ()
        if "needs" not in self.entry:
            self._add("needs_zh", "without 'needs': drop it (or add 'needs')")
            return ()
        if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
            self._add("needs_zh", "must be a list of Chinese descriptions of the data it needs")
            return ()
        if len(raw) != len(needs):
            self._add(
                "needs_zh",
                f"'needs' has {len(needs)} entries but needs_zh has {len(raw)}: give "
                "one Chinese description for each",
            )
            return ()
        for number, text in enumerate(raw, start=1):
            if not _CJK.search(text):
                self._add("needs_zh", f"entry {number} is not Chinese: {text.strip()!r}")
                return ()
        return tuple(n.strip() for n in raw)

    def _measures(self, kind: str) -> tuple[Measure | None, Measure | None]:
        sums = kind in _SUMMING_KINDS
        numerator = self._measure("numerator", field_required=sums, field_allowed=sums)
        if kind == "ratio" or kind == "facility_share":
            if "denominator" not in self.entry:
                self._add("denominator", f"missing: a {kind} indicator needs a denominator")
                return numerator, None
            denominator = self._measure("denominator", field_required=sums, field_allowed=sums)
            return numerator, denominator
        if "denominator" in self.entry:
            self._add("denominator", f"a {kind} indicator takes no denominator")
        return numerator, None

    def _measure(self, key: str, *, field_required: bool, field_allowed: bool) -> Measure | None:
        raw = self.entry.get(key)
        if not isinstance(raw, dict):
            self._add(
                key,
                "missing" if raw is None else 'must be a table, e.g. { field = "total_visits" }',
            )
            return None
        for sub in raw:
            if sub not in _MEASURE_KEYS:
                self._add(f"{key}.{sub}", "unknown key (expected field, where, fallback)")
        field = raw.get("field")
        if field is None and field_required:
            self._add(f"{key}.field", "missing: which submission field is summed")
        elif field is not None and not field_allowed:
            self._add(
                f"{key}.field",
                "this kind counts institutions: drop 'field' and say which ones in 'where'",
            )
            field = None
        elif field is not None and (field not in FIELDS_BY_ID or FIELDS_BY_ID[field].type != "int"):
            self._add(f"{key}.field", f"{field!r} is not a numeric submission field")
            field = None
        fallback = raw.get("fallback")
        if fallback is not None and field is None:
            self._add(f"{key}.fallback", "a fallback stands in for 'field': give the field too")
            fallback = None
        elif fallback is not None and (
            fallback not in FIELDS_BY_ID or FIELDS_BY_ID[fallback].type != "int"
        ):
            self._add(f"{key}.fallback", f"{fallback!r} is not a numeric submission field")
            fallback = None
        where = self._where(key, raw.get("where", {}))
        return Measure(field=field, where=where, fallback=fallback)


def _value_problem(field: str, ftype: str, value: Any) -> str | None:
    if ftype == "org_class":
        if value not in ORG_CLASSES:
            return f"unknown org_class {value!r} (expected one of {', '.join(ORG_CLASSES)})"
        return None
    if ftype == "bool":
        return None if isinstance(value, bool) else f"{field} is yes/no: use true or false"
    if ftype == "int":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"{field} is a number: {value!r} is not"
    if not isinstance(value, str):
        return f"{field} is text: quote {value!r}"
    vocabulary = FIELDS_BY_ID[field].vocabulary
    if vocabulary and value not in vocabulary:
        return f"{value!r} is not a {field} value (expected one of {', '.join(vocabulary)})"
    return None


def read_ratio_measures(
    source: TomlSource, table: str, index: int, entry: dict[str, Any], prefix: str
) -> tuple[Measure | None, Measure | None, list[ConfigProblem]]:
    """Numerator and denominator of a ratio written inline in another file's table (a
    data-quality rule's side), read and checked exactly as an ``[[indicator]]``'s are."""
    reader = _IndicatorParser(source, index, entry)
    EntryReader.__init__(reader, source, table, index, entry, prefix)
    numerator, denominator = reader._measures("ratio")
    return numerator, denominator, reader.problems
