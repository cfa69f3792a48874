"""Loading submission files into the store: read → coerce → validate → store.

One file is one transaction: everything it contributes (the ``files`` row, accepted rows,
rejected rows, issue records) commits together or not at all. A file already loaded
(same sha256) is not loaded again. A later load of an org_code + period supersedes the
earlier one through the ``current_submissions`` view; nothing is deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from kpi_audit.core.errors import InputError, UsageError
from kpi_audit.core.fields import FIELDS
from kpi_audit.core.periods import Period, parse_period
from kpi_audit.ingest.coerce import coerce_cells
from kpi_audit.ingest.read import FileRead, Sheet, read_file
from kpi_audit.ingest.read import expand_paths as _expand_paths
from kpi_audit.ingest.validate import ISSUE_SCHEMA, sheet_issues, validate_rows
from kpi_audit.store.db import fetch_one

Status = Literal["loaded", "unchanged", "rejected", "failed"]
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class FileReport:
    path: str
    sha256: str | None
    status: Status  # rejected = the whole file refused under --strict
    rows_loaded: int
    rows_rejected: int
    sheets: list[str]  # the sheets read (none for a CSV file)
    periods: list[str]  # the periods of the rows loaded, in time order
    issues: pl.DataFrame  # the issue records of this file (ISSUE_SCHEMA)
    error: str | None = None  # one line, for status == "failed"
    note: str | None = None  # e.g. where an unchanged file was loaded before


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    def with_status(self, status: Status) -> list[FileReport]:
        return [f for f in self.files if f.status == status]

    @property
    def failed(self) -> list[FileReport]:
        return self.with_status("failed")

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def issues(self) -> pl.DataFrame:
        return pl.concat([empty_issues(), *(f.issues for f in self.files)], how="vertical")

    def raise_for_failures(self) -> None:
        """Raise :class:`InputError` naming the first failed file, if any failed."""
        failed = self.failed
        if not failed:
            return
        others = len(failed) - 1
        more = f" (and {others} other file{'s' if others > 1 else ''} failed)" if others else ""
        raise InputError(f"{failed[0].error}{more}")


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files, folders (recursive) and globs → the spreadsheet files, in order.

    A path that matches nothing raises :class:`InputError`.
    """
    return _expand_paths(paths)


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    *,
    period: str | None = None,
    sheet: str | None = None,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Load every file that ``paths`` names. A file that cannot be read (or a path
    that matches nothing) is reported as ``failed`` and the others still load; when no
    path matches anything, :class:`InputError` is raised. ``on_progress(path, done, total)`` is
    called after each file."""
    default_period = _parse_period_option(period)
    report = IngestReport()
    files: dict[Path, None] = {}
    for given in paths:
        try:
            files.update(dict.fromkeys(expand_paths([given])))
        except InputError as exc:  # the other paths still load
            report.files.append(_failed(str(given), None, str(exc)))
    if not files:
        raise InputError(
            f"nothing to ingest: {report.files[0].error}"
            if report.files
            else "nothing to ingest: no path given"
        )
    for done, (path, file_report) in enumerate(
        _ingest_in_order(con, list(files), period=default_period, sheet=sheet, strict=strict),
        start=1,
    ):
        report.files.append(file_report)
        if on_progress is not None:
            on_progress(str(path), done, len(files))
    return report


# Files up to this size are read, coerced and validated one file ahead, in a worker
# thread, while the file before is written to the store (polars, calamine and DuckDB
# release the GIL): on a folder of small files that hides most of the reading. A larger
# file's own work dwarfs the overlap, and two of them in memory would double the peak.
READ_AHEAD_MAX_BYTES = 4_000_000


def _ingest_in_order(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    *,
    period: Period | None,
    sheet: str | None,
    strict: bool,
) -> Iterator[tuple[Path, FileReport]]:
    """Each file's report, in order; same results as :func:`ingest_file` on each in turn."""
    stored: set[str] = set()  # sha256 of the files stored by this run
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-audit-read") as pool:

        def start(
            path: Path,
        ) -> tuple[_ToLoad | FileReport, Future[PreparedFile | InputError] | None]:
            checked = _check(con, path, strict=strict)
            if isinstance(checked, FileReport):
                return checked, None
            return checked, pool.submit(_prepare, checked, period, sheet)

        ahead = start(files[0]) if files else None
        for i, path in enumerate(files):
            checked, future = ahead if ahead is not None else start(path)
            nxt = files[i + 1] if i + 1 < len(files) else None
            ahead = start(nxt) if nxt is not None and _small(nxt) else None
            if isinstance(checked, FileReport):
                yield path, checked
                continue
            if checked.sha256 in stored:
                # The same content twice in one run: checked before the first was stored.
                again = _check(con, path, strict=strict)
                if isinstance(again, FileReport):
                    yield path, again
                    continue
                checked = again
            assert future is not None
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
        raise UsageError(
            f"--period '{text}' is not a period (write 2024Q3, 2024年第三季度 or 2024)"
        )
    return parsed


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    period: Period | None = None,
    sheet: str | None = None,
    strict: bool = False,
) -> FileReport:
    """Load one file in one transaction (see :func:`ingest_paths`)."""
    checked = _check(con, path, strict=strict)
    if isinstance(checked, FileReport):
        return checked
    return _load(con, checked, _prepare(checked, period, sheet), strict=strict)


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
        data = path.read_bytes()
    except OSError as exc:
        return _failed(shown, None, f"{shown}: cannot read the file ({exc.strerror or exc})")
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


def _prepare(todo: _ToLoad, period: Period | None, sheet: str | None) -> PreparedFile | InputError:
    """:func:`prepare_file`, with the input error returned (it may run in a worker thread)."""
    try:
        return prepare_file(todo.path, todo.data, period=period, sheet=sheet)
    except InputError as exc:
        return exc


def _load(
    con: duckdb.DuckDBPyConnection,
    todo: _ToLoad,
    prepared: PreparedFile | InputError,
    *,
    strict: bool,
) -> FileReport:
    """Store a prepared file and report it."""
    shown = str(todo.path)
    if isinstance(prepared, InputError):
        return _failed(shown, todo.sha256, str(prepared))
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
        periods=sorted(loaded.get_column("period").unique().to_list(), key=_period_order),
        issues=prepared.issues.drop("_sheet_no"),
    )


def _period_order(text: str) -> tuple[int, int]:
    parsed = parse_period(text)
    return parsed.sort_key() if parsed else (0, 0)


def _failed(shown: str, sha256: str | None, error: str) -> FileReport:
    return FileReport(shown, sha256, "failed", 0, 0, [], [], empty_issues(), error=error)


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
        "list(DISTINCT period ORDER BY period) FROM submissions WHERE file_id = ?",
        [file_id],
    ).fetchall()[0]
    note = f"already ingested on {old_at:%Y-%m-%d %H:%M} (as {old_path}); nothing to do"
    return FileReport(
        shown, sha256, "unchanged", 0, 0, sheets or [], periods or [], empty_issues(), note=note
    )


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


# ---- read, coerce, validate (no database) -----------------------------------------


@dataclass(frozen=True)
class PreparedFile:
    read: FileRead
    rows: pl.DataFrame  # coerced rows of every sheet + _sheet_no, _sheet, _status
    issues: pl.DataFrame  # _sheet_no + ISSUE_SCHEMA


def prepare_file(
    path: Path, data: bytes, *, period: Period | None = None, sheet: str | None = None
) -> PreparedFile:
    """Read, coerce and validate one file; raises :class:`InputError` if unreadable."""
    read = read_file(path, data, sheet=sheet)
    for s in read.sheets:
        if "period" not in s.columns and period is None:
            raise InputError(
                "no 报告期 (period) column: give the period with --period",
                path=str(path),
                sheet=s.name,
            )
    rows = pl.concat(
        [_coerced(i, s, period) for i, s in enumerate(read.sheets)], how="diagonal_relaxed"
    )
    if rows.height == 0:
        raise InputError("no data rows under the header", path=str(path), sheet=sheet)
    checked = validate_rows(rows, default_period=period)

    headers = pl.DataFrame(
        [(i, f, h) for i, s in enumerate(read.sheets) for f, h in s.headers.items()],
        schema={"_sheet_no": pl.Int64(), "field": pl.String(), "header": pl.String()},
        orient="row",
    )
    row_issues = checked.issues.join(headers, on=["_sheet_no", "field"], how="left")
    issues = (
        pl.concat([_sheet_level_issues(read), row_issues], how="diagonal_relaxed")
        .with_columns(file=pl.lit(str(path)))
        .select("_sheet_no", *ISSUE_SCHEMA)
    )
    return PreparedFile(read, checked.rows, issues)


def _coerced(sheet_no: int, sheet: Sheet, period: Period | None) -> pl.DataFrame:
    return coerce_cells(sheet.cells, sheet.columns, period).with_columns(
        _sheet_no=pl.lit(sheet_no, dtype=pl.Int64),
        _sheet=pl.lit(sheet.name, dtype=pl.String),
    )


def _sheet_level_issues(read: FileRead) -> pl.DataFrame:
    records: list[dict[str, object]] = []
    for i, s in enumerate(read.sheets):
        for letter, header in s.unknown:
            records.append(
                {
                    "_sheet_no": i,
                    "sheet": s.name,
                    "row": s.header_row,
                    "header": header,
                    "severity": "notice",
                    "code": "unknown_column",
                    "message_zh": f"第 {letter} 列「{header}」不是已知字段，已忽略",
                    "message_en": f"column {letter} ({header}) is not a known field; ignored",
                }
            )
    for skipped in read.skipped:
        records.append(
            {
                "sheet": skipped.name,
                "severity": "notice",
                "code": "sheet_skipped",
                "message_zh": f"工作表「{skipped.name}」已跳过：{skipped.reason_zh}",
                "message_en": f"sheet {skipped.name} skipped: {skipped.reason_en}",
            }
        )
    return sheet_issues(records)


# ---- the store ---------------------------------------------------------------------


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
    con.execute("BEGIN TRANSACTION")
    try:
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
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
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
