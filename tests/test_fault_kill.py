"""kill -9 at random moments (issue 13): during each report format and during ingest.

After every kill the report path holds the old complete file or a new complete one,
never a partial one; the store opens and is consistent (each file's rows committed
together or not at all). Slow (about two minutes): run by CI with the rest of the suite.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from _eval_helpers import Q3_2023, Q3_2024, insert_rows
from test_check_cli import targets_file

from kpi_audit.core.atomic import TEMP_SUFFIX
from kpi_audit.store.db import connect

KILLS = 20
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data" / "submissions"

pytestmark = pytest.mark.slow


def complete(path: Path, fmt: str) -> bool:
    """Whether ``path`` is a whole report of its format."""
    data = path.read_bytes()
    try:
        if fmt == "json":
            return bool(json.loads(data)["results"])
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            return len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
        if fmt == "html":
            return data.rstrip().endswith(b"</html>")
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return book.testzip() is None and "xl/workbook.xml" in book.namelist()
    except (ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return False


def run(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kpi_audit", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at_random(args: list[str], cwd: Path, longest: float, rng: random.Random) -> None:
    proc = run(args, cwd)
    time.sleep(rng.uniform(0.0, longest))
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # reaped: its PID is dead for the next run's stale-temp check


@pytest.mark.parametrize("fmt", ["xlsx", "html", "json", "csv"])
def test_kill_9_while_writing_a_report(fmt: str, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    con = connect(db)
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", Q3_2024)
    con.close()
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    out = tmp_path / "reports" / f"latest.{fmt}"
    args = ["--db", str(db), "report", "-t", spec, "-p", "2024Q3", "-o", str(out)]
    started = time.monotonic()
    assert run(args, tmp_path).wait() == 0
    longest = time.monotonic() - started
    old = out.read_bytes()
    assert complete(out, fmt)
    rng = random.Random(f"kill-{fmt}")
    outcomes = {"old": 0, "new": 0}
    for _ in range(KILLS):
        kill_at_random(args, tmp_path, longest, rng)
        assert out.exists() and complete(out, fmt), "a partial report after kill -9"
        outcomes["old" if out.read_bytes() == old else "new"] += 1
        old = out.read_bytes()
    # the next whole run writes the report and removes the killed runs' temp files
    assert run(args, tmp_path).wait() == 0
    assert complete(out, fmt)
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []
    assert sum(outcomes.values()) == KILLS


def store_is_consistent(db: Path) -> int:
    """Every file row's rows_loaded matches its committed submissions; returns files."""
    con = connect(db, read_only=True)
    try:
        mismatched = con.execute(
            "SELECT f.file_id FROM files f LEFT JOIN ("
            " SELECT file_id, count(*) AS n FROM submissions GROUP BY file_id) s"
            " USING (file_id) WHERE coalesce(s.n, 0) <> f.rows_loaded"
        ).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM submissions WHERE file_id NOT IN (SELECT file_id FROM files)"
        ).fetchall()
        (files,) = con.execute("SELECT count(*) FROM files").fetchall()[0]
    finally:
        con.close()
    assert mismatched == [] and orphans == [(0,)]
    return int(files)


def test_kill_9_during_ingest_leaves_the_store_consistent(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    args = ["--db", str(db), "ingest", str(SAMPLE / "2024Q3"), str(SAMPLE / "2024Q2")]
    scratch = tmp_path / "timing.duckdb"
    started = time.monotonic()
    timing = ["--db", str(scratch), *args[2:]]
    assert run(timing, tmp_path).wait() == 0
    longest = time.monotonic() - started
    expected = store_is_consistent(scratch)
    rng = random.Random("kill-ingest")
    seen = []
    for _ in range(KILLS):
        kill_at_random(args, tmp_path, longest, rng)
        if db.exists():
            seen.append(store_is_consistent(db))
    assert run(args, tmp_path).wait() == 0  # the next run finishes the job
    assert store_is_consistent(db) == expected == 14
    assert seen == sorted(seen)  # loaded files only ever grow
