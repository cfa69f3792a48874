from pathlib import Path

from kpi_audit.store.db import connect, migrate
from kpi_audit.store.migrations import MIGRATIONS


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = connect(path)
    rows = con.execute("SELECT number, name FROM _migrations ORDER BY number").fetchall()
    assert rows == [(m.number, m.name) for m in MIGRATIONS]
    con.close()
    con = connect(path)  # reopening applies nothing new
    assert migrate(con) == []
    assert con.execute("SELECT count(*) FROM _migrations").fetchone() == (len(MIGRATIONS),)


def test_migration_numbers_are_strictly_increasing() -> None:
    numbers = [m.number for m in MIGRATIONS]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1


def test_current_submissions_sees_the_latest_load(store) -> None:
    store.execute(
        "INSERT INTO files (path, sha256, size_bytes, ingested_at) VALUES "
        "('a.xlsx', 'aa', 1, now()), ('b.xlsx', 'bb', 1, now())"
    )
    store.execute(
        "INSERT INTO submissions (file_id, sheet, source_row, ingested_at, period, period_year,"
        " period_quarter, org_code, county, total_visits) VALUES"
        " (1, 'S', 3, now(), '2024Q3', 2024, 3, 'X1', '东县', 100),"
        " (2, 'S', 3, now(), '2024Q3', 2024, 3, 'X1', '东县', 120),"
        " (1, 'S', 4, now(), '2024Q3', 2024, 3, 'X2', '东县', 50)"
    )
    rows = store.execute(
        "SELECT org_code, total_visits FROM current_submissions ORDER BY org_code"
    ).fetchall()
    assert rows == [("X1", 120), ("X2", 50)]
    # history is kept
    assert store.execute("SELECT count(*) FROM submissions").fetchone() == (3,)


def _cli(*args: str):
    from typer.testing import CliRunner

    from kpi_audit.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_another_applications_duckdb_file_is_refused_untouched(tmp_path: Path) -> None:
    import duckdb

    other = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE customers (id INTEGER, name VARCHAR)")
    con.execute("INSERT INTO customers VALUES (1, 'a')")
    con.close()
    before = other.read_bytes()
    for args in (("ingest", "nothing.csv"), ("submissions",)):
        result = _cli("--db", str(other), *args)
        assert result.exit_code == 3
        assert result.output.startswith(f"错误：{other}：这个 DuckDB 文件不是 kpi-audit 的数据库")
        result = _cli("--lang", "en", "--db", str(other), *args)
        assert result.exit_code == 3
        assert result.output.startswith(f"error: {other}: this DuckDB file is not a kpi-audit")
    assert other.read_bytes() == before
    con = duckdb.connect(str(other), read_only=True)
    tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    con.close()
    assert tables == [("customers",)]  # no _migrations added


def test_a_file_that_is_not_duckdb_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.duckdb"
    notes.write_text("shopping list\n" * 100)
    before = notes.read_bytes()
    assert _cli("--db", str(notes), "submissions").output == (
        f"错误：{notes}：不是 DuckDB 数据库，因此不是 kpi-audit 的数据库；文件未作任何改动："
        "请用 --db 指定另一个文件\n"
    )
    result = _cli("--db", str(notes), "submissions", "--lang", "en")
    assert result.exit_code == 3
    assert result.output == (
        f"error: {notes}: not a DuckDB database, so not a kpi-audit store; "
        "it was left untouched: give another --db\n"
    )
    assert notes.read_bytes() == before


def test_a_store_cut_in_half_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    whole = tmp_path / "whole.duckdb"
    connect(whole).close()
    data = whole.read_bytes()
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(data[: len(data) // 2])
    assert _cli("--db", str(cut), "submissions").output.startswith(f"错误：{cut}：无法打开数据库（")
    result = _cli("--db", str(cut), "--lang", "en", "submissions")
    assert result.exit_code == 3
    assert result.output.startswith(f"error: {cut}: cannot open the store (")
    assert result.output.endswith(
        "the store looks damaged: restore it from a backup, or move it aside and ingest "
        "the submissions again (see docs/operations.md)\n"
    )
    assert len(result.output.splitlines()) == 1


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    empty = tmp_path / "touched.duckdb"
    empty.touch()
    con = connect(empty)
    assert con.execute("SELECT min(number) FROM _migrations").fetchall() == [(1,)]
    con.close()


def test_readers_create_nothing_and_never_migrate(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    con = connect(missing, read_only=True)
    assert con.execute("SELECT count(*) FROM current_submissions").fetchall() == [(0,)]
    con.close()
    assert not missing.exists()
    result = _cli("--db", str(missing), "submissions")
    assert result.exit_code == 0 and not missing.exists()


def test_a_reader_brings_an_old_store_up_to_date(tmp_path: Path, monkeypatch) -> None:
    import kpi_audit.store.db as db

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS[:1])  # a store from the first release
    connect(path).close()
    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS)
    con = connect(path, read_only=True)
    numbers = [n for (n,) in con.execute("SELECT number FROM _migrations ORDER BY 1").fetchall()]
    con.close()
    assert numbers == [m.number for m in MIGRATIONS]


def test_a_lock_held_past_wait_is_store_busy(tmp_path: Path) -> None:
    import subprocess
    import sys

    import pytest

    from kpi_audit.core.errors import EXIT_BUSY, StoreBusyError

    path = tmp_path / "s.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys; c=duckdb.connect({str(path)!r}); "
            "print('x', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "x\n"
    told: list[str] = []
    try:
        with pytest.raises(StoreBusyError) as caught:
            connect(path, read_only=True, wait=0.3, on_wait=told.append)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert caught.value.exit_code == EXIT_BUSY == 5
    assert f"process {holder.pid} (python" in str(caught.value)
    assert len(told) == 1 and str(told[0]).startswith(f"waiting for process {holder.pid} (")
    params = told[0].params
    assert params["program"] and {**params, "program": "?"} == {
        "case": "process",
        "pid": str(holder.pid),
        "program": "?",
        "path": str(path),
        "wait": "0.3",
    }
