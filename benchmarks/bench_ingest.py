"""Ingest throughput: ``python benchmarks/bench_ingest.py [--rows N]``.

Writes a ROWS-row, 18-column submission workbook (openpyxl write_only) into a temporary
folder, then times
  1. polars + calamine alone reading it (``pl.read_excel(engine="calamine")``), and
  2. ``ingest_paths`` on it into a fresh DuckDB file (read as text, header detection,
     coercion, validation, storage),
each --runs times (alternated; median), and prints both, their ratio, and the peak RSS.
Goal (issue 12): ingest ≤ 1.3× the bare read, with memory bounded by columnar frames
(no per-row Python objects).

Then times ``ingest_paths`` on the sample folder (``sample_data/submissions``: 56 small
files) into a fresh store, for the per-file overhead. Goal: < 3 s for the folder.
``--json`` prints the figures as one JSON line at the end (run_all.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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


def seconds(job: Callable[[], object]) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def bench_workbook(book: Path, tmp: Path, runs: int) -> dict[str, object]:
    """The bare read and ``ingest_paths`` of ``book``, ``runs`` times each, alternated."""
    read_s: list[float] = []
    ingest_s: list[float] = []

    def read() -> None:
        pl.read_excel(book, engine="calamine", read_options={"header_row": 1})

    def ingest(store: Path) -> None:
        con = connect(store)
        (f,) = ingest_paths(con, [book]).files
        con.close()
        assert f.rows_loaded, f

    for i in range(runs):
        read_s.append(seconds(read))
        ingest_s.append(seconds(lambda: ingest(tmp / f"bench{i}.duckdb")))  # noqa: B023
    read_m, ingest_m = statistics.median(read_s), statistics.median(ingest_s)
    print(f"polars + calamine read:   median {read_m:6.2f} s ({_runs(read_s)})")
    print(f"ingest_paths into DuckDB: median {ingest_m:6.2f} s ({_runs(ingest_s)})")
    print(f"ratio ingest / read:      {ingest_m / read_m:6.2f}×  (goal ≤ 1.3×)")
    return {"read_s": read_s, "ingest_s": ingest_s, "ratio": ingest_m / read_m}


def bench_folder(folder: Path, tmp: Path, runs: int) -> dict[str, object]:
    """``ingest_paths`` of the sample folder into a fresh store, ``runs`` times."""
    files: list[int] = []

    def ingest(store: Path) -> None:
        con = connect(store)
        files.append(len(ingest_paths(con, [folder]).files))
        con.close()

    times = [seconds(lambda: ingest(tmp / f"folder{i}.duckdb")) for i in range(runs)]  # noqa: B023
    median = statistics.median(times)
    print(
        f"sample folder: {files[0]} files in median {median:.2f} s ({_runs(times)}; "
        f"{median / files[0] * 1000:.0f} ms a file; goal < 3 s)"
    )
    return {"folder_s": times, "files": files[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median)")
    parser.add_argument(
        "--workbook", type=Path, help="reuse this workbook (written first if it does not exist)"
    )
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = args.workbook or Path(tmp) / "bench.xlsx"
        if not book.exists():
            t0 = time.perf_counter()
            write_workbook(book, args.rows)
            print(f"wrote {book} in {time.perf_counter() - t0:.1f} s")
        print(
            f"workbook: {args.rows:,} rows × {len(HEADER)} columns, "
            f"{book.stat().st_size / 1e6:.1f} MB; load average {os.getloadavg()[0]:.2f} (2 cores)"
        )
        figures = {"rows": args.rows, **bench_workbook(book, Path(tmp), args.runs)}
        figures["peak_rss_mb"] = peak_rss_mb()
        print(f"peak RSS: {figures['peak_rss_mb']:.0f} MB")
        if SAMPLE_FOLDER.is_dir():
            figures |= bench_folder(SAMPLE_FOLDER, Path(tmp), args.runs)
    figures["load"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
