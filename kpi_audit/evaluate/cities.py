"""Which city a row without 所属市 is counted in.

所属市 is optional in a submission (domain.md §3): a county's file often leaves it out
while the others fill it in. Left blank, such rows made a city unit of their own (named
after the target set's area), and the city the office reports lost a county. A blank
city is instead taken, per period and county, from

1. ``county_rows``: the city the county's other rows of the period name (the first,
   should they name several);
2. ``county_elsewhere``: the city the county's rows of other periods name, when they name
   one city only (the current rows: a superseded one no longer counts);
3. ``area_register``: the city the area register gives the county (its latest year),
   when it gives one city only;
4. ``only_city``: the one city the store names (its submissions and the area register),
   when it names exactly one;

and stays blank otherwise (then, as before, it is the target set's area). The audit says
so in a notice per period and county (``city_filled``).

Counties are told apart by name: a province's two 鼓楼区 (two cities) make one county unit.
The county value, and the register population matched to it by name, are then those of
both; the audit says so (``county_in_several_cities``) rather than report the sum as one
county silently. The fills are a small temporary
table joined to the window's rows, made only when a row of the window has no city.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.render.i18n import issue_messages

CODE = "city_filled"


def fills_table(superseded: str) -> str:
    """The name of the fills table of the window whose superseded table is ``superseded``."""
    return f"{superseded}_cities"


# Each county's city in the area register (its latest year), when it gives one only.
REGISTER_CITIES = (
    "SELECT county, min(city) AS city FROM (SELECT county, city FROM current_area_register "
    "WHERE city IS NOT NULL QUALIFY rank() OVER (PARTITION BY county ORDER BY year DESC) = 1) "
    "GROUP BY county HAVING count(DISTINCT city) = 1"
)


def make_fills(
    con: duckdb.DuckDBPyConnection, rows: str, labels: Sequence[str], table: str
) -> bool:
    """Create temp table ``table`` (eval_period, county, city, basis, n_rows) of the
    blank cities of ``rows`` (a subquery of the window's rows, submitted ``labels``) that
    can be filled; False, and no table, when every row of the window names its city."""
    listed = ", ".join(f"'{label}'" for label in labels)  # canonical labels: digits and Q
    (blank,) = con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM submissions WHERE period IN ({listed}) "
        "AND city IS NULL LIMIT 1)"
    ).fetchall()
    if not blank[0]:
        return False
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        WITH w AS (SELECT eval_period, county, city FROM {rows}),
        own AS (SELECT eval_period, county, min(city) AS city FROM w
                WHERE city IS NOT NULL GROUP BY eval_period, county),
        elsewhere AS (SELECT county, min(city) AS city FROM current_submissions
                      WHERE city IS NOT NULL GROUP BY county HAVING count(DISTINCT city) = 1),
        reg AS ({REGISTER_CITIES}),
        named AS (SELECT DISTINCT city FROM current_submissions WHERE city IS NOT NULL
                  UNION SELECT DISTINCT city FROM current_area_register WHERE city IS NOT NULL),
        single AS (SELECT min(city) AS city FROM named HAVING count(*) = 1),
        blank AS (SELECT eval_period, county, count(*) AS n_rows FROM w
                  WHERE city IS NULL GROUP BY eval_period, county)
        SELECT b.eval_period, b.county, COALESCE(o.city, e.city, r.city, s.city) AS city,
               CASE WHEN o.city IS NOT NULL THEN 'county_rows'
                    WHEN e.city IS NOT NULL THEN 'county_elsewhere'
                    WHEN r.city IS NOT NULL THEN 'area_register'
                    ELSE 'only_city' END AS basis,
               b.n_rows
        FROM blank b LEFT JOIN own o USING (eval_period, county)
        LEFT JOIN elsewhere e USING (county) LEFT JOIN reg r USING (county)
        CROSS JOIN (SELECT min(city) AS city FROM single) s
        WHERE COALESCE(o.city, e.city, r.city, s.city) IS NOT NULL"""
    )
    return True


def filled_rows(rows: str, table: str) -> str:
    """``rows`` (a subquery) with each blank city replaced by its fill in ``table``."""
    return (
        f"(SELECT u.* REPLACE (COALESCE(u.city, f.city) AS city) FROM {rows} u "
        f"LEFT JOIN {table} f ON f.eval_period = u.eval_period AND f.county = u.county)"
    )


def city_notices(con: duckdb.DuckDBPyConnection, table: str, period: str) -> pl.DataFrame | None:
    """One notice per county of ``period`` whose blank cities were filled, or None."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [table]
    ).fetchall()
    if not exists[0][0]:
        return None
    fills = con.execute(
        f"SELECT county, city, basis, n_rows FROM {table} WHERE eval_period = ? ORDER BY county",
        [period],
    ).fetchall()
    if not fills:
        return None
    records = []
    for county, city, basis, n_rows in fills:
        params, zh, en = issue_messages(
            CODE, county=county, city=city, rows=n_rows, period=period, case=basis
        )
        records.append(
            {
                "kind": "notice",
                "code": CODE,
                "params": params,
                "field": "city",
                "message_zh": zh,
                "message_en": en,
                "county": county,
            }
        )
    return pl.DataFrame(records)


SHARED = "county_in_several_cities"


def shared_county_names(
    con: duckdb.DuckDBPyConnection, rows: str, period: str
) -> pl.DataFrame | None:
    """One warning per county name the period's rows give under more than one city."""
    shared = con.execute(
        f"SELECT county, list(DISTINCT city ORDER BY city) FROM {rows} "
        "WHERE eval_period = ? AND city IS NOT NULL GROUP BY county "
        "HAVING count(DISTINCT city) > 1 ORDER BY county",
        [period],
    ).fetchall()
    if not shared:
        return None
    records = []
    for county, cities in shared:
        params, zh, en = issue_messages(SHARED, county=county, cities=cities, period=period)
        records.append(
            {
                "kind": SHARED,
                "code": SHARED,
                "params": params,
                "field": "county",
                "value": county,
                "message_zh": zh,
                "message_en": en,
                "county": county,
            }
        )
    return pl.DataFrame(records)


def drop_window_tables(con: duckdb.DuckDBPyConnection, superseded: str) -> None:
    """Drop the temp tables of a window (rows.rows_relation): superseded rows, fills."""
    for table in (superseded, fills_table(superseded)):
        con.execute(f"DROP TABLE IF EXISTS {table}")
