"""`kpi-audit report` through the CLI. The evaluation itself is tested elsewhere; here
``audit`` returns the hand-built result so the command's own behaviour is pinned."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from _report_helpers import make_result, result_rows
from openpyxl import load_workbook
from typer.testing import CliRunner

import kpi_audit.evaluate
from kpi_audit.cli.app import app
from kpi_audit.core.result import RESULT_SCHEMA

TALLY = "✔ 达标 25 · ✘ 未达标 18 · ! 预警 1 · ? 无法评估 18"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    seen: list[dict] = []

    def fake_audit(con, **kwargs):
        seen.append(kwargs)
        return make_result()

    monkeypatch.setattr(kpi_audit.evaluate, "audit", fake_audit)
    return seen


def test_writes_excel_and_exits_1_when_a_target_failed(tmp_path: Path, calls) -> None:
    out = tmp_path / "out" / "河川市.xlsx"
    res = CliRunner().invoke(
        app,
        [
            "report",
            "--period",
            "2024Q3",
            "-t",
            "zhengzhou-2016",
            "-o",
            str(out),
            "--db",
            str(tmp_path / "k.duckdb"),
        ],
    )
    assert res.exit_code == 1, res.output
    assert res.output == f"已生成报告：{out}（xlsx）  {TALLY}\n"
    assert load_workbook(out).sheetnames[:2] == ["首页", "汇总"]
    assert calls == [
        {
            "period": "2024Q3",
            "target_specs": ["zhengzhou-2016"],
            "files": [],
            "levels": None,
            "sheet": None,
            "strict": False,
            "data_period": "2024Q3",
            "trends": True,  # the Excel first page shows the runs of misses
            "min_reporting": 0.9,
            "max_missing_share": 0.05,
            "encoding": None,
        }
    ]


def test_html_in_english_for_one_level(tmp_path: Path, calls) -> None:
    out = tmp_path / "r.htm"
    res = CliRunner().invoke(
        app,
        [
            "report",
            "-t",
            "zhengzhou-2016",
            "-o",
            str(out),
            "--lang",
            "en",
            "--level",
            "county",
            "a.xlsx",
        ],
    )
    assert res.exit_code == 1
    assert res.output.startswith(f"wrote {out} (html)  ✔ meets target 25 · ✘ behind target 18")
    assert "Health-reform target report" in out.read_text(encoding="utf-8")
    assert calls[0]["levels"] == ["county"] and calls[0]["files"] == ["a.xlsx"]
    assert calls[0]["period"] == "latest" and calls[0]["data_period"] is None
    assert calls[0]["trends"] is True


def test_explicit_format_overrides_the_extension(tmp_path: Path, calls) -> None:
    out = tmp_path / "report.data"
    res = CliRunner().invoke(app, ["report", "-t", "x", "-o", str(out), "--format", "html"])
    assert res.exit_code == 1
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_extension_is_a_usage_error(tmp_path: Path, calls) -> None:
    args = ["report", "-t", "x", "-o", str(tmp_path / "r.pdf")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert res.output == "错误：无法从“r.pdf”判断报告格式：请用 .xlsx、.html、.json 或 .csv\n"
    res = CliRunner().invoke(app, args, env={"KPI_AUDIT_LANG": "en"})
    assert res.exit_code == 2
    assert "cannot tell the report format from 'r.pdf'" in res.output
    assert calls == []


def test_exit_0_when_nothing_failed(tmp_path: Path, monkeypatch) -> None:
    rows = [{**r, "status": "pass"} for r in result_rows()]
    monkeypatch.setattr(
        kpi_audit.evaluate,
        "audit",
        lambda con, **kw: make_result(results=pl.DataFrame(rows, schema=RESULT_SCHEMA)),
    )
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(app, ["report", "-t", "x", "-o", str(out)])
    assert res.exit_code == 0 and out.exists()
    # --fail-on warn counts nothing here either; not-evaluable would (none are left)
    res = CliRunner().invoke(app, ["report", "-t", "x", "-o", str(out), "--fail-on", "warn"])
    assert res.exit_code == 0
