"""`kpi-audit export --format parquet DIR`: read back with DuckDB, the rows and values
are the store's and the audit's; the tree appears whole or not at all."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from _eval_helpers import CATALOG, insert_rows, org, target, target_set

from kpi_audit.cli.app import app
from kpi_audit.core.errors import UsageError
from kpi_audit.evaluate import run_audit
from kpi_audit.export.parquet import export_parquet
from kpi_audit.store.db import connect

SETS = [target_set(target("primary_visit_share", ">=", 0.65))]


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store.duckdb"
    con = connect(path)
    insert_rows(
        con,
        "2024Q2",
        [
            org("P1", "东县", "乡镇卫生院", total_visits=70),
            org("H1", "东县", "综合医院", hospital_grade="二级", total_visits=30),
        ],
    )
    insert_rows(
        con,
        "2024Q3",
        [
            org("P1", "东县", "乡镇卫生院", total_visits=60),
            org("H1", "东县", "综合医院", hospital_grade="二级", total_visits=40),
            org("P2", "西县", "村卫生室", total_visits=9),
        ],
    )
    # a later file corrects P1's 2024Q3 row: the export has the current row only
    insert_rows(con, "2024Q3", [org("P1", "东县", "乡镇卫生院", total_visits=61)], path="fix.xlsx")
    con.close()
    return path


def _read(path, dataset: str) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(
        f"SELECT * FROM read_parquet('{path}/{dataset}/**/*.parquet', hive_partitioning = true)"
    )


def test_exported_tree_reads_back_with_duckdb(store_path, tmp_path) -> None:
    out = tmp_path / "export"
    con = connect(store_path, read_only=True)
    try:
        report = export_parquet(con, out, target_sets=SETS, catalog=CATALOG)
        expected = run_audit(
            con, period="2024Q3", target_sets=SETS, catalog=CATALOG, trends=False
        ).results
    finally:
        con.close()
    assert report.rows == {
        "submissions": 5,
        "rejects": 0,
        "area_register": 0,  # the register tables exist (migration 60) but are empty
        "institution_register": 0,
        "results": report.rows["results"],
    }
    assert sorted(p.name for p in (out / "submissions").iterdir()) == [
        "period=2024Q2",
        "period=2024Q3",
    ]
    subs = _read(out, "submissions")
    per_period = subs.aggregate("period, count(*) AS n, sum(total_visits) AS visits").fetchall()
    assert sorted(per_period) == [("2024Q2", 2, 100), ("2024Q3", 3, 110)]  # 61 + 40 + 9
    assert subs.filter("org_code = 'P1' AND period = '2024Q3'").select(
        "total_visits"
    ).fetchall() == [(61,)]

    results = _read(out, "results")
    q3 = results.filter("period = '2024Q3' AND level = 'county' AND unit = '东县'")
    assert q3.select("value, numerator, denominator, status").fetchall() == [
        (61 / 101, 61.0, 101.0, "fail")
    ]
    assert results.filter("period = '2024Q3'").count("*").fetchall()[0][0] == expected.height
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export.")]  # no temp dir


def test_an_existing_folder_is_kept_unless_replacing(store_path, tmp_path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "keep.txt").write_text("earlier export")
    con = connect(store_path, read_only=True)
    try:
        with pytest.raises(UsageError):
            export_parquet(con, out, target_sets=SETS, catalog=CATALOG)
        assert (out / "keep.txt").read_text() == "earlier export"
        export_parquet(con, out, target_sets=SETS, catalog=CATALOG, replace=True)
    finally:
        con.close()
    assert not (out / "keep.txt").exists()
    assert (out / "submissions").is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_command(store_path, tmp_path, runner) -> None:
    out = tmp_path / "lake"
    result = runner.invoke(
        app,
        [
            "--db",
            str(store_path),
            "export",
            "--format",
            "parquet",
            str(out),
            "-t",
            "zhengzhou-2016",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"已导出：{out}（parquet，2 个报告期）：submissions 5，rejects 0，"
    )
    assert (out / "results").is_dir()
    args = ["--db", str(store_path), "export", str(out), "--force", "--lang", "en"]
    english = runner.invoke(app, args)
    assert english.exit_code == 0, english.output
    assert english.output.startswith(f"wrote {out} (parquet, 2 periods): submissions 5, rejects 0")
    again = runner.invoke(app, ["--db", str(store_path), "export", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_an_impossible_export_folder_is_exit_3_and_a_killed_exports_temps_go(
    store_path, tmp_path, runner
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile / "lake", Path("/proc/kpi-audit-export"), afile):
        result = runner.invoke(app, ["--db", str(store_path), "export", str(out), "--force"])
        assert result.exit_code == 3, (out, result.output)
        assert "Traceback" not in result.output
    # a temp folder left by a killed export (its pid is gone) is removed by the next one
    stale = tmp_path / ".lake.tmp-999999999-abcd1234"
    stale.mkdir()
    out = tmp_path / "lake"
    assert runner.invoke(app, ["--db", str(store_path), "export", str(out)]).exit_code == 0
    assert not stale.exists() and (out / "results").is_dir()
