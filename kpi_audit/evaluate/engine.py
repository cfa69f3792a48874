"""``run_audit``: every target in force, evaluated for every unit of its levels."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb
import polars as pl

from kpi_audit import __version__
from kpi_audit.core.models import (
    DISPLAY_LEVEL_ORDER,
    Indicator,
    Level,
    ReferenceValue,
    TargetSet,
)
from kpi_audit.core.periods import Period
from kpi_audit.core.result import (
    ISSUE_SCHEMA,
    RESULT_SCHEMA,
    STREAK_SCHEMA,
    TREND_SCHEMA,
    AuditResult,
    empty,
)
from kpi_audit.evaluate.compare import gap_expr, status_expr
from kpi_audit.evaluate.completeness import check_completeness
from kpi_audit.evaluate.fallback import fallback_issues
from kpi_audit.evaluate.indicators import (
    UNIT_SCHEMA,
    YOY_KINDS,
    area_values,
    checked_fields,
    facility_values,
    not_comparable_sql,
)
from kpi_audit.evaluate.rankings import HISTORY_SCHEMA, add_rankings, missed_streaks
from kpi_audit.evaluate.rows import (
    TREND_LENGTH,
    LoadedPeriods,
    basis_notice,
    loaded_periods,
    resolve_period,
    rows_relation,
)
from kpi_audit.evaluate.schedule import Scheduled, not_due, schedule
from kpi_audit.evaluate.trends import area_trends
from kpi_audit.render.i18n import issue_messages, params_json

CITY_FALLBACK = "全市"


def _window(period: Period) -> list[Period]:
    """The trend window and, for year-over-year values in it, one more year back."""
    return period.back(TREND_LENGTH + (4 if period.quarter is not None else 1))


def _data_city(con: duckdb.DuckDBPyConnection, table: str, period: Period) -> str | None:
    """The city named in the submissions, when they name exactly one."""
    cities = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT city FROM {table} WHERE eval_period = ? AND city IS NOT NULL LIMIT 2",
            [str(period)],
        ).fetchall()
    ]
    return cities[0] if len(cities) == 1 else None


def _not_comparable(
    con: duckdb.DuckDBPyConnection, ind: Indicator, table: str, period: Period
) -> pl.DataFrame:
    earlier = period.year_earlier()
    frame = con.sql(not_comparable_sql(ind, table, str(period), str(earlier))).pl()
    field = ind.numerator.field
    names = {"name_zh": ind.name_zh, "name_en": ind.name_en, "indicator": ind.id}
    sides = {"period": str(period), "earlier": str(earlier)}
    earlier_only = issue_messages("yoy_only_earlier", **names, **sides)
    now_only = issue_messages("yoy_only_now", **names, **sides)

    def pick(i: int) -> pl.Expr:
        return (
            pl.when(pl.col("only_earlier"))
            .then(pl.lit(earlier_only[i]))
            .otherwise(pl.lit(now_only[i]))
        )

    return frame.select(
        kind=pl.lit("not_comparable"),
        code=pl.when(pl.col("only_earlier"))
        .then(pl.lit("yoy_only_earlier"))
        .otherwise(pl.lit("yoy_only_now")),
        params=pick(0),
        field=pl.lit(field, pl.String),
        message_zh=pick(1),
        message_en=pick(2),
        org_code=pl.col("org_code"),
        org_name=pl.col("org_name"),
        county=pl.col("county"),
    )


def _area_units(con: duckdb.DuckDBPyConnection, table: str, period: Period) -> pl.DataFrame:
    """The counties and cities with data in ``period`` (level, unit, unit_name, county):
    where a target that is not measured gets its not_evaluable rows. A row without a
    city counts for the city of its target set, as for measured targets."""
    pairs = pl.DataFrame(
        con.execute(
            f"SELECT DISTINCT county, city FROM {table} WHERE eval_period = ?", [str(period)]
        ).fetchall(),
        schema={"county": pl.String(), "city": pl.String()},
        orient="row",
    )
    counties = pairs.filter(pl.col("county").is_not_null()).select(
        level=pl.lit("county"), unit="county", unit_name="county", county="county"
    )
    cities = pairs.select(
        level=pl.lit("city"), unit="city", unit_name="city", county=pl.lit(None, pl.String)
    )
    return pl.concat([counties, cities])


def _target_rows(
    s: Scheduled, units: pl.DataFrame, areas: pl.DataFrame, period: Period
) -> pl.DataFrame:
    t = s.target
    # Rows without a city are the target set's area (全市 when it names none).
    city_name = s.target_set.area or CITY_FALLBACK
    if s.state == "evaluate":
        frame = units.filter(pl.col("level").is_in(list(s.levels))).drop("eval_period")
    else:
        frame = (
            areas.filter(pl.col("level").is_in(list(s.levels)))
            .with_columns(pl.col("unit", "unit_name").fill_null(pl.lit(city_name)))
            .unique(["level", "unit"], maintain_order=True)
            .with_columns(
                value=pl.lit(None, pl.Float64),
                numerator=pl.lit(None, pl.Float64),
                denominator=pl.lit(None, pl.Float64),
                reason_code=pl.lit(s.reason_code, pl.String),
                reason_params=pl.lit(s.reason_params, pl.String),
            )
        )
    frame = frame.with_columns(
        unit=pl.col("unit").fill_null(pl.lit(city_name)),
        unit_name=pl.col("unit_name").fill_null(pl.lit(city_name)),
    )
    if s.state == "evaluate" and not_due(t, period):
        frame = frame.with_columns(
            reason_params=pl.when(pl.col("reason_code").is_null())
            .then(pl.lit(params_json(due_year=t.from_year, period=str(period))))
            .otherwise(pl.col("reason_params")),
            reason_code=pl.col("reason_code").fill_null(pl.lit("not_due")),
        )
    return frame.with_columns(
        target_id=pl.lit(t.id),
        target_set=pl.lit(t.target_set or s.target_set.name),
        indicator=pl.lit(t.indicator),
        period=pl.lit(str(period)),
        operator=pl.lit(t.operator),
        threshold=pl.lit(float(t.threshold)),
        threshold_high=pl.lit(t.threshold_high, pl.Float64),
        warn_within=pl.lit(t.warn_within, pl.Float64),
        tolerance=pl.lit(t.tolerance, pl.Float64),
        binding=pl.lit(t.binding),
        source_document=pl.lit(t.source.citation),
        source_clause=pl.lit(t.source.clause),
        order=pl.col("level").replace_strict(
            {lv: i for i, lv in enumerate(DISPLAY_LEVEL_ORDER)}, return_dtype=pl.Int8
        ),
    ).sort("order", "unit", maintain_order=True, nulls_last=True)


def _results(
    scheduled: Sequence[Scheduled],
    units: Mapping[str, pl.DataFrame],
    areas: pl.DataFrame,
    period: Period,
    history: pl.DataFrame,
    trends: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The result rows (RESULT_SCHEMA) and the streaks of misses (STREAK_SCHEMA)."""
    frames = [
        _target_rows(s, units.get(s.indicator.id, pl.DataFrame()), areas, period) for s in scheduled
    ]
    if not frames:
        return empty(RESULT_SCHEMA), empty(STREAK_SCHEMA)
    frame = pl.concat(frames, how="diagonal_relaxed")
    code = pl.col("reason_code")
    frame = frame.with_columns(gap=pl.when(code.is_null() | (code == "not_due")).then(gap_expr()))
    frame = frame.with_columns(status=status_expr())
    # A target not yet due shows its value so far as progress; value and gap stay null
    # as for every not_evaluable result (domain.md §5).
    due_later = code == "not_due"
    frame = frame.with_columns(
        progress_value=pl.when(due_later).then(pl.col("value")),
        progress_gap=pl.when(due_later).then(pl.col("gap")),
    ).with_columns(
        value=pl.when(due_later).then(None).otherwise(pl.col("value")),
        numerator=pl.when(due_later).then(None).otherwise(pl.col("numerator")),
        denominator=pl.when(due_later).then(None).otherwise(pl.col("denominator")),
        gap=pl.when(due_later).then(None).otherwise(pl.col("gap")),
    )
    frame = add_rankings(frame, history, str(period.previous()), str(period.year_earlier()))
    streaks = (
        missed_streaks(frame, trends, [str(x) for x in period.back(TREND_LENGTH)])
        if trends.height
        else empty(STREAK_SCHEMA)
    )
    return frame.select([pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items()]), streaks


def _indicator_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    p: Period,
    scheduled: Sequence[Scheduled],
    catalog: Mapping[str, Indicator],
    needed: Mapping[str, set[Level]],
    with_trend: set[str],
    area: str,
) -> tuple[dict[str, pl.DataFrame], list[pl.DataFrame], list[pl.DataFrame], pl.DataFrame]:
    """Unit values at ``p`` per indicator, trend frames, not-comparable issues and the
    county values of earlier periods for the rankings (HISTORY_SCHEMA): the previous
    period and the year before always, the whole trend window with trends."""
    trend_labels = [str(x) for x in p.back(TREND_LENGTH)] if with_trend else []
    history_labels = list(dict.fromkeys([*trend_labels, str(p.previous()), str(p.year_earlier())]))
    ranked = {i for i, lv in needed.items() if "county" in lv}
    units: dict[str, pl.DataFrame] = {}
    trends: list[pl.DataFrame] = []
    issues: list[pl.DataFrame] = []
    area_ids = [i for i, lv in needed.items() if {"county", "city"} & lv]
    by_area = area_values(con, [catalog[i] for i in area_ids], table, str(p))
    facility_ids = [i for i, lv in needed.items() if "facility" in lv]
    by_facility = facility_values(con, [catalog[i] for i in facility_ids], table, str(p))
    earlier = [label for label in history_labels if label != str(p)]
    by_trend = (
        area_trends(con, [catalog[i] for i in sorted(with_trend | ranked)], table, earlier)
        if (with_trend | ranked) and earlier
        else {}
    )
    history = [
        by_trend[i]
        .filter(pl.col("level") == "county")
        .select(
            indicator=pl.lit(i), level="level", unit="unit", period="eval_period", value="value"
        )
        for i in sorted(ranked)
        if i in by_trend
    ]
    for ind_id, ind_levels in needed.items():
        ind = catalog[ind_id]
        frames = [pl.DataFrame(schema=UNIT_SCHEMA)]
        if ind_id in by_area:
            frames.append(by_area[ind_id].filter(pl.col("level").is_in(list(ind_levels))))
        if ind_id in by_facility:
            frames.append(by_facility[ind_id])
        units[ind_id] = pl.concat(frames)
        if ind_id in with_trend:
            now = by_area[ind_id].select("eval_period", "level", "unit", "value")
            past = by_trend.get(ind_id)
            if past is not None:
                past = past.filter(pl.col("eval_period").is_in(trend_labels))
            values = pl.concat([past, now]) if past is not None else now
            trends.append(
                values.filter(pl.col("value").is_not_null()).select(
                    indicator=pl.lit(ind_id),
                    level="level",
                    unit=pl.col("unit").fill_null(pl.lit(area)),
                    period="eval_period",
                    value="value",
                )
            )
        if ind.kind in YOY_KINDS and any(
            s.state == "evaluate" and s.indicator.id == ind_id for s in scheduled
        ):
            issues.append(_not_comparable(con, ind, table, p))
        stood_in = fallback_issues(con, ind, table, str(p))
        if stood_in is not None:
            issues.append(stood_in)
    history_frame = (
        pl.concat(history).select([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])
        if history
        else empty(HISTORY_SCHEMA)
    )
    return units, trends, issues, history_frame


def run_audit(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_sets: Sequence[TargetSet],
    catalog: Mapping[str, Indicator] | None = None,
    levels: Sequence[Level] | None = None,
    trends: bool = False,
    references: Sequence[ReferenceValue] | None = None,
) -> AuditResult:
    """Evaluate ``target_sets`` against the store for ``period`` (see domain.md §4).

    ``period`` is a spelling parse_period accepts or ``latest``; ``catalog`` defaults to
    the bundled indicator catalog; ``levels`` limits the levels reported (default all).
    ``trends=True`` also computes the values over the last 8 periods
    (``AuditResult.trends``; empty by default): only the HTML report draws them, and at
    national scale they are more than half the work. ``references``: values documents
    report (context, never thresholds; default the bundled ones), kept in
    ``AuditResult.reference_values`` for the indicators the targets use. Raises
    UsageError for a bad period, NoDataError when nothing is loaded for it, ConfigError
    for a target on an unknown indicator.
    """
    if catalog is None:
        from kpi_audit.spec.catalog import load_catalog

        catalog = load_catalog()
    loaded: LoadedPeriods = loaded_periods(con)
    p = resolve_period(period, loaded)
    scheduled = schedule(target_sets, catalog, p.year, levels)

    needed: dict[str, set[Level]] = {}
    with_trend: set[str] = set()
    for s in scheduled:
        if s.state != "evaluate":
            continue
        needed.setdefault(s.indicator.id, set()).update(s.levels)
        if trends and {"county", "city"} & set(s.levels):
            with_trend.add(s.indicator.id)
    fields = [f for ind_id in needed for f in checked_fields(catalog[ind_id])]

    superseded = f"_kpi_audit_superseded_{uuid.uuid4().hex[:12]}"
    try:
        table = rows_relation(con, _window(p), loaded, fields, superseded)
        data_city = _data_city(con, table, p)
        area = data_city or next((ts.area for ts in target_sets if ts.area), None) or CITY_FALLBACK
        units, trend_parts, issues, history = _indicator_values(
            con, table, p, scheduled, catalog, needed, with_trend, area
        )
        areas = _area_units(con, table, p)
        completeness, found = check_completeness(con, table, p, loaded)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {superseded}")

    notices = [n for n in (basis_notice(p, loaded),) if n]
    if any(catalog[i].kind in YOY_KINDS for i in needed):
        notice = basis_notice(p.year_earlier(), loaded)
        notices += [notice] if notice else []
    notice_frame = pl.DataFrame(
        [("notice", code, *issue_messages(code, **params)) for code, params in notices],
        schema={
            "kind": pl.String(),
            "code": pl.String(),
            "params": pl.String(),
            "message_zh": pl.String(),
            "message_en": pl.String(),
        },
        orient="row",
    )
    data_issues = pl.concat([notice_frame, found, *issues], how="diagonal_relaxed")
    data_issues = data_issues.select(
        [
            (pl.col(c) if c in data_issues.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in ISSUE_SCHEMA.items()
        ]
    )

    targets = tuple(t for ts in target_sets for t in ts.targets)
    names = {
        i: (catalog[i].name_zh, catalog[i].name_en)
        for i in dict.fromkeys(t.indicator for t in targets)
        if i in catalog
    }
    needs = {i: (catalog[i].needs, catalog[i].needs_zh) for i in names if catalog[i].needs}
    trend_frame = (
        pl.concat(trend_parts)
        .select([pl.col(c).cast(t) for c, t in TREND_SCHEMA.items()])
        .sort("indicator", "level", "unit", "period")
        if trend_parts
        else empty(TREND_SCHEMA)
    )
    results, streaks = _results(scheduled, units, areas, p, history, trend_frame)
    return AuditResult(
        tool="kpi-audit",
        version=__version__,
        generated_at=datetime.now().astimezone(),
        period=str(p),
        target_sets=tuple(ts.name for ts in target_sets),
        area=area,
        targets=targets,
        indicator_names=names,
        results=results,
        data_issues=data_issues,
        trends=trend_frame,
        streaks=streaks,
        completeness=completeness,
        indicator_needs=needs,
        value_kinds={i: catalog[i].value_kind for i in names},
        reference_values=_references(references, names),
    )


def _references(
    given: Sequence[ReferenceValue] | None, indicators: Mapping[str, object]
) -> tuple[ReferenceValue, ...]:
    """The reference values for the audit's indicators (bundled ones by default)."""
    if given is None:
        from kpi_audit.spec.reference import load_reference_values

        given = load_reference_values()
    return tuple(r for r in given if r.indicator in indicators)
