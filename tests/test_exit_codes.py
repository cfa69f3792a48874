"""The exit-code contract (domain.md §6), one test per code, and the conditions that
used to bend it: a closed stdout, --strict, a mixed run, an internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _eval_helpers import Q3_2023, Q3_2024, insert_rows
from _ingest_helpers import EAST, write_submission
from test_check_cli import targets_file
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.store.db import connect


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", Q3_2024)
    con.close()
    return path


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def piped(command: str, tmp_path: Path) -> tuple[int, str, str]:
    """Run ``kpi-audit <command> | head -1`` in a real shell; the exit code of kpi-audit."""
    kpi = f"{sys.executable} -m kpi_audit"
    done = subprocess.run(
        ["bash", "-c", f"{kpi} {command} | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100"},
    )
    return done.returncode, done.stdout, done.stderr


def test_0_all_pass_even_when_stdout_closes_early(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    assert cli("--db", str(db), "check", "-t", spec).exit_code == 0
    for fmt in ("table", "json", "csv"):
        code, out, err = piped(f"--db {db} check -t {spec} -f {fmt}", tmp_path)
        assert (code, err) == (0, ""), (fmt, err)
        assert len(out.splitlines()) == 1


def test_0_targets_list_into_head(tmp_path: Path) -> None:
    for fmt in ("table", "json"):
        code, out, err = piped(f"targets list -f {fmt}", tmp_path)
        assert (code, err) == (0, ""), (fmt, err)
        assert out


def test_1_a_target_failed_even_when_stdout_closes_early(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.52, signing=0.6)
    assert cli("--db", str(db), "check", "-t", spec).exit_code == 1
    code, _, err = piped(f"--db {db} check -t {spec}", tmp_path)
    assert (code, err) == (1, "")


def test_closed_stdout_still_writes_the_reports(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    out = tmp_path / "r.json"
    code, _, _ = piped(f"--db {db} check -t {spec} -o {out}", tmp_path)
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["pass"] == 4


def test_2_usage_error() -> None:
    result = cli("check", "--no-such-option")
    assert result.exit_code == 2


def test_3_strict_refusing_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = [*EAST[1][:3], "医院", *EAST[1][4:]]  # 医院 is not an institution type
    write_submission(tmp_path / "east.xlsx", [EAST[0], bad])
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    ingest = cli("--db", "s.duckdb", "ingest", "--strict", "east.xlsx")
    assert ingest.exit_code == 3
    args = ("check", "--strict", "east.xlsx", "-t", spec, "-f", "json")
    check = cli("--db", "t.duckdb", *args, "--lang", "en")
    assert check.exit_code == 3
    assert check.stderr.splitlines()[-1].endswith(
        " — not loaded: east.xlsx: --strict: 1 row(s) with errors, nothing loaded from this file"
    )
    check = cli("--db", "u.duckdb", *args)  # Chinese by default; the file's reason in English
    assert check.exit_code == 3
    assert check.stderr.splitlines()[-1] == (
        "错误：尚未导入任何报表（先运行 kpi-audit ingest，或在命令后给出报表文件） —— 未能导入："
        "east.xlsx：--strict：有 1 行出错，该文件未导入任何行"
    )


def test_3_mixed_run_writes_the_audit_of_the_good_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_submission(inbox / "east.xlsx", EAST)
    (inbox / "renamed.csv").write_bytes(b"PK\x03\x04 a zip renamed to csv \x00\x01\x02")
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    result = cli(
        "--db", "s.duckdb", "check", "inbox", "-t", spec, "-p", "2024Q3",
        "-f", "json", "-o", "r.xlsx", "-o", "r.json",
    )  # fmt: skip
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["results"]  # the good file was audited
    assert [(f["file"], f["status"]) for f in doc["files_refused"]] == [
        (str(Path("inbox") / "renamed.csv"), "failed")
    ]
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == {
        **doc,
        "generated_at": doc["generated_at"],
    }
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert result.stderr.splitlines()[-1].startswith(f"未导入：{Path('inbox') / 'renamed.csv'}：")
    english = cli(
        "--db", "s.duckdb", "check", "inbox", "-t", spec, "-p", "2024Q3", "-f", "json",
        "--lang", "en",
    )  # fmt: skip
    assert english.exit_code == 3
    assert english.stderr.splitlines()[-1].startswith(
        f"refused: {Path('inbox') / 'renamed.csv'}: no recognisable header row"
    )
    assert json.loads(english.stdout)["files_refused"] == doc["files_refused"]  # English


def test_3_impossible_outputs_are_refused_before_the_audit(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "existing_dir.xlsx").mkdir()
    cases = {
        str(tmp_path / "afile" / "r.xlsx"): f"cannot write there: {tmp_path / 'afile'} is a file",
        str(tmp_path / "existing_dir.xlsx"): "is a folder: give a file name for the report",
        "/proc/r.html": "cannot write the file: ",
    }
    for path, words in cases.items():
        for command in ("check", "report"):
            result = cli("--lang", "en", "--db", str(db), command, "-t", spec, "-o", path)
            assert result.exit_code == 3, (command, path, result.output)
            assert result.stdout == ""  # nothing audited or printed
            assert result.stderr.startswith(f"error: {path}: {words}")
            assert len(result.stderr.splitlines()) == 1


def test_4_internal_error_is_one_line_with_the_debug_hint(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kpi_audit.store.submissions as subs

    def broken(con):  # a bug in kpi-audit
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(subs, "list_submissions", broken)
    result = cli("--db", str(db), "--lang", "en", "submissions")
    assert result.exit_code == 4
    assert result.stderr == (
        "internal error: ZeroDivisionError: division by zero (run with --debug for the traceback)\n"
    )
    result = cli("--db", str(db), "submissions")
    assert result.exit_code == 4
    assert result.stderr == (
        "内部错误：ZeroDivisionError: division by zero（加 --debug 运行可看到回溯）\n"
    )


def test_5_store_busy(db: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,sys; c=duckdb.connect({str(db)!r}); "
         "print('x', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "x\n"
    try:
        result = cli("--db", str(db), "--wait", "0.2", "submissions")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert result.exit_code == 5
    assert result.stderr.splitlines()[-1].startswith(f"错误：{db}：数据库正被占用：进程 ")


def test_csv_output_neutralises_formula_like_cells() -> None:
    import polars as pl

    from kpi_audit.render.csv_out import neutralised

    frame = pl.DataFrame(
        {"unit_name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "东县", None], "v": [1.0] * 6}
    )
    assert neutralised(frame).get_column("unit_name").to_list() == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "东县", None,
    ]  # fmt: skip
    assert neutralised(frame).get_column("v").to_list() == [1.0] * 6


def _run(command: str, tmp_path: Path) -> tuple[int, str]:
    """``kpi-audit <command>`` in a real shell (redirections included); code, stderr."""
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m kpi_audit {command}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("command", "code"),
    [("submissions", 0), ("check -p 2022Q1 -t zhengzhou-2016", 3), ("targets list", 0)],
)
def test_a_closed_stdout_changes_nothing(db: Path, tmp_path: Path, command: str, code: int) -> None:
    """Started with stdout closed (``>&-``), not a pipe closed later: Python's
    sys.stdout is None there (three tracebacks and exit 1 before)."""
    got, err = _run(f"--lang en --db {db} {command} >&-", tmp_path)
    assert got == code, err
    assert "Traceback" not in err
    assert err == ("" if code == 0 else "error: no data loaded for 2022Q1 (loaded periods: "
                   "2023Q3, 2024Q3)\n")  # fmt: skip


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["submissions", "check -t zhengzhou-2016 -f json"])
def test_3_a_stdout_that_is_full(db: Path, tmp_path: Path, command: str) -> None:
    code, err = _run(f"--lang en --db {db} {command} >/dev/full", tmp_path)
    assert code == 3, err
    assert err.splitlines()[-1].endswith(
        "cannot write: No space left on device (ENOSPC); free disk space or check "
        "permissions, then run again"
    )


def test_environment_failures_are_input_output_errors_not_internal_ones() -> None:
    import duckdb

    from kpi_audit.core.environment import environment_failure

    full = duckdb.IOException(
        'IO Error: Could not write file "/mnt/s.duckdb.wal": No space left on device'
    )
    failure = environment_failure(full)
    assert failure is not None and failure.exit_code == 3
    assert failure.params == {
        "reason": "No space left on device",
        "detail": 'IO Error: Could not write file "/mnt/s.duckdb.wal": No space left on device',
    }
    denied = environment_failure(PermissionError(13, "Permission denied", "/srv/out.xlsx"))
    assert denied is not None and denied.params["detail"] == "/srv/out.xlsx"
    # anything else stays what it is: a bug is still exit 4
    assert environment_failure(duckdb.BinderException("column x not found")) is None
    assert environment_failure(ValueError("No space left on device")) is None


def test_a_commit_that_fails_on_a_full_disk_is_raised_as_itself() -> None:
    """DuckDB ends the transaction of a failed COMMIT; the rollback after it raised
    "no transaction is active", which hid the full disk and made it exit 4."""
    import duckdb

    from kpi_audit.ingest.prepare import prepare_file
    from kpi_audit.ingest.write import store_file

    class FullDisk:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def execute(self, sql: str, *args: object) -> object:
            if sql == "COMMIT":
                self.con.execute("ROLLBACK")  # what DuckDB does when the WAL write fails
                raise duckdb.IOException("Could not write file: No space left on device")
            batch = sys._getframe(1).f_locals.get("_kpi_batch")  # found by name in the caller
            if batch is not None:
                self.con.register("_kpi_batch", batch)
            return self.con.execute(sql, *args)

    path = Path(__file__).parent.parent / "sample_data" / "submissions" / "2024Q3"
    book = sorted(path.iterdir())[0]
    con = connect(":memory:")
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        store_file(
            FullDisk(con),  # type: ignore[arg-type]
            prepare_file(book, book.read_bytes()),
            path=book,
            sha256="x",
            size=1,
            strict=False,
            refused=False,
        )
    assert con.execute("SELECT count(*) FROM files").fetchall() == [(0,)]


def test_the_lock_holder_is_named_kpi_audit_when_it_is() -> None:
    from kpi_audit.store.db import lock_holder

    me = os.getpid()
    message = f"Conflicting lock is held in /usr/bin/python3.11 (PID {me}) by user root"
    # this process is pytest, not kpi-audit: the executable's name
    assert lock_holder(message)["program"] == "python3.11"
    runner = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()", "kpi-audit"],
        stdin=subprocess.PIPE,
    )
    try:
        held = f"Conflicting lock is held in /usr/bin/python3.11 (PID {runner.pid}) by user"
        assert lock_holder(held)["program"] == "kpi-audit"
    finally:
        assert runner.stdin is not None
        runner.stdin.close()
        runner.wait()
