"""Completeness of a period's submissions as data issues and a summary: who was expected
and sent nothing (evaluate/reporting.py decides who was expected), who reported only
rows that were refused, counties that fell silent, and rows rejected at ingest."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from kpi_audit.core.periods import Period
from kpi_audit.core.result import ISSUE_SCHEMA, Completeness
from kpi_audit.evaluate.reporting import Reporting
from kpi_audit.evaluate.rows import LoadedPeriods, rejects_sql, source_labels
from kpi_audit.evaluate.sql import sql_literal
from kpi_audit.render.i18n import issue_messages


def _issues(frame: pl.DataFrame, code: str | None = None, **params: object) -> pl.DataFrame:
    """``frame`` in ISSUE_SCHEMA; with ``code``, every row gets that code, its params and
    its messages."""
    if frame.width == 0:  # selecting literals from a frame without columns gives one null row
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    if code is not None:
        params_text, zh, en = issue_messages(code, **params)
        frame = frame.with_columns(
            code=pl.lit(code),
            params=pl.lit(params_text),
            message_zh=pl.lit(zh),
            message_en=pl.lit(en),
        )
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in ISSUE_SCHEMA.items()
        ]
    )


def missing_reports(reporting: Reporting, period: Period) -> pl.DataFrame:
    """One ``missing_report`` issue per expected institution that sent nothing: from the
    institution register (code ``missing_registered``) or, without one, from the previous
    period (``missing_report``)."""
    missing = reporting.missing().select(
        kind=pl.lit("missing_report"), org_code="org_code", org_name="org_name", county="county"
    )
    if reporting.basis == "institution_register":
        return _issues(missing, "missing_registered", period=str(period))
    return _issues(missing, "missing_report", previous=str(period.previous()), period=str(period))


def rejected_reports(reporting: Reporting, period: Period) -> pl.DataFrame:
    """Institutions whose every row was refused: they reported, with errors."""
    rejected = reporting.roster.filter(pl.col("status") == "rejected").select(
        kind=pl.lit("reported_with_errors"),
        org_code="org_code",
        org_name="org_name",
        county="county",
    )
    return _issues(rejected, "reported_with_errors", period=str(period))


def silent_counties(
    con: duckdb.DuckDBPyConnection, table: str, period: Period, loaded: LoadedPeriods
) -> pl.DataFrame:
    if period.quarter is None:
        earlier = [p for p in loaded.periods if p.year < period.year]
    else:
        earlier = [p for p in loaded.periods if p < period]
    if not earlier:
        return _issues(pl.DataFrame())
    listed = ", ".join(sql_literal(str(p)) for p in earlier)
    sql = (
        "SELECT 'county_no_data' AS kind, county FROM ("
        f"SELECT DISTINCT county FROM submissions WHERE period IN ({listed}) "
        "AND county IS NOT NULL EXCEPT "
        f"SELECT DISTINCT county FROM {table} WHERE eval_period = {sql_literal(str(period))}"
        ") ORDER BY county"
    )
    return _issues(con.sql(sql).pl(), "county_no_data", period=str(period))


def rejected_rows(con: duckdb.DuckDBPyConnection, labels: Sequence[str]) -> pl.DataFrame:
    """Rows rejected at ingest for these period labels, one record per problem."""
    rejected = "row_rejected"
    _, rejected_zh, rejected_en = issue_messages(rejected)
    sql = (
        f"WITH r AS ({rejects_sql(labels)}) "
        "SELECT 'row_error' AS kind, f.path AS file, r.sheet, CAST(r.source_row AS BIGINT) AS row,"
        " i.field, i.value, "
        f"COALESCE(i.code, {sql_literal(rejected)}) AS code, "
        "CASE WHEN i.code IS NULL THEN '{}' ELSE CAST(json_object('field', i.field, "
        "'value', i.value) AS VARCHAR) END AS params, "
        f"COALESCE(i.message_zh, {sql_literal(rejected_zh)}) AS message_zh, "
        f"COALESCE(i.message_en, {sql_literal(rejected_en)}) AS message_en, "
        "r.org_code, r.org_name, r.county "
        "FROM r JOIN files f ON f.file_id = r.file_id "
        "LEFT JOIN ingest_issues i ON i.file_id = r.file_id AND i.sheet IS NOT DISTINCT FROM "
        "r.sheet AND i.source_row = r.source_row AND i.severity = 'error' "
        "ORDER BY f.path, r.sheet, r.source_row, i.field"
    )
    return _issues(con.sql(sql).pl())


def register_mismatches(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """The area register against the submissions for ``year``: a registered county no
    submission names, a submission county the register lacks (a name spelt two ways shows
    up as both) — data issues of kind ``register_mismatch``, never a crash."""
    from kpi_audit.store.registers import has_area_register, register_coverage_issues

    if not has_area_register(con, year):
        return _issues(pl.DataFrame())
    found = register_coverage_issues(con, year)
    return _issues(
        found.with_columns(
            kind=pl.lit("register_mismatch"),
            params=pl.struct(county="county", year="year").struct.json_encode(),
        )
    )


def check_completeness(
    con: duckdb.DuckDBPyConnection,
    table: str,
    period: Period,
    loaded: LoadedPeriods,
    reporting: Reporting,
) -> tuple[Completeness, pl.DataFrame]:
    labels = list(dict.fromkeys([str(period), *source_labels([period], loaded)]))
    missing = missing_reports(reporting, period)
    with_errors = rejected_reports(reporting, period)
    counties = silent_counties(con, table, period, loaded)
    rejects = rejected_rows(con, labels)
    prev, cur = sql_literal(str(period.previous())), sql_literal(str(period))
    previous, reported = con.execute(
        f"SELECT COUNT(*) FILTER (WHERE eval_period = {prev}), "
        f"COUNT(*) FILTER (WHERE eval_period = {cur}) FROM {table}"
    ).fetchall()[0]
    roster = reporting.roster
    status = roster["status"]
    summary = Completeness(
        expected_institutions=int(previous),
        reported_institutions=int(reported),
        missing_institutions=missing.height,
        counties_without_data=tuple(counties["county"].to_list()),
        rejected_rows=rejects.select(["file", "sheet", "row"]).unique().height,
        expected_basis=reporting.basis,
        expected=roster.height if reporting.basis != "none" else int(reported),
        rejected_institutions=int((status == "rejected").sum()),
    )
    mismatches = register_mismatches(con, period.year)
    return summary, pl.concat([rejects, with_errors, missing, counties, mismatches])
