"""`kpi-audit check` through CliRunner: output formats and the exit-code contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from _eval_helpers import CITY, Q3_2023, Q3_2024, insert_rows
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.store.db import connect

TARGETS = """\
[set]
name = "cli-test"
title = "测试目标"
document = "测试市医改工作要点"
number = "测医改〔2024〕1号"
area = "测试市"

[[target]]
id = "t-visit-share"
indicator = "primary_visit_share"
operator = ">="
threshold = {visit}
from_year = 2017
levels = ["county", "city"]
clause = "一、(一)"
quote = "基层诊疗量占比达到{visit}。"

[[target]]
id = "t-signing"
indicator = "signing_coverage"
operator = ">="
threshold = {signing}
from_year = 2017
levels = ["city"]
warn_within = 0.05
clause = "一、(二)"
quote = "签约服务覆盖率达到{signing}。"
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    con = connect(path)
    insert_rows(con, "2023Q3", Q3_2023)
    insert_rows(con, "2024Q3", Q3_2024)
    con.close()
    return path


def targets_file(tmp_path: Path, *, visit: float, signing: float) -> str:
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS.format(visit=visit, signing=signing), encoding="utf-8")
    return str(path)


def run(db: Path, *args: str) -> object:
    return CliRunner().invoke(app, ["--db", str(db), "check", *args])


def test_all_pass_exits_0_and_prints_summary(db: Path, tmp_path: Path) -> None:
    # 东县 0.5, 西县 0.5455, city 0.5238 all ≥ 0.5; city signing 0.65 ≥ 0.6
    result = run(db, "-t", targets_file(tmp_path, visit=0.5, signing=0.6), "-p", "2024Q3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "2024Q3：4 达标 · 0 未达标 · 0 预警 · 0 无法评估"
    assert "✔ 达标" in result.stdout
    assert "测试市医改工作要点（测医改〔2024〕1号） 一、(一)" in result.stdout


def test_a_fail_exits_1_and_is_listed_first(db: Path, tmp_path: Path) -> None:
    # ≥ 0.52: 东县 (0.5) fails by 2.0 points; 西县 and the city pass
    result = run(db, "-t", targets_file(tmp_path, visit=0.52, signing=0.6), "--lang", "en")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert out.splitlines()[-2:] == [
        "2024Q3: 3 pass · 1 fail · 0 warn · 0 not evaluable",
        "Behind target: 东县 1 target",
    ]
    assert "✘ behind target" in out and "-2.0 pp" in out
    assert out.index("东县") < out.index("西县")  # behind target first


def test_fail_on_warn_and_not_evaluable(db: Path, tmp_path: Path) -> None:
    # city signing 0.65 vs 0.68 with a 0.05 warning band → warn
    spec = targets_file(tmp_path, visit=0.5, signing=0.68)
    assert run(db, "-t", spec).exit_code == 0
    assert run(db, "-t", spec, "--fail-on", "warn").exit_code == 1
    # a target not in force yet makes not-evaluable rows
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    text = (
        Path(spec)
        .read_text(encoding="utf-8")
        .replace('from_year = 2017\nlevels = ["city"]', 'from_year = 2030\nlevels = ["city"]')
    )
    Path(spec).write_text(text, encoding="utf-8")
    assert run(db, "-t", spec, "--fail-on", "warn").exit_code == 0
    assert run(db, "-t", spec, "--fail-on", "not-evaluable").exit_code == 1


def test_usage_errors_exit_2(db: Path, tmp_path: Path) -> None:
    result = run(db, "-p", "2024Q3")
    assert result.exit_code == 2
    assert "--targets" in result.stderr and "zhengzhou-2016" in result.stderr
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    assert run(db, "-t", spec, "-p", "spring").exit_code == 2
    assert run(db, "-t", spec, "--format", "yaml").exit_code == 2


def test_input_errors_exit_3(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    result = run(db, "-t", spec, "-p", "2022Q1")
    assert result.exit_code == 3
    # the user's language (Chinese by default), from the error's code and parameters
    assert result.stderr == "错误：没有 2022年第一季度 的数据（已导入的报告期：2023Q3、2024Q3）\n"
    english = run(db, "-t", spec, "-p", "2022Q1", "--lang", "en")
    assert english.exit_code == 3
    assert english.stderr == "error: no data loaded for 2022Q1 (loaded periods: 2023Q3, 2024Q3)\n"
    assert run(db, "-t", "no-such-set").exit_code == 3
    assert run(tmp_path / "empty.duckdb", "-t", spec).exit_code == 3


def test_period_latest_is_the_default(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    out = json.loads(run(db, "-t", spec, "-f", "json").stdout)
    assert out["period"] == "2024Q3"
    out = json.loads(run(db, "-t", spec, "-f", "json", "-p", "latest").stdout)
    assert out["period"] == "2024Q3"


def test_json_stdout_is_only_the_contract_object(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.52, signing=0.6)
    result = run(db, "-t", spec, "-f", "json", "-p", "2024Q3")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["summary"] == {"pass": 3, "fail": 1, "warn": 0, "not_evaluable": 0}
    assert out["target_sets"] == ["cli-test"]
    east = next(r for r in out["results"] if r["unit"] == "东县")
    assert east == {
        "target_id": "t-visit-share",
        "target_set": "cli-test",
        "indicator": "primary_visit_share",
        "level": "county",
        "unit": "东县",
        "unit_name": "东县",
        "county": "东县",
        "period": "2024Q3",
        "value": 0.5,
        "value_kind": "share",
        "numerator": 500.0,
        "denominator": 1000.0,  # (300+200)/1000
        "operator": ">=",
        "threshold": 0.52,
        "threshold_high": None,
        "gap": pytest.approx(-0.02),
        "status": "fail",
        "reason": None,
        "reason_code": None,
        "reason_params": None,
        "binding": True,
        "tolerance": None,
        "progress_value": None,
        "progress_gap": None,
        # second of the two counties; 2024Q2 is not loaded and 2023Q3 has no visit totals
        "rank": 2,
        "rank_change": None,
        "rank_change_year_earlier": None,
        "value_previous": None,
        "value_year_earlier": None,
        # no area register: the facilities' figures; no previous period: nobody expected
        "basis": "facility_reported",
        "reporting": None,
        "provisional": False,
        "left_out": 0,
        "source": {"document": "测试市医改工作要点（测医改〔2024〕1号）", "clause": "一、(一)"},
    }
    city = next(
        r for r in out["results"] if r["level"] == "city" and r["indicator"] == "signing_coverage"
    )
    assert (city["unit"], city["value"]) == (CITY, 0.65)
    assert out["schema_version"] == 8
    assert out["aspiration_summary"] == {"pass": 0, "fail": 0, "warn": 0, "not_evaluable": 0}


def test_json_reason_and_message_follow_lang(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.52, signing=0.6)
    path = Path(spec)  # the signing target only from 2030
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('2017\nlevels = ["city"]', '2030\nlevels = ["city"]'), "utf-8")
    zh = json.loads(run(db, "-t", spec, "-f", "json", "-p", "2024Q3").stdout)
    en = json.loads(run(db, "-t", spec, "-f", "json", "-p", "2024Q3", "--lang", "en").stdout)
    later = [r for r in zh["results"] if r["status"] == "not_evaluable"]
    assert later and {(r["reason_code"], r["reason"]) for r in later} == {
        ("not_in_force", "目标尚未生效（2030 年起）")
    }
    assert {r["reason_params"]["from_year"] for r in later} == {2030}
    assert {r["reason"] for r in en["results"] if r["status"] == "not_evaluable"} == {
        "target not yet in force (from 2030)"
    }


def test_csv_and_output_file(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    result = run(db, "-t", spec, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4
    assert rows[0]["source_document"] == "测试市医改工作要点（测医改〔2024〕1号）"
    assert {r["status"] for r in rows} == {"pass"}
    report = tmp_path / "out" / "report.json"
    result = run(db, "-t", spec, "-o", str(report))
    assert result.exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["pass"] == 4
    assert "达标" in result.stdout  # the terminal summary is still printed
    assert "report.json" in result.stderr


def test_level_option_limits_rows(db: Path, tmp_path: Path) -> None:
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    out = json.loads(run(db, "-t", spec, "-f", "json", "--level", "city").stdout)
    assert {r["level"] for r in out["results"]} == {"city"}
    assert len(out["results"]) == 2


def test_trends_are_computed_only_for_the_excel_and_html_reports(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kpi_audit.evaluate as evaluate

    seen: list[bool] = []
    real = evaluate.audit

    def spy(*args: object, **kwargs: object):
        seen.append(bool(kwargs["trends"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate, "audit", spy)
    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    run(db, "-t", spec, "-p", "2024Q3")
    run(db, "-t", spec, "-p", "2024Q3", "-o", str(tmp_path / "r.xlsx"))
    run(db, "-t", spec, "-p", "2024Q3", "-o", str(tmp_path / "r.html"))
    run(db, "-t", spec, "-p", "2024Q3", "-o", str(tmp_path / "r.json"))
    # the Excel first page shows runs of misses (连续 N 期), as `report -o r.xlsx` writes it
    assert seen == [False, True, True, False]


def test_run_audit_without_trends_gives_the_same_results(db: Path, tmp_path: Path) -> None:
    from kpi_audit.evaluate import audit

    spec = targets_file(tmp_path, visit=0.5, signing=0.6)
    con = connect(db)
    try:
        full = audit(con, period="2024Q3", target_specs=[spec], trends=True)
        lean = audit(con, period="2024Q3", target_specs=[spec])  # the default
    finally:
        con.close()
    assert full.trends.height > 0 and lean.trends.height == 0
    assert lean.results.equals(full.results)
