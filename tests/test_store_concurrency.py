"""Two processes on one store (issue 13): real second processes, never mocks.

DuckDB lets one process write a file or many read it. Readers open read-only and run
side by side; a process that meets another's lock waits (`--wait`), says so once, and
either ends with its whole answer or exits 5 naming the holder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kpi_audit.store.db import connect

REPO = Path(__file__).resolve().parent.parent
SAMPLE_Q3 = REPO / "sample_data" / "submissions" / "2024Q3"

# Holds the store (read-only or not) until its stdin closes: the "other run".
_HOLDER = """
import sys
from kpi_audit.store.db import connect
con = connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


def kpi(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kpi_audit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


@contextmanager
def held(db: Path, mode: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
    try:
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=30)


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "kpi.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "kpi_audit", "--db", str(db), "ingest", str(SAMPLE_Q3)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return db


def check_args(db: Path, *more: str) -> list[str]:
    return ["--db", str(db), "check", "-t", "zhengzhou-2016", "-p", "2024Q3", "-f", "json", *more]


def whole_answer(proc: subprocess.Popen[str]) -> tuple[int, dict, str]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err
    doc = json.loads(out)
    assert doc["period"] == "2024Q3" and doc["results"]
    return proc.returncode, doc, err


def test_two_readers_run_side_by_side(loaded: Path) -> None:
    with held(loaded, "ro"):
        # --wait 0: a reader never waits for another reader
        first = kpi(*check_args(loaded, "--wait", "0"))
        second = kpi("--db", str(loaded), "submissions", "--wait", "0", "--lang", "en")
        code, _, err = whole_answer(first)
        out, err2 = second.communicate(timeout=120)
    assert code == 1 and "waiting" not in err
    assert second.returncode == 0, err2
    assert out.startswith("period\tcounty\tfacilities")


def test_a_reader_waits_for_a_writer_then_answers(loaded: Path) -> None:
    with held(loaded, "rw") as holder:
        reader = kpi(*check_args(loaded, "--wait", "60"))
        # the reader is now waiting; its first stderr line says for whom
        assert reader.stderr is not None
        line = reader.stderr.readline()
        release(holder)
        # in the run's language (zh by default), as every line the CLI prints
        assert re.fullmatch(
            rf"正在等待进程 {holder.pid}（[^）]+）释放数据库 {loaded}（最多 60 秒）\n", line
        )
        code, _, rest = whole_answer(reader)
    assert code == 1 and "waiting" not in rest  # said once


def test_a_reader_gives_up_after_wait_with_exit_5(loaded: Path) -> None:
    with held(loaded, "rw") as holder:
        reader = kpi(*check_args(loaded, "--wait", "0.5"), env={"KPI_AUDIT_LANG": "en"})
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 5
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"waiting for process {holder.pid} (")
    assert lines[1].startswith(f"error: {loaded}: the store is busy: process {holder.pid} (")
    assert "gave up after 0.5 s" in lines[1]
    assert len(lines) == 2


def test_a_writer_gives_up_on_a_reader_with_exit_5(loaded: Path) -> None:
    with held(loaded, "ro") as holder:
        writer = kpi(
            "--db",
            str(loaded),
            "ingest",
            str(SAMPLE_Q3),
            env={"KPI_AUDIT_WAIT": "0.3", "KPI_AUDIT_LANG": "en"},
        )
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 5
    assert f"the store is busy: process {holder.pid} (" in err.splitlines()[-1]


def test_two_writers_one_waits_for_the_other(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    connect(db).close()
    files = sorted(SAMPLE_Q3.glob("*.xlsx"))
    a = kpi("--db", str(db), "ingest", *map(str, files[:4]), "--wait", "120")
    b = kpi("--db", str(db), "ingest", *map(str, files[4:]), "--wait", "120")
    for proc in (a, b):
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    con = connect(db, read_only=True)
    try:
        (loaded_files,) = con.execute("SELECT count(*) FROM files").fetchall()[0]
    finally:
        con.close()
    assert loaded_files == len(files) == 7


def test_a_writer_waits_for_a_writer(loaded: Path, tmp_path: Path) -> None:
    with held(loaded, "rw") as holder:
        writer = kpi("--db", str(loaded), "ingest", "--lang", "en", str(SAMPLE_Q3), "--wait", "60")
        assert writer.stderr is not None
        assert writer.stderr.readline().startswith(f"waiting for process {holder.pid} (")
        release(holder)
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "7 unchanged" in out
