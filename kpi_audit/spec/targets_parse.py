"""Parsing and validating one target file (``targets/*.toml``) into a
:class:`~kpi_audit.core.models.TargetSet`, with every problem as a record that names the
file, line and key. ``kpi_audit.spec.targets`` is the public face of this module.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, cast, get_args

from kpi_audit.core.models import (
    AREA_TYPES,
    AreaType,
    Due,
    Indicator,
    Level,
    Operator,
    Scope,
    Source,
    Target,
    TargetSet,
)
from kpi_audit.spec.catalog import WhereReader
from kpi_audit.spec.tomlsource import ConfigProblem, EntryReader, TomlSource

OPERATORS: tuple[str, ...] = get_args(Operator)
DUES: tuple[str, ...] = get_args(Due)
SCOPE_KEYS = ("area_type", "where")
SET_KEYS = ("name", "title", "document", "number", "area", "note")
TARGET_KEYS = (
    "id",
    "indicator",
    "operator",
    "threshold",
    "threshold_high",
    "from_year",
    "until_year",
    "levels",
    "warn_within",
    "tolerance",
    "binding",
    "due",
    "scope",
    "clause",
    "quote",
    "title_zh",
    "note",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FIRST_YEAR, _LAST_YEAR = 1949, 2100
# Kinds whose fraction-scale values are shares between 0 and 1.
_SHARE_KINDS = ("ratio", "facility_share", "yoy_decline")


def parse_target_file(
    path: Path, catalog: dict[str, Indicator]
) -> tuple[TargetSet | None, list[ConfigProblem]]:
    """The target set (None when there is any problem) and every problem found."""
    source, problems = TomlSource.read(path)
    if source.data is None:
        return None, problems
    data = source.data
    for key in data:
        if key not in ("set", "target"):
            problems.append(
                ConfigProblem(
                    source.path,
                    source.table_line(key),
                    key,
                    "unknown table (expected [set] and [[target]])",
                )
            )
    header = _SetHeader(source, data.get("set"), path.stem)
    problems.extend(header.problems)
    entries = data.get("target")
    if not isinstance(entries, list) or not entries:
        problems.append(ConfigProblem(source.path, None, "target", "no [[target]] entries"))
        return None, problems
    targets: list[Target] = []
    indexes: list[int] = []  # each valid target's position among the [[target]] tables
    first_line: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        parser = _TargetParser(source, index, entry, header, catalog)
        target = parser.parse()
        problems.extend(parser.problems)
        if target is None:
            continue
        if target.id in first_line:
            problems.append(
                parser.problem(
                    "id", f"duplicate target id (first defined on line {first_line[target.id]})"
                )
            )
            continue
        first_line[target.id] = target.line
        targets.append(target)
        indexes.append(index)
    problems.extend(_ambiguous(source, targets, indexes))
    if problems:
        return None, problems
    return TargetSet(
        name=header.name,
        title=header.title,
        path=str(path),
        targets=tuple(targets),
        area=header.area,
    ), []


def _ambiguous(
    source: TomlSource, targets: list[Target], indexes: list[int]
) -> list[ConfigProblem]:
    """Two targets on the same indicator, overlapping levels and the same from_year:
    the evaluator could not tell which one is in force."""
    problems = []
    for i, later in enumerate(targets):
        for earlier in targets[:i]:
            if (
                earlier.indicator == later.indicator
                and earlier.from_year == later.from_year
                and earlier.scope == later.scope
                and set(earlier.levels) & set(later.levels)
            ):
                problems.append(
                    ConfigProblem(
                        source.path,
                        source.key_line("target", indexes[i], "from_year"),
                        f"{later.id}.from_year",
                        f"same indicator, level, scope and from_year as {earlier.id} (line "
                        f"{earlier.line}): which one is in force would be ambiguous",
                    )
                )
                break
    return problems


class _SetHeader(EntryReader):
    """The ``[set]`` table: name, title and the document every target cites."""

    def __init__(self, source: TomlSource, raw: Any, default_name: str) -> None:
        super().__init__(source, "set", None, raw if isinstance(raw, dict) else {}, "set")
        if not isinstance(raw, dict):
            self._add_to_table("missing [set] table (name, title, document, number, area)")
        self._check_keys(SET_KEYS)
        self.name = self._text("name") or default_name
        if not _SET_NAME.match(self.name):
            self._add("name", "must be lower-case letters, digits, - and _ (e.g. zhengzhou-2016)")
        self.document = self._text("document")
        if not self.document:
            self._add("document", "missing: the title of the policy document")
        self.title = self._text("title") or self.document
        self.number = self._text("number")
        self.area = self._text("area")


class _TargetParser(WhereReader):
    """One ``[[target]]`` table → Target, collecting problems."""

    def __init__(
        self,
        source: TomlSource,
        index: int,
        entry: dict[str, Any],
        header: _SetHeader,
        catalog: dict[str, Indicator],
    ) -> None:
        raw_id = entry.get("id")
        name = raw_id if isinstance(raw_id, str) and _ID.match(raw_id) else f"target[{index + 1}]"
        super().__init__(source, "target", index, entry, name)
        self.header = header
        self.catalog = catalog

    def parse(self) -> Target | None:
        e = self.entry
        self._check_keys(TARGET_KEYS)
        ident = self._text("id", required=True)
        if ident and not _ID.match(ident):
            self._add("id", "must be letters, digits, - and _ (e.g. zz2016-primary-visit-share)")
        indicator = self._indicator()
        operator = e.get("operator")
        if operator is None:
            self._add("operator", f"missing (one of {', '.join(OPERATORS)})")
        elif operator not in OPERATORS:
            self._add(
                "operator",
                f"unknown operator {operator!r} (expected one of {', '.join(OPERATORS)})",
            )
        threshold = self._number("threshold", required=True)
        high = self._threshold_high(operator, threshold)
        if indicator is not None:
            self._check_share_scale(indicator, threshold, high)
        from_year = self._year("from_year", required=True)
        until_year = self._year("until_year", required=False)
        if from_year is not None and until_year is not None and until_year < from_year:
            self._add("until_year", f"{until_year} is before from_year {from_year}")
        levels = self._target_levels(indicator)
        warn_within = self._number("warn_within", required=False)
        if warn_within is not None and warn_within < 0:
            self._add("warn_within", "must be 0 or more (how far short still counts as warn)")
        tolerance = self._tolerance(operator)
        binding = self._binding()
        due = self._due()
        scope = self._scope()
        clause = self._text("clause", required=True)
        quote = self._text("quote", required=True)
        title_zh, note = self._text("title_zh"), self._text("note")
        if self.problems or indicator is None or threshold is None or from_year is None:
            return None
        source = Source(
            document=self.header.document, number=self.header.number, clause=clause, quote=quote
        )
        return Target(
            id=ident,
            target_set=self.header.name,
            indicator=indicator.id,
            operator=cast(Operator, operator),
            threshold=float(threshold),
            from_year=from_year,
            levels=levels,
            source=source,
            threshold_high=None if high is None else float(high),
            warn_within=None if warn_within is None else float(warn_within),
            until_year=until_year,
            binding=binding,
            tolerance=None if tolerance is None else float(tolerance),
            due=due,
            scope=scope,
            title_zh=title_zh,
            note=note,
            line=self.source.table_line("target", self.index),
        )

    def _indicator(self) -> Indicator | None:
        ident = self.entry.get("indicator")
        if ident is None:
            self._add("indicator", "missing (an indicator id from the catalog)")
            return None
        if not isinstance(ident, str) or ident not in self.catalog:
            close = difflib.get_close_matches(str(ident), list(self.catalog), n=1, cutoff=0.6)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "see kpi_audit/spec/indicators.toml for the ids"
            )
            self._add("indicator", f"unknown indicator {ident!r} ({hint})")
            return None
        return self.catalog[ident]

    def _threshold_high(self, operator: Any, low: float | int | None) -> float | int | None:
        if operator != "between":
            if "threshold_high" in self.entry:
                self._add("threshold_high", "only used with operator 'between'")
            return None
        if "threshold_high" not in self.entry:
            self._add(
                "threshold_high", "missing: 'between' needs threshold (low) and threshold_high"
            )
            return None
        high = self._number("threshold_high", required=True)
        if high is not None and low is not None and high < low:
            self._add("threshold_high", f"{high} is below threshold {low}")
        return high

    def _tolerance(self, operator: Any) -> float | int | None:
        if operator != "around":
            if "tolerance" in self.entry:
                self._add(
                    "tolerance",
                    "only used with operator 'around' (met within ± tolerance of threshold)",
                )
            return None
        if "tolerance" not in self.entry:
            self._add(
                "tolerance",
                "missing: 'around' needs a tolerance, e.g. tolerance = 0.02 for “90%左右” "
                "met between 88% and 92%",
            )
            return None
        tolerance = self._number("tolerance", required=True)
        if tolerance is not None and tolerance < 0:
            self._add("tolerance", "must be 0 or more (how far either side still meets it)")
            return None
        return tolerance

    def _binding(self) -> bool:
        value = self.entry.get("binding", True)
        if not isinstance(value, bool):
            self._add(
                "binding",
                f"must be true or false, not {value!r} (false: an aspiration such as 力争, "
                "shown as progress and never counted as a failure)",
            )
            return True
        return value

    def _due(self) -> Due:
        value = self.entry.get("due", "from")
        if value not in DUES:
            self._add(
                "due",
                f"unknown due {value!r} (expected 'from': in force from the start of "
                "from_year, or 'year_end': judged on the whole year or its last quarter)",
            )
            return "from"
        return cast(Due, value)

    def _scope(self) -> Scope:
        raw = self.entry.get("scope")
        if raw is None:
            return Scope()
        if not isinstance(raw, dict):
            self._add("scope", 'must be a table, e.g. scope = { area_type = ["县", "县级市"] }')
            return Scope()
        for key in raw:
            if key not in SCOPE_KEYS:
                close = difflib.get_close_matches(key, SCOPE_KEYS, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "expected area_type, where"
                self._add(f"scope.{key}", f"unknown key ({hint})", at="scope")
        area_types = self._area_types(raw.get("area_type"))
        where = self._where("scope", raw["where"]) if "where" in raw else ()
        return Scope(area_type=area_types, where=where)

    def _area_types(self, raw: Any) -> tuple[AreaType, ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self._add(
                "scope.area_type",
                f"must be a non-empty list of {', '.join(AREA_TYPES)}",
                at="scope",
            )
            return ()
        for value in raw:
            if value not in AREA_TYPES:
                close = difflib.get_close_matches(str(value), AREA_TYPES, n=1, cutoff=0.3)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self._add(
                    "scope.area_type",
                    f"unknown area type {value!r} (expected {', '.join(AREA_TYPES)}{hint})",
                    at="scope",
                )
                return ()
        return tuple(a for a in AREA_TYPES if a in raw)

    def _check_share_scale(self, indicator: Indicator, *values: float | int | None) -> None:
        if indicator.scale != "fraction" or indicator.kind not in _SHARE_KINDS:
            return
        for key, value in zip(("threshold", "threshold_high"), values, strict=True):
            if value is not None and value > 1:
                self._add(
                    key,
                    f"{value} looks like a percentage: {indicator.id} is a share, "
                    f"write {value / 100:g} for {value:g}%",
                )

    def _year(self, key: str, *, required: bool) -> int | None:
        value = self.entry.get(key)
        if value is None:
            if required:
                self._add(key, "missing (the first year the target is in force)")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not _FIRST_YEAR <= value <= _LAST_YEAR
        ):
            self._add(key, f"not a year: {value!r}")
            return None
        return value

    def _target_levels(self, indicator: Indicator | None) -> tuple[Level, ...]:
        """``levels`` (the indicator's when absent), each one the indicator computes."""
        if indicator is None:
            return self._levels(())

        def not_computed(level: str) -> str | None:
            if level in indicator.levels:
                return None
            return (
                f"{indicator.id} is not computed at {level} level "
                f"(only {', '.join(indicator.levels)})"
            )

        return self._levels(indicator.levels, limit=not_computed)
