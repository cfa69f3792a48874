"""The first period ever loaded has no previous period and no earlier counties: the
completeness step must find nothing, not one all-null issue row (issue 11: the Excel
report crashed with a TypeError, the JSON broke its schema with ``data_issues[0].message
= null`` and ``counties_without_data: [null]``, the HTML printed "无数据的区县 None")."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kpi_audit.cli.app import app

REPO = Path(__file__).resolve().parent.parent
YEAR_2023 = [REPO / "sample_data" / "submissions" / f"2023Q{q}" for q in range(1, 5)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("first") / "k.duckdb"
    res = CliRunner().invoke(app, ["ingest", *map(str, YEAR_2023), "--db", str(path)])
    assert res.exit_code == 0, res.output
    return path


def _report(db: Path, period: str, out: Path) -> None:
    args = ["report", "--period", period, "-t", "zhengzhou-2016", "-o", str(out), "--db", str(db)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output  # targets fail; not 4 (internal error)
    assert res.exception is None or isinstance(res.exception, SystemExit)


@pytest.mark.parametrize("period", ["2023Q1", "2023"])
def test_first_period_excel_is_written(db: Path, tmp_path: Path, period: str) -> None:
    out = tmp_path / "r.xlsx"
    _report(db, period, out)
    wb = load_workbook(out)
    assert "汇总" in wb.sheetnames


@pytest.mark.parametrize("period", ["2023Q1", "2023"])
def test_first_period_json_has_no_empty_issue_and_matches_schema(
    db: Path, tmp_path: Path, period: str
) -> None:
    out = tmp_path / "r.json"
    _report(db, period, out)
    data = json.loads(out.read_text("utf-8"))
    assert data["completeness"]["counties_without_data"] == []
    assert data["completeness"]["missing_institutions"] == 0
    assert all(i["kind"] is not None and i["message"] for i in data["data_issues"])
    schema = json.loads(
        files("kpi_audit").joinpath("schema/check-output.schema.json").read_text("utf-8")
    )
    jsonschema.validate(data, schema)


def test_first_period_html_says_no_county_without_data(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    _report(db, "2023Q1", out)
    html = out.read_text("utf-8")
    assert "None" not in html
    assert "无数据的区县</dt><dd>无</dd>" in html
