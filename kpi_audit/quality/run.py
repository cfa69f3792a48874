"""``review``: every rule of the catalogue over the store's history for one period."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator
from kpi_audit.core.periods import Period
from kpi_audit.core.result import (
    QUALITY_COVERAGE_SCHEMA,
    QUALITY_SCHEMA,
    QualityReview,
    empty,
)
from kpi_audit.evaluate.cities import drop_window_tables
from kpi_audit.evaluate.indicators import checked_fields
from kpi_audit.evaluate.rows import (
    LoadedPeriods,
    _latest_loads,
    loaded_periods,
    resolve_period,
    rows_relation,
    source_labels,
)
from kpi_audit.quality import area, facility
from kpi_audit.quality.late import late_sql
from kpi_audit.quality.overlap import overlap_sql
from kpi_audit.quality.rules import (
    ConsistencyRule,
    JumpRule,
    LateRule,
    OutlierRule,
    OverlapRule,
    RelatedRule,
    RepeatedRule,
    Rule,
    load_rules,
)

CITY_FALLBACK = "全市"


def _indicators(rules: Sequence[Rule], catalog: dict[str, Indicator]) -> list[Indicator]:
    found: dict[str, Indicator] = {}
    for r in rules:
        if isinstance(r, ConsistencyRule):
            found.update({i: catalog[i] for i in r.indicators})
        elif isinstance(r, RelatedRule):
            for side in (r.left, r.right):
                if side is not None:
                    found[side.indicator.id] = side.indicator
    return list(found.values())


def _fields(rules: Sequence[Rule], indicators: Sequence[Indicator]) -> list[str]:
    fields = [f for r in rules for f in getattr(r, "fields", ())]
    fields += [f for ind in indicators for f in checked_fields(ind)]
    fields += ["resident_population" for r in rules if isinstance(r, OverlapRule)]
    return list(dict.fromkeys(fields))


def _area_name(con: duckdb.DuckDBPyConnection, table: str, p: Period) -> str:
    cities = con.execute(
        f"SELECT DISTINCT city FROM {table} WHERE eval_period = ? AND city IS NOT NULL LIMIT 2",
        [str(p)],
    ).fetchall()
    return cities[0][0] if len(cities) == 1 else CITY_FALLBACK


def review(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    rules: Sequence[Rule] | None = None,
    catalog: dict[str, Indicator] | None = None,
) -> QualityReview:
    """Every rule over the store for ``period`` (a period spelling or ``latest``).

    Raises UsageError for a bad period and NoDataError when nothing is loaded for it.
    """
    from kpi_audit.spec.catalog import load_catalog

    rules = tuple(load_rules() if rules is None else rules)
    catalog = catalog if catalog is not None else load_catalog()
    loaded = loaded_periods(con)
    p = resolve_period(period, loaded)
    indicators = _indicators(rules, catalog)
    max_history = max((r.max_history for r in rules if isinstance(r, OutlierRule)), default=8)
    window = p.back(max_history + 1)
    years = max((r.years for r in rules if isinstance(r, ConsistencyRule)), default=0)
    same_periods = area.years_back(p, years)
    needed = sorted(set(window) | set(same_periods), key=Period.sort_key)
    superseded = f"_kpi_quality_superseded_{uuid.uuid4().hex[:12]}"
    late_superseded = f"{superseded}_late"
    try:
        table = rows_relation(con, needed, loaded, _fields(rules, indicators), superseded)
        name = _area_name(con, table, p)
        found: list[pl.DataFrame] = []
        coverage: list[pl.DataFrame] = []
        only = frozenset(
            side.indicator.id
            for r in rules
            if isinstance(r, RelatedRule)
            for side in (r.left, r.right)
            if side is not None and side.register_only
        )
        values = area.indicator_values(con, indicators, table, same_periods, name, only)
        con.register(area.VALUES, values)
        try:
            for rule in rules:
                sql = _rule_sql(con, rule, table, p, window, years, loaded, late_superseded)
                rows, counts = facility.run_classified(con, rule.id, sql)
                found.append(_finish(rule, rows, p, catalog))
                coverage.append(counts)
        finally:
            con.unregister(area.VALUES)
        findings = _with_histories(con, table, pl.concat(found, how="diagonal_relaxed"), window)
    finally:
        drop_window_tables(con, superseded)
        con.execute(f"DROP TABLE IF EXISTS {late_superseded}")
    names = {i.id: (i.name_zh, i.name_en) for i in indicators}
    return QualityReview(
        period=str(p),
        findings=_ordered(findings, rules),
        coverage=_ordered_coverage(coverage, rules),
        rules=rules,
        indicator_names=names,
    )


def _rule_sql(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    table: str,
    p: Period,
    window: Sequence[Period],
    years: int,
    loaded: LoadedPeriods,
    late_superseded: str,
) -> str:
    previous = p.previous()
    if isinstance(rule, OutlierRule):
        return facility.outlier_sql(rule, table, window[-(rule.max_history + 1) :], p)
    if isinstance(rule, JumpRule):
        return facility.jump_sql(rule, table, previous, p)
    if isinstance(rule, RepeatedRule):
        if rule.compare == "previous":
            return facility.repeated_previous_sql(rule, table, previous, p)
        return facility.repeated_institutions_sql(rule, table, p)
    if isinstance(rule, ConsistencyRule):
        return area.consistency_sql(rule, p)
    if isinstance(rule, RelatedRule):
        factors = {
            side.indicator.id: 4.0 if side.per_year and p.quarter is not None else 1.0
            for side in (rule.left, rule.right)
            if side is not None
        }
        return area.related_sql(rule, p, years, factors)
    if isinstance(rule, LateRule):
        labels = source_labels([p], loaded)
        return late_sql(rule, _latest_loads(con, labels, late_superseded), labels)
    if isinstance(rule, OverlapRule):
        return overlap_sql(rule, table, p)
    raise AssertionError(f"no SQL for rule kind {rule.kind}")  # pragma: no cover


def _value_kind(rule: Rule, catalog: dict[str, Indicator]) -> pl.Expr:
    """How a finding's numbers read: count (facility fields), days, share or number."""
    if rule.kind in (
        "outlier_history",
        "jump_previous",
        "repeated_submission",
        "population_overlap",
    ):
        return pl.lit("count")
    if rule.kind == "late_submission":
        return pl.lit("days")
    if isinstance(rule, RelatedRule) and rule.left is not None:
        share = not rule.left.per_year and rule.left.indicator.scale == "fraction"
        return pl.lit("share" if share else "number")
    scales = {i: "share" if catalog[i].scale == "fraction" else "number" for i in catalog}
    return pl.col("indicator").replace_strict(scales, default="number", return_dtype=pl.String)


def _finish(
    rule: Rule, rows: pl.DataFrame, p: Period, catalog: dict[str, Indicator]
) -> pl.DataFrame:
    return rows.with_columns(
        rule=pl.lit(rule.id),
        kind=pl.lit(rule.kind),
        severity=pl.lit(rule.severity),
        period=pl.lit(str(p)),
        value_kind=_value_kind(rule, catalog),
    )


def _with_histories(
    con: duckdb.DuckDBPyConnection, table: str, findings: pl.DataFrame, window: Sequence[Period]
) -> pl.DataFrame:
    """Facility findings get their institution's values over ``window``; county and city
    findings come with their own (the same period in the earlier years)."""
    frame = findings.select(
        [
            (pl.col(c) if c in findings.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in QUALITY_SCHEMA.items()
        ]
    )
    labels = [str(x) for x in window]
    is_facility = pl.col("level") == "facility"
    fac = frame.filter(is_facility)
    if fac.height:
        hist = facility.histories(con, table, fac, window)
        fac = fac.drop("history").join(hist, on=["unit", "field"], how="left")
        fac = fac.with_columns(history_periods=pl.lit(labels, pl.List(pl.String)))
    rest = frame.filter(~is_facility)
    if rest.height:
        longest = rest["history"].list.len().max()
        n = longest if isinstance(longest, int) else 0
        same = pl.lit(_same_labels(rest["period"][0], n), pl.List(pl.String))
        rest = rest.with_columns(
            history_periods=pl.when(pl.col("history").is_not_null()).then(
                # fill_null: polars 2.0 raises on a null length even where masked
                same.list.tail(pl.col("history").list.len().fill_null(0))
            )
        )
    return pl.concat([fac.select(QUALITY_SCHEMA.keys()), rest.select(QUALITY_SCHEMA.keys())])


def _same_labels(period: str, n: int) -> list[str]:
    from kpi_audit.core.periods import parse_period

    p = parse_period(period)
    assert p is not None
    return [str(x) for x in area.years_back(p, n - 1)] if n else []


_SEVERITY_ORDER = {"error": 0, "warning": 1}


def _ordered(findings: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """Most severe first, then by county, rule (catalogue order), unit."""
    order = {r.id: k for k, r in enumerate(rules)}
    return (
        findings.with_columns(
            _s=pl.col("severity").replace_strict(_SEVERITY_ORDER, default=9, return_dtype=pl.Int8),
            _r=pl.col("rule").replace_strict(order, default=99, return_dtype=pl.Int16),
            _l=pl.col("level").replace_strict(
                {"city": 0, "county": 1, "facility": 2}, default=3, return_dtype=pl.Int8
            ),
        )
        .sort("_s", "county", "_r", "_l", "unit", "field", "indicator", nulls_last=True)
        .drop("_s", "_r", "_l")
    )


def _ordered_coverage(frames: list[pl.DataFrame], rules: Sequence[Rule]) -> pl.DataFrame:
    order = {r.id: k for k, r in enumerate(rules)}
    frame = pl.concat([empty(QUALITY_COVERAGE_SCHEMA), *frames], how="vertical_relaxed")
    return frame.sort(
        pl.col("rule").replace_strict(order, default=99, return_dtype=pl.Int16),
        pl.col("outcome").replace_strict(
            {"flagged": 0, "passed": 1, "not_assessed": 2}, default=3, return_dtype=pl.Int8
        ),
        "reason_code",
        nulls_last=True,
    )
