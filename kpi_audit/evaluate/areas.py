"""What the area register says about each county of an audit: its type (市辖区 / 县 /
县级市) and, for the period's year, its 常住人口 — the reference facts that scope a target
and replace the summed facility populations (domain.md §3b, §4b).

A county's type comes from the register's row for the period's year, else from its
latest row of another year (a type rarely changes), else from the last character of its
name (区 → 市辖区, 县 → 县, 市 → 县级市); ``type_basis`` says which (``stated`` / ``code``
as the register recorded it, or ``name``). Populations are taken only from the period's
own year: another year's figure would silently change the denominator's basis.
"""

from __future__ import annotations

import duckdb
import polars as pl

from kpi_audit.core.models import POPULATION_COLUMNS
from kpi_audit.core.periods import Period

AREA_SCHEMA: dict[str, pl.DataType] = {
    "county": pl.String(),
    "city": pl.String(),  # the city its rows name (the first, should they differ)
    "area_type": pl.String(),
    "type_basis": pl.String(),  # stated | code | name | NULL (type unknown)
    **{c: pl.Int64() for c in POPULATION_COLUMNS},  # NULL without a register row this year
}

_NAME_TYPES = {"区": "市辖区", "县": "县", "市": "县级市"}


def _sql(table: str) -> str:
    populations = ", ".join(f"same.{c}" for c in POPULATION_COLUMNS)
    name_rule = " ".join(
        f"WHEN right(c.county, 1) = '{last}' THEN '{kind}'" for last, kind in _NAME_TYPES.items()
    )
    return f"""
        WITH c AS (SELECT county, min(city) AS city FROM {table} WHERE eval_period = $period
                   AND county IS NOT NULL GROUP BY county),
        typed AS (
            SELECT county, area_type, area_type_basis FROM current_area_register
            WHERE area_type IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY county
                ORDER BY (year = $year) DESC, (year < $year) DESC, abs(year - $year), year DESC) = 1
        ),
        same AS (SELECT * FROM current_area_register WHERE year = $year)
        SELECT c.county, c.city,
               COALESCE(t.area_type, CASE {name_rule} END) AS area_type,
               CASE WHEN t.area_type IS NOT NULL THEN t.area_type_basis
                    WHEN right(c.county, 1) IN ('区', '县', '市') THEN 'name' END AS type_basis,
               {populations}
        FROM c LEFT JOIN typed t USING (county) LEFT JOIN same USING (county)
        ORDER BY c.county
    """


def area_facts(con: duckdb.DuckDBPyConnection, table: str, period: Period) -> pl.DataFrame:
    """One row per county with data in ``period`` (AREA_SCHEMA)."""
    frame = con.sql(_sql(table), params={"period": str(period), "year": period.year}).pl()
    return frame.select([pl.col(c).cast(t) for c, t in AREA_SCHEMA.items()])
