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
from kpi_audit.core.result import RegisterSource
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


def expected_sql(period: Period) -> str:
    """The SELECT of the registered institutions whose reporting window covers ``period``
    (org_code, org_name, county, city, org_type).

    A quarter P: from_ord ≤ ord(P) ≤ until_ord (NULL bounds open); a year Y: the window
    overlaps Y*10+1 .. Y*10+4. The bounds are integers, so they are written in.
    """
    first, last = period_ord(period, "from"), period_ord(period, "until")
    return (
        "SELECT org_code, org_name, county, city, org_type FROM current_institution_register "
        f"WHERE (reports_from_ord IS NULL OR reports_from_ord <= {int(last)}) "
        f"AND (reports_until_ord IS NULL OR reports_until_ord >= {int(first)})"
    )


def expected_institutions(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """The registered institutions expected in ``period`` (:func:`expected_sql`)."""
    return con.sql(f"{expected_sql(period)} ORDER BY county, org_code").pl()


_USED = """
SELECT 'areas' AS kind, year, count(*) AS rows, list(DISTINCT f.path ORDER BY f.path) AS files,
       max(r.loaded_at) AS last_loaded
FROM current_area_register r JOIN register_files f USING (file_id) WHERE year = $year
GROUP BY year
UNION ALL
SELECT 'institutions', NULL, count(*), list(DISTINCT f.path ORDER BY f.path), max(r.loaded_at)
FROM current_institution_register r JOIN register_files f USING (file_id) HAVING count(*) > 0
ORDER BY kind
"""


def registers_used(con: duckdb.DuckDBPyConnection, year: int) -> list[RegisterSource]:
    """The area register of ``year`` and the institution register, where loaded."""
    return [
        RegisterSource(kind, None if y is None else int(y), int(n), tuple(files), loaded)
        for kind, y, n, files, loaded in con.sql(_USED, params={"year": year}).fetchall()
    ]


ISSUE_COLUMNS = ("code", "severity", "county", "year", "message_zh", "message_en")

# Submitted counties from ``submissions`` itself: a re-submission does not change an
# institution's county, and the current_submissions view ranks every row of the store.
_COVERAGE = """
WITH sub AS (
    SELECT DISTINCT period_year AS year, county FROM submissions
    WHERE county IS NOT NULL AND ($year IS NULL OR period_year = $year)
), reg AS (
    SELECT DISTINCT year, county FROM current_area_register
    WHERE $year IS NULL OR year = $year
)
SELECT 'register_county_not_submitted' AS code, r.county, r.year FROM reg r
WHERE r.year IN (SELECT year FROM sub)
  AND NOT EXISTS (SELECT 1 FROM sub s WHERE s.year = r.year AND s.county = r.county)
UNION ALL
SELECT 'register_county_missing', s.county, s.year FROM sub s
WHERE s.year IN (SELECT year FROM reg)
  AND NOT EXISTS (SELECT 1 FROM reg r WHERE r.year = s.year AND r.county = s.county)
ORDER BY year, code, county
"""


def register_coverage_issues(
    con: duckdb.DuckDBPyConnection, year: int | None = None
) -> pl.DataFrame:
    """Data issues between the area register and the submissions, per year both cover:
    a registered county no submission names, a submission county the register lacks.

    Columns ISSUE_COLUMNS; severity warning (a name spelt two ways shows up as both).
    """
    from kpi_audit.render.i18n import issue_exprs

    frame = con.sql(_COVERAGE, params={"year": year}).pl()
    schema = {"code": pl.String(), "county": pl.String(), "year": pl.Int64()}
    frame = frame.cast(pl.Schema(schema)) if frame.height else pl.DataFrame(schema=schema)
    parts = []
    for code in ("register_county_not_submitted", "register_county_missing"):
        zh, en = issue_exprs(code, county=pl.col("county"), year=pl.col("year"))
        parts.append(
            frame.filter(pl.col("code") == code).with_columns(
                severity=pl.lit("warning"), message_zh=zh, message_en=en
            )
        )
    return pl.concat(parts).sort("year", "code", "county").select(ISSUE_COLUMNS)


def register_file_issues(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The issues recorded when the register files were loaded, with each file's path."""
    return con.sql(
        """
        SELECT f.kind, f.path, i.source_row, i.field, i.value, i.severity, i.code,
               i.message_zh, i.message_en
        FROM register_issues i JOIN register_files f USING (file_id)
        ORDER BY f.file_id, i.source_row NULLS FIRST
        """
    ).pl()
