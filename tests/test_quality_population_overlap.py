"""population_overlap: a county where both 乡镇卫生院 and 村卫生室 report 服务常住人口 is
flagged (residents possibly counted twice) unless the area register covers it."""

from __future__ import annotations

from typing import Any

from _eval_helpers import insert_rows, org, store

from kpi_audit.quality import load_rules, messages, review


def _rule() -> Any:
    (rule,) = [r for r in load_rules() if r.id == "population_overlap"]
    return rule


def _city() -> Any:
    con = store()
    insert_rows(
        con,
        "2024Q3",
        [
            # 东县: the township centre and both village clinics report the township.
            org("A01", "东县", "乡镇卫生院", resident_population=30000),
            org("A02", "东县", "村卫生室", resident_population=12000),
            org("A03", "东县", "村卫生室", resident_population=18000),
            # 西县: only the township centre reports a population.
            org("B01", "西县", "乡镇卫生院", resident_population=25000),
            org("B02", "西县", "村卫生室"),
            # 南区: community centres only.
            org("C01", "南区", "社区卫生服务中心", resident_population=50000),
        ],
    )
    return con


def _register(con: Any, county: str, year: int) -> None:
    con.execute(
        "INSERT INTO register_files (kind, path, sha256, loaded_at) "
        "VALUES ('areas', 'areas.xlsx', 'x', now())"
    )
    con.execute(
        "INSERT INTO area_register (area_code, county, area_type, area_type_basis, year, "
        "population, file_id, source_row, loaded_at) "
        "SELECT '419921', ?, '县', 'code', ?, 60000, max(file_id), 2, now() FROM register_files",
        [county, year],
    )


def test_both_types_reporting_population_is_flagged_with_both_totals() -> None:
    result = review(_city(), period="2024Q3", rules=[_rule()])
    rows = result.findings.select("unit", "value", "reference", "count").to_dicts()
    # 东县: village clinics 12000 + 18000 = 30000 against the centre's 30000, 3 rows.
    assert rows == [{"unit": "东县", "value": 30000.0, "reference": 30000.0, "count": 3}]
    coverage = {r["outcome"]: r["units"] for r in result.coverage.iter_rows(named=True)}
    assert coverage == {"flagged": 1, "passed": 2}
    (zh,) = messages(result, "zh").to_list()
    assert zh.startswith("东县 2024Q3 乡镇卫生院（合计 30000）和村卫生室（合计 30000）")
    assert "kpi-audit template --kind areas" in zh
    (en,) = messages(result, "en").to_list()
    assert "load an area register" in en


def test_a_county_the_area_register_covers_is_not_assessed() -> None:
    con = _city()
    _register(con, "东县", 2024)
    result = review(con, period="2024Q3", rules=[_rule()])
    assert result.findings.is_empty()
    coverage = {
        (r["reason_code"] or r["outcome"]): r["units"]
        for r in result.coverage.iter_rows(named=True)
    }
    assert coverage == {"area_register": 1, "passed": 2}


def test_a_register_for_another_year_does_not_cover_the_period() -> None:
    con = _city()
    _register(con, "东县", 2023)
    result = review(con, period="2024Q3", rules=[_rule()])
    assert result.findings["unit"].to_list() == ["东县"]
