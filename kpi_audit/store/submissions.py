"""What is loaded: periods × counties, with facility counts, files and load times."""

from __future__ import annotations

import duckdb
import polars as pl

SUBMISSIONS_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String(),
    "county": pl.String(),
    "facilities": pl.Int64(),  # institutions with a current row
    "rejected": pl.Int64(),  # rejected rows not since replaced
    "files": pl.Int64(),  # files the current rows come from
    "last_ingested": pl.Datetime("us"),
}

_QUERY = """
WITH loaded AS (
    SELECT period, any_value(period_year) AS y, any_value(period_quarter) AS q, county,
           count(DISTINCT org_code) AS facilities, count(DISTINCT file_id) AS files,
           max(ingested_at) AS last_ingested
    FROM current_submissions GROUP BY period, county
), rejected AS (
    SELECT r.period, r.county, count(*) AS rejected
    FROM current_rejects r GROUP BY r.period, r.county
)
SELECT l.period, l.county, l.facilities, coalesce(r.rejected, 0) AS rejected, l.files,
       l.last_ingested
FROM loaded l LEFT JOIN rejected r
  ON r.period = l.period AND r.county IS NOT DISTINCT FROM l.county
ORDER BY l.y, l.q NULLS LAST, l.county
"""


def list_submissions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per period × county of the current submissions (SUBMISSIONS_SCHEMA)."""
    frame = con.sql(_QUERY).pl()
    return (
        frame.cast(pl.Schema(SUBMISSIONS_SCHEMA))
        if frame.height
        else pl.DataFrame(schema=SUBMISSIONS_SCHEMA)
    )
