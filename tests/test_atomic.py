"""The one atomic-write helper (kpi_audit/core/atomic.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_audit.core.atomic import (
    TEMP_SUFFIX,
    atomic_write,
    check_writable,
    remove_stale_temps,
    write_text_atomic,
)
from kpi_audit.core.errors import EXIT_INPUT, OutputError


def test_the_new_file_replaces_the_old_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_text("old, complete")
    with pytest.raises(RuntimeError), atomic_write(out, "w", encoding="utf-8") as fh:
        fh.write("new, half")
        raise RuntimeError("killed half way")
    assert out.read_text() == "old, complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # no temp left
    write_text_atomic(out, "new, complete")
    assert out.read_text() == "new, complete"


def test_the_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "a.html", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.html").stat().st_mode & 0o777 == 0o640


def test_a_dead_runs_temp_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    stale = tmp_path / f".r.xlsx.{pid}.abcd1234{TEMP_SUFFIX}"
    stale.write_bytes(b"PK half a workbook")
    live = tmp_path / f".r.xlsx.{os.getppid()}.abcd1234{TEMP_SUFFIX}"  # a running writer's
    live.write_bytes(b"in progress")
    other = tmp_path / f".s.xlsx.{pid}.abcd1234{TEMP_SUFFIX}"  # another target's
    other.write_bytes(b"x")
    write_text_atomic(tmp_path / "r.xlsx", "new")
    assert not stale.exists() and live.exists() and other.exists()
    assert remove_stale_temps(tmp_path / "s.xlsx") == [other]


@pytest.mark.parametrize(
    ("make", "given", "message"),
    [
        (
            lambda d: (d / "afile").write_text("x"),
            "afile/r.xlsx",
            "cannot write there: {d}/afile is a file, not a folder",
        ),
        (
            lambda d: (d / "existing_dir.xlsx").mkdir(),
            "existing_dir.xlsx",
            "is a folder: give a file name for the report",
        ),
        (lambda d: os.mkfifo(d / "p.json"), "p.json", "exists and is not a regular file"),
    ],
    ids=["file_in_the_way", "existing_directory", "fifo"],
)
def test_impossible_paths_are_output_errors(tmp_path: Path, make, given: str, message: str) -> None:
    make(tmp_path)
    with pytest.raises(OutputError) as caught:
        check_writable(tmp_path / given)
    assert str(caught.value) == f"{tmp_path / given}: {message.format(d=tmp_path)}"
    assert caught.value.exit_code == EXIT_INPUT


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError) as caught:
            check_writable(folder / "r.xlsx")
    finally:
        folder.chmod(0o755)
    assert str(caught.value) == f"{folder / 'r.xlsx'}: cannot write the file: Permission denied"


def test_a_read_only_file_system_is_an_output_error() -> None:
    # /proc refuses new files even to root: the read-only case that holds for every user
    with pytest.raises(OutputError) as caught:
        check_writable(Path("/proc/r.xlsx"))
    assert str(caught.value).startswith("/proc/r.xlsx: cannot write the file: ")
