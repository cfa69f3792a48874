"""Ingest throughput: ``python benchmarks/bench_ingest.py [--rows N]``.

Writes a ROWS-row, 18-column submission workbook (openpyxl write_only) into a temporary
folder, then times
  1. polars + calamine alone reading it (``pl.read_excel(engine="calamine")``), and
  2. ``ingest_paths`` on it into a fresh DuckDB file (read as text, header detection,
     coercion, validation, storage),
and prints both, their ratio, and the peak RSS. Goal: ingest < 2× the bare read, with
memory bounded by columnar frames (no per-row Python objects).

Then times ``ingest_paths`` on the sample folder (``sample_data/submissions``: 56 small
files) into a fresh store, for the per-file overhead. Goal: < 3 s for the folder.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import polars as pl

from kpi_audit.core.fields import FIELDS
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.store.db import connect

SAMPLE_FOLDER = Path(__file__).resolve().parent.parent / "sample_data" / "submissions"
HEADER = [f.zh for f in FIELDS if f.contract]  # the 18 headers of domain.md §3
TYPES = ["综合医院", "中医医院", "社区卫生服务中心", "乡镇卫生院", "村卫生室", "诊所"]


def write_workbook(path: Path, rows: int, seed: int = 7, period: str = "2024Q3") -> None:
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("全市")
    ws.append(["某市 2024 年第三季度医疗机构报表"])
    ws.append(HEADER)
    for i in range(rows):
        org_type = TYPES[i % len(TYPES)]
        hospital = org_type.endswith("医院")
        total = rng.randint(1_000, 500_000)
        population = rng.randint(1_000, 80_000)
        key = population // 4
        ws.append(
            [
                f"ORG{i:07d}",
                f"机构{i}",
                "某市",
                f"县{i % 40:02d}",
                org_type,
                "三级" if hospital and i % 3 == 0 else ("二级" if hospital else None),
                "城市" if i % 2 else "农村",
                period,
                total,
                total // 5,
                total // 2,
                total // 3,
                rng.randint(0, 500),
                rng.randint(0, 500),
                population,
                population // 2,
                key,
                key // 2,
            ]
        )
    wb.save(path)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--workbook", type=Path, help="reuse this workbook (written first if it does not exist)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = args.workbook or Path(tmp) / "bench.xlsx"
        if not book.exists():
            t0 = time.perf_counter()
            write_workbook(book, args.rows)
            print(f"wrote {book} in {time.perf_counter() - t0:.1f} s")
        print(
            f"workbook: {args.rows:,} rows × {len(HEADER)} columns, "
            f"{book.stat().st_size / 1e6:.1f} MB"
        )
        rss_before = peak_rss_mb()

        t0 = time.perf_counter()
        bare = pl.read_excel(book, engine="calamine", read_options={"header_row": 1})
        read_s = time.perf_counter() - t0
        print(f"polars + calamine read:   {read_s:6.2f} s  ({bare.height:,} rows)")
        del bare

        con = connect(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        report = ingest_paths(con, [book])
        ingest_s = time.perf_counter() - t0
        con.close()
        (f,) = report.files
        print(
            f"ingest_paths into DuckDB: {ingest_s:6.2f} s  ({f.rows_loaded:,} loaded, "
            f"{f.rows_rejected:,} rejected, {f.issues.height:,} issues)"
        )
        print(f"ratio ingest / read:      {ingest_s / read_s:6.2f}×  (goal < 2×)")
        print(f"peak RSS: {peak_rss_mb():.0f} MB (before reading: {rss_before:.0f} MB)")

        if SAMPLE_FOLDER.is_dir():
            con = connect(Path(tmp) / "folder.duckdb")
            t0 = time.perf_counter()
            report = ingest_paths(con, [SAMPLE_FOLDER])
            folder_s = time.perf_counter() - t0
            con.close()
            n = len(report.files)
            print(
                f"sample folder: {n} files, {report.rows_loaded:,} rows loaded in "
                f"{folder_s:.2f} s ({folder_s / n * 1000:.0f} ms a file; goal < 3 s)"
            )


if __name__ == "__main__":
    main()
