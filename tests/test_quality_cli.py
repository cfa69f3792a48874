"""`kpi-audit quality` and `quality rules`, and `check --fail-on quality`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _eval_helpers import insert_rows, org
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.core.errors import UsageError
from kpi_audit.store.db import connect


def _store_with_a_copied_report(path: Path) -> None:
    con = connect(path)
    row = {"total_visits": 5000, "tcm_visits": 800, "general_outpatient_visits": 4500}
    for period in ("2024Q2", "2024Q3"):
        insert_rows(con, period, [org("A01", "东县", "乡镇卫生院", org_name="甲卫生院", **row)])
    con.execute("UPDATE files SET received_at = DATE '2024-10-01'")
    con.close()


def test_quality_rules_lists_every_rule(runner: CliRunner) -> None:
    out = runner.invoke(app, ["quality", "rules", "--format", "json"])
    assert out.exit_code == 0, out.output
    rules = json.loads(out.stdout)
    assert [r["id"] for r in rules][:2] == ["outlier_history", "jump_previous"]
    outlier = rules[0]
    assert outlier["parameters"]["z"] == 3.5 and outlier["severity"] == "warning"


def test_quality_rules_as_csv_has_a_line_per_rule(runner: CliRunner) -> None:
    import csv
    import io

    as_json = json.loads(runner.invoke(app, ["quality", "rules", "--format", "json"]).stdout)
    out = runner.invoke(app, ["quality", "rules", "--format", "csv", "--lang", "en"])
    assert out.exit_code == 0, out.output
    header, *lines = list(csv.reader(io.StringIO(out.stdout)))
    assert header == ["id", "kind", "severity", "name", "name_zh", "name_en", "parameters"]
    assert [line[0] for line in lines] == [r["id"] for r in as_json]
    first = lines[0]
    assert first[:4] == ["outlier_history", "outlier_history", "warning", first[5]]
    assert json.loads(first[6]) == as_json[0]["parameters"]


def test_quality_json_and_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    out = runner.invoke(app, ["quality", "--period", "2024Q3", "--format", "json", "--db", str(db)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    (finding,) = data["quality"]
    assert finding["rule"] == "repeated_submission"
    assert finding["message"] == (
        "甲卫生院（东县）2024Q3 各项诊疗与转诊数与上期完全相同（总诊疗 5000），疑为复制上期报表"
    )
    failing = runner.invoke(app, ["quality", "--db", str(db), "--fail-on-error"])
    assert failing.exit_code == 1


def test_check_fail_on_quality(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    base = ["check", "--db", str(db), "-t", "zhejiang-2017", "--period", "2024Q3", "-f", "json"]
    plain = runner.invoke(app, base)
    data = json.loads(plain.stdout)
    assert data["quality"][0]["severity"] == "error"
    # The finding changes no verdict (1 pass, 3 not evaluable) and not the default exit code.
    assert data["summary"] == {"pass": 1, "fail": 0, "warn": 0, "not_evaluable": 3}
    assert plain.exit_code == 0
    assert runner.invoke(app, [*base, "--fail-on", "quality"]).exit_code == 1


def test_report_sheet_and_html_section(tmp_path: Path) -> None:
    import openpyxl

    from kpi_audit.evaluate import audit
    from kpi_audit.render import write_report
    from kpi_audit.render.html import render_html

    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    con = connect(db)
    try:
        result = audit(con, period="2024Q3", target_specs=["zhejiang-2017"])
    finally:
        con.close()
    write_report(result, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["数据质量"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("级别", "规则", "区县", "单位", "项目", "数值", "合理范围", "说明")
    assert rows[1] == (
        "错误",
        "与上期报表完全相同",
        "东县",
        "甲卫生院",
        "总诊疗人次",
        "5000",
        None,
        "甲卫生院（东县）2024Q3 各项诊疗与转诊数与上期完全相同（总诊疗 5000），疑为复制上期报表",
    )
    page = render_html(result, lang="en")
    section = page[page.index('<section id="quality">') : page.index('<section id="sources">')]
    assert "Data-quality review · 2024Q3" in section
    assert "Identical to the previous period&#39;s report" in section
    # the institution's history 2024Q2, 2024Q3 as a sparkline, the reviewed period marked
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="spark"' in section
    earlier = " · ".join(f"{p} –" for p in ("2022Q3", "2022Q4", "2023Q1", "2023Q2", "2023Q3"))
    assert f"<title>{earlier} · 2023Q4 – · 2024Q1 – · 2024Q2 5000 · 2024Q3 5000</title>" in section


def test_sparkline_needs_two_values() -> None:
    from kpi_audit.render.quality import sparkline

    assert sparkline([None, 5.0], ["2024Q2", "2024Q3"]) == ""
    line = sparkline([1.0, None, 3.0, 2.0], ["a", "b", "c", "d"])
    # a gap breaks the line: two polylines, and the last point marked
    assert line.count("<polyline") == 2 and line.count("<circle") == 1


def test_audit_review_alongside_is_the_review_on_its_own(tmp_path: Path) -> None:
    """The review runs on a cursor of its own, beside the audit: the same findings and
    coverage as the review run by itself afterwards, on an in-memory store too."""
    from polars.testing import assert_frame_equal

    from kpi_audit.evaluate import audit
    from kpi_audit.quality import review

    for db in (tmp_path / "s.duckdb", None):
        if db is None:
            con = connect(":memory:")
            row = {"total_visits": 5000, "tcm_visits": 800, "general_outpatient_visits": 4500}
            for period in ("2024Q2", "2024Q3"):
                insert_rows(
                    con, period, [org("A01", "东县", "乡镇卫生院", org_name="甲卫生院", **row)]
                )
        else:
            _store_with_a_copied_report(db)
            con = connect(db)
        try:
            result = audit(con, period="2024Q3", target_specs=["zhejiang-2017"])
            alone = review(con, period="2024Q3")
        finally:
            con.close()
        assert result.quality is not None
        assert result.quality.findings.height >= 1
        assert_frame_equal(result.quality.findings, alone.findings)
        assert_frame_equal(result.quality.coverage, alone.coverage)


def test_audit_review_error_still_raised(tmp_path: Path) -> None:
    """A failure inside the review (here: a rule that breaks) reaches the caller, as it
    did when the review ran after the audit."""
    import pytest

    import kpi_audit.quality as quality
    from kpi_audit.evaluate import audit

    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    con = connect(db)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rule broke")

    original = quality.review
    quality.review = broken  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError, match="rule broke"):
            audit(con, period="2024Q3", target_specs=["zhejiang-2017"])
    finally:
        quality.review = original
        con.close()


def test_a_failed_audit_does_not_wait_for_the_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit fails (or Ctrl-C) while the review beside it is in a long query: the
    query is interrupted and the audit's error comes out at once, not after the review."""
    import time

    import kpi_audit.evaluate as evaluate
    import kpi_audit.quality as quality

    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    con = connect(db)
    started: list[float] = []

    def long_review(cursor: Any, **kwargs: object) -> None:
        started.append(time.monotonic())
        cursor.execute("SELECT sum(i % 7) FROM range(10000000000000) t(i)").fetchall()

    def failing_audit(*args: object, **kwargs: object) -> None:
        while not started:
            time.sleep(0.01)
        time.sleep(0.2)  # the review's query is running
        raise KeyboardInterrupt

    monkeypatch.setattr(quality, "review", long_review)
    monkeypatch.setattr(evaluate, "run_audit", failing_audit)
    try:
        with pytest.raises(KeyboardInterrupt):
            evaluate.audit(con, period="2024Q3", target_specs=["zhejiang-2017"])
        # the query alone would run for minutes
        assert time.monotonic() - started[0] < 20
    finally:
        con.close()


def test_a_failed_audit_with_a_review_ending_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review has closed its cursor but not yet returned when the audit fails: the
    audit's own error comes out (once, a closed cursor was an internal error, exit 4)."""
    import time

    import kpi_audit.evaluate as evaluate
    import kpi_audit.quality as quality

    db = tmp_path / "s.duckdb"
    _store_with_a_copied_report(db)
    con = connect(db)

    def ending_review(cursor: Any, **kwargs: object) -> None:
        cursor.close()
        time.sleep(0.3)

    def failing_audit(*args: object, **kwargs: object) -> None:
        time.sleep(0.1)
        raise UsageError(code="not_a_period", params={"text": "x"})

    monkeypatch.setattr(quality, "review", ending_review)
    monkeypatch.setattr(evaluate, "run_audit", failing_audit)
    try:
        with pytest.raises(UsageError):
            evaluate.audit(con, period="2024Q3", target_specs=["zhejiang-2017"])
    finally:
        con.close()
