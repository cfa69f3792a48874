"""The reference registers as loaded (domain.md §3b): what is there, and who must report.

The tables and ``current_*`` views are made by migration 60. A reporting window is
stored as ordinals, ``year*10 + quarter`` (a bare year: from → Y*10+1, until → Y*10+4;
NULL = open), so "expected in a period" is one comparison in SQL.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import polars as pl

from kpi_audit.core.periods import Period
from kpi_audit.store.db import fetch_one

RegisterKind = Literal["areas", "institutions"]

REGISTERS_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),  # areas | institutions
    "year": pl.Int64(),  # the area register's year; NULL for the institution register
    "rows": pl.Int64(),  # current rows (areas: counties of that year; institutions)
    "counties": pl.Int64(),  # distinct counties among them
    "files": pl.Int64(),  # files the current rows come from
    "last_loaded": pl.Datetime("us"),
}

_SUMMARY = """
SELECT 'areas' AS kind, year, count(*) AS rows, count(DISTINCT county) AS counties,
       count(DISTINCT file_id) AS files, max(loaded_at) AS last_loaded
FROM current_area_register GROUP BY year
UNION ALL
SELECT 'institutions', NULL, count(*), count(DISTINCT county), count(DISTINCT file_id),
       max(loaded_at)
FROM current_institution_register HAVING count(*) > 0
ORDER BY kind, year
"""


def period_ord(period: Period, bound: Literal["from", "until"]) -> int:
    """The ordinal of a window bound: 2024Q2 → 20242; a year 2024 → 20241 (from) / 20244."""
    if period.quarter is not None:
        return period.year * 10 + period.quarter
    return period.year * 10 + (1 if bound == "from" else 4)


def register_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per area-register year and one for the institution register (REGISTERS_SCHEMA)."""
    frame = con.sql(_SUMMARY).pl()
    if not frame.height:
        return pl.DataFrame(schema=REGISTERS_SCHEMA)
    return frame.cast(pl.Schema(REGISTERS_SCHEMA))


def has_area_register(con: duckdb.DuckDBPyConnection, year: int) -> bool:
    """Whether the current area register has any county for ``year``."""
    row = fetch_one(con, "SELECT count(*) FROM current_area_register WHERE year = ?", [year])
    return bool(row and row[0])


def has_institution_register(con: duckdb.DuckDBPyConnection) -> bool:
    row = fetch_one(con, "SELECT count(*) FROM current_institution_register")
    return bool(row and row[0])


def expected_institutions(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """The registered institutions whose reporting window covers ``period``.

    A quarter P: from_ord ≤ ord(P) ≤ until_ord (NULL bounds open); a year Y: the window
    overlaps Y*10+1 .. Y*10+4. Columns: org_code, org_name, county, city, org_type.
    """
    first, last = period_ord(period, "from"), period_ord(period, "until")
    return con.sql(
        """
        SELECT org_code, org_name, county, city, org_type
        FROM current_institution_register
        WHERE (reports_from_ord IS NULL OR reports_from_ord <= ?)
          AND (reports_until_ord IS NULL OR reports_until_ord >= ?)
        ORDER BY county, org_code
        """,
        params=[last, first],
    ).pl()
