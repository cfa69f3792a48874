"""Loading submission files into the store: read → coerce → validate → store.

One file is one transaction: everything it contributes (the ``files`` row, accepted rows,
rejected rows, issue records) commits together or not at all. A file already loaded
(same sha256) is not loaded again. A later load of an org_code + period supersedes the
earlier one through the ``current_submissions`` view; nothing is deleted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from kpi_audit.core.errors import InputError, UsageError
from kpi_audit.core.periods import Period, parse_period, period_of
from kpi_audit.ingest.discover import expand_paths
from kpi_audit.ingest.encoding import check_encoding
from kpi_audit.ingest.issues import empty_issues
from kpi_audit.ingest.limits import Limits, read_regular_file
from kpi_audit.ingest.prepare import PreparedFile, prepare_file
from kpi_audit.ingest.read import FileGrids, SheetNames, file_grids, sheet_names
from kpi_audit.ingest.register_fields import match_register_header
from kpi_audit.ingest.register_write import load_register
from kpi_audit.ingest.registers import PreparedRegister, prepare_register
from kpi_audit.ingest.report import FileReport, IngestReport
from kpi_audit.ingest.write import store_file
from kpi_audit.store.db import fetch_one

log = logging.getLogger("kpi_audit.ingest")
ProgressCallback = Callable[[str, int, int], None]
_Prepared = PreparedFile | PreparedRegister | InputError


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    *,
    period: str | None = None,
    sheet: SheetNames = None,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
    aggregates: bool = True,
    received: date | None = None,
    encoding: str | None = None,
) -> IngestReport:
    """Load every file that ``paths`` names. A file that cannot be read (or a path
    that matches nothing) is reported as ``failed`` and the others still load; when no
    path matches anything, :class:`InputError` is raised. ``on_progress(path, done, total)`` is
    called after each file. With ``aggregates`` the per-period sums that trends read
    (store/aggregates.py) are brought up to date for the years loaded, once per run.
    ``received`` is the date the office received the files (kept with each file
    loaded or already loaded; late_submission compares it with the deadline), when it
    is not the day of the ingest. ``sheet`` names the sheets to read, one or several
    (default: every visible sheet with a header). ``encoding`` is the text encoding of the CSV files
    (default: detected per file); an unknown name is a :class:`UsageError`."""
    default_period = _parse_period_option(period)
    encoding = check_encoding(encoding)
    report = IngestReport()
    files: dict[Path, None] = {}
    for given in paths:
        try:
            files.update(dict.fromkeys(expand_paths([given])))
        except InputError as exc:  # the other paths still load
            report.files.append(_failed(str(given), None, exc))
    if not files:
        first = report.files[0].cause if report.files else None
        raise InputError(
            code="nothing_to_ingest", params={"cause": first, "case": None if first else "none"}
        )
    since = time.perf_counter()
    for done, (path, file_report) in enumerate(
        _ingest_in_order(
            con,
            list(files),
            _Options(period=default_period, sheets=sheet_names(sheet), encoding=encoding),
            strict=strict,
        ),
        start=1,
    ):
        since = _log_file(path, file_report, since)
        report.files.append(file_report)
        if on_progress is not None:
            on_progress(str(path), done, len(files))
    if received is not None:
        _record_received(con, report, received)
    if aggregates:
        _refresh_aggregates(con, report)
    return report


def _log_file(path: Path, file_report: FileReport, since: float) -> float:
    """The -v line of a file (status, rows, seconds since ``since``); returns now."""
    now = time.perf_counter()
    r = file_report
    log.debug(
        "%s: %s, %d rows loaded, %d rejected, %.2f s",
        path, r.status, r.rows_loaded, r.rows_rejected, now - since,
    )  # fmt: skip
    return now


def _refresh_aggregates(con: duckdb.DuckDBPyConnection, report: IngestReport) -> None:
    years = sorted({period_of(p).year for f in report.with_status("loaded") for p in f.periods})
    if years:
        from kpi_audit.evaluate.trends import refresh
        from kpi_audit.spec.catalog import load_catalog

        started = time.perf_counter()
        refresh(con, load_catalog(), years)
        log.debug("per-period sums brought up to date, %.2f s", time.perf_counter() - started)


def _record_received(con: duckdb.DuckDBPyConnection, report: IngestReport, received: date) -> None:
    hashes = [f.sha256 for f in report.files if f.sha256 and f.status != "failed"]
    if hashes:
        con.execute(
            "UPDATE files SET received_at = ? WHERE list_contains(?, sha256)", [received, hashes]
        )


# Files up to this size are read, coerced and validated one file ahead, in a second
# worker thread, while the file before is still being read or written to the store
# (polars, calamine, zlib and DuckDB release the GIL): on a folder of small files that
# hides most of the reading, and two 100,000-row quarters (9.7 MB each) are read on both
# cores at once (peak RSS ~1.5x one file's read). Larger files are read one at a time,
# so that two of them never share the memory.
READ_AHEAD_MAX_BYTES = 32_000_000
# The file being loaded and the one ahead: more workers would only queue behind them.
READ_WORKERS = min(2, os.cpu_count() or 1)


def _ingest_in_order(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    options: _Options,
    *,
    strict: bool,
) -> Iterator[tuple[Path, FileReport]]:
    """Each file's report, in order; the same as loading each in turn."""
    stored: set[str] = set()  # sha256 of the files stored by this run
    with ThreadPoolExecutor(READ_WORKERS, thread_name_prefix="kpi-audit-read") as pool:

        def start(
            path: Path,
        ) -> FileReport | tuple[_ToLoad, Future[PreparedFile | PreparedRegister | InputError]]:
            checked = _check(con, path, strict=strict)
            if isinstance(checked, FileReport):
                return checked
            return checked, pool.submit(_prepare, checked, options)

        ahead = start(files[0]) if files else None
        for i, path in enumerate(files):
            started = ahead if ahead is not None else start(path)
            nxt = files[i + 1] if i + 1 < len(files) else None
            ahead = start(nxt) if nxt is not None and _small(nxt) else None
            if isinstance(started, FileReport):
                yield path, started
                continue
            checked, future = started
            if checked.sha256 in stored:
                # The same content twice in one run: checked before the first was stored.
                again = _check(con, path, strict=strict)
                if isinstance(again, FileReport):
                    yield path, again
                    continue
                checked = again
            yield path, _load(con, checked, future.result(), strict=strict)
            stored.add(checked.sha256)


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= READ_AHEAD_MAX_BYTES
    except OSError:
        return True  # _check reports the error


def _parse_period_option(text: str | None) -> Period | None:
    if text is None:
        return None
    parsed = parse_period(text)
    if parsed is None:
        raise UsageError(code="period_option", params={"text": text})
    return parsed


@dataclass(frozen=True)
class _Options:
    """How every file of a run is read."""

    period: Period | None
    sheets: tuple[str, ...]  # none: every visible sheet
    encoding: str | None


@dataclass(frozen=True)
class _ToLoad:
    """A file read and not loaded before (or refused under --strict, ``retry_of``)."""

    path: Path
    data: bytes
    sha256: str
    retry_of: int | None


def _check(con: duckdb.DuckDBPyConnection, path: Path, *, strict: bool) -> _ToLoad | FileReport:
    """The file's bytes if it is to be loaded, else its report (unreadable, unchanged)."""
    shown = str(path)
    try:
        data = read_regular_file(path, Limits.from_env())  # no FIFOs, devices, huge files
    except InputError as exc:
        return _failed(shown, None, exc)
    sha256 = hashlib.sha256(data).hexdigest()

    earlier = fetch_one(
        con,
        "SELECT file_id, path, ingested_at, strict, rows_loaded, rows_rejected FROM files "
        "WHERE sha256 = ?",
        [sha256],
    )
    # A file refused under --strict may be loaded again without --strict.
    retry_of = None
    if earlier is not None:
        file_id, old_path, old_at, old_strict, old_loaded, old_rejected = earlier
        if not (old_strict and old_loaded == 0 and old_rejected > 0 and not strict):
            return _unchanged(con, shown, sha256, file_id, old_path, old_at)
        retry_of = file_id
    return _ToLoad(path, data, sha256, retry_of)


def _prepare(todo: _ToLoad, options: _Options) -> PreparedFile | PreparedRegister | InputError:
    """:func:`prepare_file`, with the input error returned (it may run in a worker thread).
    A file that is no submission but has a register's header row is that register."""
    period, encoding = options.period, options.encoding
    grids: FileGrids | None = None  # read once, for both readers
    try:
        grids = file_grids(todo.path, todo.data, sheet=options.sheets, encoding=encoding)
        prepared = prepare_file(
            todo.path, todo.data, period=period, sheet=options.sheets, encoding=encoding,
            grids=grids,
        )  # fmt: skip
    except InputError as exc:
        try:  # (grids None: unreadable, or without a --sheet named: read again, whole)
            return prepare_register(todo.path, todo.data, encoding, grids) or exc
        except InputError:
            return exc
    if period is not None and any(
        match_register_header("institutions", header) in ("reports_from", "reports_until")
        for s in prepared.read.sheets
        for _, header in s.unknown
    ):  # an institution register read with --period
        return prepare_register(todo.path, todo.data, encoding, grids) or prepared
    return prepared


def _load(
    con: duckdb.DuckDBPyConnection,
    todo: _ToLoad,
    prepared: PreparedFile | PreparedRegister | InputError,
    *,
    strict: bool,
) -> FileReport:
    """Store a prepared file and report it."""
    shown = str(todo.path)
    if isinstance(prepared, InputError):
        return _failed(shown, todo.sha256, prepared)
    if isinstance(prepared, PreparedRegister):
        return load_register(con, prepared, path=todo.path, sha256=todo.sha256)
    n_rejected = prepared.rows.filter(pl.col("_status") == "rejected").height
    refused = strict and n_rejected > 0
    store_file(
        con,
        prepared,
        path=todo.path,
        sha256=todo.sha256,
        size=len(todo.data),
        strict=strict,
        refused=refused,
        retry_of=todo.retry_of,
    )
    loaded = prepared.rows.filter(pl.col("_status") == "loaded" if not refused else pl.lit(False))
    return FileReport(
        path=shown,
        sha256=todo.sha256,
        status="rejected" if refused else "loaded",
        rows_loaded=loaded.height,
        rows_rejected=n_rejected,
        sheets=[s.name for s in prepared.read.sheets if s.name is not None],
        periods=_in_order(loaded.get_column("period")),
        issues=prepared.issues.drop("_sheet_no"),
    )


def _in_order(labels: pl.Series) -> list[str]:
    """The distinct period labels in the one period order (a year after its Q4)."""
    parsed = (parse_period(label) for label in labels.unique().to_list())
    return [str(p) for p in sorted(p for p in parsed if p is not None)]


def _failed(shown: str, sha256: str | None, error: InputError) -> FileReport:
    return FileReport(
        shown, sha256, "failed", 0, 0, [], [], empty_issues(), error=str(error), cause=error
    )


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    shown: str,
    sha256: str,
    file_id: int,
    old_path: str,
    old_at: datetime,
) -> FileReport:
    sheets, periods = con.execute(
        "SELECT list(DISTINCT sheet ORDER BY sheet) FILTER (WHERE sheet IS NOT NULL), "
        "list(DISTINCT period) FROM submissions WHERE file_id = ?",
        [file_id],
    ).fetchall()[0]
    at = f"{old_at:%Y-%m-%d %H:%M}"
    note = f"already ingested on {at} (as {old_path}); nothing to do"
    in_order = _in_order(pl.Series(periods or [], dtype=pl.String))
    return FileReport(
        shown,
        sha256,
        "unchanged",
        0,
        0,
        sheets or [],
        in_order,
        empty_issues(),
        note=note,
        loaded_before=(at, old_path),
    )
