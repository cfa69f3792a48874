from __future__ import annotations

import pytest

from kpi_audit.core.fields import FIELDS
from kpi_audit.ingest.headers import (
    count_known_fields,
    header_key,
    match_header,
    to_simplified,
    unit_factor,
)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.id)
def test_every_catalog_spelling_matches_its_field(field) -> None:
    for spelling in (field.zh, field.zh_hant, field.id, field.en, *field.aliases):
        assert match_header(spelling) == field.id, spelling


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.id)
def test_typing_variants_of_every_template_header(field) -> None:
    zh = field.zh
    variants = [
        f" {zh} ",  # surrounding spaces
        " ".join(zh),  # spaces between every character
        f"{zh[:2]}\n{zh[2:]}",  # a line break inside the cell
        f"*{zh}",  # required marker before
        f"{zh}*",  # … or after
        f"{zh}＊",  # full-width asterisk
        f"{zh}（人次）",  # unit in full-width brackets
        f"{zh}(人)",  # unit in half-width brackets
        f"{zh} [单位:人]",
        f"{field.zh_hant}（人）",  # traditional with a unit
        field.id.upper(),
        field.id.replace("_", " "),  # "org code"
    ]
    for text in variants:
        assert match_header(text) == field.id, text


@pytest.mark.parametrize("text", ["备注", "填报人", "联系电话", "", "   ", "序号", None, "总"])
def test_unknown_or_blank_headers_match_nothing(text) -> None:
    assert match_header(text) is None


def test_brackets_that_belong_to_the_header_are_kept() -> None:
    # The bracket is part of these headers, not a unit: it must not be stripped first.
    assert match_header("执业(助理)医师数") == "doctors"
    assert match_header("执业（助理）医师数（人）") == "doctors"
    assert match_header("县(市、区)") == "county"
    assert match_header("县（市、区）") == "county"


def test_aliases_in_traditional_characters() -> None:
    assert match_header("組織機構代碼") == "org_code"
    assert match_header("單位名稱") == "org_name"
    assert match_header("所屬縣區") == "county"
    assert match_header("總診療量") == "total_visits"


def test_header_key_folds_width_case_and_spacing() -> None:
    assert header_key("Total Visits") == header_key("total_visits") == "totalvisits"
    assert header_key("总诊疗人次（人次）") == "总诊疗人次(人次)"
    assert to_simplified("綜合醫院") == "综合医院"
    assert to_simplified("鄉鎮衛生院") == "乡镇卫生院"


def test_count_known_fields_counts_distinct_fields() -> None:
    # 机构代码 and org_code are one field; 备注 and the title are none → 2.
    assert count_known_fields(["机构代码", "org_code", "机构名称", "备注", None]) == 2
    assert count_known_fields(["东县 2024 年第三季度报表", None, None]) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("总诊疗人次（万人次）", (10000, "万人次")),
        ("服务常住人口(万人)", (10000, "万人")),
        ("家庭户数（万户）", (10000, "万户")),
        ("常住人口 [单位：万人]", (10000, "万人")),
        ("总诊疗人次（万）", (10000, "万")),
        ("总诊疗人次（千人次）*", (1000, "千人次")),
        ("总诊疗人次（万人次）（必填）", (10000, "万人次")),
        ("总诊疗人次（人次）", None),  # the field's own unit
        ("签约人数(人)", None),
        ("总诊疗人次", None),
        ("每万人口全科医生数", None),  # 万 outside brackets is part of a name
        (None, None),
    ],
)
def test_unit_factor_of_a_header(text: str | None, expected: tuple[int, str] | None) -> None:
    assert unit_factor(text) == expected


def test_a_scaled_unit_does_not_change_which_field_a_header_means() -> None:
    assert (
        match_header("总诊疗人次（万人次）") == match_header("总诊疗人次（人次）") == "total_visits"
    )
    assert match_header("签约人数（万人）") == "signed_residents"


def test_place_name_characters_in_traditional_form_are_simplified() -> None:
    traditional = "區縣東陽陰龍門興華寧豐灣橋廣濟漢鄉鎮澤瀋遼黃臺閩粵贛蘇隴滬瀘懷嶺嶽壩灘"
    simplified = "区县东阳阴龙门兴华宁丰湾桥广济汉乡镇泽沈辽黄台闽粤赣苏陇沪泸怀岭岳坝滩"
    assert to_simplified(traditional) == simplified
    assert to_simplified("東湖區 青石縣 瀋陽市 門頭溝區") == "东湖区 青石县 沈阳市 门头沟区"


def test_characters_written_in_simplified_text_too_stay() -> None:
    # 乾县 (Shaanxi) is 乾县, not 干县; 沈 and 於 are simplified characters as well
    assert (
        to_simplified("乾县 沈丘县 於潜镇 余干县 台山市 后湖")
        == "乾县 沈丘县 於潜镇 余干县 台山市 后湖"
    )
