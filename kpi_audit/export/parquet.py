"""The store as Hive-partitioned Parquet: what Spark, Trino, DuckDB or a provincial data
platform reads directly (``kpi-audit export --format parquet DIR``).

    DIR/submissions/period=2024Q3/data_0.parquet   current rows (the latest load of each
                                                   institution and period)
    DIR/rejects/period=2024Q3/…                    rejected rows not since replaced
    DIR/area_register/…, DIR/institution_register/…  the registers, when loaded
    DIR/results/period=2024Q3/…                    the audit of every loaded period
    DIR/quality/period=2024Q3/…                    its data-quality findings, when reviewed

DuckDB writes every dataset (``COPY … (FORMAT parquet, PARTITION_BY (period))``); results
and findings go from the audit's polars frames through Arrow without a copy in Python.
The whole tree is written into a temporary sibling folder and renamed into place, so a
reader never sees half an export; an existing DIR is replaced only when asked (moved aside,
then the new one renamed in: for that instant DIR is absent, never partial). Temporary
folders of a killed export are removed by the next one.
"""

from __future__ import annotations

import glob
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from kpi_audit.core.atomic import fsync_folder, process_alive
from kpi_audit.core.errors import InputError, OutputError, UsageError
from kpi_audit.core.models import Indicator, TargetSet
from kpi_audit.evaluate.engine import run_audit
from kpi_audit.evaluate.rows import loaded_periods

# (dataset, relation) exported from the store when the relation exists; the first of
# each tuple that exists is used (a register's current view before its table).
STORE_DATASETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("submissions", ("current_submissions",)),
    ("rejects", ("current_rejects",)),
    ("area_register", ("current_area_register", "area_register")),
    ("institution_register", ("current_institution_register", "institution_register")),
)


@dataclass
class ExportReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # dataset -> rows written
    periods: list[str] = field(default_factory=list)


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {r[0] for r in tables + views}


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path, partitioned: bool) -> int:
    rows = con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0]
    if rows == 0:
        return 0
    options = "FORMAT parquet, COMPRESSION zstd"
    if partitioned:
        options += ", PARTITION_BY (period)"
    quoted = str(target).replace("'", "''")
    con.execute(f"COPY ({select}) TO '{quoted}' ({options})")
    return int(rows)


def _copy_frame(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, target: Path) -> int:
    if frame.height == 0:
        return 0
    name = f"_kpi_export_{uuid.uuid4().hex[:8]}"
    con.register(name, frame)
    try:
        return _copy(con, f"SELECT * FROM {name}", target, partitioned=True)
    finally:
        con.unregister(name)


def _audits(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[str],
    target_sets: Sequence[TargetSet],
    catalog: Mapping[str, Indicator],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results and quality findings of every period (one audit each, without trends)."""
    results, findings = [], []
    for label in periods:
        result = run_audit(
            con, period=label, target_sets=target_sets, catalog=catalog, trends=False
        )
        results.append(result.results)
        review = getattr(result, "quality", None)
        frame = getattr(review, "findings", None)
        if isinstance(frame, pl.DataFrame) and frame.height:
            findings.append(frame.with_columns(period=pl.lit(label)))
    return (
        pl.concat(results, how="diagonal_relaxed") if results else pl.DataFrame(),
        pl.concat(findings, how="diagonal_relaxed") if findings else pl.DataFrame(),
    )


def export_parquet(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    target_sets: Sequence[TargetSet],
    catalog: Mapping[str, Indicator],
    replace: bool = False,
) -> ExportReport:
    """Write the store and the audit of every loaded period under ``out`` (see above)."""
    out = Path(out)
    if out.exists() and not replace:
        raise UsageError(code="export_exists", params={"path": str(out)})
    if not out.parent.is_dir():
        raise InputError(code="export_no_folder", path=str(out.parent))
    if out.exists() and not out.is_dir():
        raise OutputError(code="not_a_folder", path=str(out))
    report = ExportReport(path=out, periods=[str(p) for p in loaded_periods(con).periods])
    _remove_stale(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(
            code="cannot_write_there", params={"reason": exc.strerror or exc}, path=str(out)
        ) from exc
    try:
        present = _relations(con)
        for dataset, candidates in STORE_DATASETS:
            relation = next((r for r in candidates if r in present), None)
            if relation is None:
                continue
            columns = {r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()}
            select = f"SELECT * FROM {relation}"
            if "period" in columns:
                select += " ORDER BY period"
            n = _copy(con, select, tmp / dataset, partitioned="period" in columns)
            report.rows[dataset] = n
        results, findings = _audits(con, report.periods, target_sets, catalog)
        report.rows["results"] = _copy_frame(con, results, tmp / "results")
        if findings.height:
            report.rows["quality"] = _copy_frame(con, findings, tmp / "quality")
        try:
            _swap_into_place(tmp, out)
        except OSError as exc:
            raise OutputError(
                code="cannot_place_export", params={"reason": exc.strerror}, path=str(out)
            ) from exc
        fsync_folder(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def _remove_stale(out: Path) -> None:
    """Temporary and moved-aside folders of an earlier export of ``out`` whose process
    is gone (killed mid-export): removed, as the report writers remove their temps."""
    for kind in ("tmp", "old"):
        for folder in out.parent.glob(f".{glob.escape(out.name)}.{kind}-*"):
            pid = folder.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
            if pid.isdigit() and not process_alive(int(pid)) and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


def _swap_into_place(tmp: Path, out: Path) -> None:
    """``tmp`` becomes ``out``; an existing ``out`` is moved aside first and removed after,
    so ``out`` is always either the old export or the new one."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    out.rename(old)
    try:
        tmp.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def export_store(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    target_specs: Sequence[str] = (),
    replace: bool = False,
) -> ExportReport:
    """``export_parquet`` with target sets named as on the command line (default: every
    bundled set) and the shipped catalog."""
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.spec.targets import bundled_target_sets, load_target_sets

    catalog = load_catalog()
    sets = load_target_sets(list(target_specs) or list(bundled_target_sets()), catalog=catalog)
    return export_parquet(con, out, target_sets=sets, catalog=catalog, replace=replace)
