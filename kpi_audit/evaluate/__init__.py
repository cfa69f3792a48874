"""Evaluation of targets against the store (domain.md §4).

- :func:`run_audit` evaluates already-loaded target sets against loaded submissions.
- :func:`audit` is what ``check`` and ``report`` call: ingest the given files, load the
  indicator catalog and the target sets, then ``run_audit``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpi_audit.core.errors import InputError, NoDataError, UsageError
from kpi_audit.core.models import Indicator, Level
from kpi_audit.core.result import AuditResult, QualityReview, RefusedFile
from kpi_audit.evaluate.engine import run_audit
from kpi_audit.evaluate.reporting import DEFAULT_MAX_MISSING_SHARE, DEFAULT_MIN_REPORTING

if TYPE_CHECKING:
    from kpi_audit.ingest.report import IngestReport

__all__ = ["audit", "run_audit"]

log = logging.getLogger("kpi_audit.evaluate")


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_specs: Sequence[str],
    files: Sequence[str | Path] = (),
    levels: Sequence[Level] | None = None,
    sheet: str | Sequence[str] | None = None,
    strict: bool = False,
    data_period: str | None = None,
    trends: bool = False,
    quality: bool = True,
    min_reporting: float = DEFAULT_MIN_REPORTING,
    max_missing_share: float = DEFAULT_MAX_MISSING_SHARE,
    encoding: str | None = None,
) -> AuditResult:
    """Ingest ``files`` (if any) into the store, then evaluate ``target_specs`` (bundled
    set names or target-file paths) for ``period``.

    Files that cannot be loaded do not stop the audit: they are listed in the result's
    ``files_refused`` (and the CLI exits 3). ``data_period`` is the period of files that
    have no 报告期 column; ``encoding`` the text encoding of CSV files (default: detected);
    ``trends`` as in :func:`run_audit`; ``quality`` also runs the
    data-quality review (:func:`kpi_audit.quality.review`) into ``AuditResult.quality``;
    ``min_reporting`` / ``max_missing_share`` as in :func:`run_audit`.
    Raises UsageError when no target set is named, :class:`InputError` when no path
    names a file,
    and whatever :func:`run_audit` raises.
    """
    if not target_specs:
        from kpi_audit.spec.targets import bundled_target_sets

        raise UsageError(code="no_target_sets", params={"sets": list(bundled_target_sets())})
    refused: tuple[RefusedFile, ...] = ()
    if files:
        from kpi_audit.ingest.load import ingest_paths

        report = ingest_paths(
            con, list(files), period=data_period, sheet=sheet, strict=strict, encoding=encoding
        )
        refused = refused_files(report)
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import load_target_sets

    catalog = load_catalog()
    target_sets = load_target_sets(list(target_specs), catalog=catalog)
    with ThreadPoolExecutor(1, thread_name_prefix="kpi-audit-review") as pool:
        # The review reads the same store on its own cursor while the audit runs: both are
        # mostly single-threaded polars and DuckDB work, so on two cores the review costs
        # no time of its own (0.55 s of a 100,000-institution check before).
        # (the cursor made here, in the thread that owns the connection)
        cursor = con.cursor() if quality else None
        reviewing = pool.submit(_review, cursor, period, catalog) if cursor else None
        started = time.perf_counter()
        try:
            result = run_audit(
                con,
                period=period,
                target_sets=target_sets,
                catalog=catalog,
                levels=levels,
                trends=trends,
                min_reporting=min_reporting,
                max_missing_share=max_missing_share,
            )
        except BaseException as exc:
            if cursor is not None and reviewing is not None:
                _stop(cursor, reviewing)
            if isinstance(exc, NoDataError) and refused:
                raise _not_loaded(exc, refused[0]) from exc
            raise
        sets = f"{len(target_sets)} target sets, trends {'on' if trends else 'off'}"
        _log_step(result, sets, started)
        if refused:
            result = replace(result, files_refused=refused)
        if reviewing is not None:
            result.quality = reviewing.result()
    return result


def _stop(cursor: duckdb.DuckDBPyConnection, reviewing: Future[QualityReview]) -> None:
    """End a review the audit no longer needs (the audit failed, or Ctrl-C): its
    running query is interrupted, again until the review has given up, so that the
    error is not held back by a review's whole run (seconds at national scale)."""
    while not reviewing.done():
        # the review closes its cursor as it ends: closed already is ended
        with contextlib.suppress(duckdb.Error):
            cursor.interrupt()
        wait([reviewing], timeout=0.02)


def _review(
    cursor: duckdb.DuckDBPyConnection, period: str, catalog: dict[str, Indicator]
) -> QualityReview:
    """The data-quality review of ``period`` on ``cursor`` (in another thread), closed
    after."""
    from kpi_audit.quality import review

    started = time.perf_counter()
    try:
        return review(cursor, period=period, catalog=catalog)
    finally:
        cursor.close()
        _log_step(None, "data-quality review", started)


def _log_step(result: AuditResult | None, what: str, started: float) -> None:
    """One -v line: the audit (period, what, results) or another step, with its time."""
    seconds = time.perf_counter() - started
    if result is None:
        log.debug("%s: %.2f s", what, seconds)
    else:
        n = result.results.height
        log.debug("audit of %s: %s, %d results, %.2f s", result.period, what, n, seconds)


def _not_loaded(exc: NoDataError, first: RefusedFile) -> NoDataError:
    """Nothing to audit: the error says why the first named file did not help."""
    return NoDataError(
        code="files_not_loaded",
        params={"cause": exc, "file": first.file, "detail": first.cause or first.message},
    )


def refused_files(report: IngestReport) -> tuple[RefusedFile, ...]:
    """The files an ingest could not load (failed) or refused whole (--strict)."""
    refused = []
    for f in report.files:
        if f.status not in ("failed", "rejected"):
            continue
        cause = f.cause or InputError(
            code="strict_nothing_loaded", params={"rows": f.rows_rejected}
        )
        refused.append(RefusedFile(f.path, f.status, f.error or str(cause), cause))
    return tuple(refused)
