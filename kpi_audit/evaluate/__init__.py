"""Evaluation of targets against the store (domain.md §4).

- :func:`run_audit` evaluates already-loaded target sets against loaded submissions.
- :func:`audit` is what ``check`` and ``report`` call: ingest the given files, load the
  indicator catalog and the target sets, then ``run_audit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from kpi_audit.core.errors import UsageError
from kpi_audit.core.models import Level
from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate.engine import run_audit

__all__ = ["audit", "run_audit"]


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_specs: Sequence[str],
    files: Sequence[str | Path] = (),
    levels: Sequence[Level] | None = None,
    sheet: str | None = None,
    strict: bool = False,
    data_period: str | None = None,
    trends: bool = False,
    quality: bool = True,
) -> AuditResult:
    """Ingest ``files`` (if any) into the store, then evaluate ``target_specs`` (bundled
    set names or target-file paths) for ``period``.

    ``data_period`` is the period of files that have no 报告期 column; ``trends`` as in
    :func:`run_audit`; ``quality`` also runs the data-quality review
    (:func:`kpi_audit.quality.review`) into ``AuditResult.quality``. Raises UsageError
    when no target set is named, the ingest errors of ``IngestReport.raise_for_failures``,
    and whatever :func:`run_audit` raises.
    """
    if not target_specs:
        from kpi_audit.spec.targets import bundled_target_sets

        known = ", ".join(bundled_target_sets()) or "none bundled"
        raise UsageError(
            f"name at least one target set with --targets (bundled: {known}; "
            "or the path of a target file)"
        )
    if files:
        from kpi_audit.ingest.load import ingest_paths

        report = ingest_paths(con, list(files), period=data_period, sheet=sheet, strict=strict)
        report.raise_for_failures()
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import load_target_sets

    catalog = load_catalog()
    target_sets = load_target_sets(list(target_specs), catalog=catalog)
    result = run_audit(
        con, period=period, target_sets=target_sets, catalog=catalog, levels=levels, trends=trends
    )
    if quality:
        from kpi_audit.quality import review

        result.quality = review(con, period=result.period, catalog=catalog)
    return result
