"""Migration 60: the register tables, their current_* views and the typed queries."""

from __future__ import annotations

import duckdb

from kpi_audit.core.periods import Period
from kpi_audit.store.registers import (
    expected_institutions,
    has_area_register,
    has_institution_register,
    period_ord,
    register_summary,
)


def _file(con: duckdb.DuckDBPyConnection, kind: str) -> int:
    row = con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES (?, 'r.xlsx', 'ab', now(), 2) RETURNING file_id",
        [kind],
    ).fetchall()
    return int(row[0][0])


def test_a_later_area_row_supersedes_and_history_is_kept(store) -> None:
    f1, f2 = _file(store, "areas"), _file(store, "areas")
    store.execute(
        "INSERT INTO area_register (area_code, county, city, area_type, area_type_basis, year,"
        " population, file_id, source_row, loaded_at, superseded_at) VALUES"
        " ('410102', '南山区', '河川市', '市辖区', 'code', 2024, 100, ?, 2, now(), now()),"
        " ('410102', '南山区', '河川市', '市辖区', 'code', 2024, 120, ?, 2, now(), NULL),"
        " ('410122', '东县', '河川市', '县', 'stated', 2023, 50, ?, 3, now(), NULL)",
        [f1, f2, f1],
    )
    rows = store.execute(
        "SELECT area_code, year, population FROM current_area_register ORDER BY year"
    ).fetchall()
    assert rows == [("410122", 2023, 50), ("410102", 2024, 120)]
    assert store.execute("SELECT count(*) FROM area_register").fetchall() == [(3,)]
    assert has_area_register(store, 2024) and has_area_register(store, 2023)
    assert not has_area_register(store, 2022)
    summary = register_summary(store)
    assert summary.select("kind", "year", "rows", "files").rows() == [
        ("areas", 2023, 1, 1),
        ("areas", 2024, 1, 1),
    ]


def test_window_ordinals_and_expected_institutions(store) -> None:
    assert period_ord(Period(2024, 2), "from") == 20242
    assert period_ord(Period(2024), "from") == 20241
    assert period_ord(Period(2024), "until") == 20244
    assert not has_institution_register(store)
    assert register_summary(store).height == 0
    f = _file(store, "institutions")
    store.execute(
        "INSERT INTO institution_register (org_code, org_name, county, org_type,"
        " reports_from, reports_until, reports_from_ord, reports_until_ord,"
        " file_id, source_row, loaded_at) VALUES"
        " ('A', '甲', '东县', '村卫生室', NULL, '2024Q2', NULL, 20242, ?, 2, now()),"
        " ('B', '乙', '东县', '村卫生室', '2024Q3', NULL, 20243, NULL, ?, 3, now()),"
        " ('C', '丙', '东县', '村卫生室', NULL, NULL, NULL, NULL, ?, 4, now())",
        [f, f, f],
    )
    assert has_institution_register(store)

    def codes(p: Period) -> list[str]:
        return expected_institutions(store, p)["org_code"].to_list()

    assert codes(Period(2024, 2)) == ["A", "C"]
    assert codes(Period(2024, 3)) == ["B", "C"]
    assert codes(Period(2024)) == ["A", "B", "C"]  # the year overlaps both windows
    assert codes(Period(2023)) == ["A", "C"]
    summary = register_summary(store)
    assert summary.select("kind", "year", "rows", "counties").rows() == [
        ("institutions", None, 3, 1)
    ]
