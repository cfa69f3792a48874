from __future__ import annotations

import polars as pl
import pytest
from _ingest_helpers import EAST, HEADER, with_cells

from kpi_audit.core.periods import Period
from kpi_audit.ingest.coerce import coerce_cells
from kpi_audit.ingest.headers import match_header
from kpi_audit.ingest.issues import ISSUE_SCHEMA
from kpi_audit.ingest.validate import Validation, validate_rows


def _validate(
    rows: list[list[object]],
    *,
    header: list[str] = HEADER,
    period: Period | None = None,
    sheets: list[str] | None = None,
) -> Validation:
    """Rows of HEADER on one sheet (data row i is row i + 2), or spread over ``sheets``."""
    text = [[None if v is None else str(v) for v in r] for r in rows]
    cells = pl.DataFrame(text, schema=dict.fromkeys(header, pl.String), orient="row")
    cells = cells.with_columns(_row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64))
    coerced = coerce_cells(cells, {match_header(h): h for h in header}, period)
    names = sheets or ["东县"] * len(rows)
    coerced = coerced.with_columns(
        _sheet=pl.Series(names, dtype=pl.String),
        _sheet_no=pl.Series([sorted(set(names)).index(n) for n in names], dtype=pl.Int64),
    )
    return validate_rows(coerced, default_period=period)


def _codes(v: Validation) -> list[tuple[int, str, str, str]]:
    return v.issues.select("row", "field", "severity", "code").rows()


def test_clean_rows_have_no_issues_and_all_load() -> None:
    v = _validate(EAST)
    assert v.issues.height == 0
    assert v.rows["_status"].to_list() == ["loaded"] * 3
    assert set(v.issues.columns) == {"_sheet_no", *ISSUE_SCHEMA} - {"file", "header"}


@pytest.mark.parametrize("header", ["机构代码", "机构名称", "所属区县", "机构类别", "报告期"])
def test_required_fields(header: str) -> None:
    v = _validate([with_cells(EAST[0], **{header: "  "}), EAST[1]])
    field = match_header(header)
    assert _codes(v) == [(2, field, "error", "required")]
    assert v.rows["_status"].to_list() == ["rejected", "loaded"]


def test_blank_period_cell_takes_the_given_period_without_an_issue() -> None:
    v = _validate([with_cells(EAST[0], 报告期=None)], period=Period(2024, 3))
    assert v.issues.height == 0 and v.rows["period"].to_list() == ["2024Q3"]


def test_vocabulary_suggests_the_closest_value() -> None:
    v = _validate(
        [
            with_cells(EAST[1], 机构类别="社区卫生服务中"),
            with_cells(EAST[0], 医院等级="四级"),
            with_cells(EAST[2], 城乡="郊区"),
        ]
    )
    issues = v.issues.select("row", "field", "code", "value", "message_zh", "message_en").rows()
    assert issues[0] == (
        2,
        "org_type",
        "vocabulary",
        "社区卫生服务中",
        "「社区卫生服务中」不是有效的机构类别；是否应为「社区卫生服务中心」？",
        "org_type: '社区卫生服务中' is not in the vocabulary; did you mean 社区卫生服务中心?",
    )
    assert issues[1][:3] == (3, "hospital_grade", "vocabulary")
    assert issues[2][:3] == (4, "area", "vocabulary")
    assert "城市、农村" in issues[2][4]  # no close match: the choices are listed


def test_normalised_enum_text_is_accepted() -> None:
    v = _validate(
        [
            with_cells(EAST[0], 机构类别="綜合 醫院", 医院等级="三级甲等"),
            with_cells(EAST[2], 机构类别="卫生所"),
        ]
    )
    assert v.issues.height == 0
    assert v.rows.select("org_type", "hospital_grade").rows() == [
        ("综合医院", "三级"),
        ("诊所", None),
    ]


@pytest.mark.parametrize(
    ("value", "code"), [("12.5", "not_whole"), ("十二", "not_a_number"), ("-3", "negative")]
)
def test_counts_must_be_whole_and_not_negative(value: str, code: str) -> None:
    v = _validate([with_cells(EAST[0], 中医诊疗人次=value)])
    assert _codes(v) == [(2, "tcm_visits", "error", code)]
    assert v.issues["value"].to_list() == [value]


def test_missing_count_is_not_an_error_and_stays_null() -> None:
    v = _validate([with_cells(EAST[0], 中医诊疗人次="—")])
    assert v.rows["tcm_visits"].to_list() == [None]
    # not an error, not silent: one notice for the column
    assert v.issues.select("field", "severity", "code").rows() == [
        ("tcm_visits", "notice", "placeholder_missing")
    ]


def test_parts_not_above_wholes() -> None:
    # tcm 1001 > total 1000; signed 10001 > population 10000; equal is fine.
    v = _validate(
        [
            with_cells(EAST[0], 中医诊疗人次=1001),
            with_cells(EAST[1], 签约人数=10001),
            with_cells(EAST[2], 签约人数=20000),
        ]
    )
    assert _codes(v) == [
        (2, "tcm_visits", "error", "part_exceeds_whole"),
        (3, "signed_residents", "error", "part_exceeds_whole"),
    ]
    assert v.issues["message_zh"].to_list()[0] == "中医诊疗人次（1001）大于总诊疗人次（1000）"


def test_duplicate_org_and_period_names_the_earlier_row() -> None:
    # an identical row again: the first is kept, the later one is a duplicate
    v = _validate([EAST[0], EAST[1], with_cells(EAST[0], 总诊疗人次="1,000")])
    assert _codes(v) == [(4, "org_code", "error", "duplicate")]
    assert v.issues["message_en"].item() == (
        "duplicate of row 2 (same org_code A001 and period 2024Q3)"
    )
    assert v.rows["_status"].to_list() == ["loaded", "loaded", "rejected"]


def test_duplicate_across_sheets_names_the_sheet() -> None:
    v = _validate([EAST[0], EAST[0]], sheets=["东县", "西县"])
    assert v.issues["message_zh"].item() == (
        "与工作表「东县」第 2 行重复（同一机构代码 A001 和报告期 2024Q3）"
    )


def test_duplicates_that_differ_are_all_rejected_naming_the_difference() -> None:
    v = _validate(
        [
            EAST[0],
            EAST[1],
            with_cells(EAST[0], 总诊疗人次=1200),
            with_cells(EAST[0], 总诊疗人次=1200),
        ]
    )
    assert _codes(v) == [
        (2, "total_visits", "error", "duplicate_conflict"),
        (4, "total_visits", "error", "duplicate_conflict"),
        (5, "total_visits", "error", "duplicate_conflict"),
    ]
    assert v.issues["message_en"].to_list() == [
        "same org_code A001 and period 2024Q3 as row 4, with a different total_visits: "
        "1000 here, 1200 there; none of the duplicate rows is loaded",
        "same org_code A001 and period 2024Q3 as row 2, with a different total_visits: "
        "1200 here, 1000 there; none of the duplicate rows is loaded",
        "same org_code A001 and period 2024Q3 as row 2, with a different total_visits: "
        "1200 here, 1000 there; none of the duplicate rows is loaded",
    ]
    assert v.issues["message_zh"].to_list()[0] == (
        "与第 4 行机构代码 A001、报告期 2024Q3 相同，但「总诊疗人次」不同："
        "本行为「1000」，第 4 行为「1200」；重复的行均未导入"
    )
    assert v.issues["value"].to_list() == ["1000", "1200", "1200"]
    assert v.rows["_status"].to_list() == ["rejected", "loaded", "rejected", "rejected"]


def test_a_conflict_names_the_first_differing_field_and_a_blank() -> None:
    v = _validate([EAST[1], with_cells(EAST[1], 城乡=None, 签约人数=1)], sheets=["东县", "西县"])
    found = v.issues.filter(code="duplicate_conflict")
    assert found["field"].to_list() == ["area", "area"]
    assert found["message_zh"].to_list() == [
        "与工作表「西县」第 3 行机构代码 A002、报告期 2024Q3 相同，但「城乡」不同："
        "本行为「城市」，工作表「西县」第 3 行为「（空）」；重复的行均未导入",
        "与工作表「东县」第 2 行机构代码 A002、报告期 2024Q3 相同，但「城乡」不同："
        "本行为「（空）」，工作表「东县」第 2 行为「城市」；重复的行均未导入",
    ]
    assert found["message_en"].to_list()[1] == (
        "same org_code A002 and period 2024Q3 as row 2 of sheet 东县, with a different "
        "area: (blank) here, 城市 there; none of the duplicate rows is loaded"
    )


def test_same_org_in_two_periods_is_not_a_duplicate() -> None:
    assert _validate([EAST[0], with_cells(EAST[0], 报告期="2024Q2")]).issues.height == 0


def test_unparseable_period() -> None:
    v = _validate([with_cells(EAST[0], 报告期="2024年下半年")])
    assert _codes(v) == [(2, "period", "error", "bad_period")]


def test_booleans_are_checked() -> None:
    v = _validate([[*EAST[0], "是"], [*EAST[1], "也许"]], header=[*HEADER, "是否提供中医药服务"])
    assert _codes(v) == [(3, "provides_tcm", "error", "not_a_boolean")]
    assert v.rows["provides_tcm"].to_list() == [True, None]


def test_warnings_do_not_reject() -> None:
    v = _validate(
        [
            with_cells(EAST[2], 医院等级="二级"),
            with_cells(EAST[1], 城乡=None),
            with_cells(EAST[0], 医院等级=None),
        ]
    )
    assert _codes(v) == [
        (2, "hospital_grade", "warning", "grade_for_primary_care"),
        (3, "area", "warning", "area_missing"),
        (4, "hospital_grade", "warning", "grade_missing"),
    ]
    assert v.rows["_status"].to_list() == ["loaded"] * 3


def test_file_period_differing_from_the_given_one_is_a_warning() -> None:
    v = _validate([EAST[0]], period=Period(2024, 4))
    assert _codes(v) == [(2, "period", "warning", "period_differs")]
    assert v.rows["period"].to_list() == ["2024Q3"]


def test_a_differing_period_is_one_warning_per_sheet_and_period_with_its_rows() -> None:
    # a year-earlier file checked beside this quarter's: one fact per sheet, not per row
    v = _validate(
        [
            with_cells(EAST[0], 报告期="2023年第三季度"),
            with_cells(EAST[1], 报告期="2024Q4"),
            with_cells(EAST[2], 报告期="2023Q3"),
            with_cells(EAST[1], 机构代码="X9", 报告期="2023Q3"),
        ],
        period=Period(2024, 4),
        sheets=["东县", "东县", "东县", "西县"],
    )
    assert v.issues.select("sheet", "row", "value", "period", "code").rows() == [
        ("东县", 2, "2023年第三季度", "2023Q3", "period_differs"),
        ("西县", 5, "2023Q3", "2023Q3", "period_differs"),
    ]
    assert v.issues["message_zh"].to_list()[0] == (
        "报告期 2023Q3 与 --period 2024Q4 不同（共 2 行，自第 2 行起），按表中报告期入库"
    )
    assert v.issues["message_en"].to_list()[1] == (
        "period 2023Q3 differs from --period 2024Q4 in 1 row(s) from row 5;"
        " the file's period is kept"
    )
    assert v.rows["_status"].to_list() == ["loaded"] * 4


def test_total_lines_are_skipped_with_a_notice() -> None:
    total = [None, "合 计", None, None, None, None, None, 2300, 600, None, None]
    v = _validate([*EAST, total])
    assert _codes(v) == [(5, "org_name", "notice", "total_row")]
    assert v.rows["_status"].to_list() == ["loaded"] * 3 + ["skipped"]


def test_every_issue_carries_period_and_org_code() -> None:
    v = _validate([with_cells(EAST[0], 中医诊疗人次="x")])
    assert v.issues.select("sheet", "period", "org_code").row(0) == ("东县", "2024Q3", "A001")


@pytest.mark.parametrize("code", ["1.23457E+17", "4.4e+15", "1E+17", "2.5E-03", "1.23457E17"])
def test_a_code_in_scientific_notation_has_lost_its_digits(code: str) -> None:
    rows = [list(EAST[0]), list(EAST[1])]
    rows[0][0] = code
    v = _validate(rows)
    assert _codes(v) == [(2, "org_code", "error", "code_scientific")]
    assert v.rows.get_column("_status").to_list() == ["rejected", "loaded"]
    assert v.issues.get_column("message_en")[0].startswith(
        f"org_code '{code}' is in scientific notation"
    )


def test_a_code_with_a_letter_e_is_a_code() -> None:
    rows = [list(EAST[0])]
    rows[0][0] = "12E45"  # no point, no sign: a code may well be written so
    assert _codes(_validate(rows)) == []
