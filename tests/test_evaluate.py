"""The evaluation engine (domain.md §4) on hand-built stores, values worked out by hand."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
from _eval_helpers import (
    CATALOG,
    CITY,
    Q3_2023,
    Q3_2024,
    insert_rows,
    org,
    store,
    target,
    target_set,
)
from _eval_helpers import (
    city_org as _org,
)

from kpi_audit.core.errors import ConfigError, NoDataError, UsageError
from kpi_audit.core.models import Target
from kpi_audit.core.result import ISSUE_SCHEMA, RESULT_SCHEMA
from kpi_audit.evaluate import run_audit

LEVELS_ALL = ("facility", "county", "city")


@pytest.fixture
def con():
    c = store()
    insert_rows(c, "2023Q3", Q3_2023)
    insert_rows(c, "2024Q3", Q3_2024)
    yield c
    c.close()


def audit(
    con,
    *targets: Target,
    period: str = "2024Q3",
    levels=None,
    area: str = "测试市",
    trends: bool = False,
):
    return run_audit(
        con,
        period=period,
        target_sets=[target_set(*targets, area=area)],
        catalog=CATALOG,
        levels=levels,
        trends=trends,
    )


def values(result, indicator: str | None = None) -> dict[tuple[str, str], float | None]:
    rows = result.results
    if indicator:
        rows = rows.filter(pl.col("indicator") == indicator)
    return {(r["level"], r["unit"]): r["value"] for r in rows.iter_rows(named=True)}


def row(result, level: str, unit: str, indicator: str | None = None) -> dict:
    rows = result.results.filter(pl.col("level") == level, pl.col("unit") == unit)
    if indicator:
        rows = rows.filter(pl.col("indicator") == indicator)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_contract_ratio_indicators_at_county_and_city(con) -> None:
    targets = [
        target(i, ">=", 0.5)
        for i in (
            "primary_visit_share",
            "primary_tcm_share",
            "signing_coverage",
            "signing_coverage_urban",
            "signing_coverage_rural",
            "signing_coverage_key",
        )
    ]
    result = audit(con, *targets)
    assert result.results.schema == pl.Schema(RESULT_SCHEMA)
    got = {
        (r["indicator"], r["level"], r["unit"]): r["value"]
        for r in result.results.iter_rows(named=True)
    }
    expected = {
        # primary visits / all visits: 东县 (300+200)/(300+200+500); 西县 600/(600+400+100);
        # city 1100/2100
        ("primary_visit_share", "county", "东县"): 500 / 1000,
        ("primary_visit_share", "county", "西县"): 600 / 1100,
        ("primary_visit_share", "city", CITY): 1100 / 2100,
        # primary TCM / primary visits: 东县 (90+20)/500; 西县 240/600; city 350/1100
        ("primary_tcm_share", "county", "东县"): 110 / 500,
        ("primary_tcm_share", "county", "西县"): 240 / 600,
        ("primary_tcm_share", "city", CITY): 350 / 1100,
        # signed / population (hospitals report neither and are left out):
        # 东县 (700+500)/(1000+2000); 西县 2700/3000; city 3900/6000
        ("signing_coverage", "county", "东县"): 1200 / 3000,
        ("signing_coverage", "county", "西县"): 0.9,
        ("signing_coverage", "city", CITY): 0.65,
        # urban rows only: A2 500/2000 (H1 is urban but reports no population)
        ("signing_coverage_urban", "county", "东县"): 0.25,
        ("signing_coverage_urban", "county", "西县"): None,
        ("signing_coverage_urban", "city", CITY): 0.25,
        # rural rows: 东县 A1 700/1000; 西县 B1 2700/3000; city 3400/4000
        ("signing_coverage_rural", "county", "东县"): 0.7,
        ("signing_coverage_rural", "county", "西县"): 0.9,
        ("signing_coverage_rural", "city", CITY): 0.85,
        # key populations: 东县 (150+200)/(200+300); 西县 300/500; city 650/1000
        ("signing_coverage_key", "county", "东县"): 0.7,
        ("signing_coverage_key", "county", "西县"): 0.6,
        ("signing_coverage_key", "city", CITY): 0.65,
    }
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == (None if value is None else pytest.approx(value, abs=1e-12)), key
    urban_west = row(result, "county", "西县", "signing_coverage_urban")
    assert (urban_west["status"], urban_west["reason_code"], urban_west["reason_params"]) == (
        "not_evaluable",
        "no_institutions",
        "{}",
    )
    assert row(result, "county", "东县", "signing_coverage")["numerator"] == 1200
    assert row(result, "county", "东县", "signing_coverage")["denominator"] == 3000


def test_ratio_of_sums_not_mean_of_ratios(con) -> None:
    # City primary-visit share: Σ/Σ = 1100/2100 = 0.52381 meets 0.523, while the mean of
    # the county ratios (0.5 + 0.54545)/2 = 0.52273 would not.
    result = audit(con, target("primary_visit_share", ">=", 0.523, levels=("city",)))
    city = row(result, "city", CITY)
    assert city["value"] == pytest.approx(0.5238095238)
    assert (0.5 + 600 / 1100) / 2 < 0.523
    assert city["status"] == "pass"
    assert city["gap"] == pytest.approx(1100 / 2100 - 0.523)


def test_tertiary_outpatient_decline_at_every_level(con) -> None:
    result = audit(
        con, target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city"))
    )
    assert values(result) == {
        ("facility", "H1"): pytest.approx(0.2),  # 1 − 400/500
        ("facility", "H2"): pytest.approx(0.0),  # 1 − 300/300
        ("county", "东县"): pytest.approx(0.2),
        ("county", "西县"): pytest.approx(0.0),
        ("city", CITY): pytest.approx(0.125),  # 1 − (400+300)/(500+300)
    }
    h1 = row(result, "facility", "H1")
    assert (h1["unit_name"], h1["county"], h1["numerator"], h1["denominator"]) == (
        "H1名",
        "东县",
        400,
        500,
    )
    assert row(result, "facility", "H2")["status"] == "fail"
    assert result.data_issues.filter(pl.col("kind") == "not_comparable").height == 0


def test_a_tertiary_maternal_and_child_health_centre_is_not_a_tertiary_hospital(con) -> None:
    # 妇幼保健院 may hold a hospital grade (三级妇幼保健院) but is a public-health
    # institution: its general outpatients are not in 三级医院普通门诊量.
    for period, visits in (("2024Q3", 100), ("2023Q3", 1000)):
        row_ = _org("M1", "东县", "妇幼保健院", hospital_grade="三级")
        insert_rows(
            con, period, [{**row_, "general_outpatient_visits": visits}], path=f"m{period}.xlsx"
        )
    result = audit(
        con, target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city"))
    )
    assert values(result) == {
        ("facility", "H1"): pytest.approx(0.2),
        ("facility", "H2"): pytest.approx(0.0),
        ("county", "东县"): pytest.approx(0.2),  # 1 − 400/500, not 1 − 500/1500
        ("county", "西县"): pytest.approx(0.0),
        ("city", CITY): pytest.approx(0.125),
    }


def test_yoy_compares_only_hospitals_reporting_both_years(con) -> None:
    # H4 is new in 2024 (not in 2023Q3); H5 reported in 2023Q3 only.
    insert_rows(
        con,
        "2024Q3",
        [_org("H4", "东县", "综合医院", hospital_grade="三级", general_outpatient_visits=1000)],
        path="new.xlsx",
    )
    insert_rows(
        con,
        "2023Q3",
        [_org("H5", "西县", "综合医院", hospital_grade="三级", general_outpatient_visits=900)],
        path="old.xlsx",
    )
    result = audit(
        con, target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city"))
    )
    # H4 and H5 are not added: the city stays 1 − 700/800 and 东县 1 − 400/500.
    assert row(result, "city", CITY)["value"] == pytest.approx(0.125)
    assert row(result, "county", "东县")["value"] == pytest.approx(0.2)
    h4 = row(result, "facility", "H4")
    assert (h4["status"], h4["reason_code"]) == ("not_evaluable", "no_comparable")
    issues = result.data_issues.filter(pl.col("kind") == "not_comparable")
    assert issues["org_code"].to_list() == ["H4", "H5"]
    assert issues["county"].to_list() == ["东县", "西县"]
    assert issues["code"].to_list() == ["yoy_only_now", "yoy_only_earlier"]
    assert (
        issues["message_zh"][0]
        == "三级医院普通门诊量年下降率：2024Q3 有数据、2023Q3 无，未计入同比"
    )
    assert issues["message_en"][1].endswith(
        ": reported for 2023Q3 but not for 2024Q3, left out of the comparison"
    )
    assert json.loads(issues["params"][0]) == {
        "indicator": "tertiary_outpatient_decline",
        "name_zh": "三级医院普通门诊量年下降率",
        "name_en": issues["message_en"][0].split(":")[0],
        "period": "2024Q3",
        "earlier": "2023Q3",
    }
    assert issues["field"].to_list() == ["general_outpatient_visits"] * 2


def test_a_filter_value_with_braces_reaches_the_sql_as_written(con) -> None:
    # The year-over-year check once ran str.format over SQL holding the filter's
    # literals: a value with "{" raised KeyError instead of filtering.
    from dataclasses import replace

    from kpi_audit.core.models import Condition

    base = CATALOG["tertiary_outpatient_decline"]
    braces = Condition("org_name", "!=", "某{院}名")
    numerator = replace(base.numerator, where=(*base.numerator.where, braces))
    catalog = {**CATALOG, base.id: replace(base, numerator=numerator)}
    insert_rows(
        con,
        "2023Q3",
        [_org("H5", "西县", "综合医院", hospital_grade="三级", general_outpatient_visits=900)],
        path="old.xlsx",
    )
    result = run_audit(
        con,
        period="2024Q3",
        target_sets=[target_set(target(base.id, ">=", 0.1, levels=LEVELS_ALL), area="测试市")],
        catalog=catalog,
    )
    assert row(result, "city", CITY)["value"] == pytest.approx(0.125)
    issues = result.data_issues.filter(pl.col("kind") == "not_comparable")
    assert issues["org_code"].to_list() == ["H5"]


def test_yoy_without_prior_year_data() -> None:
    con = store()
    insert_rows(con, "2024Q3", Q3_2024)
    result = audit(
        con, target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city"))
    )
    assert set(result.results["status"]) == {"not_evaluable"}
    assert set(result.results["reason_code"]) == {"no_comparable"}
    assert result.results.height == 5  # H1, H2, 东县, 西县, city
    assert result.data_issues.filter(pl.col("kind") == "not_comparable").height == 2


def test_blank_is_missing_but_zero_is_zero(con) -> None:
    # C1 leaves 签约人数 blank: left out of numerator AND denominator → 东县 stays 0.4.
    # C2 reports 0 signed of 3000: a real zero → 西县 (2700+0)/(3000+3000) = 0.45.
    insert_rows(
        con,
        "2024Q3",
        [
            _org("C1", "东县", "村卫生室", area="农村", resident_population=5000),
            _org(
                "C2", "西县", "村卫生室", area="农村", resident_population=3000, signed_residents=0
            ),
        ],
        path="more.xlsx",
    )
    result = audit(con, target("signing_coverage", ">=", 0.5))
    assert row(result, "county", "东县")["value"] == pytest.approx(0.4)
    assert row(result, "county", "西县")["value"] == pytest.approx(0.45)
    # city (700+500+2700+0)/(1000+2000+3000+3000) = 3900/9000
    assert row(result, "city", CITY)["value"] == pytest.approx(3900 / 9000)


def test_zero_denominator_and_field_not_submitted() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            # 南县: population reported as 0 everywhere → zero denominator
            _org("N1", "南县", "村卫生室", resident_population=0, signed_residents=0, key_signed=5),
            # 北县: key population never filled in
            _org(
                "S1", "北县", "村卫生室", resident_population=10, signed_residents=5, key_signed=3
            ),
        ],
    )
    result = audit(
        con, target("signing_coverage", ">=", 0.5), target("signing_coverage_key", ">=", 0.5)
    )
    south = row(result, "county", "南县", "signing_coverage")
    assert (south["status"], south["reason_code"], south["value"], south["numerator"]) == (
        "not_evaluable",
        "zero_denominator",
        None,
        None,
    )
    key = row(result, "county", "北县", "signing_coverage_key")
    assert (key["status"], key["reason_code"], json.loads(key["reason_params"])) == (
        "not_evaluable",
        "field_missing",
        {"fields": ["key_population"]},
    )
    assert row(result, "county", "北县", "signing_coverage")["value"] == 0.5
    assert row(result, "city", CITY, "signing_coverage")["value"] == pytest.approx(5 / 10)


def test_value_exactly_at_threshold_meets_it(con) -> None:
    # city signing coverage 3900/6000 = 0.65 exactly; decline (500 − 450)/500 is 0.1
    # exactly (1 − 450/500 would be 0.09999999999999998).
    insert_rows(
        con,
        "2023Q3",
        [_org("H9", "东县", "综合医院", hospital_grade="三级", general_outpatient_visits=500)],
        path="h9a.xlsx",
    )
    insert_rows(
        con,
        "2024Q3",
        [_org("H9", "东县", "综合医院", hospital_grade="三级", general_outpatient_visits=450)],
        path="h9b.xlsx",
    )
    result = audit(
        con,
        target("signing_coverage", ">=", 0.65, levels=("city",)),
        target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility",)),
    )
    assert row(result, "city", CITY, "signing_coverage")["status"] == "pass"
    h9 = row(result, "facility", "H9")
    assert h9["value"] == 0.1
    assert h9["status"] == "pass"


def test_warn_band(con) -> None:
    # 东县 signing 0.4, 西县 0.9; target ≥ 0.45 with warn_within 0.05:
    # 东县 is 0.05 short → warn; with ≥ 0.46 it is 0.06 short → fail.
    result = audit(
        con,
        target("signing_coverage", ">=", 0.45, warn_within=0.05, tid="a"),
        target("signing_coverage_rural", ">=", 0.75, warn_within=0.05, tid="b"),
    )
    assert row(result, "county", "东县", "signing_coverage")["status"] == "warn"
    assert row(result, "county", "西县", "signing_coverage")["status"] == "pass"
    # rural 东县 0.7 vs 0.75: exactly at the edge of the band → warn
    assert row(result, "county", "东县", "signing_coverage_rural")["status"] == "warn"
    result = audit(con, target("signing_coverage", ">=", 0.46, warn_within=0.05))
    assert row(result, "county", "东县")["status"] == "fail"
    assert row(result, "county", "东县")["gap"] == pytest.approx(-0.06)


def test_thresholds_change_by_year() -> None:
    con = store()
    rows = [_org("A", "东县", "村卫生室", resident_population=100, signed_residents=40)]
    insert_rows(con, "2019Q3", rows)
    insert_rows(con, "2024Q3", rows)
    early = target("signing_coverage", ">=", 0.3, from_year=2017, levels=("city",))
    late = target("signing_coverage", ">=", 0.6, from_year=2020, levels=("city",))
    # 2019: the 2017 threshold (30%) is in force → 0.4 passes
    r2019 = audit(con, early, late, period="2019Q3")
    assert r2019.results["target_id"].to_list() == ["signing_coverage-2017"]
    assert r2019.results["status"].to_list() == ["pass"]
    # 2024: the 2020 threshold (60%) replaced it → 0.4 fails
    r2024 = audit(con, early, late, period="2024Q3")
    assert r2024.results["target_id"].to_list() == ["signing_coverage-2020"]
    assert r2024.results["status"].to_list() == ["fail"]
    # until_year: a target that ended in 2022 is reported in 2024 as no longer in force
    ended = target("signing_coverage", ">=", 0.3, levels=("city",), until_year=2022)
    [gone] = audit(con, ended, period="2024Q3").results.to_dicts()
    assert (gone["status"], gone["reason_code"], gone["value"]) == (
        "not_evaluable",
        "not_in_force",
        None,
    )
    assert json.loads(gone["reason_params"]) == {"case": "ended", "until_year": 2022}
    assert audit(con, ended, period="2019Q3").results.height == 1


def test_target_not_yet_in_force(con) -> None:
    result = audit(con, target("signing_coverage", ">=", 0.3, from_year=2027))
    assert result.results.height == 3  # 东县, 西县, city
    assert set(result.results["status"]) == {"not_evaluable"}
    assert set(result.results["reason_code"]) == {"not_in_force"}
    assert set(result.results["reason_params"]) == {'{"from_year": 2027}'}
    assert result.results["value"].null_count() == 3


def test_needs_gives_a_row_per_county_and_city(con) -> None:
    result = audit(con, target("in_county_visit_rate", ">=", 0.9))
    # at county level the unit is the county (domain.md §5), never the city's name
    assert result.results.select("level", "unit", "county", "status", "reason_code").rows() == [
        ("city", CITY, None, "not_evaluable", "needs_data"),
        ("county", "东县", "东县", "not_evaluable", "needs_data"),
        ("county", "西县", "西县", "not_evaluable", "needs_data"),
    ]
    needs = CATALOG["in_county_visit_rate"].needs
    assert json.loads(result.results["reason_params"][0]) == {
        "needs": list(needs),
        "needs_zh": list(CATALOG["in_county_visit_rate"].needs_zh or needs),
    }
    assert result.results.select("value", "numerator", "denominator", "gap").null_count().row(
        0
    ) == (3, 3, 3, 3)
    county_only = audit(con, target("in_county_visit_rate", ">=", 0.9, levels=("county",)))
    assert county_only.results.select("level", "unit").rows() == [
        ("county", "东县"),
        ("county", "西县"),
    ]
    # --level city: the city row alone
    city = audit(con, target("in_county_visit_rate", ">=", 0.9), levels=["city"])
    assert city.results.select("level", "unit").rows() == [("city", CITY)]


def test_target_not_measured_gets_no_facility_rows(con) -> None:
    # tertiary_outpatient_decline is computed per facility (H1, H2), but a target not
    # yet in force says nothing about any one facility: rows per county and city only
    everywhere = target("tertiary_outpatient_decline", ">=", 0.1, from_year=2027, levels=LEVELS_ALL)
    result = audit(con, everywhere)
    assert result.results.select("level", "unit").rows() == [
        ("city", CITY),
        ("county", "东县"),
        ("county", "西县"),
    ]
    # a facility-only target gets its rows at county level
    facility_only = target(
        "tertiary_outpatient_decline", ">=", 0.1, from_year=2027, levels=("facility",)
    )
    for levels in (None, ["facility"]):
        rows = audit(con, facility_only, levels=levels).results
        assert rows.select("level", "unit", "status").rows() == [
            ("county", "东县", "not_evaluable"),
            ("county", "西县", "not_evaluable"),
        ]
        assert set(rows["reason_code"]) == {"not_in_force"}
    assert audit(con, facility_only, levels=["city"]).results.height == 0


def test_levels_argument_and_facility_units(con) -> None:
    t = target("tertiary_outpatient_decline", ">=", 0.1, levels=("facility", "county", "city"))
    result = audit(con, t, levels=["facility"])
    # facility units are the institutions in scope only: the two tertiary hospitals
    assert sorted(result.results["unit"]) == ["H1", "H2"]
    # an indicator without a facility level never yields facility rows
    assert (
        audit(
            con,
            target("signing_coverage", ">=", 0.5, levels=("facility", "county")),
            levels=["facility"],
        ).results.height
        == 0
    )


def test_city_fallback_when_city_column_blank() -> None:
    con = store()
    insert_rows(
        con, "2024Q3", [org("A", "东县", "村卫生室", resident_population=10, signed_residents=5)]
    )
    result = audit(con, target("signing_coverage", ">=", 0.5), area="郑州市")
    assert row(result, "city", "郑州市")["value"] == 0.5
    result = audit(con, target("signing_coverage", ">=", 0.5), area="")
    assert row(result, "city", "全市")["value"] == 0.5


def test_facility_share_and_sum_kinds() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            org("C1", "东县", "社区卫生服务中心", provides_tcm=True),
            org("C2", "东县", "社区卫生服务中心", provides_tcm=False),
            org("C3", "东县", "社区卫生服务中心"),  # blank flag: left out of both
            org("C4", "西县", "社区卫生服务中心", provides_tcm=True),
            org(
                "K1",
                "东县",
                "综合医院",
                hospital_grade="二级",
                county_level_hospital=True,
                county_key_specialties=3,
            ),
            org(
                "K2",
                "东县",
                "中医医院",
                hospital_grade="二级",
                county_level_hospital=True,
                county_key_specialties=2,
            ),
        ],
    )
    result = audit(
        con,
        target("tcm_service_share_community_centre", ">=", 1.0),
        target("county_hospital_key_specialties", ">=", 4, levels=("county",)),
    )
    share = values(result, "tcm_service_share_community_centre")
    # 东县: 1 of the 2 centres that answered; 西县 1/1; city 2/3
    assert share == {
        ("county", "东县"): 0.5,
        ("county", "西县"): 1.0,
        ("city", "测试市"): pytest.approx(2 / 3),
    }
    specialties = values(result, "county_hospital_key_specialties")
    # 东县 3 + 2 = 5; 西县 has no county-level hospital: 0 specialties
    assert specialties == {("county", "东县"): 5.0, ("county", "西县"): 0.0}
    assert row(result, "county", "西县", "county_hospital_key_specialties")["status"] == "fail"


def test_yoy_growth() -> None:
    con = store()
    # the catalog counts the down-referrals of secondary and tertiary hospitals only:
    # the community centre (new in 2024) is out of scope, not a missing comparison
    h = {"hospital_grade": "二级"}
    insert_rows(con, "2023Q3", [org("H", "东县", "综合医院", referrals_down=200, **h)])
    insert_rows(con, "2024Q3", [org("H", "东县", "综合医院", referrals_down=230, **h)])
    insert_rows(con, "2024Q3", [org("C", "东县", "社区卫生服务中心", referrals_down=99)], path="c")
    result = audit(con, target("referrals_down_growth", "between", 0.05, threshold_high=0.10))
    county = row(result, "county", "东县")
    # 230/200 − 1 = 0.15: above the 5–10% band by 0.05
    assert county["value"] == pytest.approx(0.15)
    assert county["gap"] == pytest.approx(-0.05)
    assert county["status"] == "fail"


def test_whole_year_from_quarters_and_from_annual_rows() -> None:
    con = store()
    for q, visits, pop in ((1, 100, 1000), (2, 110, 1000), (3, 120, 1100), (4, 130, 1200)):
        insert_rows(
            con,
            f"2024Q{q}",
            [
                org(
                    "A",
                    "东县",
                    "村卫生室",
                    total_visits=visits,
                    resident_population=pop,
                    signed_residents=pop // 2,
                ),
                org("H", "东县", "综合医院", total_visits=1000),
            ],
        )
    result = audit(
        con,
        target("primary_visit_share", ">=", 0.1, levels=("county",)),
        target("signing_coverage", ">=", 0.5, levels=("county",)),
        period="2024",
    )
    # flows summed: (100+110+120+130) / (460 + 4×1000) = 460/4460
    assert row(result, "county", "东县", "primary_visit_share")["value"] == pytest.approx(
        460 / 4460
    )
    # stocks from the latest quarter: 600/1200
    coverage = row(result, "county", "东县", "signing_coverage")
    assert (coverage["numerator"], coverage["denominator"]) == (600, 1200)
    assert result.period == "2024"
    notices = result.data_issues.filter(pl.col("kind") == "notice")
    assert notices.select("code", "params").rows() == [
        (
            "year_from_quarters",
            '{"quarters": ["2024Q1", "2024Q2", "2024Q3", "2024Q4"], "year": 2024}',
        )
    ]
    assert notices["message_en"][0].startswith(
        "no annual rows for 2024: values aggregated from its quarters (2024Q1, 2024Q2, 2024Q3, "
        "2024Q4)"
    )
    assert notices["message_zh"][0].startswith(
        "2024 年无全年报表，按季度数据汇总（2024Q1, 2024Q2, 2024Q3, 2024Q4）"
    )
    # annual rows, once loaded, are used as submitted
    insert_rows(
        con,
        "2024",
        [
            org("A", "东县", "村卫生室", total_visits=500),
            org("H", "东县", "综合医院", total_visits=500),
        ],
    )
    result = audit(
        con, target("primary_visit_share", ">=", 0.1, levels=("county",)), period="2024年"
    )
    assert result.results["value"].to_list() == [0.5]
    assert result.data_issues.filter(pl.col("kind") == "notice").height == 0


def test_period_resolution(con) -> None:
    t = target("signing_coverage", ">=", 0.5)
    assert audit(con, t, period="latest").period == "2024Q3"
    assert audit(con, t, period="2024年第三季度").period == "2024Q3"
    with pytest.raises(UsageError):
        audit(con, t, period="spring")
    with pytest.raises(NoDataError, match=r"2022Q1.*loaded periods: 2023Q3, 2024Q3"):
        audit(con, t, period="2022Q1")
    with pytest.raises(NoDataError):
        audit(store(), t, period="latest")


def test_unknown_indicator_is_a_config_error(con) -> None:
    with pytest.raises(ConfigError, match="nope"):
        audit(con, target("nope", ">=", 0.5))


def test_completeness() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q2",
        [
            _org("A", "东县", "村卫生室"),
            _org("B", "西县", "村卫生室"),
            _org("C", "北县", "村卫生室"),
        ],
    )
    file_id = insert_rows(con, "2024Q3", [_org("A", "东县", "村卫生室")], path="q3.xlsx")
    con.execute(
        "INSERT INTO rejects VALUES (?, 'Sheet1', 7, '2024Q3', 'X', 'X名', '东县', '{}')", [file_id]
    )
    con.execute(
        "INSERT INTO ingest_issues (file_id, sheet, source_row, field, value, severity, code, "
        "message_zh, message_en, period, org_code) VALUES (?, 'Sheet1', 7, 'total_visits', "
        "'abc', 'error', 'not_a_number', '不是数字', 'not a number', '2024Q3', 'X')",
        [file_id],
    )
    result = audit(con, target("signing_coverage", ">=", 0.5))
    c = result.completeness
    assert (
        c.expected_institutions,
        c.reported_institutions,
        c.missing_institutions,
        c.counties_without_data,
        c.rejected_rows,
    ) == (3, 1, 2, ("北县", "西县"), 1)
    issues = result.data_issues
    assert issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert issues.select(
        "kind", "code", "file", "sheet", "row", "field", "value", "message_zh", "message_en"
    ).row(0) == (
        "row_error",
        "not_a_number",
        "q3.xlsx",
        "Sheet1",
        7,
        "total_visits",
        "abc",
        "不是数字",
        "not a number",
    )
    assert json.loads(issues["params"][0]) == {"field": "total_visits", "value": "abc"}
    missing = issues.filter(pl.col("kind") == "missing_report")
    assert missing.select("code", "message_zh", "message_en").unique().rows() == [
        (
            "missing_report",
            "上期（2024Q2）已上报、本期（2024Q3）未上报",
            "reported for 2024Q2 but not for 2024Q3",
        )
    ]
    assert missing.select("org_code", "org_name", "county").rows() == [
        ("C", "C名", "北县"),
        ("B", "B名", "西县"),
    ]
    assert issues.filter(pl.col("kind") == "county_no_data")["county"].to_list() == ["北县", "西县"]


def test_trends_cover_the_last_eight_quarters() -> None:
    con = store()
    for i, period in enumerate(
        ["2022Q2", "2022Q3", "2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    ):
        insert_rows(
            con,
            period,
            [_org("A", "东县", "村卫生室", resident_population=100, signed_residents=10 + i)],
        )
    result = audit(con, target("signing_coverage", ">=", 0.5), period="2024Q2", trends=True)
    county = result.trends.filter(pl.col("level") == "county")
    # 2022Q2 falls outside the eight quarters 2022Q3–2024Q2
    assert county["period"].to_list() == [
        "2022Q3",
        "2022Q4",
        "2023Q1",
        "2023Q2",
        "2023Q3",
        "2023Q4",
        "2024Q1",
        "2024Q2",
    ]
    assert county["value"].to_list() == pytest.approx([(11 + i) / 100 for i in range(8)])
    assert set(result.trends["unit"]) == {"东县", CITY}


def test_gap_for_each_operator() -> None:
    from kpi_audit.evaluate.compare import gap_expr, status_expr

    frame = pl.DataFrame(
        {
            "value": [0.5, 0.5, 0.5, 0.5, 0.5, 0.7, 0.3, 0.5, 0.89, 0.93, 0.95, 0.84],
            "operator": [">=", "<=", ">", "<", "==", "between", "between", ">"] + ["around"] * 4,
            "threshold": [0.6, 0.4, 0.5, 0.6, 0.5, 0.4, 0.4, 0.4, 0.9, 0.9, 0.9, 0.9],
            "threshold_high": [None, None, None, None, None, 0.6, 0.6, None] + [None] * 4,
            "warn_within": [None, 0.1, None, None, None, None, None, None] + [0.03] * 4,
            "tolerance": [None] * 8 + [0.02] * 4,
            "reason_code": [None] * 12,
        },
        schema_overrides={
            "threshold_high": pl.Float64,
            "warn_within": pl.Float64,
            "tolerance": pl.Float64,
            "reason_code": pl.String,
        },
    )
    out = frame.with_columns(gap=gap_expr()).with_columns(status=status_expr())
    # around 90% ± 2%: 89% and 93% … 95% is 3 points off the band's 92% edge (warn
    # within 3), 84% is 4 points below 88% (fail).
    assert out["gap"].to_list() == pytest.approx(
        [-0.1, -0.1, 0.0, 0.1, 0.0, -0.1, -0.1, 0.1, 0.0, -0.01, -0.03, -0.04]
    )
    assert out["status"].to_list() == [
        "fail",
        "warn",
        "fail",
        "pass",
        "pass",
        "fail",
        "fail",
        "pass",
        "pass",
        "warn",
        "warn",
        "fail",
    ]
    assert not any(math.isnan(g) for g in out["gap"])


def test_store_without_a_newer_field_column() -> None:
    # A store made before key_population existed: the indicator reads it as never
    # submitted rather than failing.
    con = store()
    con.execute("DROP VIEW current_submissions")
    con.execute("ALTER TABLE submissions DROP COLUMN key_population")
    con.execute("CREATE VIEW current_submissions AS SELECT * FROM submissions")
    insert_rows(con, "2024Q3", [org("A", "东县", "村卫生室", key_signed=3)])
    result = audit(con, target("signing_coverage_key", ">=", 0.5))
    assert set(result.results["reason_code"]) == {"field_missing"}
    assert set(result.results["reason_params"]) == {'{"fields": ["key_population"]}'}
