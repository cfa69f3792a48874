"""The vocabulary of institution types (national health-statistics classification): each
spelling an office writes is accepted as the type it means, and lands in the right
institution class."""

from __future__ import annotations

import polars as pl
import pytest
from _ingest_helpers import EAST, HEADER, with_cells

from kpi_audit.core.fields import CONTRACT_ORG_TYPES, ORG_CLASSES, ORG_TYPES
from kpi_audit.ingest.coerce import coerce_cells
from kpi_audit.ingest.headers import match_header
from kpi_audit.ingest.validate import validate_rows


def _accepted(org_type: str, grade: str | None) -> tuple[str, list[str]]:
    """The stored 机构类别 of one row written with ``org_type``, and its issue codes."""
    row = with_cells(EAST[2], 机构类别=org_type, 医院等级=grade)
    cells = pl.DataFrame(
        [[None if v is None else str(v) for v in row]],
        schema=dict.fromkeys(HEADER, pl.String),
        orient="row",
    ).with_columns(_row=pl.lit(2, pl.Int64))
    coerced = coerce_cells(cells, {match_header(h): h for h in HEADER}, None).with_columns(
        _sheet=pl.lit("东县"), _sheet_no=pl.lit(0, pl.Int64)
    )
    v = validate_rows(coerced, default_period=None)
    return v.rows["org_type"].to_list()[0], v.issues["code"].to_list()


def _classes(org_type: str) -> set[str]:
    return {name for name, types in ORG_CLASSES.items() if org_type in types}


# (as written, grade, stored type, classes it belongs to)
SPELLINGS = [
    # the contract spellings stay as they are
    ("社区卫生服务中心", None, "社区卫生服务中心", {"primary_care"}),
    ("乡镇卫生院", None, "乡镇卫生院", {"primary_care"}),
    ("综合医院", "二级", "综合医院", {"hospital"}),
    ("中医医院", "三级", "中医医院", {"hospital", "tcm_institution", "tcm_hospital"}),
    ("中西医结合医院", "三级", "中西医结合医院", {"hospital", "tcm_institution", "tcm_hospital"}),
    ("民族医院", "二级", "民族医院", {"hospital", "tcm_institution", "tcm_hospital"}),
    ("专业公共卫生机构", None, "专业公共卫生机构", {"public_health", "other"}),
    # 街道卫生院: primary care, its own type (never 乡镇卫生院)
    ("街道卫生院", None, "街道卫生院", {"primary_care"}),
    ("街道衛生院", None, "街道卫生院", {"primary_care"}),
    # hospitals
    ("护理院", "未定级", "护理院", {"hospital"}),
    ("康复医院", "二级", "专科医院", {"hospital"}),
    # 专业公共卫生机构
    ("急救中心", None, "专业公共卫生机构", {"public_health", "other"}),
    ("急救站", None, "专业公共卫生机构", {"public_health", "other"}),
    ("急救中心(站)", None, "专业公共卫生机构", {"public_health", "other"}),
    ("急救中心（站）", None, "专业公共卫生机构", {"public_health", "other"}),
    ("120急救中心", None, "专业公共卫生机构", {"public_health", "other"}),
    ("疾病预防控制中心", None, "专业公共卫生机构", {"public_health", "other"}),
    ("疾控中心", None, "专业公共卫生机构", {"public_health", "other"}),
    ("卫生监督所", None, "专业公共卫生机构", {"public_health", "other"}),
    ("卫生计生监督所", None, "专业公共卫生机构", {"public_health", "other"}),
    ("卫生健康监督所", None, "专业公共卫生机构", {"public_health", "other"}),
    # 妇幼保健院: public health, may hold a hospital grade without a warning
    ("妇幼保健院", "二级", "妇幼保健院", {"public_health", "other"}),
    ("妇幼保健院", None, "妇幼保健院", {"public_health", "other"}),
    ("妇幼保健所", None, "妇幼保健院", {"public_health", "other"}),
    ("妇幼保健计划生育服务中心", "二级", "妇幼保健院", {"public_health", "other"}),
    ("妇幼保健机构", None, "妇幼保健院", {"public_health", "other"}),
    # 中医类门诊部 / 诊所: primary care and TCM
    ("中医门诊部", None, "中医门诊部", {"primary_care", "tcm_institution"}),
    ("中西医结合门诊部", None, "中医门诊部", {"primary_care", "tcm_institution"}),
    ("民族医门诊部", None, "中医门诊部", {"primary_care", "tcm_institution"}),
    ("中医诊所", None, "中医诊所", {"primary_care", "tcm_institution"}),
    ("中医診所", None, "中医诊所", {"primary_care", "tcm_institution"}),
    ("中西医结合诊所", None, "中医诊所", {"primary_care", "tcm_institution"}),
    ("民族医诊所", None, "中医诊所", {"primary_care", "tcm_institution"}),
]


@pytest.mark.parametrize(("written", "grade", "stored", "classes"), SPELLINGS)
def test_spelling_is_accepted_as_its_type(
    written: str, grade: str | None, stored: str, classes: set[str]
) -> None:
    assert _accepted(written, grade) == (stored, [])
    assert stored in ORG_TYPES
    assert _classes(stored) == classes


def test_every_type_has_a_class() -> None:
    assert all(_classes(t) for t in ORG_TYPES)


def test_the_contract_spellings_are_all_kept() -> None:
    assert set(CONTRACT_ORG_TYPES) <= set(ORG_TYPES)


def test_a_hospital_grade_on_primary_care_is_still_a_warning() -> None:
    # 街道卫生院 is primary care: a grade on it is flagged as on any 基层 facility.
    assert _accepted("街道卫生院", "一级")[1] == ["grade_for_primary_care"]
