"""The county- and city-level kinds: consistency over time and related data.

Indicator values come from the evaluation's own wide queries (``area_trends``: one scan
of the rows per indicator family, Σ numerator / Σ denominator at every level) for the
period and the same period in each of the earlier years the rules need. Both kinds are
then one SQL statement per rule over that small frame, with window functions over each
unit's years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import polars as pl

from kpi_audit.core.models import Indicator
from kpi_audit.core.periods import Period
from kpi_audit.evaluate.sql import sql_literal
from kpi_audit.evaluate.trends import area_trends
from kpi_audit.quality.rules import ConsistencyRule, RelatedRule

VALUES = "_kpi_quality_values"
_VALUE_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "level": pl.String(),
    "unit": pl.String(),
    "eval_period": pl.String(),
    "value": pl.Float64(),
}


def years_back(p: Period, years: int) -> list[Period]:
    """The same period in each of the ``years`` years before ``p``, oldest first, then ``p``."""
    return [Period(p.year - k, p.quarter) for k in range(years, 0, -1)] + [p]


def indicator_values(
    con: duckdb.DuckDBPyConnection,
    indicators: Sequence[Indicator],
    table: str,
    periods: Sequence[Period],
    area: str,
    register_only: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """County and city values of ``indicators`` for ``periods`` (long, _VALUE_SCHEMA);
    rows without a city count for ``area``; those in ``register_only`` only where the
    area register divides them."""
    if not indicators:
        return pl.DataFrame(schema=_VALUE_SCHEMA)
    # on the basis the verdicts use: a county's register population where it has one
    labels = [str(p) for p in periods]
    by_id = area_trends(
        con, list(indicators), table, labels, register=True, register_only=register_only
    )
    frames = [
        f.select(
            indicator=pl.lit(ind_id),
            level="level",
            unit=pl.col("unit").fill_null(pl.lit(area)),
            eval_period="eval_period",
            value="value",
        )
        for ind_id, f in by_id.items()
    ]
    return pl.concat([pl.DataFrame(schema=_VALUE_SCHEMA), *frames], how="vertical_relaxed")


def _history(periods: Sequence[Period], source: str = "v") -> str:
    labels = [str(p) for p in periods]
    items = ", ".join(
        f"max(CASE WHEN {source}.eval_period = {sql_literal(x)} THEN {source}.value END)"
        for x in labels
    )
    return f"[{items}]"


def consistency_sql(rule: ConsistencyRule, period: Period) -> str:
    """Value / mean of the earlier years' same period (``own_history``), or that ratio
    over the city's (``city``), outside 1 ± tolerance."""
    periods = years_back(period, rule.years)
    now = sql_literal(str(period))
    ids = ", ".join(sql_literal(i) for i in rule.indicators)
    low, high = f"(1 - {rule.tolerance!r})", f"(1 + {rule.tolerance!r})"
    per_unit = f"""
        SELECT v.indicator, v.level, v.unit,
          max(CASE WHEN v.eval_period = {now} THEN v.value END) AS x,
          avg(CASE WHEN v.eval_period <> {now} THEN v.value END) AS mean_before,
          count(CASE WHEN v.eval_period <> {now} THEN v.value END) AS n_before,
          {_history(periods)} AS history
        FROM {VALUES} v WHERE v.indicator IN ({ids}) GROUP BY v.indicator, v.level, v.unit"""
    ratio = "CASE WHEN mean_before > 0 THEN x / mean_before END"
    with_ratio = f"SELECT *, {ratio} AS ratio FROM ({per_unit})"
    if rule.compare == "own_history":
        levels = ", ".join(sql_literal(lv) for lv in rule.levels)
        return f"""
            SELECT CASE WHEN x IS NULL THEN 'no_value'
                        WHEN ratio IS NULL THEN 'no_history'
                        WHEN ratio < {low} OR ratio > {high} THEN 'flagged'
                        ELSE 'passed' END AS state,
              level, unit, unit AS unit_name, CASE WHEN level = 'county' THEN unit END AS county,
              indicator, NULL::VARCHAR AS field, x AS value,
              mean_before * {low} AS expected_low, mean_before * {high} AS expected_high,
              ratio AS score, mean_before AS reference, n_before AS count, history
            FROM ({with_ratio}) WHERE level IN ({levels})"""
    # The city's ratio beside every county's: a window over the indicator's units.
    return f"""
        SELECT CASE WHEN x IS NULL THEN 'no_value'
                    WHEN rel IS NULL THEN 'no_history'
                    WHEN rel < {low} OR rel > {high} THEN 'flagged'
                    ELSE 'passed' END AS state,
          level, unit, unit AS unit_name, unit AS county, indicator, NULL::VARCHAR AS field,
          x AS value, city_ratio * mean_before * {low} AS expected_low,
          city_ratio * mean_before * {high} AS expected_high, rel AS score,
          mean_before AS reference, n_before AS count, history
        FROM (SELECT *, ratio / nullif(city_ratio, 0) AS rel
              FROM (SELECT *, max(CASE WHEN level = 'city' THEN ratio END)
                                OVER (PARTITION BY indicator) AS city_ratio
                    FROM ({with_ratio})))
        WHERE level = 'county'"""


def related_sql(
    rule: RelatedRule, period: Period, years: int, per_year: Mapping[str, float]
) -> str:
    """``left op right × factor`` or ``low ≤ left ≤ high`` for each unit of the rule's
    levels; ``per_year`` multiplies a side's value (a quarter's flows × 4)."""
    assert rule.left is not None
    now = sql_literal(str(period))
    left_id = sql_literal(rule.left.indicator.id)
    lf = per_year.get(rule.left.indicator.id, 1.0)
    periods = years_back(period, years)
    right_id = sql_literal(rule.right.indicator.id) if rule.right else "NULL"
    rf = per_year.get(rule.right.indicator.id, 1.0) if rule.right else 1.0
    per_unit = f"""
        SELECT v.level, v.unit,
          max(CASE WHEN v.eval_period = {now} THEN v.value END) * {lf!r} AS x,
          max(CASE WHEN v.eval_period = {now} THEN r.value END) * {rf!r} AS y,
          list_transform({_history(periods)}, lambda h: h * {lf!r}) AS history
        FROM {VALUES} v LEFT JOIN {VALUES} r
          ON r.indicator = {right_id} AND r.level = v.level AND r.unit = v.unit
             AND r.eval_period = v.eval_period
        WHERE v.indicator = {left_id} GROUP BY v.level, v.unit"""
    if rule.op == "band":
        assert rule.band is not None
        low, high = (repr(b) for b in rule.band)
        state = f"WHEN x < {low} OR x > {high} THEN 'flagged'"
        bounds = f"{low} AS expected_low, {high} AS expected_high, NULL::DOUBLE AS reference"
        missing = "x IS NULL"
    else:
        bound = f"y * {rule.factor!r}"
        state = f"WHEN x {'<' if rule.op == '>=' else '>'} {bound} THEN 'flagged'"
        side = "expected_low" if rule.op == ">=" else "expected_high"
        other = "expected_high" if rule.op == ">=" else "expected_low"
        bounds = f"{bound} AS {side}, NULL::DOUBLE AS {other}, y AS reference"
        missing = "x IS NULL OR y IS NULL"
    levels = ", ".join(sql_literal(lv) for lv in rule.levels)
    return f"""
        SELECT CASE WHEN {missing} THEN 'no_value' {state} ELSE 'passed' END AS state,
          level, unit, unit AS unit_name, CASE WHEN level = 'county' THEN unit END AS county,
          {left_id} AS indicator, NULL::VARCHAR AS field, x AS value, {bounds},
          NULL::DOUBLE AS score, history
        FROM ({per_unit}) WHERE level IN ({levels})"""
