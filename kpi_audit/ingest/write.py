"""Writing one prepared file to the store in one transaction.

Everything a file contributes (the ``files`` row, accepted rows, rejected rows, issue
records) commits together or not at all; each table gets one Arrow insert per file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from kpi_audit.core.fields import FIELDS
from kpi_audit.ingest.prepare import PreparedFile
from kpi_audit.store.db import transaction


def store_file(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    *,
    path: Path,
    sha256: str,
    size: int,
    strict: bool,
    refused: bool,
    retry_of: int | None = None,
) -> int:
    """Write one prepared file in one transaction; returns its file_id.

    Each table gets one insert for the whole file (all its sheets): a DuckDB insert
    costs a few milliseconds whatever its size, which is most of the time a small
    file takes.
    """
    rows = prepared.rows
    status = rows.get_column("_status")
    n_loaded = 0 if refused else int((status == "loaded").sum())
    n_rejected = int((status == "rejected").sum())
    now = datetime.now()
    with transaction(con):
        if retry_of is None:
            (file_id,) = con.execute(
                "INSERT INTO files (path, sha256, size_bytes, ingested_at, rows_loaded, "
                "rows_rejected, strict) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING file_id",
                [str(path.resolve()), sha256, size, now, n_loaded, n_rejected, strict],
            ).fetchall()[0]
        else:
            file_id = retry_of
            con.execute("DELETE FROM rejects WHERE file_id = ?", [file_id])
            con.execute("DELETE FROM ingest_issues WHERE file_id = ?", [file_id])
            con.execute(
                "UPDATE files SET path = ?, ingested_at = ?, rows_loaded = ?, "
                "rows_rejected = ?, strict = ? WHERE file_id = ?",
                [str(path.resolve()), now, n_loaded, n_rejected, strict, file_id],
            )
        if not refused:
            _insert(con, "submissions", _accepted(rows, file_id, now))
        if n_rejected:
            _insert(con, "rejects", _rejected(prepared, file_id))
        _insert_issues(con, file_id, prepared.issues)
    return file_id


# The columns of the submissions table (kpi_audit/store/migrations.py): provenance,
# the period, and a column per field of the catalog.
_PERIOD_COLUMNS = ("period", "period_year", "period_quarter")
_FIELD_COLUMNS = tuple(f.id for f in FIELDS if f.id != "period")


def _accepted(rows: pl.DataFrame, file_id: int, ingested_at: datetime) -> pl.DataFrame:
    return (
        rows.lazy()
        .filter(pl.col("_status") == "loaded")
        .select(
            pl.lit(file_id, dtype=pl.Int64).alias("file_id"),
            pl.col("_sheet").alias("sheet"),
            pl.col("_row").cast(pl.Int32).alias("source_row"),
            pl.lit(ingested_at).alias("ingested_at"),
            *_PERIOD_COLUMNS,
            *_FIELD_COLUMNS,
        )
        .collect()
    )


def _rejected(prepared: PreparedFile, file_id: int) -> pl.DataFrame:
    """The rejected rows of every sheet, each with the row as read: every headed
    column (known or not), header → text."""
    rows = prepared.rows.filter(pl.col("_status") == "rejected")
    as_read = pl.concat(
        [
            sheet.cells.join(
                rows.filter(pl.col("_sheet_no") == sheet_no).select("_row"), on="_row", how="semi"
            ).select(
                pl.lit(sheet_no, dtype=pl.Int64).alias("_sheet_no"),
                "_row",
                pl.struct(sheet.raw_headers).struct.json_encode().alias("_raw_json"),
            )
            for sheet_no, sheet in enumerate(prepared.read.sheets)
        ]
    )
    return rows.join(as_read, on=["_sheet_no", "_row"], how="left", maintain_order="left").select(
        file_id=pl.lit(file_id, dtype=pl.Int64),
        sheet=pl.col("_sheet"),
        source_row=pl.col("_row").cast(pl.Int32),
        # Canonical where it parsed, so that current_rejects can match a later load.
        period=pl.coalesce("period", "period__raw")
        if "period__raw" in rows.columns
        else pl.col("period"),
        org_code=pl.col("org_code"),
        org_name=pl.col("org_name"),
        county=pl.col("county"),
        raw_json=pl.col("_raw_json"),
    )


def _insert_issues(con: duckdb.DuckDBPyConnection, file_id: int, issues: pl.DataFrame) -> None:
    _insert(
        con,
        "ingest_issues",
        issues.select(
            pl.lit(file_id, dtype=pl.Int64).alias("file_id"),
            "sheet",
            pl.col("row").cast(pl.Int32).alias("source_row"),
            "field",
            "value",
            "severity",
            "code",
            "message_zh",
            "message_en",
            "period",
            "org_code",
            "header",
        ),
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Arrow into DuckDB in one statement: no row-by-row inserts."""
    if frame.height == 0:
        return
    # DuckDB finds the local frame by its name (a replacement scan): registering and
    # unregistering a view instead costs two catalog changes, ~2 ms an insert.
    _kpi_batch = frame
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _kpi_batch")
