"""JSON and CSV writers for 200,000 results: ``python benchmarks/bench_writers.py``.

Synthesises the AuditResult of a 100,000-institution quarter (201,812 result rows, the
shape bench_reports.py makes) and times, three runs each (median):
  - the floor: ``json.dumps`` of the already-built document dict (``to_json_dict``),
    compact and with ``indent=2`` (what ``write_json`` did before);
  - ``write_json`` into a file (document built and written: the whole job);
  - ``write_csv`` into a file.
Prints each as a ratio to the floor. Goal: both writers well under a second and at or
below the floor. ``--json`` prints the figures as one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reports import synthesise

from kpi_audit.render.csv_out import write_csv
from kpi_audit.render.json_out import to_json_dict, write_json


def median_of(runs: int, job: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    result = synthesise(args.institutions, 150)
    print(f"{result.results.height:,} results; load average {os.getloadavg()[0]:.2f} (2 cores)")
    doc = to_json_dict(result)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def json_file() -> None:
            with (out / "a.json").open("w", encoding="utf-8") as fh:
                write_json(result, fh)

        def csv_file() -> None:
            with (out / "a.csv").open("w", encoding="utf-8-sig", newline="") as fh:
                write_csv(result, fh)

        cases: list[tuple[str, str, Callable[[], object]]] = [
            (
                "floor",
                "json.dumps(dict) compact [floor]",
                lambda: json.dumps(doc, ensure_ascii=False),
            ),
            (
                "indent2",
                "json.dumps(dict, indent=2)",
                lambda: json.dumps(doc, ensure_ascii=False, indent=2),
            ),
            ("build_dict", "to_json_dict (build the dict)", lambda: to_json_dict(result)),
            ("write_json", "write_json -> file", json_file),
            ("write_csv", "write_csv -> file", csv_file),
        ]
        floor = None
        figures: dict[str, object] = {"results": result.results.height}
        for key, name, job in cases:
            median, times = median_of(args.runs, job)
            floor = floor or median
            figures[key] = times
            runs = ", ".join(f"{t:.3f}" for t in times)
            print(f"{name:34s} median {median:6.3f} s ({runs})  {median / floor:5.2f}× floor")
        print(
            f"sizes: json {(out / 'a.json').stat().st_size / 1e6:.1f} MB, "
            f"csv {(out / 'a.csv').stat().st_size / 1e6:.1f} MB; "
            f"load average now {os.getloadavg()[0]:.2f}"
        )
    if args.json:
        print(json.dumps({**figures, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
