"""The facility-level kinds as SQL: one statement per rule over the rows relation
(evaluate/rows.py), grouped by institution or windowed over the period's rows.

Each statement classifies every unit it looks at (institution × field) with a
``state``: ``flagged``, ``passed`` or a not-assessed reason code. :func:`run_classified`
returns the flagged rows and the count of units per state, from one materialised
pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.core.periods import Period
from kpi_audit.evaluate.sql import quote_ident, sql_literal
from kpi_audit.quality.rules import JumpRule, OutlierRule, RepeatedRule

# Columns every classified statement yields besides ``state`` (those it lacks are null).
FINDING_COLUMNS = (
    "level",
    "unit",
    "unit_name",
    "county",
    "indicator",
    "field",
    "value",
    "expected_low",
    "expected_high",
    "score",
    "reference",
    "other",
    "note",
    "count",
)


def run_classified(
    con: duckdb.DuckDBPyConnection, rule_id: str, classified: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(flagged rows, coverage rows) of one rule's classified statement."""
    sql = (
        f"WITH c AS MATERIALIZED ({classified}) "
        "SELECT 'finding' AS row_kind, state, NULL::BIGINT AS n, * EXCLUDE (state) "
        "FROM c WHERE state = 'flagged' "
        "UNION ALL BY NAME "
        "SELECT 'count' AS row_kind, state, count(*) AS n FROM c GROUP BY state"
    )
    frame = con.sql(sql).pl()
    findings = frame.filter(pl.col("row_kind") == "finding").drop("row_kind", "state", "n")
    counts = frame.filter(pl.col("row_kind") == "count")
    coverage = counts.select(
        rule=pl.lit(rule_id),
        outcome=pl.when(pl.col("state").is_in(["flagged", "passed"]))
        .then(pl.col("state"))
        .otherwise(pl.lit("not_assessed")),
        reason_code=pl.when(pl.col("state").is_in(["flagged", "passed"]))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("state")),
        units=pl.col("n").cast(pl.Int64),
    )
    return findings, coverage


def _labels(periods: Sequence[Period]) -> str:
    return ", ".join(sql_literal(str(p)) for p in periods)


def _per_period(field: str, label: str) -> str:
    value = f"CAST({quote_ident(field)} AS DOUBLE)"
    return f"max(CASE WHEN eval_period = {sql_literal(label)} THEN {value} END)"


def _grouped(table: str, fields: Sequence[str], window: Sequence[Period], current: Period) -> str:
    """One row per institution reporting in ``current``: its name and county then, and
    per field the list of its values over ``window`` (oldest first, null where absent)."""
    now = sql_literal(str(current))
    lists = [
        "[" + ", ".join(_per_period(f, str(p)) for p in window) + f"] AS h{i}"
        for i, f in enumerate(fields)
    ]
    return (
        f"SELECT org_code, max(CASE WHEN eval_period = {now} THEN org_name END) AS org_name, "
        f"max(CASE WHEN eval_period = {now} THEN county END) AS county, {', '.join(lists)} "
        f"FROM {table} WHERE eval_period IN ({_labels(window)}) GROUP BY org_code "
        f"HAVING count_if(eval_period = {now}) > 0"
    )


def _unnested(grouped: str, fields: Sequence[str]) -> str:
    structs = ", ".join(
        f"struct_pack(field := {sql_literal(f)}, h := h{i})" for i, f in enumerate(fields)
    )
    return (
        f"SELECT org_code, org_name, county, s.field AS field, s.h AS h FROM "
        f"(SELECT org_code, org_name, county, unnest([{structs}]) AS s FROM ({grouped}))"
    )


def outlier_sql(rule: OutlierRule, table: str, window: Sequence[Period], current: Period) -> str:
    """Modified z-score of the current value against the institution's earlier values
    in ``window`` (the last ``max_history`` periods before ``current``)."""
    n = len(window)
    seasonal = "h[-5]" if current.quarter is not None and n >= 5 else "NULL::DOUBLE"
    # 0.6745·|x − median| / MAD ≥ z, multiplied out so that whole numbers compare exactly.
    over_z = f"abs(x - med) * 6745 >= {rule.z!r} * 10000 * mad"
    margin = rule.mad_zero_margin
    outside_range = f"(x < mn * (1 - {margin!r}) OR x > mx * (1 + {margin!r}))"
    in_season = f"(ye IS NOT NULL AND ye > 0 AND abs(x / ye - 1) <= {rule.seasonal_tolerance!r})"
    stats = (
        "SELECT *, list_median(prior) AS med, list_min(prior) AS mn, list_max(prior) AS mx, "
        "len(prior) AS n_prior FROM ("
        f"SELECT org_code, org_name, county, field, h[-1] AS x, {seasonal} AS ye, "
        f"list_filter(h[1:{n - 1}], lambda v: v IS NOT NULL) AS prior "
        f"FROM ({_unnested(_grouped(table, rule.fields, window, current), rule.fields)})) "
        "WHERE x IS NOT NULL"
    )
    with_mad = (
        "SELECT *, list_median(list_transform(prior, lambda v: abs(v - med))) AS mad "
        f"FROM ({stats})"
    )
    z_low = f"greatest(med - {rule.z!r} * mad / 0.6745, 0)"
    z_high = f"med + {rule.z!r} * mad / 0.6745"
    return f"""
        SELECT CASE
            WHEN n_prior < {rule.min_history} THEN 'short_history'
            WHEN greatest(x, med) < {rule.floor!r} THEN 'passed'
            WHEN {in_season} THEN 'passed'
            WHEN (mad > 0 AND {over_z}) OR (mad = 0 AND {outside_range}) THEN 'flagged'
            ELSE 'passed' END AS state,
          'facility' AS level, org_code AS unit, org_name AS unit_name, county,
          NULL::VARCHAR AS indicator, field, x AS value,
          CASE WHEN mad > 0 THEN {z_low} ELSE mn * (1 - {margin!r}) END AS expected_low,
          CASE WHEN mad > 0 THEN {z_high} ELSE mx * (1 + {margin!r}) END AS expected_high,
          CASE WHEN mad > 0 THEN 0.6745 * abs(x - med) / mad END AS score,
          med AS reference, NULL::VARCHAR AS other,
          CASE WHEN mad = 0 THEN 'mad_zero' END AS note, n_prior AS count
        FROM ({with_mad})"""


def jump_sql(rule: JumpRule, table: str, previous: Period, current: Period) -> str:
    """The current value against the previous period's, by more than × / ÷ factor."""
    grouped = _grouped(table, rule.fields, [previous, current], current)
    f = repr(rule.factor)
    return f"""
        SELECT CASE
            WHEN prev IS NULL THEN 'no_previous'
            WHEN greatest(x, prev) < {rule.floor!r} THEN 'passed'
            WHEN x > prev * {f} OR x * {f} < prev THEN 'flagged'
            ELSE 'passed' END AS state,
          'facility' AS level, org_code AS unit, org_name AS unit_name, county,
          NULL::VARCHAR AS indicator, field, x AS value,
          prev / {f} AS expected_low, prev * {f} AS expected_high,
          CASE WHEN least(x, prev) > 0 THEN x / prev END AS score,
          prev AS reference
        FROM (SELECT org_code, org_name, county, field, h[1] AS prev, h[2] AS x
              FROM ({_unnested(grouped, rule.fields)}))
        WHERE x IS NOT NULL"""


def _filled(fields: Sequence[str], alias: str = "") -> str:
    return " + ".join(
        f"CASE WHEN {alias}{quote_ident(f)} IS NULL THEN 0 ELSE 1 END" for f in fields
    )


def repeated_previous_sql(rule: RepeatedRule, table: str, previous: Period, current: Period) -> str:
    """Institutions whose counts all equal their previous period's (blank = blank)."""
    cols = ", ".join(["org_code", "org_name", "county", *map(quote_ident, rule.fields)])
    same = " AND ".join(
        f"c.{quote_ident(f)} IS NOT DISTINCT FROM p.{quote_ident(f)}" for f in rule.fields
    )
    first = quote_ident(rule.fields[0])
    return f"""
        SELECT CASE
            WHEN p.org_code IS NULL THEN 'no_previous'
            WHEN {same} THEN 'flagged'
            ELSE 'passed' END AS state,
          'facility' AS level, c.org_code AS unit, c.org_name AS unit_name, c.county,
          NULL::VARCHAR AS indicator, {sql_literal(rule.fields[0])} AS field,
          CAST(c.{first} AS DOUBLE) AS value, CAST(p.{first} AS DOUBLE) AS reference
        FROM (SELECT {cols} FROM {table} WHERE eval_period = {sql_literal(str(current))}) c
        LEFT JOIN (SELECT {cols} FROM {table}
                   WHERE eval_period = {sql_literal(str(previous))}) p USING (org_code)
        WHERE ({_filled(rule.fields, "c.")}) >= {rule.min_fields}
          AND coalesce(c.{first}, 0) >= {rule.floor!r}"""


def repeated_institutions_sql(rule: RepeatedRule, table: str, current: Period) -> str:
    """Institutions whose counts all equal another institution's in the same period
    (and the same city or county, as the rule's ``within`` says)."""
    places = {"city": ["city"], "county": ["city", "county"], "all": []}[rule.within]
    fields = ", ".join([*places, *map(quote_ident, rule.fields)])
    first = quote_ident(rule.fields[0])
    # NULLs are one partition, as blank = blank (and a blank 所属市 one city).
    window = f"OVER (PARTITION BY {fields})"
    name = "org_name || '（' || org_code || '）'"
    # min/max over the partition, not a list: a partition may hold thousands of rows.
    return f"""
        SELECT CASE WHEN n_same > 1 THEN 'flagged' ELSE 'passed' END AS state,
          'facility' AS level, org_code AS unit, org_name AS unit_name, county,
          NULL::VARCHAR AS indicator, {sql_literal(rule.fields[0])} AS field,
          CAST({first} AS DOUBLE) AS value,
          CASE WHEN n_same > 1 THEN CASE WHEN {name} = first_name THEN last_name
                                         ELSE first_name END END AS other,
          n_same - 1 AS count
        FROM (SELECT org_code, org_name, county, {first},
                     count(*) {window} AS n_same,
                     min({name}) {window} AS first_name, max({name}) {window} AS last_name
              FROM {table}
              WHERE eval_period = {sql_literal(str(current))}
                AND ({_filled(rule.fields)}) >= {rule.min_fields}
                AND coalesce({first}, 0) >= {rule.floor!r})"""


def histories(
    con: duckdb.DuckDBPyConnection,
    table: str,
    findings: pl.DataFrame,
    window: Sequence[Period],
) -> pl.DataFrame:
    """For each flagged (institution, field): its values over ``window`` (oldest first),
    columns unit, field, history."""
    if findings.is_empty():
        return pl.DataFrame(
            schema={"unit": pl.String(), "field": pl.String(), "history": pl.List(pl.Float64())}
        )
    fields = sorted(set(findings["field"].drop_nulls()))
    wanted = findings.select("unit").unique()
    con.register("_kpi_quality_units", wanted)
    try:
        lists = ", ".join(
            "[" + ", ".join(_per_period(f, str(p)) for p in window) + f"] AS {quote_ident(f)}"
            for f in fields
        )
        frame = con.sql(
            f"SELECT org_code AS unit, {lists} FROM {table} "
            f"WHERE eval_period IN ({_labels(window)}) "
            "AND org_code IN (SELECT unit FROM _kpi_quality_units) GROUP BY org_code"
        ).pl()
    finally:
        con.unregister("_kpi_quality_units")
    return frame.unpivot(index="unit", variable_name="field", value_name="history")
