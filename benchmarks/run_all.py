"""Every benchmark in benchmarks/, one table: ``python benchmarks/run_all.py``.

Runs each script in its own process (so each peak RSS is its own) with ``--json``, shows
its output as it goes, then prints one Markdown table: each goal of issue 12 (and the
benchmarks' own goals), the measured figure (median of --runs, the runs listed), the
floor or goal it is held to, and PASS / MISS. Timings are never asserted in tests; this
is where the goals are checked.

Sizes are the goals' own (a 100,000-row workbook, two 100,000-row quarters, 201,812
results) except the national store: 200,000 institutions × 8 quarters by default, so
that the whole run takes a few minutes on 2 cores; ``--national`` builds the
1,000,000-institution store the goals name (several minutes more). The workbooks are
written once into --workdir and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    goal: str
    measured: str
    target: str
    passed: bool | None  # None: reported, no goal


class BenchFailed(Exception):
    """A benchmark script that did not finish: its goals are reported as not measured."""


def _med(times: list[float]) -> float:
    return statistics.median(times)


def _runs(times: list[float], unit: str = "s", digits: int = 2) -> str:
    """``1.23 s (1.20, 1.23, 1.31)``: the median and every run."""
    listed = ", ".join(f"{t:.{digits}f}" for t in times)
    return f"{_med(times):.{digits}f} {unit} ({listed})"


def run_bench(script: str, *args: str) -> dict[str, Any]:
    """Run ``benchmarks/script --json *args``, echo its output, return its figures."""
    argv = [sys.executable, str(HERE / script), *args, "--json"]
    print(f"\n$ {script} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        lines = []
        for line in child.stdout:
            lines.append(line)
            if not line.startswith("{"):
                print(f"  {line}", end="", flush=True)
    if child.returncode != 0:
        raise BenchFailed(f"{script} exited {child.returncode}")
    print(f"  ({time.perf_counter() - started:.0f} s)")
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


def startup(runs: int) -> list[Row]:
    f = run_bench("bench_startup.py", "--runs", str(runs))["startup"]
    floor = f["python -c pass"]["median"]
    return [
        Row(
            f"start: `{name}`",
            f"{f[name]['median']:.3f} s (min {f[name]['min']:.3f}, max {f[name]['max']:.3f}; "
            f"{f[name]['median'] / floor:.1f}× bare python {floor:.3f} s)",
            "≤ 0.15 s",
            f[name]["median"] <= 0.15,
        )
        for name in ("kpi-audit --version", "kpi-audit --help", "kpi-audit check --help")
    ]


def ingest(runs: int, workbook: Path) -> list[Row]:
    f = run_bench("bench_ingest.py", "--runs", str(runs), "--workbook", str(workbook))
    folder = _med(f["folder_s"])
    return [
        Row(
            "ingest of a 100,000-row workbook vs polars+calamine reading it",
            f"**{f['ratio']:.2f}×**: {_runs(f['ingest_s'])} vs {_runs(f['read_s'])}",
            "≤ 1.3× the read",
            f["ratio"] <= 1.3,
        ),
        Row(
            "ingest peak RSS (the 100,000-row workbook, then the sample folder)",
            f"{f['peak_rss_mb']:,.0f} MB",
            "bounded (reported)",
            None,
        ),
        Row(
            f"ingest of the sample folder ({f['files']} small files), per-file overhead",
            f"{_runs(f['folder_s'])}: {folder / f['files'] * 1000:.0f} ms a file",
            "< 3 s the folder",
            folder < 3,
        ),
    ]


def check_vs_peer(runs: int, workdir: Path) -> list[Row]:
    f = run_bench("bench_check_peer.py", "--runs", str(runs), "--workdir", str(workdir))
    ratio = _med(f["peer_s"]) / _med(f["kpi_s"])
    return [
        Row(
            "`check` of two 100,000-row quarters vs the pandas+openpyxl peer",
            f"**{ratio:.1f}×** faster: {_runs(f['kpi_s'])} vs {_runs(f['peer_s'])}",
            "≥ 10×",
            ratio >= 10,
        )
    ]


def writers(runs: int) -> list[Row]:
    f = run_bench("bench_writers.py", "--runs", str(runs))
    floor, js, csv = _med(f["floor"]), _med(f["write_json"]), _med(f["write_csv"])
    n = f"{f['results']:,}"
    return [
        Row(
            f"JSON of {n} results vs `json.dumps` of the same dict",
            f"**{js / floor:.2f}×**: {_runs(f['write_json'])} vs {_runs(f['floor'])}",
            "≤ 1× the floor, < 1 s",
            js <= floor and js < 1,
        ),
        Row(f"CSV of {n} results", _runs(f["write_csv"]), "< 1 s", csv < 1),
    ]


def reports(runs: int) -> list[Row]:
    f = run_bench("bench_reports.py", "--runs", str(runs))
    n = f"{f['results']:,}"
    return [
        Row(f"{label} report of {n} results", _runs(f[key]), "< 1 s", _med(f[key]) < 1)
        for key, label in (("xlsx", "Excel"), ("html", "HTML"))
    ]


def national(runs: int, institutions: int, store: Path) -> list[Row]:
    f = run_bench(
        "bench_check.py", "--institutions", str(institutions), "--runs", str(runs), "--keep",
        str(store),
    )  # fmt: skip
    plain, kept = f["check, no trends"], f["with trends, sums kept in the store"]
    first = f["with trends, sums not yet stored"]
    ratio = _med(kept["seconds"]) / _med(plain["seconds"])
    peak = max(plain["peak_rss_mib"], kept["peak_rss_mib"], first["peak_rss_mib"])
    scale = f"{institutions:,} institutions × {f['quarters']} quarters"
    return [
        Row(
            f"audit with 8-quarter trends vs without ({scale})",
            f"**{ratio:.2f}×**: {_runs(kept['seconds'])} vs {_runs(plain['seconds'])}; "
            f"sums not yet stored {_runs(first['seconds'])}",
            "≤ 1.2×",
            ratio <= 1.2,
        ),
        Row(
            f"peak RSS of the audit ({scale})",
            f"{peak:,} MiB (no trends {plain['peak_rss_mib']:,}, trends "
            f"{kept['peak_rss_mib']:,}, first time {first['peak_rss_mib']:,})",
            "< 2 GB",
            peak < 2048,
        ),
    ]


def quality(runs: int, store: Path, institutions: int) -> list[Row]:
    f = run_bench("bench_quality.py", "--runs", str(runs), "--keep", str(store), "--reuse")
    seconds = _med(f["seconds"])
    return [
        Row(
            f"data-quality review, all rules ({institutions:,} institutions × 8 quarters; "
            "bench_quality's goal, not issue 12's)",
            f"{_runs(f['seconds'])}, peak RSS {f['peak_rss_mib']:,} MiB",
            "< 5 s, < 2 GB",
            seconds < 5 and f["peak_rss_mib"] < 2048,
        )
    ]


def table(rows: list[Row]) -> str:
    verdict = {True: "PASS", False: "**MISS**", None: "—"}
    lines = ["| goal | measured | floor / goal | |", "|---|---|---|---|"]
    lines += [f"| {r.goal} | {r.measured} | {r.target} | {verdict[r.passed]} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure (median)")
    parser.add_argument(
        "--national", action="store_true", help="the audit at 1,000,000 institutions"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kpi-audit-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    institutions = 1_000_000 if args.national else 200_000
    store = args.workdir / f"national_{institutions}.duckdb"
    load_before, started = os.getloadavg()[0], time.perf_counter()
    benches: list[tuple[str, Callable[[], list[Row]]]] = [
        ("start-up", lambda: startup(max(9, args.runs))),
        # first: writes the two 100,000-row workbooks once (ingest reuses one)
        (
            "check vs the pandas peer (pip install -e '.[bench]')",
            lambda: check_vs_peer(args.runs, args.workdir),
        ),
        ("ingest", lambda: ingest(args.runs, args.workdir / "now_100000.xlsx")),
        ("JSON and CSV writers", lambda: writers(args.runs)),
        ("Excel and HTML reports", lambda: reports(args.runs)),
        ("audit with and without trends", lambda: national(args.runs, institutions, store)),
        ("data-quality review", lambda: quality(args.runs, store, institutions)),
    ]
    rows: list[Row] = []
    for name, bench in benches:
        try:
            rows += bench()
        except BenchFailed as failed:
            rows.append(Row(name, f"not measured: {failed}", "", False))
    store.unlink(missing_ok=True)
    minutes = (time.perf_counter() - started) / 60
    print(
        f"\n{os.cpu_count()} cores; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after; {minutes:.1f} min; medians of {args.runs} runs\n"
    )
    print(table(rows))
    missed = sum(r.passed is False for r in rows)
    print(f"\n{missed} of {sum(r.passed is not None for r in rows)} goals missed")


if __name__ == "__main__":
    main()
