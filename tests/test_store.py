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
