"""population_overlap: without an area register, a county where both a 乡镇卫生院 and the
村卫生室 under it report 服务常住人口 may count its residents twice, which understates every
population-based indicator (signing coverage, per-1,000 rates). One finding per county;
counties the area register covers for the period's year are not assessed (their
denominator comes from the register)."""

from __future__ import annotations

from kpi_audit.core.periods import Period
from kpi_audit.evaluate.sql import sql_literal
from kpi_audit.quality.kinds import OverlapRule


def overlap_sql(rule: OverlapRule, table: str, p: Period) -> str:
    """``value``: the population the later types report, ``reference``: the first type's
    (e.g. Σ 村卫生室 against Σ 乡镇卫生院), ``count``: the rows that report one."""
    first = sql_literal(rule.types[0])
    listed = ", ".join(sql_literal(t) for t in rule.types)
    period = sql_literal(str(p))
    return f"""
        WITH per_type AS (
            SELECT county, org_type, sum(resident_population) AS pop, count(*) AS n
            FROM {table}
            WHERE eval_period = {period} AND org_type IN ({listed}) AND resident_population > 0
            GROUP BY county, org_type
        ), per_county AS (
            SELECT county, count(*) AS types,
                   sum(pop) FILTER (WHERE org_type = {first}) AS upper,
                   sum(pop) FILTER (WHERE org_type <> {first}) AS lower, sum(n) AS n
            FROM per_type GROUP BY county
        ), counties AS (
            SELECT DISTINCT county FROM {table}
            WHERE eval_period = {period} AND county IS NOT NULL
        )
        SELECT CASE WHEN EXISTS (SELECT 1 FROM current_area_register r
                                 WHERE r.county = c.county AND r.year = {p.year})
                    THEN 'area_register'
                    WHEN coalesce(pc.types, 0) = {len(rule.types)} THEN 'flagged'
                    ELSE 'passed' END AS state,
          'county' AS level, c.county AS unit, c.county AS unit_name, c.county,
          NULL::VARCHAR AS indicator, 'resident_population' AS field,
          CAST(pc.lower AS DOUBLE) AS value, NULL::DOUBLE AS expected_low,
          NULL::DOUBLE AS expected_high, NULL::DOUBLE AS score,
          CAST(pc.upper AS DOUBLE) AS reference, NULL::VARCHAR AS other,
          NULL::VARCHAR AS note, pc.n AS count
        FROM counties c LEFT JOIN per_county pc USING (county)"""
