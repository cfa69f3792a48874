"""Verdicts a statistician would sign (issue 8), on a small city worked by hand.

南山区 (市辖区): H1 tertiary hospital (1000 visits), C1 community centre (400 visits,
serves 5000, 2000 signed) and nine clinics Z1–Z9 (10 visits each).
东县 (县): T1 township centre (500 visits, serves 8000, 4000 signed), V1 village clinic
under it (100 visits, reports 3000 of the same residents, 1000 signed), D1 county
hospital (600 visits).
Area register 2024: 南山区 6000 residents, 东县 12000.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb
import polars as pl
import pytest
from _eval_helpers import CATALOG, city_org, insert_rows, store, target, target_set

from kpi_audit.core.models import Scope
from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import run_audit
from kpi_audit.render.json_out import to_json_dict

CLINICS = [city_org(f"Z{i}", "南山区", "诊所", area="城市", total_visits=10) for i in range(1, 10)]
ROWS = [
    city_org("H1", "南山区", "综合医院", hospital_grade="三级", area="城市", total_visits=1000),
    city_org(
        "C1",
        "南山区",
        "社区卫生服务中心",
        area="城市",
        total_visits=400,
        resident_population=5000,
        signed_residents=2000,
    ),
    *CLINICS,
    city_org(
        "T1",
        "东县",
        "乡镇卫生院",
        area="农村",
        total_visits=500,
        resident_population=8000,
        signed_residents=4000,
    ),
    city_org(
        "V1",
        "东县",
        "村卫生室",
        area="农村",
        total_visits=100,
        resident_population=3000,
        signed_residents=1000,
    ),
    city_org("D1", "东县", "综合医院", hospital_grade="二级", area="农村", total_visits=600),
]
SIGNING = target("signing_coverage", ">=", 0.4, tid="signing")
VISITS = target("primary_visit_share", ">=", 0.3, tid="visits")
COUNTY_LEVEL = target(
    "primary_visit_share",
    ">=",
    0.3,
    tid="county-level",
    scope=Scope(area_type=("县", "县级市")),
)


def _without(*codes: str) -> list[dict[str, Any]]:
    return [r for r in ROWS if r["org_code"] not in codes]


def _area_register(con: duckdb.DuckDBPyConnection, types: dict[str, str] | None = None) -> None:
    types = types or {"南山区": "市辖区", "东县": "县"}
    file_id = con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES ('areas', 'areas.xlsx', 'a1', now(), 2) RETURNING file_id"
    ).fetchall()[0][0]
    for row, (county, code, population) in enumerate(
        (("南山区", "419902", 6000), ("东县", "419921", 12000)), start=2
    ):
        con.execute(
            "INSERT INTO area_register (area_code, county, city, area_type, area_type_basis,"
            " year, population, file_id, source_row, loaded_at) VALUES"
            " (?, ?, '河川市', ?, 'stated', 2024, ?, ?, ?, now())",
            [code, county, types[county], population, file_id, row],
        )


def _reject(con: duckdb.DuckDBPyConnection, code: str, county: str, period: str) -> None:
    file_id = con.execute(
        "INSERT INTO files (path, sha256, size_bytes, ingested_at, rows_loaded) "
        "VALUES ('bad.xlsx', ?, 0, ?, 0) RETURNING file_id",
        [f"bad-{code}", datetime.now()],
    ).fetchall()[0][0]
    con.execute(
        "INSERT INTO rejects (file_id, sheet, source_row, period, org_code, org_name, county,"
        " raw_json) VALUES (?, 'Sheet1', 2, ?, ?, ?, ?, '{}')",
        [file_id, period, code, f"{code}名", county],
    )


def _audit(con: duckdb.DuckDBPyConnection, *targets: Any, **kw: Any) -> AuditResult:
    return run_audit(
        con, period="2024Q3", target_sets=[target_set(*targets)], catalog=CATALOG, **kw
    )


def _row(result: AuditResult, tid: str, unit: str) -> dict[str, Any]:
    rows = [
        r for r in to_json_dict(result)["results"] if r["target_id"] == tid and r["unit"] == unit
    ]
    assert len(rows) == 1, (tid, unit)
    return rows[0]


@pytest.fixture
def both_quarters() -> duckdb.DuckDBPyConnection:
    con = store()
    insert_rows(con, "2024Q2", ROWS)
    return con


def test_signing_coverage_divides_by_the_register_population(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", ROWS)
    before = _audit(both_quarters, SIGNING)
    # facility basis: 南山区 2000/5000; 东县 (4000+1000)/(8000+3000), V1 counted twice
    assert _row(before, "signing", "南山区")["value"] == pytest.approx(0.4)
    assert _row(before, "signing", "东县")["value"] == pytest.approx(5000 / 11000)
    assert _row(before, "signing", "河川市")["value"] == pytest.approx(7000 / 16000)
    assert {_row(before, "signing", u)["basis"] for u in ("南山区", "东县", "河川市")} == {
        "facility_reported"
    }
    _area_register(both_quarters)
    after = _audit(both_quarters, SIGNING)
    nanshan, dong, city = (_row(after, "signing", u) for u in ("南山区", "东县", "河川市"))
    assert (nanshan["value"], nanshan["denominator"]) == (pytest.approx(2000 / 6000), 6000)
    assert (nanshan["status"], nanshan["basis"]) == ("fail", "area_register")
    assert (dong["value"], dong["denominator"]) == (pytest.approx(5000 / 12000), 12000)
    assert dong["status"] == "pass"
    # the city is the sum of its counties: 7000 / (6000 + 12000)
    assert (city["value"], city["denominator"]) == (pytest.approx(7000 / 18000), 18000)
    assert city["basis"] == "area_register"
    # visits are not population-based
    assert _audit(both_quarters, VISITS).results["basis"].unique().to_list() == [
        "facility_reported"
    ]


def test_a_district_without_rural_institutions_has_signed_none_of_its_rural_residents(
    both_quarters,
) -> None:
    """南山区 has 500 rural residents on the register and no 农村 institution: its rural
    coverage is 0 of 500 (the city's value divides by them too), not "no institutions"."""
    insert_rows(both_quarters, "2024Q3", ROWS)
    _area_register(both_quarters)
    for county, rural in (("南山区", 500), ("东县", 9000)):
        both_quarters.execute(
            "UPDATE area_register SET rural_population = ? WHERE county = ?", [rural, county]
        )
    rural = target("signing_coverage_rural", ">=", 0.5, tid="rural")
    result = _audit(both_quarters, rural, trends=True)
    nanshan, dong, city = (_row(result, "rural", u) for u in ("南山区", "东县", "河川市"))
    assert (nanshan["value"], nanshan["numerator"], nanshan["denominator"]) == (0.0, 0.0, 500)
    # last quarter the same, in its trend point and its value beside this one
    trend = result.trends.filter(
        (pl.col("unit") == "南山区") & (pl.col("indicator") == "signing_coverage_rural")
    )
    assert trend.sort("period").get_column("value").to_list() == [0.0, 0.0]
    assert nanshan["value_previous"] == 0.0
    assert (nanshan["status"], nanshan["basis"]) == ("fail", "area_register")
    # 东县: T1 4000 + V1 1000 signed of 9000; the city: 5000 of 500 + 9000
    assert (dong["value"], dong["basis"]) == (pytest.approx(5000 / 9000), "area_register")
    assert (city["value"], city["denominator"]) == (pytest.approx(5000 / 9500), 9500)


def test_the_quality_review_reads_signing_coverage_on_the_register_basis(both_quarters) -> None:
    """related_key_vs_all compares key-population coverage with the overall one; with a
    register both divide by it, as the verdicts beside the finding do."""
    from kpi_audit.quality import review

    rows = [
        {**r, "key_population": 1000, "key_signed": 300} if r["org_code"] == "T1" else r
        for r in ROWS
    ]
    insert_rows(both_quarters, "2024Q3", rows)
    _area_register(both_quarters)
    for county, key in (("南山区", 800), ("东县", 1200)):
        both_quarters.execute(
            "UPDATE area_register SET key_population = ? WHERE county = ?", [key, county]
        )
    found = review(both_quarters, period="2024Q3", catalog=CATALOG).findings
    key = found.filter((found["rule"] == "related_key_vs_all") & (found["unit"] == "东县")).row(
        0, named=True
    )
    # key 300 / 1200 (register), overall 5000 / 12000 (register): 0.25 < 0.4167
    assert key["value"] == pytest.approx(300 / 1200)
    assert key["reference"] == pytest.approx(5000 / 12000)


def test_a_missing_large_hospital_makes_the_district_and_city_incomplete(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", _without("H1"))
    result = _audit(both_quarters, VISITS)
    nanshan = _row(result, "visits", "南山区")
    assert (nanshan["status"], nanshan["reason_code"], nanshan["value"]) == (
        "not_evaluable",
        "incomplete",
        None,
    )
    # H1 held 1000 of 南山区's 1490 visits in 2024Q2
    assert nanshan["reporting"] == {
        "expected": 11,
        "reported": 10,
        "rejected": 0,
        "missing": 1,
        "missing_prior_share": pytest.approx(1000 / 1490),
    }
    assert nanshan["provisional"] is True
    assert nanshan["reason"] == ("上报不完整：10/11家已上报，1家未报（H1名），上期占分母67.1%")
    # and 1000 of the city's 2690
    city = _row(result, "visits", "河川市")
    assert city["reason_code"] == "incomplete"
    assert city["reporting"]["missing_prior_share"] == pytest.approx(1000 / 2690)
    # 东县 reported in full: judged, not provisional
    dong = _row(result, "visits", "东县")
    assert (dong["status"], dong["provisional"]) == ("pass", False)
    assert dong["reporting"]["missing"] == 0
    assert result.completeness.missing_institutions == 1


def test_a_missing_tertiary_hospital_makes_the_yearly_decline_incomplete() -> None:
    """A year-over-year indicator weighs the missing by their field last quarter, though
    last quarter's own comparison (with the quarter a year before it) is not loaded."""
    decline = target("tertiary_outpatient_decline", ">=", 0.1, tid="decline")
    con = store()
    h1 = city_org("H1", "南山区", "综合医院", hospital_grade="三级", area="城市")
    h2 = city_org("H2", "东县", "综合医院", hospital_grade="三级", area="农村")
    for period, visits in (("2023Q3", (1000, 300)), ("2024Q2", (900, 300))):
        rows = [
            {**h, "general_outpatient_visits": v} for h, v in zip((h1, h2), visits, strict=True)
        ]
        insert_rows(con, period, [*rows, *CLINICS], path=f"{period}.xlsx")
    insert_rows(con, "2024Q3", [{**h2, "general_outpatient_visits": 270}, *CLINICS], path="q3.xlsx")
    result = _audit(con, decline)
    city = _row(result, "decline", "河川市")
    # without H1 the city would pass on H2 alone: (300 − 270) / 300 = 0.1
    assert (city["status"], city["reason_code"], city["value"]) == (
        "not_evaluable",
        "incomplete",
        None,
    )
    # H1 held 900 of the 1200 tertiary general outpatients of 2024Q2
    assert city["reporting"]["missing_prior_share"] == pytest.approx(900 / 1200)
    # 南山区's only tertiary hospital is the one missing: incomplete, not "no institutions"
    nanshan = _row(result, "decline", "南山区")
    assert (nanshan["reason_code"], nanshan["reporting"]["missing_prior_share"]) == (
        "incomplete",
        1.0,
    )
    dong = _row(result, "decline", "东县")
    assert (dong["status"], dong["value"], dong["reporting"]["missing"]) == ("pass", 0.1, 0)


def test_a_missing_small_clinic_keeps_the_verdict_provisional(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", _without("Z1"))
    nanshan = _row(_audit(both_quarters, VISITS), "visits", "南山区")
    # 10 of 1490 visits (0.7%) and 10 of 11 reporting (90.9%): both inside the thresholds
    assert nanshan["status"] == "pass"
    assert nanshan["value"] == pytest.approx(480 / 1480)
    assert nanshan["provisional"] is True
    assert nanshan["reporting"]["missing_prior_share"] == pytest.approx(10 / 1490)
    # a stricter office: at 95% reporting the same district is incomplete
    strict = _audit(both_quarters, VISITS, min_reporting=0.95)
    assert _row(strict, "visits", "南山区")["reason_code"] == "incomplete"


def test_an_institution_whose_rows_were_all_rejected_reported_with_errors(
    both_quarters,
) -> None:
    insert_rows(both_quarters, "2024Q3", _without("Z1", "Z9"))
    _reject(both_quarters, "Z9", "南山区", "2024Q3")
    result = _audit(both_quarters, VISITS)
    nanshan = _row(result, "visits", "南山区")
    assert nanshan["reporting"] == {
        "expected": 11,
        "reported": 9,
        "rejected": 1,
        "missing": 1,
        "missing_prior_share": pytest.approx(10 / 1490),
    }
    issues = result.data_issues
    assert issues.filter(issues["kind"] == "missing_report")["org_code"].to_list() == ["Z1"]
    assert issues.filter(issues["kind"] == "reported_with_errors")["org_code"].to_list() == ["Z9"]
    c = result.completeness
    assert (c.expected, c.reported_institutions, c.rejected_institutions) == (14, 12, 1)
    assert c.missing_institutions == 1


def test_county_level_target_leaves_urban_districts_out(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", ROWS)
    result = _audit(both_quarters, COUNTY_LEVEL)
    nanshan = _row(result, "county-level", "南山区")
    assert (nanshan["status"], nanshan["reason_code"]) == ("not_evaluable", "out_of_scope")
    assert nanshan["reason_params"] == {
        "area_type": "市辖区",
        "basis": "name",
        "scope": "县、县级市",
    }
    assert nanshan["reason"] == "不适用：本目标只适用于县、县级市，该地为市辖区"
    dong = _row(result, "county-level", "东县")
    assert (dong["status"], dong["value"]) == ("pass", pytest.approx(600 / 1200))
    # the city over its 县 only: 东县's 600 / 1200, not (600 + 490) / 2690
    assert _row(result, "county-level", "河川市")["value"] == pytest.approx(0.5)
    assert result.summary()["fail"] == 0


def test_the_register_type_beats_the_name(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", ROWS)
    _area_register(both_quarters, {"南山区": "县", "东县": "县"})
    result = _audit(both_quarters, COUNTY_LEVEL)
    nanshan = _row(result, "county-level", "南山区")
    # stated 县 in the register: judged, on its primary-care 400 + 90 of 1490 visits
    assert (nanshan["status"], nanshan["value"]) == ("pass", pytest.approx(490 / 1490))
    assert _row(result, "county-level", "河川市")["value"] == pytest.approx(1090 / 2690)


def test_first_period_ever_has_no_expectation_and_no_none() -> None:
    con = store()
    insert_rows(con, "2024Q3", ROWS)
    result = _audit(con, VISITS, SIGNING)
    doc = to_json_dict(result)
    assert {r["provisional"] for r in doc["results"]} == {False}
    assert {json.dumps(r["reporting"]) for r in doc["results"]} == {"null"}
    assert doc["completeness"]["expected_basis"] == "none"
    assert "None" not in json.dumps(doc, ensure_ascii=False)


def test_registers_are_named_as_sources_and_county_mismatches_are_data_issues(
    both_quarters,
) -> None:
    extra = city_org("X1", "西县", "村卫生室", area="农村", total_visits=5)
    insert_rows(both_quarters, "2024Q3", [*ROWS, extra])
    _area_register(both_quarters)
    result = _audit(both_quarters, SIGNING)
    assert [(r.kind, r.year, r.rows, r.files) for r in result.registers] == [
        ("areas", 2024, 2, ("areas.xlsx",))
    ]
    issues = result.data_issues.filter(result.data_issues["kind"] == "register_mismatch")
    assert issues.select("code", "county").rows() == [("register_county_missing", "西县")]
    # 西县 has no register figure: the city falls back to the facilities' figures
    city = _row(result, "signing", "河川市")
    assert city["basis"] == "facility_reported"
    assert to_json_dict(result)["registers"][0]["files"] == ["areas.xlsx"]


def test_provisional_and_reported_with_errors_shown_in_every_report(
    both_quarters, tmp_path
) -> None:
    import io

    from openpyxl import load_workbook
    from rich.console import Console

    from kpi_audit.render import write_report
    from kpi_audit.render.terminal import print_result

    insert_rows(both_quarters, "2024Q3", _without("Z1", "Z9"))
    _reject(both_quarters, "Z9", "南山区", "2024Q3")
    result = _audit(both_quarters, VISITS)
    out = io.StringIO()
    print_result(result, Console(file=out, width=120, no_color=True, force_terminal=False))
    text = out.getvalue()
    # 13 of 14 answered (12 accepted + Z9 with errors): Z1 is the only one missing
    assert text.splitlines()[0] == "本期 13/14 家机构已上报"
    assert "│ 南山区 │" in text and "暂定：1家未报" in text
    write_report(result, tmp_path / "r.html", "html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<p class="provisional-banner">本期 13/14 家机构已上报</p>' in html
    assert "暂定：1家未报" in html
    write_report(result, tmp_path / "r.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "r.xlsx")["完整性"]
    listed = {(r[0], r[2]) for r in sheet.iter_rows(min_row=10, values_only=True) if r[2]}
    assert listed == {("未上报", "Z1"), ("已上报但数据有误", "Z9")}


def test_on_the_register_basis_a_row_without_its_own_population_still_counts() -> None:
    con = store()
    rows = [dict(r) for r in ROWS]
    next(r for r in rows if r["org_code"] == "T1")["resident_population"] = None
    insert_rows(con, "2024Q2", rows)
    insert_rows(con, "2024Q3", rows)
    # facilities: T1's 4000 signed have no population beside them, so only V1 counts
    assert _row(_audit(con, SIGNING), "signing", "东县")["value"] == pytest.approx(1000 / 3000)
    _area_register(con)
    dong = _row(_audit(con, SIGNING), "signing", "东县")
    assert (dong["numerator"], dong["denominator"]) == (5000, 12000)
    # and with nobody's population at all, the register still measures the district
    for r in rows:
        r["resident_population"] = None
    con = store()
    insert_rows(con, "2024Q3", rows)
    assert _row(_audit(con, SIGNING), "signing", "东县")["reason_code"] == "field_missing"
    _area_register(con)
    dong = _row(_audit(con, SIGNING), "signing", "东县")
    assert (dong["value"], dong["basis"]) == (pytest.approx(5000 / 12000), "area_register")


def test_a_registered_institution_that_never_reported_has_an_unknown_share(
    both_quarters,
) -> None:
    insert_rows(both_quarters, "2024Q3", ROWS)
    file_id = both_quarters.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES ('institutions', 'orgs.xlsx', 'b1', now(), 15) RETURNING file_id"
    ).fetchall()[0][0]
    for row, r in enumerate([*ROWS, city_org("N1", "东县", "诊所")], start=2):
        both_quarters.execute(
            "INSERT INTO institution_register (org_code, org_name, county, city, org_type,"
            " file_id, source_row, loaded_at) VALUES (?, ?, ?, '河川市', ?, ?, ?, now())",
            [r["org_code"], r["org_name"], r["county"], r["org_type"], file_id, row],
        )
    dong = _row(_audit(both_quarters, VISITS), "visits", "东县")
    # N1 is registered and has never sent anything: missing, its weight unknown
    assert dong["reporting"] == {
        "expected": 4,
        "reported": 3,
        "rejected": 0,
        "missing": 1,
        "missing_prior_share": None,
    }
    # 3 of 4 reporting is below 90%: incomplete, the share said to be unknown
    assert dong["reason_code"] == "incomplete"
    assert dong["reason"] == "上报不完整：3/4家已上报，1家未报（N1名），上期占分母未知"


def test_trends_and_previous_values_use_the_register_too(both_quarters) -> None:
    insert_rows(both_quarters, "2024Q3", ROWS)
    _area_register(both_quarters)
    result = _audit(both_quarters, SIGNING, trends=True)
    trend = {
        (r["unit"], r["period"]): r["value"]
        for r in result.trends.filter(result.trends["indicator"] == "signing_coverage").to_dicts()
    }
    # 2024Q2 is on the 2024 register as well: 2000/6000, and the city 7000/18000
    assert trend[("南山区", "2024Q2")] == pytest.approx(2000 / 6000)
    assert trend[("河川市", "2024Q2")] == pytest.approx(7000 / 18000)
    assert _row(result, "signing", "东县")["value_previous"] == pytest.approx(5000 / 12000)


def test_trend_points_are_the_verdicts_values_with_a_partial_register() -> None:
    """东县 alone on the register, and T1 without its own population: the verdict divides
    东县's 5000 signed (T1 and V1) by 12000, 南山区 keeps the facilities' 2000/5000 and the
    city (one district off the register) the facilities' 3000/8000. Each period's trend
    point and last quarter's value are those same figures, not 东县's 1000/3000 (the rows
    that reported a population) nor the facilities' basis everywhere."""
    con = store()
    rows = [dict(r) for r in ROWS]
    next(r for r in rows if r["org_code"] == "T1")["resident_population"] = None
    insert_rows(con, "2024Q2", rows)
    insert_rows(con, "2024Q3", rows)
    _area_register(con)
    con.execute("DELETE FROM area_register WHERE county = '南山区'")
    result = _audit(con, SIGNING, trends=True)
    dong, nanshan, city = (_row(result, "signing", u) for u in ("东县", "南山区", "河川市"))
    assert (dong["value"], dong["basis"]) == (pytest.approx(5000 / 12000), "area_register")
    assert (nanshan["value"], nanshan["basis"]) == (pytest.approx(2000 / 5000), "facility_reported")
    assert (city["value"], city["basis"]) == (pytest.approx(3000 / 8000), "facility_reported")
    trend = {
        (r["unit"], r["period"]): r["value"]
        for r in result.trends.filter(result.trends["indicator"] == "signing_coverage").to_dicts()
    }
    for period in ("2024Q2", "2024Q3"):
        assert trend[("东县", period)] == pytest.approx(5000 / 12000)
        assert trend[("南山区", period)] == pytest.approx(2000 / 5000)
        assert trend[("河川市", period)] == pytest.approx(3000 / 8000)
    assert dong["value_previous"] == pytest.approx(5000 / 12000)
    # read back from the sums the first audit stored: the same points
    stored = con.execute("SELECT period, county FROM period_aggregates WHERE numerator_all = 5000")
    assert stored.fetchall() == [("2024Q2", "东县")]
    again = _audit(con, SIGNING, trends=True).trends
    assert again.sort(again.columns).equals(result.trends.sort(result.trends.columns))


@pytest.mark.parametrize("cities", [("甲市", "乙市"), (None, None)])
def test_each_city_divides_by_its_own_counties(cities: tuple[str | None, str | None]) -> None:
    """A province's store: 东县 (甲市, 2000 residents) signed 500, 西县 (乙市, 1000) 100.
    甲市 is 500/2000 and 乙市 100/1000 — before, each city divided by all 3000. Rows
    without a city name are one area: 600/3000."""
    from _eval_helpers import org

    con = store()
    rows = [
        org("A1", "东县", "乡镇卫生院", resident_population=900, signed_residents=500),
        org("B1", "西县", "乡镇卫生院", resident_population=900, signed_residents=100),
    ]
    for row, city in zip(rows, cities, strict=True):
        row["city"] = city
    insert_rows(con, "2024Q2", rows)
    insert_rows(con, "2024Q3", rows)
    file_id = con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES ('areas', 'areas.xlsx', 'a1', now(), 2) RETURNING file_id"
    ).fetchall()[0][0]
    for i, (county, city, population) in enumerate(
        (("东县", cities[0], 2000), ("西县", cities[1], 1000))
    ):
        con.execute(
            "INSERT INTO area_register (area_code, county, city, area_type, area_type_basis,"
            " year, population, file_id, source_row, loaded_at)"
            " VALUES (?, ?, ?, '县', 'stated', 2024, ?, ?, ?, now())",
            [f"41992{i}", county, city, population, file_id, i + 2],
        )
    result = _audit(con, SIGNING, trends=True)
    expected = {"甲市": 500 / 2000, "乙市": 100 / 1000} if cities[0] else {None: 600 / 3000}
    values = {
        r["unit"]: r["value"] for r in to_json_dict(result)["results"] if r["level"] == "city"
    }
    # the unnamed city is shown under the target set's area: compare the values
    assert sorted(values.values()) == pytest.approx(sorted(expected.values()))
    if cities[0] is not None:
        assert values == pytest.approx(expected)
    trend = result.trends.filter(
        (pl.col("indicator") == "signing_coverage") & (pl.col("level") == "city")
    )
    for period in ("2024Q2", "2024Q3"):
        points = trend.filter(pl.col("period") == period)
        got = dict(zip(points["unit"].to_list(), points["value"].to_list(), strict=True))
        assert sorted(got.values()) == pytest.approx(sorted(expected.values()))
        if cities[0] is not None:
            assert got == pytest.approx(expected)


def test_a_blank_field_that_leaves_an_institution_out_is_said() -> None:
    """A township centre that reports its visits and leaves 中医诊疗人次 blank counts in
    neither sum of the TCM share (missing, never zero): the result says one is left out."""
    con = store()
    rows = [
        city_org("T1", "东县", "乡镇卫生院", total_visits=1000, tcm_visits=300),
        city_org("T2", "东县", "乡镇卫生院", total_visits=500),  # 中医诊疗人次 blank
        city_org("D1", "东县", "综合医院", hospital_grade="二级", total_visits=600),
    ]
    insert_rows(con, "2024Q3", rows)
    result = _audit(con, target("primary_tcm_share", ">=", 0.3, tid="tcm"))
    dong = _row(result, "tcm", "东县")
    # 300 / 1000 over T1 alone; the hospital is out of scope, not left out
    assert (dong["value"], dong["left_out"], dong["status"]) == (0.3, 1, "pass")
    assert _row(result, "tcm", "河川市")["left_out"] == 1
    visits = _row(_audit(con, VISITS), "visits", "东县")
    assert visits["left_out"] == 0
