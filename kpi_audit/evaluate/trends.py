"""County and city values over earlier periods (the trend lines), from the per-period
aggregates kept in the store (store/aggregates.py): an earlier period's sums are
computed once, when first needed or at ingest, then read back by every later report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import duckdb
import polars as pl

from kpi_audit import __version__
from kpi_audit.core.models import POPULATION_COLUMNS, Indicator
from kpi_audit.core.periods import Period
from kpi_audit.evaluate.cities import drop_window_tables
from kpi_audit.evaluate.indicators import (
    SCALE_FACTOR,
    _families,
    checked_fields,
    parts_sql,
    trend_roll_up,
)
from kpi_audit.evaluate.population import excluded_counties
from kpi_audit.evaluate.rows import TREND_LENGTH, loaded_periods, rows_relation
from kpi_audit.store import aggregates
from kpi_audit.store.aggregates import AGGREGATE_SCHEMA

Runs = dict[tuple[str, str], tuple[str, str]]  # (period, indicator) -> (definition, fingerprint)


# Raised when sums stored by an earlier build may be wrong, so that they are recomputed:
# 2: year-over-year sums refreshed for a year loaded after the one before it were blank.
# 3: rows without 所属市 are counted in their county's city (evaluate/cities.py).
SUMS_REVISION = 3


def definition(ind: Indicator) -> str:
    """What an indicator's stored sums depend on besides the data: its SQL, the version."""
    sql = parts_sql([ind], "ROWS", ["PERIOD"], sums_only=True)
    return aggregates.definition_hash(f"{__version__}\n{SUMS_REVISION}\n{sql}")


def area_sums(
    con: duckdb.DuckDBPyConnection,
    indicators: Sequence[Indicator],
    table: str,
    periods: Sequence[str],
) -> pl.DataFrame:
    """Per period × county × city × indicator sums (AGGREGATE_SCHEMA): the stored ones
    still valid, the rest computed from ``table`` (and stored when the store is writable)."""
    if not indicators or not periods:
        return pl.DataFrame(schema=AGGREGATE_SCHEMA)
    prints = aggregates.fingerprints(con, periods)
    wanted: Runs = {
        (p, ind.id): (definition(ind), prints[p]) for p in periods for ind in indicators
    }
    stored, served = aggregates.read_valid(con, wanted)
    missing = {k: v for k, v in wanted.items() if k not in served}
    if not missing:
        return stored
    fresh = compute_sums(
        con,
        [i for i in indicators if any(k[1] == i.id for k in missing)],
        table,
        sorted({p for p, _ in missing}),
    )
    fresh = fresh.join(
        pl.DataFrame(list(missing), schema=["period", "indicator"], orient="row"),
        on=["period", "indicator"],
        how="semi",
    )
    aggregates.store(con, fresh, missing)
    return pl.concat([stored, fresh])


def compute_sums(
    con: duckdb.DuckDBPyConnection,
    indicators: Sequence[Indicator],
    table: str,
    periods: Sequence[str],
) -> pl.DataFrame:
    """The sums of ``indicators`` over ``periods``, one query per indicator family."""
    frames = [pl.DataFrame(schema=AGGREGATE_SCHEMA)]
    for family in _families(indicators):
        parts = con.sql(parts_sql(family, table, periods, sums_only=True)).pl()
        frames += [
            parts.select(
                period="eval_period",
                indicator=pl.lit(ind.id),
                county="county",
                city="city",
                numerator=pl.col(f"numerator{k}"),
                denominator=pl.col(f"denominator{k}"),
                numerator_all=pl.col(f"numerator_all{k}")
                if ind.population_denominator
                else pl.lit(None, pl.Float64),
            ).cast(pl.Schema(AGGREGATE_SCHEMA))
            for k, ind in enumerate(family)
        ]
    return pl.concat(frames)


def area_trends(
    con: duckdb.DuckDBPyConnection,
    indicators: Sequence[Indicator],
    table: str,
    periods: Sequence[str],
    *,
    register: bool = False,
    register_only: frozenset[str] = frozenset(),
) -> dict[str, pl.DataFrame]:
    """County and city values of each indicator for each of ``periods`` (columns
    eval_period, level, unit, value), from the per-period aggregates. With ``register``,
    population-based values of a period whose year the area register covers divide by its
    populations, as the audited period's do (evaluate/population.py); the indicators in
    ``register_only`` then have a value only where the register divides it."""
    sums = area_sums(con, indicators, table, periods)
    populations = _register_populations(con) if register else None
    by_indicator = sums.partition_by("indicator", as_dict=True, include_key=False)
    lazy: dict[str, pl.LazyFrame] = {}
    for ind in indicators:
        own = (
            by_indicator.get((ind.id,), sums.clear())
            .lazy()
            .select(
                eval_period="period",
                county="county",
                city="city",
                numerator0="numerator",
                denominator0="denominator",
                numerator_all="numerator_all",
            )
        )
        values = trend_roll_up(ind, own, 0)
        if populations is not None and ind.population_denominator:
            values = _on_register(values, own, ind, populations, ind.id in register_only)
        elif ind.id in register_only:
            values = values.with_columns(value=pl.lit(None, pl.Float64))
        lazy[ind.id] = values
    return dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))


def _register_populations(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    cols = ", ".join(POPULATION_COLUMNS)
    frame = con.sql(f"SELECT year, county, {cols} FROM current_area_register").pl()
    return frame if frame.height else None


def _on_register(
    values: pl.LazyFrame,
    own: pl.LazyFrame,
    ind: Indicator,
    populations: pl.DataFrame,
    only: bool = False,
) -> pl.LazyFrame:
    """The values re-divided by the register's populations where the verdicts would be
    (evaluate/population.py): a county whose year has a register figure divides the
    numerator of every row that reported it by that figure; the city does so when every
    county counted has one, over their total. The rest keep the facilities' basis."""
    column = ind.population_denominator
    assert column is not None
    scale = SCALE_FACTOR[ind.scale]
    excluded = list(excluded_counties(ind))
    pops = populations.lazy().select(
        _year=pl.col("year").cast(pl.Int64), county="county", _pop=pl.col(column).cast(pl.Float64)
    )
    parts = (
        own.with_columns(_year=pl.col("eval_period").str.slice(0, 4).cast(pl.Int64))
        .join(pops, on=["_year", "county"], how="left")
        .with_columns(_counted=pl.col("county").is_not_null() & ~pl.col("county").is_in(excluded))
    )
    total = pl.when(pl.col("numerator_all").count() > 0).then(pl.col("numerator_all").sum())
    # a county's city is the first its rows name, as evaluate/areas.py takes it
    counted = (
        parts.filter("_counted")
        .group_by("eval_period", "county")
        .agg(_num=total, _pop=pl.col("_pop").first(), city=pl.col("city").min())
    )
    county = counted.select(
        "eval_period", level=pl.lit("county"), unit="county", _num="_num", _pop="_pop"
    )
    # each city over its own counties, when all of them have a register figure
    city_pop = counted.group_by("eval_period", "city").agg(
        _pop=pl.when(pl.col("_pop").null_count() == 0).then(pl.col("_pop").sum())
    )
    city = (
        parts.group_by("eval_period", "city")
        .agg(_num=total)
        .join(city_pop, on=["eval_period", "city"], how="left", nulls_equal=True)
        .select("eval_period", level=pl.lit("city"), unit="city", _num="_num", _pop="_pop")
    )
    on_register = pl.concat([county, city], how="vertical_relaxed").filter(
        pl.col("_pop").is_not_null() & pl.col("_num").is_not_null()
    )
    return (
        # a city row without a city name (unit null) is the audited area: nulls match
        values.join(on_register, on=["eval_period", "level", "unit"], how="left", nulls_equal=True)
        .with_columns(
            value=pl.when(pl.col("_pop").is_null())
            .then(None if only else pl.col("value"))
            .when(pl.col("_pop") != 0)
            .then((pl.col("_num") / pl.col("_pop") * scale).cast(pl.Float64))
        )
        .drop("_num", "_pop")
    )


def refresh(
    con: duckdb.DuckDBPyConnection,
    catalog: Mapping[str, Indicator],
    years: Sequence[int],
) -> int:
    """Compute and store the sums of every measurable county/city indicator for the
    loaded periods whose sums the submissions of ``years`` feed (those years and the
    next: year-over-year values read a year back) — what ingest calls after loading, so
    that reports on a read-only store find them. Periods as submitted only: a whole
    year made from its quarters (annual reports' trends) is stored by the first writable
    audit that needs it. Returns the number of (period, indicator) entries written; 0
    when the store is read-only."""
    loaded = loaded_periods(con)
    touched = {y for x in years for y in (x, x + 1)}
    periods = [p for p in loaded.periods if p.year in touched]
    inds = [i for i in catalog.values() if i.evaluable and {"county", "city"} & set(i.levels)]
    if not periods or not inds:
        return 0
    fields = [f for i in inds for f in checked_fields(i)]
    # A year-over-year value reads the same period a year before: those rows must be in
    # the relation even when that year was loaded by an earlier ingest.
    earlier = {p.year_earlier() for p in periods if loaded.has_data(p.year_earlier())}
    window = sorted(set(periods) | earlier, key=Period.sort_key)
    superseded = f"_kpi_audit_superseded_{uuid.uuid4().hex[:12]}"
    try:
        table = rows_relation(con, window, loaded, fields, superseded)
        labels = [str(p) for p in periods]
        prints = aggregates.fingerprints(con, labels)
        runs: Runs = {(p, i.id): (definition(i), prints[p]) for p in labels for i in inds}
        _, served = aggregates.read_valid(con, runs)
        missing = {k: v for k, v in runs.items() if k not in served}
        if not missing:
            return 0
        sums = compute_sums(con, inds, table, sorted({p for p, _ in missing}))
        return len(missing) if aggregates.store(con, sums, missing) else 0
    finally:
        drop_window_tables(con, superseded)


__all__ = ["TREND_LENGTH", "area_sums", "area_trends", "compute_sums", "refresh"]
