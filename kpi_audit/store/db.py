"""Opening the DuckDB store safely for many processes, and bringing its schema up to date.

DuckDB lets one process write a file or many processes read it. Everything that only
reads opens the store read-only; a process that meets a lock held by another waits and
retries for up to ``wait`` seconds, then raises :class:`StoreBusyError` (exit 5) naming
the holder. Migrations run only on a kpi-audit store (one with ``_migrations``) or on a
new, empty file; any other DuckDB file is refused untouched (exit 3).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kpi_audit.core.errors import InputError, StoreBusyError
from kpi_audit.store.migrations import MIGRATIONS

if TYPE_CHECKING:  # imported in connect(): the CLI starts without duckdb
    import duckdb

DEFAULT_DB = "kpi_audit.duckdb"
ENV_DB = "KPI_AUDIT_DB"
ENV_WAIT = "KPI_AUDIT_WAIT"
# How long the CLI waits for another run's lock by default (cron jobs overlap by minutes).
DEFAULT_WAIT_SECONDS = 300.0
_RETRY_FIRST, _RETRY_MAX = 0.1, 1.0
_LOCK_MARK = "Could not set lock on file"
# The system's reasons (os.strerror) that say the store's place, not the store, is the
# problem: no "restore it from a backup" for them.
_NOT_WRITABLE = (os.strerror(errno.EROFS), os.strerror(errno.EACCES), os.strerror(errno.EPERM))
_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")

log = logging.getLogger("kpi_audit.store")
StoreState = Literal["kpi_audit", "empty", "foreign"]


@dataclass(frozen=True)
class StoreWait:
    """That a run waits for another process's lock on the store: told once, when the
    waiting starts. ``params`` are notice.store_wait's (case process: pid, program;
    always path, wait); ``str()`` is the English line, :func:`~kpi_audit.render.i18n.
    coded_text` ("notice", code, params, lang) the line in a language."""

    params: dict[str, str]
    code: str = "store_wait"

    def __str__(self) -> str:
        from kpi_audit.render.i18n import coded_text

        return coded_text("notice", self.code, self.params, "en")


WaitCallback = Callable[[StoreWait], None]


def default_db_path() -> Path:
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    wait: float = 0.0,
    on_wait: WaitCallback | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store at ``path`` (creating it when writing) with pending migrations applied.

    ``read_only`` opens a shared connection (many readers at once); a missing file then
    gives an empty in-memory store, so nothing is created by a reader. ``wait`` is how
    many seconds to retry while another process holds a conflicting lock; ``on_wait`` is
    told once, with a one-line description, when waiting starts (default: logged).
    ``":memory:"`` gives a throw-away store (tests, one-shot checks).
    """
    import duckdb

    # What a truncated or overwritten file raises when its catalog or blocks are read.
    damage = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)
    target = str(path if path is not None else default_db_path())
    if target == ":memory:":
        return _migrated(duckdb.connect(":memory:"))
    file = Path(target)
    if file.is_dir():
        raise InputError(code="store_is_folder", path=target)
    if read_only and not file.exists():
        return _migrated(duckdb.connect(":memory:"))
    if not read_only and file.is_file() and file.stat().st_size == 0:
        file.unlink()  # an empty file (e.g. `touch`ed): nothing to keep, start a new store
    notify = on_wait or (lambda waiting: log.info("%s", waiting))
    con = _open_waiting(target, read_only=read_only, wait=wait, on_wait=notify)
    log.debug("store %s opened %s", target, "read-only" if read_only else "for writing")
    try:
        state = store_state(con)
        if state == "foreign":
            raise InputError(code="store_foreign", path=target)
        if not read_only:
            migrate(con)
            return con
        if not pending_migrations(con):
            return con
    except damage as exc:
        con.close()
        raise _open_error(target, str(exc)) from exc
    except BaseException:
        con.close()
        raise
    # A reader found an older schema: bring it up to date with a short write, then read.
    con.close()
    writer = _open_waiting(target, read_only=False, wait=wait, on_wait=notify)
    try:
        migrate(writer)
    finally:
        writer.close()
    return _open_waiting(target, read_only=True, wait=wait, on_wait=notify)


def _migrated(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    migrate(con)
    return con


def _open_waiting(
    target: str, *, read_only: bool, wait: float, on_wait: WaitCallback
) -> duckdb.DuckDBPyConnection:
    import duckdb

    deadline = time.monotonic() + max(wait, 0.0)
    delay = _RETRY_FIRST
    told = False
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.Error as exc:
            text = str(exc)
            if _LOCK_MARK not in text:
                raise _open_error(target, text) from exc
            holder = lock_holder(text)
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusyError(
                    code="store_busy",
                    params={**holder, "wait": f"{wait:g}"},
                    path=target,
                ) from None
            if not told:
                on_wait(StoreWait({**holder, "path": target, "wait": f"{wait:g}"}))
                told = True
            time.sleep(min(delay, left))
            delay = min(delay * 2, _RETRY_MAX)


def lock_holder(message: str) -> dict[str, str]:
    """Who holds the lock, from DuckDB's lock error, as error.store_busy's parameters:
    ``{"case": "process", "pid": "1234", "program": "kpi-audit"}``, or
    ``{"case": "unknown"}``."""
    m = _HOLDER.search(message)
    if not m:
        return {"case": "unknown"}
    return {"case": "process", "pid": m["pid"], "program": _program(m["pid"], m["exe"])}


def _program(pid: str, exe: str) -> str:
    """The holder's program: ``kpi-audit`` when the Python process DuckDB names runs it
    (read from /proc where there is one), else the executable's name."""
    try:
        argv = Path(f"/proc/{int(pid)}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        argv = []
    if any(Path(a.decode(errors="replace")).name in ("kpi-audit", "kpi_audit") for a in argv):
        return "kpi-audit"
    return Path(exe).name


def _open_error(target: str, text: str) -> InputError:
    if "not a valid DuckDB database file" in text:
        return InputError(code="store_not_duckdb", path=target)
    if any(reason in text for reason in _NOT_WRITABLE):
        detail = text.removeprefix("IO Error: ")
        return InputError(code="store_not_writable", params={"detail": detail}, path=target)
    return InputError(
        code="store_damaged", params={"detail": text.removeprefix("IO Error: ")}, path=target
    )


def store_state(con: duckdb.DuckDBPyConnection) -> StoreState:
    """Whether the open database is a kpi-audit store, empty, or something else."""
    names = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT temporary AND NOT internal"
        ).fetchall()
    }
    if "_migrations" in names:
        return "kpi_audit"
    return "foreign" if names else "empty"


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    if store_state(con) != "kpi_audit":
        return []
    return [
        (n, name)
        for n, name in con.execute(
            "SELECT number, name FROM _migrations ORDER BY number"
        ).fetchall()
    ]


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    done = {n for n, _ in applied_migrations(con)}
    return [m.number for m in MIGRATIONS if m.number not in done]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet recorded; each in its own transaction."""

    if store_state(con) == "foreign":
        raise InputError(code="store_not_ours")
    con.execute(
        "CREATE TABLE IF NOT EXISTS _migrations ("
        " number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {n for n, _ in applied_migrations(con)}
    applied: list[str] = []
    for m in MIGRATIONS:
        if m.number in done:
            continue
        with transaction(con):
            con.execute(m.sql)
            con.execute(
                "INSERT INTO _migrations VALUES (?, ?, ?)", [m.number, m.name, datetime.now()]
            )
        applied.append(f"{m.number:03d}_{m.name}")
    return applied


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT around the block, rolled back when the block or the COMMIT fails.
    A COMMIT that failed (a full disk) has already ended the transaction: the rollback's
    own "no transaction is active" must not hide why."""
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> tuple[Any, ...] | None:
    """The first row of a query, or None.

    DuckDB 2 leaves a result opened by ``fetchone()`` unfinished, and the connection then
    refuses ``con.sql(...)`` until it is drained; fetching all rows avoids that.
    """
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0] if rows else None
