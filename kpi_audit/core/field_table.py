"""The submission field table as data: one :class:`Field` per column of the template.
Here the contract headers of domain.md §3; the fields added so that more targets can be
measured follow them in :mod:`kpi_audit.core.field_table_added`. The order is the
template's column order (:data:`kpi_audit.core.fields.FIELDS` joins the two).

Adding a field means adding an entry here and a migration that adds its column
(``kpi_audit/store/migrations.py``); the template, header matching, coercion and
validation all read this table (through :mod:`kpi_audit.core.fields`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kpi_audit.core.vocabularies import AREAS, HOSPITAL_GRADES, ORG_TYPES

FieldType = Literal["text", "int", "bool", "period", "enum"]


@dataclass(frozen=True)
class Field:
    id: str
    zh: str  # the header in the template (simplified characters)
    zh_hant: str  # the traditional-character form
    type: FieldType
    en: str
    unit: str = ""  # shown in the instructions sheet, e.g. 人次
    required: bool = False
    at_most: str | None = None  # id of the field this one may not exceed
    vocabulary: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # further header spellings seen in the wild
    note_zh: str = ""
    contract: bool = True  # one of the domain.md §3 headers


CONTRACT_FIELDS: tuple[Field, ...] = (
    Field(
        "org_code",
        "机构代码",
        "機構代碼",
        "text",
        "institution code",
        required=True,
        aliases=("组织机构代码", "统一社会信用代码"),
    ),
    Field(
        "org_name",
        "机构名称",
        "機構名稱",
        "text",
        "institution name",
        required=True,
        aliases=("单位名称",),
    ),
    Field("city", "所属市", "所屬市", "text", "city", aliases=("市",)),
    Field(
        "county",
        "所属区县",
        "所屬區縣",
        "text",
        "county / district",
        required=True,
        aliases=("区县", "县区", "所属县区", "县(市、区)"),
    ),
    Field(
        "org_type",
        "机构类别",
        "機構類別",
        "enum",
        "institution type",
        required=True,
        vocabulary=ORG_TYPES,
        aliases=("机构类型",),
    ),
    Field(
        "hospital_grade",
        "医院等级",
        "醫院等級",
        "enum",
        "hospital grade",
        vocabulary=HOSPITAL_GRADES,
        note_zh="医院填写;基层机构留空",
        aliases=("等级",),
    ),
    Field("area", "城乡", "城鄉", "enum", "urban / rural", vocabulary=AREAS, aliases=("城乡属性",)),
    Field(
        "period",
        "报告期",
        "報告期",
        "period",
        "reporting period",
        required=True,
        note_zh="如 2024Q3、2024年第三季度;全年填 2024",
        aliases=("统计期", "报告期间"),
    ),
    Field(
        "total_visits",
        "总诊疗人次",
        "總診療人次",
        "int",
        "total visits",
        unit="人次",
        aliases=("总诊疗量", "诊疗人次"),
    ),
    Field(
        "tcm_visits",
        "中医诊疗人次",
        "中醫診療人次",
        "int",
        "TCM visits",
        unit="人次",
        at_most="total_visits",
        aliases=("中医诊疗量",),
    ),
    Field(
        "general_outpatient_visits",
        "普通门诊人次",
        "普通門診人次",
        "int",
        "general outpatient visits",
        unit="人次",
        at_most="total_visits",
        aliases=("普通门诊量",),
    ),
    Field(
        "appointment_visits",
        "预约诊疗人次",
        "預約診療人次",
        "int",
        "appointment visits",
        unit="人次",
        at_most="total_visits",
    ),
    Field("referrals_up", "上转人次", "上轉人次", "int", "referrals up", unit="人次"),
    Field("referrals_down", "下转人次", "下轉人次", "int", "referrals down", unit="人次"),
    Field(
        "resident_population",
        "服务常住人口",
        "服務常住人口",
        "int",
        "resident population served",
        unit="人",
        aliases=("常住人口",),
    ),
    Field(
        "signed_residents",
        "签约人数",
        "簽約人數",
        "int",
        "signed residents",
        unit="人",
        at_most="resident_population",
    ),
    Field("key_population", "重点人群数", "重點人群數", "int", "key population", unit="人"),
    Field(
        "key_signed",
        "重点人群签约人数",
        "重點人群簽約人數",
        "int",
        "key population signed",
        unit="人",
        at_most="key_population",
    ),
)
