from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from _ingest_helpers import EAST, FIXTURES, HEADER, with_cells, write_csv, write_submission

from kpi_audit.core.errors import InputError, UsageError
from kpi_audit.ingest import load as ingest_module
from kpi_audit.ingest import write as write_module
from kpi_audit.ingest.load import ingest_paths
from kpi_audit.ingest.report import IngestReport
from kpi_audit.store.submissions import list_submissions


def _one(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    return con.execute(sql, list(params)).fetchone()


def test_loads_rows_with_provenance(store: duckdb.DuckDBPyConnection) -> None:
    path = FIXTURES / "title_row_merged.xlsx"
    report = ingest_paths(store, [path])
    (f,) = report.files
    assert (f.status, f.rows_loaded, f.rows_rejected, f.sheets, f.periods) == (
        "loaded",
        3,
        0,
        ["东县"],
        ["2024Q3"],
    )
    rows = store.execute(
        "SELECT s.org_code, s.sheet, s.source_row, fi.path, fi.sha256, s.total_visits, "
        "s.period_year, s.period_quarter, s.ingested_at = fi.ingested_at "
        "FROM submissions s JOIN files fi USING (file_id) ORDER BY source_row"
    ).fetchall()
    assert rows == [
        ("A001", "东县", 5, str(path), f.sha256, 1000, 2024, 3, True),
        ("A002", "东县", 6, str(path), f.sha256, 500, 2024, 3, True),
        ("A003", "东县", 7, str(path), f.sha256, 800, 2024, 3, True),
    ]
    # The notes sheet was skipped with a notice, recorded with the file.
    assert store.execute("SELECT sheet, code, severity FROM ingest_issues").fetchall() == [
        ("填报说明", "sheet_skipped", "notice")
    ]


def test_rejected_rows_and_their_issues_are_stored(store, tmp_path: Path) -> None:
    path = write_submission(tmp_path / "e.xlsx", [EAST[0], with_cells(EAST[1], 总诊疗人次="12.5")])
    (f,) = ingest_paths(store, [path]).files
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("loaded", 1, 1)
    period, code, raw = _one(store, "SELECT period, org_code, raw_json FROM rejects")
    assert (period, code) == ("2024Q3", "A002")
    assert json.loads(raw)["总诊疗人次"] == "12.5"
    assert _one(
        store, "SELECT source_row, field, header, value, code, severity FROM ingest_issues"
    ) == (3, "total_visits", "总诊疗人次", "12.5", "not_whole", "error")
    assert _one(store, "SELECT rows_loaded, rows_rejected FROM files") == (1, 1)
    assert f.issues.select("file", "sheet", "row").row(0) == (str(path), "东县", 3)


def test_identical_file_is_not_loaded_twice(store, tmp_path: Path) -> None:
    path = write_submission(tmp_path / "e.xlsx", EAST)
    ingest_paths(store, [path])
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    (f,) = ingest_paths(store, [copy]).files
    assert (f.status, f.rows_loaded, f.periods, f.sheets) == ("unchanged", 0, ["2024Q3"], ["东县"])
    assert f.note is not None and f"(as {path})" in f.note
    assert _one(store, "SELECT count(*) FROM submissions") == (3,)
    assert _one(store, "SELECT count(*) FROM files") == (1,)


def test_same_content_twice_in_one_run_loads_once(store, tmp_path: Path) -> None:
    # The second copy is checked against the store (read ahead) before the first is
    # written: it must still come out unchanged, not loaded twice.
    path = write_submission(tmp_path / "e.xlsx", EAST)
    copy = tmp_path / "f.xlsx"
    copy.write_bytes(path.read_bytes())
    other = write_submission(tmp_path / "g.xlsx", [with_cells(EAST[0], 机构代码="G1")])
    report = ingest_paths(store, [path, copy, other])
    assert [(Path(f.path).name, f.status, f.rows_loaded) for f in report.files] == [
        ("e.xlsx", "loaded", 3),
        ("f.xlsx", "unchanged", 0),
        ("g.xlsx", "loaded", 1),
    ]
    assert _one(store, "SELECT count(*), count(DISTINCT file_id) FROM submissions") == (4, 2)


@pytest.mark.parametrize("read_ahead_max_bytes", [0, 10**9])
def test_results_do_not_depend_on_reading_ahead(
    store, tmp_path: Path, monkeypatch, read_ahead_max_bytes: int
) -> None:
    # 0: every file is read after the one before is stored (large files); 10**9: every
    # file is read in the worker thread while the one before is stored.
    monkeypatch.setattr(ingest_module, "READ_AHEAD_MAX_BYTES", read_ahead_max_bytes)
    good = write_submission(tmp_path / "a.xlsx", EAST[:2])
    bad = write_submission(tmp_path / "b.xlsx", [with_cells(EAST[2], 总诊疗人次="x")])
    report = ingest_paths(store, [good, FIXTURES / "truncated.xlsx", bad, good])
    assert [
        (Path(f.path).name, f.status, f.rows_loaded, f.rows_rejected) for f in report.files
    ] == [
        ("a.xlsx", "loaded", 2, 0),
        ("truncated.xlsx", "failed", 0, 0),
        ("b.xlsx", "loaded", 0, 1),
    ]
    assert _one(store, "SELECT count(*) FROM submissions") == (2,)
    assert _one(store, "SELECT count(*) FROM rejects") == (1,)


def test_later_submission_supersedes_without_deleting(store, tmp_path: Path) -> None:
    first = write_submission(tmp_path / "v1.xlsx", EAST)
    second = write_submission(tmp_path / "v2.xlsx", [with_cells(EAST[0], 总诊疗人次=1500)])
    ingest_paths(store, [first])
    ingest_paths(store, [second])
    assert _one(store, "SELECT count(*) FROM submissions") == (4,)  # history kept
    assert store.execute(
        "SELECT org_code, total_visits FROM current_submissions ORDER BY org_code"
    ).fetchall() == [("A001", 1500), ("A002", 500), ("A003", 800)]


def test_rejected_row_disappears_from_current_rejects_once_loaded(store, tmp_path: Path) -> None:
    bad = write_submission(tmp_path / "bad.xlsx", [with_cells(EAST[0], 中医诊疗人次=5000)])
    fixed = write_submission(tmp_path / "fixed.xlsx", [EAST[0]])
    ingest_paths(store, [bad])
    assert _one(store, "SELECT org_code, period FROM current_rejects") == ("A001", "2024Q3")
    ingest_paths(store, [fixed])
    assert _one(store, "SELECT count(*) FROM current_rejects") == (0,)
    assert _one(store, "SELECT count(*) FROM rejects") == (1,)  # kept as history


def test_strict_rejects_the_whole_file(store, tmp_path: Path) -> None:
    path = write_submission(
        tmp_path / "e.xlsx", [EAST[0], with_cells(EAST[1], 城乡="郊区"), EAST[2]]
    )
    (f,) = ingest_paths(store, [path], strict=True).files
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("rejected", 0, 1)
    assert _one(store, "SELECT count(*) FROM submissions") == (0,)
    assert _one(store, "SELECT strict, rows_loaded, rows_rejected FROM files") == (True, 0, 1)
    assert _one(store, "SELECT code FROM ingest_issues") == ("vocabulary",)
    # Same file again without --strict: its clean rows load (it is not "unchanged").
    (again,) = ingest_paths(store, [path]).files
    assert (again.status, again.rows_loaded, again.rows_rejected) == ("loaded", 2, 1)
    assert _one(store, "SELECT count(*), min(file_id) FROM files") == (1, 1)
    assert _one(store, "SELECT count(*) FROM ingest_issues") == (1,)
    # … and once more with --strict it is unchanged.
    assert ingest_paths(store, [path], strict=True).files[0].status == "unchanged"


def test_strict_file_without_errors_loads(store, tmp_path: Path) -> None:
    path = write_submission(tmp_path / "e.xlsx", EAST)
    assert ingest_paths(store, [path], strict=True).files[0].status == "loaded"


def test_failure_half_way_through_a_file_leaves_nothing(store, tmp_path: Path, monkeypatch) -> None:
    from _ingest_helpers import write_workbook

    path = write_workbook(
        tmp_path / "two.xlsx", {"东县": [HEADER, EAST[0]], "西县": [HEADER, EAST[1]]}
    )
    real_insert = write_module._insert
    calls: list[str] = []

    def failing_after_the_rows(con, table, frame):
        calls.append(table)
        if table == "ingest_issues":
            raise RuntimeError("disk full")
        real_insert(con, table, frame)

    monkeypatch.setattr(write_module, "_insert", failing_after_the_rows)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_paths(store, [path])
    assert calls == ["submissions", "ingest_issues"]  # both sheets' rows were written first
    for table in ("files", "submissions", "rejects", "ingest_issues"):
        assert _one(store, f"SELECT count(*) FROM {table}") == (0,), table
    monkeypatch.setattr(write_module, "_insert", real_insert)
    assert ingest_paths(store, [path]).files[0].rows_loaded == 2  # and it can load afterwards


def test_unreadable_file_fails_and_the_others_still_load(store, tmp_path: Path) -> None:
    good = write_submission(tmp_path / "good.xlsx", EAST)
    report = ingest_paths(store, [FIXTURES / "truncated.xlsx", good, tmp_path / "gone.xlsx"])
    statuses = {Path(f.path).name: (f.status, f.error) for f in report.files}
    assert statuses["good.xlsx"] == ("loaded", None)
    assert statuses["gone.xlsx"] == ("failed", f"{tmp_path / 'gone.xlsx'}: no such file or folder")
    status, error = statuses["truncated.xlsx"]
    assert status == "failed" and error.startswith(str(FIXTURES / "truncated.xlsx") + ": ")
    assert _one(store, "SELECT count(*) FROM files") == (1,)
    with pytest.raises(InputError) as exc:
        report.raise_for_failures()
    assert str(exc.value).endswith("(and 1 other file not loaded)")


def test_nothing_matched_at_all_raises(store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing to ingest: .*no such file or folder"):
        ingest_paths(store, [tmp_path / "gone.xlsx"])


def test_period_from_the_command_line(store, tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "报告期"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "报告期"] for r in EAST]
    path = write_submission(tmp_path / "noperiod.xlsx", rows, header=header)
    (failed,) = ingest_paths(store, [path]).files
    assert failed.status == "failed"
    assert failed.error == (
        f"{path}, sheet 东县: no 报告期 (period) column: give the period with --period"
    )
    (f,) = ingest_paths(store, [path], period="2024年第三季度").files
    assert (f.status, f.periods) == ("loaded", ["2024Q3"])
    with pytest.raises(UsageError, match="is not a period"):
        ingest_paths(store, [path], period="下半年")


def test_csv_in_gbk_loads(store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "east.csv", [HEADER, *EAST], encoding="gbk")
    (f,) = ingest_paths(store, [path]).files
    assert (f.status, f.rows_loaded, f.sheets) == ("loaded", 3, [])
    assert _one(store, "SELECT sheet, source_row FROM submissions WHERE org_code = 'A003'") == (
        None,
        4,
    )


def test_progress_callback_and_totals(store, tmp_path: Path) -> None:
    a = write_submission(tmp_path / "a.xlsx", EAST[:1])
    b = write_submission(tmp_path / "b.xlsx", [with_cells(EAST[1], 总诊疗人次="x")])
    seen: list[tuple[str, int, int]] = []
    report = ingest_paths(store, [a, b], on_progress=lambda p, d, t: seen.append((p, d, t)))
    assert seen == [(str(a), 1, 2), (str(b), 2, 2)]
    assert isinstance(report, IngestReport)
    assert (report.rows_loaded, report.rows_rejected, report.failed) == (1, 1, [])
    assert report.issues["code"].to_list() == ["not_a_number"]
    report.raise_for_failures()  # nothing failed: no exception


def test_list_submissions(store, tmp_path: Path) -> None:
    west = [with_cells(r, 所属区县="西县", 机构代码=f"W{i}") for i, r in enumerate(EAST)]
    ingest_paths(
        store,
        [
            write_submission(
                tmp_path / "e.xlsx", [*EAST, with_cells(EAST[0], 机构代码="A009", 总诊疗人次="?")]
            )
        ],
    )
    ingest_paths(store, [write_submission(tmp_path / "w.xlsx", west)])
    ingest_paths(
        store, [write_submission(tmp_path / "e2023.xlsx", [with_cells(EAST[0], 报告期="2023Q3")])]
    )
    got = list_submissions(store).drop("last_ingested").rows()
    assert got == [
        ("2023Q3", "东县", 1, 0, 1),
        ("2024Q3", "东县", 3, 1, 1),
        ("2024Q3", "西县", 3, 0, 1),
    ]


def test_formula_error_in_a_count_rejects_the_row(store, tmp_path: Path) -> None:
    path = write_submission(tmp_path / "e.xlsx", [with_cells(EAST[0], 中医诊疗人次="#DIV/0!")])
    (f,) = ingest_paths(store, [path]).files
    assert (f.rows_loaded, f.rows_rejected) == (0, 1)
    assert f.issues.select("field", "value", "code").row(0) == (
        "tcm_visits",
        "#DIV/0!",
        "not_a_number",
    )


def test_a_files_periods_are_reported_in_the_period_order(store, tmp_path: Path) -> None:
    # A year after its fourth quarter, whether the file is new or unchanged.
    rows = [
        with_cells(EAST[0], 报告期="2024"),
        with_cells(EAST[0], 报告期="2024Q4"),
        with_cells(EAST[0], 报告期="2025Q1"),
        with_cells(EAST[0], 报告期="2024Q1"),
    ]
    path = write_submission(tmp_path / "mixed.xlsx", rows)
    in_order = ["2024Q1", "2024Q4", "2024", "2025Q1"]
    assert ingest_paths(store, [path]).files[0].periods == in_order
    assert ingest_paths(store, [path]).files[0].periods == in_order
