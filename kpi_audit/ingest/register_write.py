"""Storing a prepared register file: one transaction, later rows superseding earlier ones.

The rows of a key (area: area_code + year; institution: org_code) loaded before, or
earlier in the same file, get ``superseded_at``; nothing is deleted, so the
``current_*`` views show the latest row of each key and the tables keep the history.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from kpi_audit.ingest.issues import ISSUE_SCHEMA, empty_issues
from kpi_audit.ingest.registers import PreparedRegister
from kpi_audit.ingest.report import FileReport
from kpi_audit.store.db import fetch_one, transaction

_TABLE = {"areas": "area_register", "institutions": "institution_register"}
_KEY = {"areas": ("area_code", "year"), "institutions": ("org_code",)}


def loaded_before(con: duckdb.DuckDBPyConnection, sha256: str) -> tuple[str, datetime] | None:
    """(path, loaded_at) of the register file with this content, if one was loaded."""
    row = fetch_one(
        con,
        "SELECT path, loaded_at FROM register_files WHERE sha256 = ? ORDER BY file_id LIMIT 1",
        [sha256],
    )
    return None if row is None else (str(row[0]), row[1])


def load_register(
    con: duckdb.DuckDBPyConnection, prepared: PreparedRegister, *, path: Path, sha256: str
) -> FileReport:
    """Store a register file unless the same content was loaded before; its report."""
    earlier = loaded_before(con, sha256)
    sheets = [prepared.sheet] if prepared.sheet is not None else []
    if earlier is not None:
        note = f"already ingested on {earlier[1]:%Y-%m-%d %H:%M} (as {earlier[0]}); nothing to do"
        return FileReport(
            str(path), sha256, "unchanged", 0, 0, sheets, [], empty_issues(), note=note,
            register=prepared.kind,
        )  # fmt: skip
    store_register(con, prepared, path=path, sha256=sha256)
    issues = prepared.issues.select(
        file=pl.lit(str(path)),
        sheet="sheet",
        row="source_row",
        field="field",
        header="header",
        value="value",
        severity="severity",
        code="code",
        message_zh="message_zh",
        message_en="message_en",
        period=pl.lit(None, pl.String),
        org_code=pl.coalesce("org_code", "area_code"),
    ).cast(pl.Schema(ISSUE_SCHEMA))
    return FileReport(
        str(path), sha256, "loaded", prepared.rows.height, prepared.rejected, sheets, [], issues,
        register=prepared.kind,
    )  # fmt: skip


def store_register(
    con: duckdb.DuckDBPyConnection, prepared: PreparedRegister, *, path: Path, sha256: str
) -> int:
    """Store the file's rows and issues in one transaction; the new file_id."""
    now = datetime.now()
    table, keys = _TABLE[prepared.kind], _KEY[prepared.kind]
    with transaction(con):
        file_id = int(
            con.execute(
                "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
                "VALUES (?, ?, ?, ?, ?) RETURNING file_id",
                [prepared.kind, str(path), sha256, now, prepared.rows.height],
            ).fetchall()[0][0]
        )
        rows = prepared.rows.with_columns(
            file_id=pl.lit(file_id, pl.Int64), loaded_at=pl.lit(now, pl.Datetime("us"))
        )
        _insert(con, table, rows)
        same_key = " AND ".join(f"n.{k} = o.{k}" for k in keys)
        con.execute(
            f"""
            UPDATE {table} o SET superseded_at = ?
            WHERE o.superseded_at IS NULL AND EXISTS (
                SELECT 1 FROM {table} n
                WHERE n.file_id = ? AND {same_key}
                  AND (o.file_id < n.file_id
                       OR (o.file_id = n.file_id AND o.source_row < n.source_row)))
            """,
            [now, file_id],
        )
        issues = prepared.issues.with_columns(file_id=pl.lit(file_id, pl.Int64))
        _insert(con, "register_issues", issues)
    return file_id


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    name = f"_kpi_register_{uuid.uuid4().hex[:8]}"
    con.register(name, frame)
    try:
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {name}")
    finally:
        con.unregister(name)
