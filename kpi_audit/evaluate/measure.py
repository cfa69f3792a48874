"""What one audit reads from the store, before any verdict: the unit values of every
needed indicator, their trends and earlier county values, not-comparable and stated
fallback issues, who reported, and completeness — through one temporary rows relation
of the window."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator, Level, TargetSet
from kpi_audit.core.periods import Period
from kpi_audit.core.result import Completeness, RegisterSource, empty
from kpi_audit.evaluate.areas import area_facts
from kpi_audit.evaluate.cities import (
    city_notices,
    drop_window_tables,
    fills_table,
    shared_county_names,
)
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
from kpi_audit.evaluate.population import with_population
from kpi_audit.evaluate.rankings import HISTORY_SCHEMA
from kpi_audit.evaluate.reporting import Reporting, add_prior_shares, build_reporting
from kpi_audit.evaluate.rows import TREND_LENGTH, LoadedPeriods, rows_relation, source_labels
from kpi_audit.evaluate.schedule import Scheduled
from kpi_audit.evaluate.scope import base_id, scoped_schedule
from kpi_audit.evaluate.trends import area_trends
from kpi_audit.evaluate.verdicts import CITY_FALLBACK
from kpi_audit.render.i18n import issue_messages
from kpi_audit.store.registers import registers_used


def _window(period: Period) -> list[Period]:
    """The trend window and, for year-over-year values in it, one more year back."""
    return period.back(TREND_LENGTH + (4 if period.quarter is not None else 1))


def _needed(scheduled: Sequence[Scheduled], trends: bool) -> tuple[dict[str, set[Level]], set[str]]:
    """The levels each evaluated indicator is needed at, and those with trends."""
    needed: dict[str, set[Level]] = {}
    with_trend: set[str] = set()
    for s in scheduled:
        if s.state != "evaluate":
            continue
        needed.setdefault(s.indicator.id, set()).update(s.levels)
        if trends and {"county", "city"} & set(s.levels):
            with_trend.add(s.indicator.id)
    return needed, with_trend


@dataclass(frozen=True)
class Measured:
    """What one audit reads from the store, before any verdict."""

    scheduled: Sequence[Scheduled]  # with scoped targets on their indicator variants
    catalog: Mapping[str, Indicator]  # the catalog plus those variants
    needed: Mapping[str, set[Level]]
    area: str
    facts: pl.DataFrame
    units: dict[str, pl.DataFrame]
    trend_parts: list[pl.DataFrame]
    issues: list[pl.DataFrame]
    history: pl.DataFrame
    areas: pl.DataFrame
    reporting: Reporting
    completeness: Completeness
    completeness_issues: pl.DataFrame
    registers: tuple[RegisterSource, ...]


def measure(
    con: duckdb.DuckDBPyConnection,
    p: Period,
    loaded: LoadedPeriods,
    scheduled: Sequence[Scheduled],
    catalog: Mapping[str, Indicator],
    target_sets: Sequence[TargetSet],
    trends: bool,
    thresholds: tuple[float, float],  # min_reporting, max_missing_share
) -> Measured:
    """Every value, trend, reporting count and completeness issue the verdicts need, read
    through one temporary rows relation of the window (dropped again)."""
    needed, _ = _needed(scheduled, trends)
    fields = [f for ind_id in needed for f in checked_fields(catalog[ind_id])]
    superseded = f"_kpi_audit_superseded_{uuid.uuid4().hex[:12]}"
    try:
        table = rows_relation(con, _window(p), loaded, fields, superseded)
        facts = area_facts(con, table, p)
        scheduled, catalog = scoped_schedule(scheduled, catalog, facts)
        needed, with_trend = _needed(scheduled, trends)
        data_city = _data_city(con, table, p)
        named = next((ts.area for ts in target_sets if ts.area), None) or CITY_FALLBACK
        area = data_city or named
        # rows no city is known for make a unit of their own, shown as the verdicts show
        # it (the target set's area), not under a city that the other rows name
        units, trend_parts, issues, history = _indicator_values(
            con, table, p, scheduled, catalog, needed, with_trend, named, facts
        )
        said = (
            city_notices(con, fills_table(superseded), str(p)),
            shared_county_names(con, table, str(p)),
        )
        issues = [*(frame for frame in said if frame is not None), *issues]
        reporting = build_reporting(
            con,
            table,
            p,
            list(dict.fromkeys([str(p), *source_labels([p], loaded)])),
            named,  # where a roster row no city is known for counts: as its values do
            min_reporting=thresholds[0],
            max_missing_share=thresholds[1],
        )
        area_level = {i: catalog[i] for i, lv in needed.items() if {"county", "city"} & lv}
        add_prior_shares(reporting, con, table, p, area_level)
        completeness, found = check_completeness(con, table, p, loaded, reporting)
        return Measured(
            scheduled=scheduled,
            catalog=catalog,
            needed=needed,
            area=area,
            facts=facts,
            units=units,
            trend_parts=trend_parts,
            issues=issues,
            history=history,
            areas=_area_units(con, table, p),
            reporting=reporting,
            completeness=completeness,
            completeness_issues=found,
            registers=tuple(registers_used(con, p.year)),
        )
    finally:
        drop_window_tables(con, superseded)


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


def _indicator_values(
    con: duckdb.DuckDBPyConnection,
    table: str,
    p: Period,
    scheduled: Sequence[Scheduled],
    catalog: Mapping[str, Indicator],
    needed: Mapping[str, set[Level]],
    with_trend: set[str],
    unnamed: str,
    facts: pl.DataFrame,
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
    by_area = {
        i: with_population(frame, catalog[i], facts)
        for i, frame in area_values(con, [catalog[i] for i in area_ids], table, str(p)).items()
    }
    facility_ids = [i for i, lv in needed.items() if "facility" in lv]
    by_facility = facility_values(con, [catalog[i] for i in facility_ids], table, str(p))
    earlier = [label for label in history_labels if label != str(p)]
    by_trend = (
        area_trends(
            con, [catalog[i] for i in sorted(with_trend | ranked)], table, earlier, register=True
        )
        if (with_trend | ranked) and earlier
        else {}
    )
    for ind_id, ind_levels in needed.items():
        ind = catalog[ind_id]
        frames = [pl.DataFrame(schema={**UNIT_SCHEMA, "basis": pl.String()})]
        if ind_id in by_area:
            frames.append(by_area[ind_id].filter(pl.col("level").is_in(list(ind_levels))))
        if ind_id in by_facility:
            frames.append(by_facility[ind_id].with_columns(basis=pl.lit(None, pl.String)))
        units[ind_id] = pl.concat(frames, how="diagonal_relaxed")
        if ind_id in with_trend:
            trends.append(
                _trend_rows(ind_id, by_area[ind_id], by_trend.get(ind_id), trend_labels, unnamed)
            )
        evaluated = any(s.state == "evaluate" and s.indicator.id == ind_id for s in scheduled)
        if ind.kind in YOY_KINDS and evaluated:
            issues.append(_not_comparable(con, ind, table, p))
        stood_in = fallback_issues(con, ind, table, str(p))
        if stood_in is not None:
            issues.append(stood_in)
    return units, trends, issues, _history(by_trend, ranked)


def _history(by_trend: Mapping[str, pl.DataFrame], ranked: set[str]) -> pl.DataFrame:
    """The county values of earlier periods the rankings compare with (HISTORY_SCHEMA);
    a scoped variant's rows count once, under its indicator."""
    history = [
        by_trend[i]
        .filter(pl.col("level") == "county")
        .select(
            indicator=pl.lit(base_id(i)),
            level="level",
            unit="unit",
            period="eval_period",
            value="value",
        )
        for i in sorted(ranked)
        if i in by_trend
    ]
    if not history:
        return empty(HISTORY_SCHEMA)
    return (
        pl.concat(history)
        .select([pl.col(c).cast(t) for c, t in HISTORY_SCHEMA.items()])
        .unique(["indicator", "level", "unit", "period"], keep="first", maintain_order=True)
    )


def _trend_rows(
    ind_id: str,
    now: pl.DataFrame,
    past: pl.DataFrame | None,
    trend_labels: Sequence[str],
    unnamed: str,
) -> pl.DataFrame:
    """One indicator's values over the trend window, the audited period's last; the unit
    of rows without a city is called ``unnamed``."""
    values = now.select("eval_period", "level", "unit", "value")
    if past is not None:
        values = pl.concat([past.filter(pl.col("eval_period").is_in(trend_labels)), values])
    return values.filter(pl.col("value").is_not_null()).select(
        indicator=pl.lit(base_id(ind_id)),
        level="level",
        unit=pl.col("unit").fill_null(pl.lit(unnamed)),
        period="eval_period",
        value="value",
    )
