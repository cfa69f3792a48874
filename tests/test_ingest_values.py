"""Cell values as a sheet means them (review of ingest values): a 万 unit in a header,
thousands separators, traditional place names, placeholders for "nothing"."""

from __future__ import annotations

from pathlib import Path

import duckdb
from _ingest_helpers import EAST, HEADER, with_cells, write_submission, write_workbook

from kpi_audit.ingest.load import ingest_paths

# ---- 1. a 万 unit in a header scales the column -----------------------------------

WAN_HEADER = [
    *HEADER[:7],
    "总诊疗人次（万人次）",
    "中医诊疗人次（人次）",
    "服务常住人口（万人）",
    "签约人数(万人)",
]


def test_a_wan_unit_in_a_header_multiplies_the_values(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = [
        with_cells(EAST[1], 总诊疗人次=3, 中医诊疗人次=200, 服务常住人口=1.2, 签约人数="0.07"),
        with_cells(EAST[2], 总诊疗人次="3.25", 中医诊疗人次=300, 服务常住人口="2", 签约人数=1),
        with_cells(EAST[0], 总诊疗人次="1.23456", 中医诊疗人次=100),
    ]
    path = write_submission(tmp_path / "wan.xlsx", rows, header=WAN_HEADER)
    (f,) = ingest_paths(store, [path]).files
    assert (f.rows_loaded, f.rows_rejected) == (2, 1)
    assert store.execute(
        "SELECT org_code, total_visits, tcm_visits, resident_population, signed_residents"
        " FROM submissions ORDER BY org_code"
    ).fetchall() == [("A002", 30000, 200, 12000, 700), ("A003", 32500, 300, 20000, 10000)]
    # 1.23456万 is 12345.6: not whole, rejected as any other fraction
    (error,) = f.issues.filter(severity="error").select("row", "field", "value", "code").rows()
    assert error == (4, "total_visits", "1.23456", "not_whole")
    notices = f.issues.filter(code="unit_converted")
    assert notices.select("sheet", "row", "field", "header", "severity").rows() == [
        ("东县", 1, "total_visits", "总诊疗人次（万人次）", "notice"),
        ("东县", 1, "resident_population", "服务常住人口（万人）", "notice"),
        ("东县", 1, "signed_residents", "签约人数(万人)", "notice"),
    ]
    assert (
        notices["message_zh"][0]
        == "「总诊疗人次（万人次）」的单位为万人次，数值已乘以 10000 换算后入库"
    )
    assert notices["message_en"][2] == (
        "签约人数(万人) counts in 万人: its values were multiplied by 10000 when loaded"
    )


def test_a_wan_unit_in_the_area_register_multiplies_the_population(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "areas_wan.csv"
    path.write_text(
        "行政区划代码,区县名称,所属市,区划类型,年度,常住人口（万人）,城镇常住人口（万人）,"
        "农村常住人口（万人）,家庭户数（万户）\n"
        "410102,东湖区,河川市,市辖区,2024,85,80,5,30.5\n"
        "410122,青石县,河川市,县,2024,62.5,20,42.5,\n",
        encoding="utf-8",
    )
    (f,) = ingest_paths(store, [path]).files
    assert (f.register, f.rows_loaded, f.rows_rejected) == ("areas", 2, 0)
    assert store.execute(
        "SELECT county, population, urban_population, rural_population, households"
        " FROM current_area_register ORDER BY area_code"
    ).fetchall() == [
        ("东湖区", 850000, 800000, 50000, 305000),
        ("青石县", 625000, 200000, 425000, None),
    ]
    notices = f.issues.filter(code="register_unit_converted")
    assert notices.select("row", "field", "severity").rows() == [
        (1, "population", "notice"),
        (1, "urban_population", "notice"),
        (1, "rural_population", "notice"),
        (1, "households", "notice"),
    ]
    assert (
        notices["message_zh"][3] == "「家庭户数（万户）」的单位为万户，数值已乘以 10000 换算后入库"
    )


# ---- 2. a comma is a thousands separator only between groups of three ---------------


def test_a_comma_that_separates_no_thousands_rejects_the_cell(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    rows = [
        with_cells(EAST[0], 总诊疗人次="12,34"),
        with_cells(EAST[1], 总诊疗人次="1,234"),
        with_cells(EAST[2], 总诊疗人次="1，234", 中医诊疗人次="１２３"),
    ]
    (f,) = ingest_paths(store, [write_submission(tmp_path / "commas.xlsx", rows)]).files
    assert (f.rows_loaded, f.rows_rejected) == (2, 1)
    assert store.execute(
        "SELECT org_code, total_visits, tcm_visits FROM submissions ORDER BY org_code"
    ).fetchall() == [("A002", 1234, 200), ("A003", 1234, 123)]
    errors = f.issues.filter(severity="error")
    assert errors.select("row", "field", "value", "code", "message_zh").rows() == [
        (2, "total_visits", "12,34", "not_a_number", "「总诊疗人次」应为数字，实际为「12,34」")
    ]


# ---- 3. a county written in traditional characters is the same county ---------------


def test_traditional_county_and_city_names_are_stored_simplified(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    header = [*HEADER[:3], "所属市", *HEADER[3:]]
    rows = [
        [*EAST[0][:3], "河川市", *EAST[0][3:]],
        [EAST[1][0], EAST[1][1], "東湖區", "河川市", *EAST[1][3:]],
        [EAST[2][0], EAST[2][1], "东湖 区", "河川市", *EAST[2][3:]],
    ]
    rows[0][2] = "青石縣"
    path = write_submission(tmp_path / "trad.xlsx", rows, header=header)
    (f,) = ingest_paths(store, [path]).files
    assert (f.rows_loaded, f.rows_rejected) == (3, 0)
    assert store.execute(
        "SELECT org_code, county, city FROM submissions ORDER BY org_code"
    ).fetchall() == [
        ("A001", "青石县", "河川市"),
        ("A002", "东湖区", "河川市"),
        ("A003", "东湖区", "河川市"),
    ]
    assert store.execute("SELECT DISTINCT county FROM submissions ORDER BY 1").fetchall() == [
        ("东湖区",),
        ("青石县",),
    ]


def test_traditional_place_names_in_both_registers_are_stored_simplified(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    areas = tmp_path / "areas.csv"
    areas.write_text(
        "行政区划代码,区县名称,所属市,区划类型,年度,常住人口\n"
        "410102,東湖區,河川市,市辖区,2024,850000\n"
        "410122,青石 縣,河川市,县,2024,625000\n",
        encoding="utf-8",
    )
    institutions = tmp_path / "institutions.csv"
    institutions.write_text(
        "機構代碼,機構名稱,所屬區縣,所屬市,機構類別\nA1,東湖區醫院,東湖區,河川市,綜合醫院\n",
        encoding="utf-8",
    )
    report = ingest_paths(store, [areas, institutions])
    assert [(f.register, f.rows_loaded, f.rows_rejected) for f in report.files] == [
        ("areas", 2, 0),
        ("institutions", 1, 0),
    ]
    assert store.execute(
        "SELECT county, city FROM current_area_register ORDER BY area_code"
    ).fetchall() == [("东湖区", "河川市"), ("青石县", "河川市")]
    assert store.execute(
        "SELECT org_name, county, city, org_type FROM current_institution_register"
    ).fetchall() == [("東湖區醫院", "东湖区", "河川市", "综合医院")]


# ---- 4. placeholders for "nothing" are missing, and said so ------------------------


def test_placeholders_are_missing_with_one_notice_per_column_and_sheet(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    east = [
        with_cells(EAST[0], 中医诊疗人次="无", 医院等级="三级"),
        with_cells(EAST[1], 中医诊疗人次="N/A", 医院等级="无"),
        with_cells(EAST[2], 中医诊疗人次="不适用", 签约人数="空"),
    ]
    west = [
        with_cells(EAST[0], 机构代码="B001", 中医诊疗人次="—"),
        with_cells(EAST[1], 机构代码="B002", 中医诊疗人次="无", 总诊疗人次="#N/A"),
        with_cells(EAST[2], 机构代码="B003", 中医诊疗人次="无"),
    ]
    path = write_workbook(
        tmp_path / "markers.xlsx", {"东县": [HEADER, *east], "西县": [HEADER, *west]}
    )
    (f,) = ingest_paths(store, [path]).files
    # #N/A is an Excel error, not a placeholder: its row is rejected
    assert (f.rows_loaded, f.rows_rejected) == (5, 1)
    assert store.execute(
        "SELECT org_code, tcm_visits, hospital_grade, signed_residents FROM submissions"
        " ORDER BY org_code"
    ).fetchall() == [
        ("A001", None, "三级", None),
        ("A002", None, None, 4000),
        ("A003", None, None, None),
        ("B001", None, "三级", None),
        ("B003", None, None, 9000),
    ]
    notices = f.issues.filter(code="placeholder_missing")
    assert notices.select("sheet", "row", "field", "header", "severity").rows() == [
        ("东县", None, "hospital_grade", "医院等级", "notice"),
        ("东县", None, "signed_residents", "签约人数", "notice"),
        ("东县", None, "tcm_visits", "中医诊疗人次", "notice"),
        ("西县", None, "tcm_visits", "中医诊疗人次", "notice"),
    ]
    assert notices["message_zh"].to_list() == [
        "「医院等级」列 1 个单元格填写了「无」等，按未填写处理",
        "「签约人数」列 1 个单元格填写了「空」等，按缺失处理（不是 0）",
        "「中医诊疗人次」列 3 个单元格填写了「N/A」「不适用」「无」等，按缺失处理（不是 0）",
        "「中医诊疗人次」列 3 个单元格填写了「无」「—」等，按缺失处理（不是 0）",
    ]
    assert notices["message_en"][3] == (
        "tcm_visits: 3 cells hold '无', '—' or the like, read as missing (not 0)"
    )
    (error,) = f.issues.filter(severity="error").select("sheet", "row", "value", "code").rows()
    assert error == ("西县", 3, "#N/A", "not_a_number")


def test_placeholders_in_a_register_are_missing_with_one_notice_per_column(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        "行政区划代码,区县名称,所属市,区划类型,年度,常住人口,城镇常住人口,家庭户数\n"
        "410102,东湖区,无,市辖区,2024,850000,N/A,不适用\n"
        "410122,青石县,河川市,县,2024,625000,—,N/A\n",
        encoding="utf-8",
    )
    (f,) = ingest_paths(store, [path]).files
    assert (f.rows_loaded, f.rows_rejected) == (2, 0)
    assert store.execute(
        "SELECT county, city, urban_population, households FROM current_area_register"
        " ORDER BY area_code"
    ).fetchall() == [("东湖区", None, None, None), ("青石县", "河川市", None, None)]
    notices = f.issues.filter(code="register_placeholder_missing")
    assert notices.select("row", "field", "severity", "message_zh").rows() == [
        (None, "city", "notice", "「所属市」列 1 个单元格填写了「无」等，按未填写处理"),
        (
            None,
            "urban_population",
            "notice",
            "「城镇常住人口」列 2 个单元格填写了「N/A」「—」等，按缺失处理（不是 0）",
        ),
        (
            None,
            "households",
            "notice",
            "「家庭户数」列 2 个单元格填写了「N/A」「不适用」等，按缺失处理（不是 0）",
        ),
    ]
    assert notices["message_en"][2] == (
        "Households: 2 cells hold 'N/A', '不适用' or the like, read as missing (not 0)"
    )
