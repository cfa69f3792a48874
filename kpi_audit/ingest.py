"""Loading submission files into the store: read → coerce → validate → store.

One file is one transaction: everything it contributes (the ``files`` row, accepted rows,
rejected rows, issue records) commits together or not at all. A file already loaded
(same sha256) is not loaded again. A later load of an org_code + period supersedes the
earlier one through the ``current_submissions`` view; nothing is deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from kpi_audit.coerce import coerce_cells
from kpi_audit.errors import InputError, UsageError
from kpi_audit.periods import Period, parse_period
from kpi_audit.reader import FileRead, Sheet, read_file
from kpi_audit.reader import expand_paths as _expand_paths
from kpi_audit.store.db import fetch_one
from kpi_audit.validate import ISSUE_SCHEMA, sheet_issues, validate_rows

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
    for done, path in enumerate(files, start=1):
        report.files.append(
            ingest_file(con, path, period=default_period, sheet=sheet, strict=strict)
        )
        if on_progress is not None:
            on_progress(str(path), done, len(files))
    return report


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

    try:
        prepared = prepare_file(path, data, period=period, sheet=sheet)
    except InputError as exc:
        return _failed(shown, sha256, str(exc))

    n_rejected = prepared.rows.filter(pl.col("_status") == "rejected").height
    refused = strict and n_rejected > 0
    store_file(
        con,
        prepared,
        path=path,
        sha256=sha256,
        size=len(data),
        strict=strict,
        refused=refused,
        retry_of=retry_of,
    )
    loaded = prepared.rows.filter(pl.col("_status") == "loaded" if not refused else pl.lit(False))
    return FileReport(
        path=shown,
        sha256=sha256,
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
    """Write one prepared file in one transaction; returns its file_id."""
    rows = prepared.rows
    n_loaded = 0 if refused else rows.filter(pl.col("_status") == "loaded").height
    n_rejected = rows.filter(pl.col("_status") == "rejected").height
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
        for sheet_no, sheet in enumerate(prepared.read.sheets):
            insert_sheet(
                con,
                file_id,
                now,
                sheet,
                rows.filter(pl.col("_sheet_no") == sheet_no),
                prepared.issues.filter(pl.col("_sheet_no") == sheet_no),
                refused=refused,
            )
        _insert_issues(con, file_id, prepared.issues.filter(pl.col("_sheet_no").is_null()))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return file_id


def insert_sheet(
    con: duckdb.DuckDBPyConnection,
    file_id: int,
    ingested_at: datetime,
    sheet: Sheet,
    rows: pl.DataFrame,
    issues: pl.DataFrame,
    *,
    refused: bool,
) -> None:
    """One sheet's accepted rows, rejected rows and issues (inside the file's
    transaction)."""
    if not refused:
        columns = [d[0] for d in con.execute("SELECT * FROM submissions LIMIT 0").description]
        accepted = rows.filter(pl.col("_status") == "loaded").with_columns(
            file_id=pl.lit(file_id, dtype=pl.Int64),
            sheet=pl.col("_sheet"),
            source_row=pl.col("_row").cast(pl.Int32),
            ingested_at=pl.lit(ingested_at),
        )
        _insert(con, "submissions", accepted.select(c for c in columns if c in accepted.columns))
    rejected = rows.filter(pl.col("_status") == "rejected")
    # The row as read, every headed column (known or not), only for the rejected rows.
    as_read = sheet.cells.join(rejected.select("_row"), on="_row", how="semi").select(
        "_row", pl.struct(sheet.raw_headers).struct.json_encode().alias("_raw_json")
    )
    rejected = rejected.join(as_read, on="_row", how="left").select(
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
    _insert(con, "rejects", rejected)
    _insert_issues(con, file_id, issues)


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
    con.register("_kpi_batch", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _kpi_batch")
    finally:
        con.unregister("_kpi_batch")
