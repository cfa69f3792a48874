"""Rows without 所属市 are counted in their county's city (evaluate/cities.py), worked by
hand: 东县 A1 signed 500 of 1000 residents, A2 100 of 1000; 西县 B1 300 of 1000.

Before, a county whose file left 所属市 out became a city of its own named after the
target set's area, and the office's city lost the county.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
import pytest
from _eval_helpers import CATALOG, insert_rows, org, store, target, target_set

from kpi_audit.core.result import AuditResult
from kpi_audit.evaluate import run_audit
from kpi_audit.quality import review
from kpi_audit.render.json_out import to_json_dict

SIGNING = target("signing_coverage", ">=", 0.4, tid="signing")


def _signing(code: str, county: str, city: str | None, signed: int) -> dict[str, Any]:
    return org(
        code,
        county,
        "乡镇卫生院",
        city=city,
        resident_population=1000,
        signed_residents=signed,
    )


def _audit(con: duckdb.DuckDBPyConnection, **kw: Any) -> AuditResult:
    return run_audit(con, period="2024Q3", target_sets=[target_set(SIGNING)], catalog=CATALOG, **kw)


def _cities(result: AuditResult) -> dict[str, float]:
    return {r["unit"]: r["value"] for r in to_json_dict(result)["results"] if r["level"] == "city"}


def _notices(result: AuditResult) -> list[tuple[str, str]]:
    return [
        (i["county"], i["message_en"])
        for i in to_json_dict(result)["data_issues"]
        if i["code"] == "city_filled"
    ]


def _register(con: duckdb.DuckDBPyConnection, *areas: tuple[str, str, int]) -> None:
    file_id = con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at, rows) "
        "VALUES ('areas', 'areas.xlsx', 'a1', now(), ?) RETURNING file_id",
        [len(areas)],
    ).fetchall()[0][0]
    for i, (county, city, year) in enumerate(areas):
        con.execute(
            "INSERT INTO area_register (area_code, county, city, area_type, area_type_basis,"
            " year, population, file_id, source_row, loaded_at)"
            " VALUES (?, ?, ?, '县', 'stated', ?, 1000, ?, ?, now())",
            [f"41992{i}", county, city, year, file_id, i + 2],
        )


def test_a_county_file_without_city_is_counted_in_the_only_city() -> None:
    con = store()
    insert_rows(
        con, "2024Q3", [_signing("A1", "东县", "甲市", 500), _signing("A2", "东县", "甲市", 100)]
    )
    insert_rows(con, "2024Q3", [_signing("B1", "西县", None, 300)], path="西县.xlsx")
    result = _audit(con)
    assert _cities(result) == pytest.approx({"甲市": 900 / 3000})
    assert _notices(result) == [
        (
            "西县",
            "2024Q3: 1 row(s) of 西县 without 所属市 are counted in 甲市,"
            " the only city the store names",
        )
    ]


def test_a_blank_city_takes_the_city_of_its_county_rows_first() -> None:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            _signing("A1", "东县", "甲市", 500),
            _signing("A2", "东县", None, 100),
            _signing("B1", "西县", "乙市", 300),
        ],
    )
    # the county's own rows come first (a register of 2023: no 2024 population to divide by)
    _register(con, ("东县", "乙市", 2023))
    result = _audit(con)
    assert _cities(result) == pytest.approx({"甲市": 600 / 2000, "乙市": 300 / 1000})
    assert [county for county, _ in _notices(result)] == ["东县"]
    assert "the city the county's other rows name" in _notices(result)[0][1]


def test_a_county_without_city_rows_takes_the_area_registers_city() -> None:
    """Two cities in the data: the blank county's city is the register's (its latest
    year), not a guess."""
    con = store()
    insert_rows(
        con, "2024Q3", [_signing("A1", "东县", "甲市", 500), _signing("C1", "北县", "乙市", 200)]
    )
    insert_rows(con, "2024Q3", [_signing("B1", "西县", None, 300)], path="西县.xlsx")
    _register(con, ("西县", "甲市", 2023), ("西县", "乙市", 2024))
    result = _audit(con)
    values = _cities(result)
    assert values["甲市"] == pytest.approx(500 / 1000)
    assert values["乙市"] == pytest.approx(500 / 2000)
    assert "the county's city in the area register" in _notices(result)[0][1]


def test_a_blank_city_nothing_names_stays_the_target_sets_area() -> None:
    """Two cities, no register: which city 西县 belongs to is unknown, so it stays apart
    (under the target set's area, as before), and nothing is said to have been filled."""
    con = store()
    insert_rows(
        con, "2024Q3", [_signing("A1", "东县", "甲市", 500), _signing("C1", "北县", "乙市", 200)]
    )
    insert_rows(con, "2024Q3", [_signing("B1", "西县", None, 300)], path="西县.xlsx")
    result = _audit(con)
    assert _cities(result) == pytest.approx({"甲市": 0.5, "乙市": 0.2, "测试市": 0.3})
    assert _notices(result) == []


def test_trends_and_the_stored_sums_count_the_filled_county_in_its_city() -> None:
    con = store()
    for period in ("2024Q2", "2024Q3"):
        insert_rows(con, period, [_signing("A1", "东县", "甲市", 500)], path=f"{period}东.xlsx")
        insert_rows(con, period, [_signing("B1", "西县", None, 300)], path=f"{period}西.xlsx")
    for _ in range(2):  # computed, then read back from the store
        result = _audit(con, trends=True)
        trend = result.trends.filter(
            (pl.col("indicator") == "signing_coverage") & (pl.col("level") == "city")
        )
        assert sorted(trend.select("period", "unit", "value").rows()) == [
            ("2024Q2", "甲市", pytest.approx(0.4)),
            ("2024Q3", "甲市", pytest.approx(0.4)),
        ]


def test_the_review_and_the_audit_drop_the_fills_with_the_window() -> None:
    con = store()
    insert_rows(con, "2024Q3", [_signing("A1", "东县", "甲市", 500)])
    insert_rows(con, "2024Q3", [_signing("B1", "西县", None, 300)], path="西县.xlsx")
    found = review(con, period="2024Q3", catalog=CATALOG)
    # 东县, 西县 and the one city
    assessed = found.coverage.filter(
        (pl.col("rule") == "consistency_over_time") & (pl.col("reason_code") == "no_history")
    )
    assert assessed["units"].to_list() == [3]
    _audit(con)
    temp = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert temp == []


def test_a_county_name_under_two_cities_is_said() -> None:
    """Two cities' 鼓楼区 are one county unit (counties are told apart by name): said."""
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            _signing("A1", "鼓楼区", "南京市", 500),
            _signing("B1", "鼓楼区", "徐州市", 300),
            _signing("C1", "东县", "徐州市", 100),
        ],
    )
    issues = [
        i
        for i in to_json_dict(_audit(con))["data_issues"]
        if i["code"] == "county_in_several_cities"
    ]
    assert [(i["county"], i["params"]["cities"]) for i in issues] == [
        ("鼓楼区", ["南京市", "徐州市"])
    ]
    assert issues[0]["message_zh"].startswith("2024Q3 区县名称「鼓楼区」出现在 南京市、徐州市：")


def _two_cities_over_a_year(con: duckdb.DuckDBPyConnection) -> None:
    """东区 (甲市) names its city in Q1–Q3 and not in Q4; 南县 (乙市) in every quarter but
    Q3. Each quarter one city is named alone: that must not take the other's county."""
    for q in (1, 2, 3, 4):
        east = None if q == 4 else "甲市"
        south = None if q == 3 else "乙市"
        rows = [_signing("E1", "东区", east, 500), _signing("S1", "南县", south, 300)]
        insert_rows(con, f"2024Q{q}", rows)


@pytest.mark.parametrize("period", ["2024Q3", "2024Q4"])
def test_a_blank_city_takes_the_countys_city_of_other_periods_before_a_lone_city(
    period: str,
) -> None:
    con = store()
    _two_cities_over_a_year(con)
    result = run_audit(con, period=period, target_sets=[target_set(SIGNING)], catalog=CATALOG)
    assert _cities(result) == pytest.approx({"甲市": 0.5, "乙市": 0.3})
    (notice,) = _notices(result)
    assert "the city the county's rows of other periods name" in notice[1]


def test_a_year_from_quarters_takes_the_city_its_last_naming_quarter_gives() -> None:
    con = store()
    _two_cities_over_a_year(con)
    result = run_audit(con, period="2024", target_sets=[target_set(SIGNING)], catalog=CATALOG)
    assert _cities(result) == pytest.approx({"甲市": 0.5, "乙市": 0.3})
    assert _notices(result) == []  # each institution's city is that of a quarter


def test_the_shared_county_warning_has_words_in_reports() -> None:
    from kpi_audit.render.format import kind_text

    assert kind_text("county_in_several_cities") == "区县名称在多个市重复"
    assert kind_text("county_in_several_cities", "en") == "county name under several cities"


def test_stored_sums_follow_a_city_fill_that_a_later_load_changes() -> None:
    """Q2 and Q3: 东县 (甲市) and 西县 without a city, which the one city of the store
    takes. Loading 2024Q1 with 北县 of 乙市 makes the store name two: 西县 is no longer
    甲市's, in the trend points stored before as in the verdicts."""
    con = store()
    for period in ("2024Q2", "2024Q3"):
        insert_rows(con, period, [_signing("A1", "东县", "甲市", 500)], path=f"{period}东.xlsx")
        insert_rows(con, period, [_signing("B1", "西县", None, 300)], path=f"{period}西.xlsx")

    def points(result: AuditResult) -> list[tuple[str, str, float]]:
        trend = result.trends.filter(
            (pl.col("indicator") == "signing_coverage") & (pl.col("level") == "city")
        )
        return sorted(trend.filter(pl.col("period") == "2024Q2").select("unit", "value").rows())

    assert points(_audit(con, trends=True)) == [("甲市", pytest.approx(0.4))]
    insert_rows(con, "2024Q1", [_signing("C1", "北县", "乙市", 100)], path="2024Q1北.xlsx")
    assert points(_audit(con, trends=True)) == [
        ("测试市", pytest.approx(0.3)),
        ("甲市", pytest.approx(0.5)),
    ]


def test_a_rejected_row_counts_in_its_countys_city() -> None:
    """A rejected row keeps no city: in a store of two cities it is its county's, not a
    unit of the target set's area that no result has."""
    from test_verdicts_registers import _reject

    con = store()
    for period in ("2024Q2", "2024Q3"):
        rows = [_signing("A1", "东县", "甲市", 500), _signing("C1", "北县", "乙市", 200)]
        rows += [_signing("C2", "北县", "乙市", 100)] if period == "2024Q2" else []
        insert_rows(con, period, rows)
    _reject(con, "C2", "北县", "2024Q3")
    reporting = {
        r["unit"]: r["reporting"]
        for r in to_json_dict(_audit(con))["results"]
        if r["level"] == "city"
    }
    assert (reporting["乙市"]["expected"], reporting["乙市"]["rejected"]) == (2, 1)
    assert reporting["甲市"]["rejected"] == 0


def _city_reporting(result: AuditResult) -> dict[str, dict[str, Any]]:
    return {
        r["unit"]: r["reporting"]
        for r in to_json_dict(result)["results"]
        if r["level"] == "city" and r["target_id"] == "signing"
    }


def test_missing_institutions_of_an_unknown_city_count_where_its_values_do() -> None:
    """北县 never names its city and no register does (two cities in the store): its
    missing N9 makes its own unit (the target set's area) incomplete, not 甲市."""
    con = store()
    insert_rows(
        con,
        "2024Q2",
        [
            _signing("A1", "东区", "甲市", 500),
            _signing("N1", "北县", None, 300),
            _signing("N9", "北县", None, 900),
            _signing("S1", "南县", "乙市", 100),
        ],
    )
    insert_rows(
        con, "2024Q3", [_signing("A1", "东区", "甲市", 500), _signing("N1", "北县", None, 300)]
    )
    reporting = _city_reporting(_audit(con))
    assert (reporting["甲市"]["expected"], reporting["甲市"]["missing"]) == (1, 0)
    assert (reporting["测试市"]["expected"], reporting["测试市"]["missing"]) == (2, 1)


def test_a_superseded_row_does_not_decide_a_blank_city() -> None:
    """E0's first 2024Q2 file named 乙市 by mistake; the file sent after it says 甲市. The
    store names one city, so 西区's blank rows are 甲市's, as in a store without the typo."""
    con = store()
    insert_rows(con, "2024Q2", [_signing("E0", "东区", "乙市", 500)], path="typo.xlsx")
    insert_rows(con, "2024Q2", [_signing("E0", "东区", "甲市", 500)], path="fixed.xlsx")
    insert_rows(
        con, "2024Q3", [_signing("E0", "东区", "甲市", 500), _signing("W1", "西区", None, 300)]
    )
    assert _cities(_audit(con)) == pytest.approx({"甲市": 800 / 2000})


def test_a_rejected_institution_counts_in_the_city_it_was_expected_in() -> None:
    """鼓楼区 under both cities: G3 (甲市 last quarter) rejected now counts for 甲市."""
    from test_verdicts_registers import _reject

    con = store()
    both = [_signing("G1", "鼓楼区", "甲市", 500), _signing("G2", "鼓楼区", "乙市", 300)]
    insert_rows(con, "2024Q2", [*both, _signing("G3", "鼓楼区", "甲市", 100)])
    insert_rows(con, "2024Q3", both)
    _reject(con, "G3", "鼓楼区", "2024Q3")
    reporting = _city_reporting(_audit(con))
    assert (reporting["甲市"]["expected"], reporting["甲市"]["rejected"]) == (2, 1)
    assert (reporting["乙市"]["expected"], reporting["乙市"]["rejected"]) == (1, 0)
