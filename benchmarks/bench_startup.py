"""Start-up time: ``python benchmarks/bench_startup.py [--runs N]``.

Times, in fresh processes, a bare ``python -c pass`` (the floor), ``kpi-audit --version``,
``kpi-audit --help`` and ``kpi-audit check --help``, each N times, and prints the median,
the spread and the ratio to the floor. Goal: each ≤ 0.15 s. The machine's load average is
printed with the figures: on a shared machine the wall-clock time drifts with it, so the
CPU time (user + system) of the child is printed as well.

The package's modules are byte-compiled first, as ``pip install`` does for an installed
kpi-audit (an editable checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise
compile every module from source on every start). ``--json`` prints the figures as one
JSON line at the end (benchmarks/run_all.py reads it).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 0.15


def _run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(argv: list[str], runs: int) -> tuple[float, float, float, float]:
    """(median wall, min wall, max wall, median CPU) over ``runs`` runs after one warm-up."""
    _run(argv)  # warm the page cache and the .pyc files
    walls, cpus = zip(*(_run(argv) for _ in range(runs)), strict=True)
    return statistics.median(walls), min(walls), max(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args()
    import kpi_audit

    compileall.compile_dir(Path(kpi_audit.__file__).parent, quiet=1)
    cli = [sys.executable, "-m", "kpi_audit"]
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "kpi-audit --version": [*cli, "--version"],
        "kpi-audit --help": [*cli, "--help"],
        "kpi-audit check --help": [*cli, "check", "--help"],
    }
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores), {args.runs} runs each")
    floor = None
    figures: dict[str, dict[str, float]] = {}
    for name, argv in cases.items():
        median, low, high, cpu = measure(argv, args.runs)
        floor = floor or median
        verdict = "" if floor is median else (" ok" if median <= GOAL_S else " OVER GOAL")
        print(
            f"{name:<22} median {median:.3f} s (min {low:.3f}, max {high:.3f}; "
            f"cpu {cpu:.3f} s)  {median / floor:5.1f}× bare python{verdict}"
        )
        figures[name] = {"median": median, "min": low, "max": high, "cpu": cpu}
    print(f"goal: --version, --help and check --help ≤ {GOAL_S} s")
    if args.json:
        print(json.dumps({"startup": figures, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
