"""`check` against the pandas peer: ``python benchmarks/bench_check_peer.py``.

Two 100,000-institution quarterly workbooks (2024Q3 and 2023Q3, the same institutions;
written once into --workdir and reused), then, three runs each (median):
  - ``kpi-audit check NOW.xlsx BEFORE.xlsx --period 2024Q3 -t zhengzhou-2016 --format
    json`` into a fresh store: ingest of both, every Zhengzhou target at every level,
    the JSON written;
  - ``benchmarks/peer_pandas.py NOW.xlsx BEFORE.xlsx``: pandas + openpyxl, the six
    headline indicators per county and city only (pip install -e '.[bench]').
Prints both and the ratio. Goal: kpi-audit ≥ 10× faster. ``--json`` prints the figures
as one JSON line at the end (run_all.py reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import write_workbook

HERE = Path(__file__).resolve().parent


def timed(argv: list[str], runs: int, before_each: object = None) -> list[float]:
    times = []
    for _ in range(runs):
        if callable(before_each):
            before_each()
        started = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):  # 1: some target failed, as expected
            raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-500:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kpi-audit-bench"))
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    now = args.workdir / f"now_{args.rows}.xlsx"
    before = args.workdir / f"before_{args.rows}.xlsx"
    for path, seed, period in ((now, 7, "2024Q3"), (before, 8, "2023Q3")):
        if not path.exists():
            write_workbook(path, args.rows, seed=seed, period=period)
    store = args.workdir / "check.duckdb"

    def fresh_store() -> None:
        store.unlink(missing_ok=True)

    kpi = [
        sys.executable,
        "-m",
        "kpi_audit",
        "--db",
        str(store),
        "check",
        str(now),
        str(before),
        "--period",
        "2024Q3",
        "-t",
        "zhengzhou-2016",
        "--format",
        "json",
    ]
    peer = [sys.executable, str(HERE / "peer_pandas.py"), str(now), str(before)]
    print(f"two workbooks of {args.rows:,} rows; load average {os.getloadavg()[0]:.2f} (2 cores)")
    ours = timed(kpi, args.runs, fresh_store)
    theirs = timed(peer, args.runs)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"kpi-audit check: median {a:.2f} s ({', '.join(f'{t:.2f}' for t in ours)})")
    print(f"pandas peer:     median {b:.2f} s ({', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"kpi-audit is {b / a:.1f}× faster (goal ≥ 10×); load average {os.getloadavg()[0]:.2f}")
    if args.json:
        print(
            json.dumps(
                {"rows": args.rows, "kpi_s": ours, "peer_s": theirs, "load": os.getloadavg()[0]}
            )
        )


if __name__ == "__main__":
    main()
