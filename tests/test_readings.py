"""The readings of the documents (issue 9) on a hand-made city: the bundled targets as
the documents mean them — 左右 bands, 力争 aspirations, deadlines, work-plan years,
scopes, 二甲 per county, 门诊人次 with its fallback and the vocabulary of types.

Every value below is worked out by hand from the rows written in the test."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from _eval_helpers import city_org, insert_rows, store, target_set
from typer.testing import CliRunner

from kpi_audit.cli.app import app
from kpi_audit.cli.options import exit_code
from kpi_audit.core.models import TargetSet
from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate.engine import run_audit
from kpi_audit.render.i18n import reason_text
from kpi_audit.spec.catalog import load_catalog
from kpi_audit.spec.targets import bundled_target_sets, load_target_file, load_target_sets
from kpi_audit.store.db import connect

CATALOG = load_catalog()
BUNDLED = {t.id: t for s in load_target_sets(list(bundled_target_sets())) for t in s.targets}


def bundled(*ids: str) -> TargetSet:
    return target_set(*(BUNDLED[i] for i in ids))


def audit(con: duckdb.DuckDBPyConnection, period: str, sets: TargetSet) -> AuditResult:
    return run_audit(con, period=period, target_sets=[sets], catalog=CATALOG, trends=False)


def rows_of(result: AuditResult, target_id: str) -> dict[tuple[str, str], dict[str, object]]:
    frame = result.results.filter(pl.col("target_id") == target_id)
    return {(r["level"], r["unit"]): r for r in frame.to_dicts()}


# ---------------------------------------------------------------- 左右: a band


def test_a_value_inside_the_band_meets_it_and_outside_warns_or_fails(tmp_path: Path) -> None:
    # “稳定在65%左右” written as the bundled qz2022-clinical-pathway is (± 2 points, warn
    # within 3 more), on an indicator the submissions measure: primary_visit_share.
    path = tmp_path / "band.toml"
    path.write_text(
        """[set]
name = "band"
document = "测试文件"

[[target]]
id = "band-65"
indicator = "primary_visit_share"
operator = "around"
threshold = 0.65
tolerance = 0.02
warn_within = 0.03
from_year = 2024
levels = ["county"]
clause = "一"
quote = "基层诊疗量占比稳定在65%左右。"
""",
        encoding="utf-8",
    )
    con = store()
    # per county: primary visits / all visits
    shares = {"甲县": 660, "乙县": 685, "丙县": 600, "丁县": 550, "戊县": 700}
    rows = []
    for i, (county, primary) in enumerate(shares.items()):
        rows += [
            city_org(f"P{i}", county, "乡镇卫生院", total_visits=primary),
            city_org(
                f"H{i}", county, "综合医院", hospital_grade="二级", total_visits=1000 - primary
            ),
        ]
    insert_rows(con, "2024Q3", rows)
    result = audit(con, "2024Q3", target_set(*load_target_file(path, CATALOG).targets))
    got = {u: (r["status"], round(r["gap"], 4)) for (_, u), r in rows_of(result, "band-65").items()}
    assert got == {
        "甲县": ("pass", 0.0),  # 66%: inside 63%–67%
        "乙县": ("warn", -0.015),  # 68.5%: 1.5 points above the band, within 3
        "丙县": ("warn", -0.03),  # 60%: exactly 3 points below 63%
        "丁县": ("fail", -0.08),  # 55%: 8 points below
        "戊县": ("warn", -0.03),  # 70%: 3 points above 67% — far above is flagged too
    }


# ---------------------------------------------------------------- 力争: never a failure


def _signing_rows(signed: int) -> list[dict[str, object]]:
    return [
        city_org(
            "S1",
            "东县",
            "社区卫生服务中心",
            total_visits=100,
            resident_population=1000,
            signed_residents=signed,
        )
    ]


def test_the_2020_full_coverage_aspiration_never_makes_the_exit_code_1() -> None:
    con = store()
    insert_rows(con, "2024Q3", _signing_rows(400))  # 40%, far short of 全覆盖
    result = audit(con, "2024Q3", bundled("zz2016-signing-full-coverage-2020"))
    rows = rows_of(result, "zz2016-signing-full-coverage-2020")
    # evaluated and shown as progress: the value and its gap to 100%
    assert {k: (r["status"], r["value"], r["binding"]) for k, r in rows.items()} == {
        ("county", "东县"): ("fail", 0.4, False),
        ("city", "河川市"): ("fail", 0.4, False),
    }
    assert result.summary() == {"pass": 0, "fail": 0, "warn": 0, "not_evaluable": 0}
    assert result.aspiration_summary() == {"pass": 0, "fail": 2, "warn": 0, "not_evaluable": 0}
    assert exit_code(result) == 0


def test_an_aspiration_in_a_target_file_keeps_the_cli_exit_code_0(tmp_path: Path) -> None:
    db = tmp_path / "kpi.duckdb"
    con = connect(db)
    insert_rows(con, "2024Q3", _signing_rows(400))
    con.close()
    spec = tmp_path / "aspiration.toml"
    text = """[set]
name = "aspiration"
document = "测试文件"

[[target]]
id = "all-signed"
indicator = "signing_coverage"
operator = ">="
threshold = 1.0
binding = {binding}
from_year = 2020
clause = "二"
quote = "2020年,力争将签约服务扩大到全人群,努力实现签约服务全覆盖。"
"""
    runner = CliRunner()
    args = ["check", "--db", str(db), "-t", str(spec), "-p", "2024Q3", "-f", "json"]
    spec.write_text(text.replace("{binding}", "false"), encoding="utf-8")
    result = runner.invoke(app, args)
    out = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (out["summary"]["fail"], out["aspiration_summary"]["fail"]) == (0, 2)
    assert {r["binding"] for r in out["results"]} == {False}
    spec.write_text(text.replace("{binding}", "true"), encoding="utf-8")
    assert runner.invoke(app, args).exit_code == 1  # the same shortfall, binding


# ---------------------------------------------------------------- deadlines


def _standard_rows(recommended: int) -> list[dict[str, object]]:
    """Ten township centres in 东县, ``recommended`` of them at the recommended standard."""
    return [
        city_org(
            f"T{i}",
            "东县",
            "乡镇卫生院",
            total_visits=100,
            meets_basic_standard=True,
            meets_recommended_standard=i < recommended,
        )
        for i in range(10)
    ]


def test_a_2022_year_end_target_is_not_due_in_2022q2_and_judged_in_2022q4_and_2022() -> None:
    # “2022年底前,15%以上的基层医疗卫生机构达到国家推荐标准”: 1 of 10 in Q2, 2 of 10 in Q4
    con = store()
    insert_rows(con, "2022Q1", _standard_rows(1))
    insert_rows(con, "2022Q2", _standard_rows(1))
    insert_rows(con, "2022Q3", _standard_rows(1))
    insert_rows(con, "2022Q4", _standard_rows(2))
    insert_rows(con, "2023Q1", _standard_rows(2))
    sets = bundled("qz2022-recommended-standard")

    q2 = rows_of(audit(con, "2022Q2", sets), "qz2022-recommended-standard")[("county", "东县")]
    assert (q2["status"], q2["reason_code"], q2["value"], q2["gap"]) == (
        "not_evaluable",
        "not_due",
        None,
        None,
    )
    assert json.loads(str(q2["reason_params"])) == {"due_year": 2022, "period": "2022Q2"}
    # progress shown: 10% so far, 5 points short of 15%
    assert q2["progress_value"] == pytest.approx(0.1)
    assert q2["progress_gap"] == pytest.approx(-0.05)

    q4 = rows_of(audit(con, "2022Q4", sets), "qz2022-recommended-standard")[("county", "东县")]
    assert (q4["status"], q4["value"], q4["reason_code"]) == ("pass", 0.2, None)
    # the year, from its quarters (a stock: each centre's last quarter)
    year = rows_of(audit(con, "2022", sets), "qz2022-recommended-standard")[("county", "东县")]
    assert (year["status"], year["value"]) == ("pass", 0.2)

    # 泉医改组〔2022〕2号 is the 2022 work plan: after 2022 the target is not in force
    later = audit(con, "2023Q1", sets)
    after = rows_of(later, "qz2022-recommended-standard")[("county", "东县")]
    assert (after["status"], after["reason_code"], after["value"]) == (
        "not_evaluable",
        "not_in_force",
        None,
    )
    zh = later.results.filter(pl.col("reason_code").is_not_null())
    assert {reason_text(c, p) for c, p in zh.select("reason_code", "reason_params").rows()} == {
        "目标已于 2022 年底到期，不再施行"
    }
    assert reason_text("not_due", q2["reason_params"], "en") == (  # type: ignore[arg-type]
        "not due: to be met by the end of 2022, judged on the year or its fourth quarter "
        "(2022Q2 shows progress only)"
    )


def test_a_from_target_is_judged_in_every_quarter_of_its_year() -> None:
    # “2017年,基层医疗卫生机构诊疗量占总诊疗量比例≥65%”: from 2017, not a deadline
    con = store()
    insert_rows(
        con,
        "2017Q1",
        [
            city_org("P1", "东县", "乡镇卫生院", total_visits=600),
            city_org("H1", "东县", "综合医院", hospital_grade="二级", total_visits=400),
        ],
    )
    result = audit(con, "2017Q1", bundled("zz2016-primary-visit-share-2017"))
    county = rows_of(result, "zz2016-primary-visit-share-2017")[("county", "东县")]
    # judged in the first quarter of its year: 60% is 5 points short (warn only within 2)
    assert (county["status"], county["value"], county["reason_code"]) == ("fail", 0.6, None)


# ---------------------------------------------------------------- vocabulary


def test_a_street_health_centre_counts_as_primary_care() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            city_org("J1", "东县", "街道卫生院", total_visits=700, tcm_visits=210),
            city_org("H1", "东县", "综合医院", hospital_grade="二级", total_visits=300),
        ],
    )
    result = audit(con, "2024Q3", bundled("zz2016-primary-visit-share-2017"))
    county = rows_of(result, "zz2016-primary-visit-share-2017")[("county", "东县")]
    assert (county["numerator"], county["denominator"], county["status"]) == (
        700.0,
        1000.0,
        "pass",
    )


# ---------------------------------------------------------------- 二甲 per county


def _hospital(code: str, county: str, org_type: str, **kw: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "hospital_grade": "二级",
        "hospital_rank": "甲等",
        "ownership": "公立",
        "county_level_hospital": True,
        "total_visits": 1000,
    }
    return city_org(code, county, org_type, **{**fields, **kw})


def test_a_county_without_a_public_tcm_hospital_fails_the_2a_target() -> None:
    con = store()
    insert_rows(
        con,
        "2017Q4",
        [
            # 甲县: a 二甲 general hospital and a 二甲 TCM hospital
            _hospital("G1", "甲县", "综合医院"),
            _hospital("M1", "甲县", "中医医院"),
            # 乙县: a 二甲 general hospital and no TCM hospital at all
            _hospital("G2", "乙县", "综合医院"),
            # 丙县: its TCM hospital is 二级乙等, a 中西医结合医院 is private
            _hospital("G3", "丙县", "综合医院"),
            _hospital("M3", "丙县", "中医医院", hospital_rank="乙等"),
            _hospital("M4", "丙县", "中西医结合医院", ownership="非公立"),
            # 丁县: nobody submitted 主办性质 / 医院等次 — cannot be told
            city_org("G5", "丁县", "综合医院", hospital_grade="二级", county_level_hospital=True),
        ],
    )
    ids = ("zz2016-county-general-hospital-2a-2017", "zz2016-county-tcm-hospital-2a-2017")
    result = audit(con, "2017Q4", bundled(*ids))
    general, tcm = (rows_of(result, i) for i in ids)
    assert {u: (r["value"], r["status"]) for (_, u), r in tcm.items()} == {
        "甲县": (1.0, "pass"),
        "乙县": (0.0, "fail"),
        "丙县": (0.0, "fail"),
        "丁县": (None, "not_evaluable"),
    }
    assert tcm[("county", "丁县")]["reason_code"] == "field_missing"
    assert {u: r["status"] for (_, u), r in general.items()} == {
        "甲县": "pass",
        "乙县": "pass",
        "丙县": "pass",
        "丁县": "not_evaluable",
    }


# ---------------------------------------------------------------- 预约诊疗率


def test_appointment_rate_over_outpatient_visits_with_total_visits_standing_in() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            # 1,200 appointments / (2,000 outpatient + 1,000 total where 门诊人次 is blank)
            city_org(
                "A1",
                "东城区",
                "综合医院",
                hospital_grade="三级",
                appointment_visits=1200,
                outpatient_visits=2000,
                total_visits=2500,
            ),
            city_org(
                "A2",
                "东城区",
                "专科医院",
                hospital_grade="三级",
                appointment_visits=300,
                total_visits=1000,
            ),
            # the 中医 threshold (30%) for a 中西医结合医院 and a 民族医院
            city_org(
                "C1",
                "东城区",
                "中西医结合医院",
                hospital_grade="三级",
                appointment_visits=280,
                outpatient_visits=1000,
                total_visits=1200,
            ),
            city_org(
                "C2",
                "东城区",
                "民族医院",
                hospital_grade="三级",
                appointment_visits=320,
                outpatient_visits=1000,
                total_visits=1100,
            ),
        ],
    )
    ids = ("zz2016-appointment-rate-tertiary", "zz2016-appointment-rate-tcm-tertiary")
    result = audit(con, "2024Q3", bundled(*ids))
    western, tcm = (rows_of(result, i)[("county", "东城区")] for i in ids)
    assert (western["numerator"], western["denominator"], western["status"]) == (
        1500.0,
        3000.0,
        "pass",
    )
    assert (tcm["numerator"], tcm["denominator"], tcm["value"], tcm["status"]) == (
        600.0,
        2000.0,
        0.3,
        "pass",
    )
    assert rows_of(result, ids[0])[("facility", "A2")]["denominator"] == 1000.0
    # the basis is stated: the hospital whose 总诊疗人次 stood in for 门诊人次
    stood_in = result.data_issues.filter(pl.col("code") == "fallback_field")
    assert stood_in.select("org_code", "field", "message_zh").rows() == [
        (
            "A2",
            "outpatient_visits",
            "三级医院预约诊疗率(中医类医院除外)：该机构未填报门诊人次，以总诊疗人次代替计算",
        )
    ]


# ---------------------------------------------------------------- reference values


def test_hubei_2018_values_are_context_never_thresholds(tmp_path: Path) -> None:
    from kpi_audit.render.json_out import to_json_dict
    from kpi_audit.spec.reference import load_reference_values

    refs = {r.id: r for r in load_reference_values()}
    coverage = refs["hb2019-signing-coverage-2018"]
    assert (coverage.indicator, coverage.value, coverage.year, coverage.label_zh) == (
        "signing_coverage",
        0.3665,
        2018,
        "湖北省2018年",
    )
    assert refs["hb2019-signing-coverage-key-2018"].value == 0.6556
    assert "家庭医生签约服务覆盖率达到36.65%" in coverage.source.quote
    con = store()
    insert_rows(con, "2024Q3", _signing_rows(400))
    result = audit(con, "2024Q3", bundled("zz2016-signing-full-coverage-2020"))
    # only the references of the audit's indicators; the results are unchanged by them
    assert [r.id for r in result.reference_values] == ["hb2019-signing-coverage-2018"]
    out = to_json_dict(result)
    assert [(r["indicator"], r["value"], r["label_zh"]) for r in out["reference_values"]] == [
        ("signing_coverage", 0.3665, "湖北省2018年")
    ]
    assert {r["threshold"] for r in out["results"]} == {1.0}


def test_a_bad_reference_file_names_the_line(tmp_path: Path) -> None:
    from kpi_audit.spec.reference import parse_reference_file

    path = tmp_path / "ref.toml"
    path.write_text(
        '[set]\ndocument = "文件"\n\n[[reference]]\nid = "r1"\nindicator = "signing_coverag"\n'
        'value = "36%"\nyear = 2018\nlabel_zh = "某省"\nlabel_en = "X"\n'
        'clause = "一"\nquote = "…"\n',
        encoding="utf-8",
    )
    values, problems = parse_reference_file(path, CATALOG)
    assert values == []
    assert [str(p) for p in problems] == [
        f"{path}:6: r1.indicator: unknown indicator 'signing_coverag'",
        f"{path}:7: r1.value: not a number: '36%'",
    ]


# ---------------------------------------------------------------- 三级中医医院 excluded


def test_a_tertiary_tcm_hospital_with_a_9pct_fall_is_not_failed_on_the_10pct_target() -> None:
    con = store()

    def tertiary(code: str, org_type: str, visits: int) -> dict[str, object]:
        return city_org(
            code, "东城区", org_type, hospital_grade="三级", general_outpatient_visits=visits
        )

    insert_rows(con, "2023Q3", [tertiary("W1", "综合医院", 1000), tertiary("M1", "中医医院", 1000)])
    # W1 falls 12%, M1 9%
    insert_rows(con, "2024Q3", [tertiary("W1", "综合医院", 880), tertiary("M1", "中医医院", 910)])
    tid = "zz2016-tertiary-outpatient-decline"
    rows = rows_of(audit(con, "2024Q3", bundled(tid)), tid)
    # the facility rows: only the general hospital is judged
    assert {u for lv, u in rows if lv == "facility"} == {"W1"}
    assert rows[("facility", "W1")]["status"] == "pass"
    # the district: 1 − 880 / 1000, the TCM hospital left out (with it: 1 − 1790 / 2000 = 10.5%)
    county = rows[("county", "东城区")]
    assert (county["value"], county["status"]) == (pytest.approx(0.12), "pass")
    assert county["denominator"] == 1000


def test_city_tertiary_appointment_rate_leaves_out_hospitals_outside_urban_districts() -> None:
    """城市三级医院: the tertiary hospitals of 市辖区. A 三级 hospital in a 县 — even on rows
    flagged 城市 — is out of the city figure, and its county is out_of_scope."""
    con = store()

    def hospital(code: str, county: str, appointments: int) -> dict[str, object]:
        return city_org(
            code,
            county,
            "综合医院",
            hospital_grade="三级",
            area="城市",
            appointment_visits=appointments,
            outpatient_visits=1000,
            total_visits=1200,
        )

    insert_rows(con, "2024Q3", [hospital("U1", "东城区", 600), hospital("X1", "西县", 100)])
    tid = "zz2016-appointment-rate-tertiary"
    rows = rows_of(audit(con, "2024Q3", bundled(tid)), tid)
    assert rows[("county", "西县")]["reason_code"] == "out_of_scope"
    # the city: U1's 600 / 1000 only (with X1: 700 / 2000 = 35%, a failure)
    city = next(r for (lv, _), r in rows.items() if lv == "city")
    assert (city["value"], city["status"]) == (pytest.approx(0.6), "pass")
    assert {u for lv, u in rows if lv == "facility"} == {"U1"}
