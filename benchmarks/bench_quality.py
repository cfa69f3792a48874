"""National-scale benchmark of the data-quality review: every rule of the bundled
catalogue over the 1,000,000-institution × 8-quarter store of bench_check.py.

The store is built with bench_check's generator (hash-based pseudo-random values in
DuckDB); the review of the latest quarter then runs in a fresh process, so its time and
peak RSS are its own. Goals: under 5 s, under 2 GB peak.

    python benchmarks/bench_quality.py [--institutions N] [--keep PATH [--reuse]] [--runs N]

``--json`` prints the figures as one JSON line at the end (run_all.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import QUARTERS, build

GOAL_SECONDS = 5.0
GOAL_MIB = 2048


def review_child(path: Path) -> None:
    """In a fresh process: the review of the latest quarter, timed; figures as JSON."""
    from kpi_audit.quality import load_rules, review
    from kpi_audit.spec.catalog import load_catalog
    from kpi_audit.store.db import connect

    con = connect(path, read_only=True)
    rules, catalog = load_rules(), load_catalog()
    started = time.perf_counter()
    result = review(con, period="latest", rules=rules, catalog=catalog)
    elapsed = time.perf_counter() - started
    by_rule = result.findings.group_by("rule").len().sort("rule").rows()
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "period": result.period,
                "rules": len(rules),
                "findings": result.findings.height,
                "by_rule": dict(by_rule),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    parser.add_argument("--reuse", action="store_true", help="with --keep: review that store")
    parser.add_argument("--runs", type=int, default=3, help="reviews (median)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    if args.child:
        review_child(args.child)
        return
    if args.reuse and not (args.keep and args.keep.exists()):
        parser.error("--reuse needs --keep PATH naming a store built earlier")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.duckdb"
        if not args.reuse:
            if path.exists():
                path.unlink()
            started = time.perf_counter()
            rows = build(path, args.institutions)
            print(
                f"store: {rows:,} rows ({args.institutions:,} institutions × {QUARTERS} "
                f"quarters, {path.stat().st_size / 2**20:,.0f} MiB), built in "
                f"{time.perf_counter() - started:.1f} s"
            )
        seconds, rss = [], []
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            seconds.append(figures["seconds"])
            rss.append(figures["peak_rss_mib"])
            print(
                f"review {figures['period']}: {figures['seconds']:.2f} s, peak RSS "
                f"{figures['peak_rss_mib']:,} MiB (load average before: {load:.2f}, "
                f"{os.cpu_count()} CPUs)"
            )
        median = statistics.median(seconds)
        print(
            f"all {figures['rules']} rules: median {median:.2f} s "
            f"({median / GOAL_SECONDS:.2f}× the {GOAL_SECONDS:g} s goal), peak RSS "
            f"{max(rss):,} MiB ({max(rss) / GOAL_MIB:.2f}× the {GOAL_MIB} MiB goal)"
        )
        print(f"findings: {figures['findings']:,} {figures['by_rule']}")
    if args.json:
        print(
            json.dumps({"seconds": seconds, "peak_rss_mib": max(rss), "load": os.getloadavg()[0]})
        )


if __name__ == "__main__":
    main()
