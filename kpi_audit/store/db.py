"""Opening the DuckDB store and bringing its schema up to date."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpi_audit.core.errors import InputError
from kpi_audit.store.migrations import MIGRATIONS

if TYPE_CHECKING:  # imported in connect(): the CLI starts without duckdb
    import duckdb

DEFAULT_DB = "kpi_audit.duckdb"
ENV_DB = "KPI_AUDIT_DB"


def default_db_path() -> Path:
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at ``path`` and apply pending migrations.

    ``":memory:"`` gives a throw-away store (tests, one-shot checks).
    """
    import duckdb

    target = str(path if path is not None else default_db_path())
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(f"cannot open the database: {exc}", path=target) from exc
    if not read_only:
        migrate(con)
    return con


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    return [
        (n, name)
        for n, name in con.execute(
            "SELECT number, name FROM _migrations ORDER BY number"
        ).fetchall()
    ]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet recorded; each in its own transaction."""
    done = {n for n, _ in applied_migrations(con)}
    applied: list[str] = []
    for m in MIGRATIONS:
        if m.number in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO _migrations VALUES (?, ?, ?)", [m.number, m.name, datetime.now()]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(f"{m.number:03d}_{m.name}")
    return applied


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> tuple[Any, ...] | None:
    """The first row of a query, or None.

    DuckDB 2 leaves a result opened by ``fetchone()`` unfinished, and the connection then
    refuses ``con.sql(...)`` until it is drained; fetching all rows avoids that.
    """
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0] if rows else None
