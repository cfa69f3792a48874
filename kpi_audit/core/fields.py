"""The submission field catalog: the contract headers of domain.md §3 and the fields
added so that more targets can be measured.

Adding a field means adding an entry here and a migration that adds its column
(``kpi_audit/store/migrations.py``); the template, header matching, coercion and
validation all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


# Institution types follow the national health-statistics classification (卫生健康统计
# 机构分类). The §3 contract spellings come first in each group; the others were added
# so that every institution an office lists has a type of its own (or a synonym that
# means exactly one of these).
PRIMARY_CARE_TYPES = (
    "社区卫生服务中心",
    "社区卫生服务站",
    "乡镇卫生院",
    "村卫生室",
    "门诊部",
    "诊所",
    # 街道卫生院 is a 基层医疗卫生机构 of its own (a 乡镇卫生院 is a township's, not a
    # sub-district's): never fold it into 乡镇卫生院, whose indicators it would distort.
    "街道卫生院",
    "中医门诊部",  # 中医类门诊部: primary care and TCM
    "中医诊所",  # 中医类诊所: primary care and TCM
)
HOSPITAL_TYPES = (
    "综合医院",
    "中医医院",
    "中西医结合医院",
    "民族医院",
    "专科医院",
    "护理院",
)
TCM_HOSPITAL_TYPES = ("中医医院", "中西医结合医院", "民族医院")
# 中医类医疗机构: the TCM hospitals and the TCM outpatient departments and clinics.
TCM_INSTITUTION_TYPES = (*TCM_HOSPITAL_TYPES, "中医门诊部", "中医诊所")
# 专业公共卫生机构. 妇幼保健院 is one that may hold a hospital grade (二级/三级妇幼保健院).
PUBLIC_HEALTH_TYPES = ("妇幼保健院", "专业公共卫生机构")
OTHER_TYPES = (*PUBLIC_HEALTH_TYPES, "其他")
ORG_TYPES = HOSPITAL_TYPES + PRIMARY_CARE_TYPES + OTHER_TYPES
# The spellings of the domain.md §2/§3 contract (the others were added since).
CONTRACT_ORG_TYPES = (
    "综合医院",
    "中医医院",
    "中西医结合医院",
    "民族医院",
    "专科医院",
    "社区卫生服务中心",
    "社区卫生服务站",
    "乡镇卫生院",
    "村卫生室",
    "门诊部",
    "诊所",
    "妇幼保健院",
    "专业公共卫生机构",
    "其他",
)
# Types that may carry a 医院等级 besides the hospitals.
GRADED_TYPES = (*HOSPITAL_TYPES, "妇幼保健院")
# Spellings of institution types that mean exactly one of the above.
ORG_TYPE_SYNONYMS = {
    # the glossary lists these under 诊所
    "卫生所": "诊所",
    "医务室": "诊所",
    "护理站": "诊所",
    # 康复医院 is a 专科医院 in the classification (and counts as one, e.g. for day surgery)
    "康复医院": "专科医院",
    # 专业公共卫生机构
    "急救中心": "专业公共卫生机构",
    "急救站": "专业公共卫生机构",
    "急救中心(站)": "专业公共卫生机构",
    "急救中心（站）": "专业公共卫生机构",
    "120急救中心": "专业公共卫生机构",
    "疾病预防控制中心": "专业公共卫生机构",
    "疾控中心": "专业公共卫生机构",
    "卫生监督所": "专业公共卫生机构",
    "卫生计生监督所": "专业公共卫生机构",
    "卫生健康监督所": "专业公共卫生机构",
    "妇幼保健所": "妇幼保健院",
    "妇幼保健计划生育服务中心": "妇幼保健院",
    "妇幼保健机构": "妇幼保健院",
    # 中医类门诊部 / 诊所
    "中西医结合门诊部": "中医门诊部",
    "民族医门诊部": "中医门诊部",
    "中西医结合诊所": "中医诊所",
    "民族医诊所": "中医诊所",
}
HOSPITAL_GRADES = ("三级", "二级", "一级", "未定级")
HOSPITAL_RANKS = ("甲等", "乙等", "丙等", "未评")  # 医院等次, as in the institution register
OWNERSHIPS = ("公立", "非公立")  # 主办性质, as in the institution register
AREAS = ("城市", "农村")

# Institution classes usable in indicator filters (``org_class = "primary_care"``).
ORG_CLASSES: dict[str, tuple[str, ...]] = {
    "primary_care": PRIMARY_CARE_TYPES,
    "hospital": HOSPITAL_TYPES,
    "tcm_institution": TCM_INSTITUTION_TYPES,
    "tcm_hospital": TCM_HOSPITAL_TYPES,
    "public_health": PUBLIC_HEALTH_TYPES,
    "other": OTHER_TYPES,
}

_count = "whole number ≥ 0"

FIELDS: tuple[Field, ...] = (
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
    # ---- added so that more of the documents' targets can be measured (not in §3) ----
    Field(
        "beds",
        "床位数",
        "床位數",
        "int",
        "beds",
        unit="张",
        contract=False,
        aliases=("实有床位数", "编制床位数"),
    ),
    Field(
        "health_technicians",
        "卫生技术人员数",
        "衛生技術人員數",
        "int",
        "health technicians",
        unit="人",
        contract=False,
    ),
    Field(
        "mid_senior_title_staff",
        "中级及以上职称人数",
        "中級及以上職稱人數",
        "int",
        "staff with intermediate or senior titles",
        unit="人",
        aliases=("中高级职称人数",),
        at_most="health_technicians",
        contract=False,
    ),
    Field(
        "bachelor_staff",
        "本科及以上学历人数",
        "本科及以上學歷人數",
        "int",
        "staff with a bachelor's degree or above",
        unit="人",
        at_most="health_technicians",
        contract=False,
    ),
    Field(
        "college_staff",
        "大专及以上学历人数",
        "大專及以上學歷人數",
        "int",
        "staff with a college diploma or above",
        unit="人",
        at_most="health_technicians",
        contract=False,
    ),
    Field(
        "doctors",
        "执业(助理)医师数",
        "執業(助理)醫師數",
        "int",
        "licensed (assistant) doctors",
        unit="人",
        contract=False,
        aliases=("执业医师数", "执业助理医师数"),
    ),
    Field(
        "nurses",
        "注册护士数",
        "註冊護士數",
        "int",
        "registered nurses",
        unit="人",
        contract=False,
        aliases=("护士数",),
    ),
    Field(
        "general_practitioners",
        "全科医生数",
        "全科醫生數",
        "int",
        "general practitioners",
        unit="人",
        contract=False,
    ),
    Field(
        "chronic_patients",
        "高血压糖尿病患者数",
        "高血壓糖尿病患者數",
        "int",
        "hypertension and diabetes patients",
        unit="人",
        contract=False,
    ),
    Field(
        "chronic_managed",
        "高血压糖尿病规范管理人数",
        "高血壓糖尿病規範管理人數",
        "int",
        "hypertension and diabetes patients under standard management",
        unit="人",
        at_most="chronic_patients",
        contract=False,
    ),
    Field(
        "day_surgery_types",
        "日间手术病种数",
        "日間手術病種數",
        "int",
        "day-surgery procedure types",
        unit="种",
        contract=False,
    ),
    Field(
        "key_specialties",
        "临床重点专科数",
        "臨床重點專科數",
        "int",
        "clinical key specialties",
        unit="个",
        contract=False,
    ),
    Field(
        "emr_level",
        "电子病历应用水平等级",
        "電子病歷應用水平等級",
        "int",
        "EMR application level",
        unit="级",
        contract=False,
        note_zh="0–8 级",
    ),
    Field(
        "county_level_hospital",
        "是否县级医院",
        "是否縣級醫院",
        "bool",
        "county-level hospital",
        contract=False,
        note_zh="是/否",
    ),
    Field(
        "provides_tcm",
        "是否提供中医药服务",
        "是否提供中醫藥服務",
        "bool",
        "provides TCM services",
        contract=False,
        note_zh="是/否",
    ),
    Field(
        "meets_basic_standard",
        "是否达到服务能力基本标准",
        "是否達到服務能力基本標準",
        "bool",
        "meets the national basic service-capacity standard",
        contract=False,
        note_zh="是/否",
    ),
    Field(
        "meets_recommended_standard",
        "是否达到服务能力推荐标准",
        "是否達到服務能力推薦標準",
        "bool",
        "meets the national recommended service-capacity standard",
        contract=False,
        note_zh="是/否",
    ),
    Field(
        "on_referral_platform",
        "是否接入分级诊疗信息平台",
        "是否接入分級診療信息平台",
        "bool",
        "connected to the tiered-care information platform",
        contract=False,
        note_zh="是/否",
    ),
    Field(
        "provides_telemedicine",
        "是否提供远程医疗服务",
        "是否提供遠程醫療服務",
        "bool",
        "provides telemedicine",
        contract=False,
        note_zh="是/否",
    ),
    # ---- added for the targets of issue 9 (the ids of the register columns where the
    # institution register has the same fact: hospital_rank, ownership) ----
    Field(
        "outpatient_visits",
        "门诊人次",
        "門診人次",
        "int",
        "outpatient visits (without emergency)",
        unit="人次",
        at_most="total_visits",
        contract=False,
        aliases=("门诊量",),
        note_zh="不含急诊",
    ),
    Field(
        "county_key_specialties",
        "县级临床重点专科数",
        "縣級臨床重點專科數",
        "int",
        "county-level clinical key specialties",
        unit="个",
        contract=False,
        aliases=("县级医院临床重点专科数",),
    ),
    Field(
        "hospital_rank",
        "医院等次",
        "醫院等次",
        "enum",
        "hospital rank (甲等/乙等/丙等)",
        vocabulary=HOSPITAL_RANKS,
        contract=False,
        note_zh="医院填写",
    ),
    Field(
        "ownership",
        "主办性质",
        "主辦性質",
        "enum",
        "ownership (public / non-public)",
        vocabulary=OWNERSHIPS,
        contract=False,
    ),
    Field(
        "partnered_with_hospital",
        "是否与二三级医院建立帮扶协作关系",
        "是否與二三級醫院建立幫扶協作關係",
        "bool",
        "has a stable partnership with a secondary or tertiary hospital",
        contract=False,
        note_zh="是/否",
    ),
)

FIELDS_BY_ID: dict[str, Field] = {f.id: f for f in FIELDS}
REQUIRED_FIELDS = tuple(f.id for f in FIELDS if f.required)
INT_FIELDS = tuple(f.id for f in FIELDS if f.type == "int")
BOOL_FIELDS = tuple(f.id for f in FIELDS if f.type == "bool")
TEXT_FIELDS = tuple(f.id for f in FIELDS if f.type in ("text", "enum"))
# Facts about the institution (not counts): usable in indicator filters.
ATTRIBUTE_FIELDS = (
    "city",
    "county",
    "org_type",
    "hospital_grade",
    "area",
    "hospital_rank",
    "ownership",
    *BOOL_FIELDS,
)
