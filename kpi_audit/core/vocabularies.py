"""The data vocabularies of the submission fields: institution types (the national
health-statistics classification) and their synonyms, hospital grades and ranks,
ownerships, areas, and the institution classes indicator filters name. These are data
(the values a cell may hold), not words to translate.
"""

from __future__ import annotations

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
