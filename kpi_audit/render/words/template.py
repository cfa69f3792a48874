"""The blank workbooks' words: the submission template (ingest/template.py) and the
register templates (ingest/register_template.py) — sheet names, the instructions, rule
texts, cell validations. The headers themselves are the contract (core/field_table.py,
ingest/register_fields.py) and stay Chinese in both languages.

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

TEMPLATE: dict[str, tuple[str, str]] = {
    # the submission template (ingest/template.py)
    "template.sheet.data": ("填报表", "Data"),
    "template.sheet.instructions": ("填报说明", "Instructions"),
    "template.col.header": ("表头", "Header"),
    "template.col.field": ("字段代码", "Field id"),
    "template.col.meaning": ("含义", "Meaning"),
    "template.col.unit": ("单位", "Unit"),
    "template.col.type": ("类型", "Type"),
    "template.col.required": ("是否必填", "Required"),
    "template.col.rule": ("规则", "Rule"),
    "template.type.text": ("文本", "text"),
    "template.type.int": ("整数", "whole number"),
    "template.type.bool": ("是/否", "是/否 (yes/no)"),
    "template.type.period": ("报告期", "period"),
    "template.type.enum": ("选项", "choice"),
    # a field's unit: the zh word is the one Field.unit holds
    "template.unit.visits": ("人次", "visits"),
    "template.unit.persons": ("人", "persons"),
    "template.unit.beds": ("张", "beds"),
    "template.unit.types": ("种", "types"),
    "template.unit.items": ("个", "items"),
    "template.unit.level": ("级", "level"),
    "template.yes": ("是", "yes"),
    "template.no": ("否", "no"),
    # the notes above the field table
    "template.notes.title": ("填报须知", "How to fill in the data sheet"),
    "template.notes.1": (
        "1. 每个机构每个报告期填一行；同一机构各期使用同一个机构代码（按文本填写，保留前导零）。",
        "1. One row per institution per reporting period; an institution keeps the same code in "
        "every period (entered as text, leading zeros kept).",
    ),
    "template.notes.2": (
        "2. 不知道或不适用的数据一律留空，留空即“缺失”。切勿用 0 代替未知数：0 表示确实为零。",
        "2. Leave a cell blank when the value is unknown or does not apply: blank means missing. "
        "Never write 0 for unknown: 0 means zero.",
    ),
    "template.notes.3": (
        "3. 报告期写法：季度填 2024Q3 或 2024年第三季度；全年填 2024。",
        "3. Period: a quarter as 2024Q3 or 2024年第三季度; a whole year as 2024.",
    ),
    "template.notes.4": (
        "4. 不要修改、删除表头；表头橙色加粗的为必填项。可在右侧另加“备注”列。",
        "4. Do not change or delete the headers (they stay in Chinese: they are what kpi-audit "
        "reads). Headers in bold on orange are required. A 备注 (remarks) column may be added on "
        "the right.",
    ),
    "template.notes.5": (
        "5. 数字只填阿拉伯数字，不带单位、不加千位分隔符；各项比例由系统计算，不必填写。",
        "5. Numbers as plain digits, without units or thousands separators; kpi-audit computes "
        "every ratio.",
    ),
    "template.notes.6": (
        "6. 机构类别、医院等级、城乡和各“是否”列请从下拉列表选择；医院等级只由医院填写，"
        "基层医疗卫生机构留空。",
        "6. Choose 机构类别, 医院等级, 城乡 and the 是否 columns from the dropdowns; only "
        "hospitals fill in 医院等级.",
    ),
    # the rule column, joined with template.rule_sep
    "template.rule.int": ("整数，≥0", "whole number ≥ 0"),
    "template.rule.at_most": ("不得大于{limit}", "not more than {limit}"),
    "template.rule.enum": ("从下拉列表选择：{values}", "one of: {values}"),
    "template.rule.bool": ("填“是”或“否”", "是 (yes) or 否 (no)"),
    "template.rule.period": (
        "如 2024Q3、2024年第三季度；全年填 2024",
        "e.g. 2024Q3 or 2024年第三季度; a whole year as 2024",
    ),
    "template.rule.org_code": (
        "文本，保留前导零；各期保持一致",
        "text, leading zeros kept; the same in every period",
    ),
    "template.rule.text": ("文本", "text"),
    "template.rule.required": ("必填", "required"),
    "template.rule_sep": ("，", "; "),
    "template.list_sep": ("、", ", "),
    # cell validations and input hints of the data sheet
    "template.invalid": ("输入有误", "Invalid value"),
    "template.invalid.count": (
        "请填写大于或等于 0 的整数；不知道请留空，不要填 0",
        "Enter a whole number ≥ 0; leave it blank if unknown (never 0)",
    ),
    "template.invalid.choice": ("请从下拉列表中选择：{choices}", "Choose one of: {choices}"),
    "template.hint.period": (
        "如 2024Q3 或 2024年第三季度；全年填 2024",
        "e.g. 2024Q3 or 2024年第三季度; a whole year as 2024",
    ),
    "template.hint.org_code": (
        "按文本填写，保留前导零；各期保持一致",
        "Text: keep leading zeros; the same code in every period",
    ),
    # the register templates (ingest/register_template.py)
    "template.register.instructions": ("填写说明", "Instructions"),
    "template.register.col.header": ("表头", "header"),
    "template.register.col.field": ("字段", "id"),
    "template.register.col.required": ("必填", "required"),
    "template.register.col.type": ("类型", "type"),
    "template.register.col.note": ("说明", "note"),
    "template.register.type.text": ("文本", "text"),
    "template.register.type.code": ("代码（文本）", "code (text)"),
    "template.register.type.int": ("整数 ≥ 0", "whole number ≥ 0"),
    "template.register.type.year": ("年份，如 2024", "a year, e.g. 2024"),
    "template.register.type.period": ("报告期，如 2024Q2 或 2024", "a period, e.g. 2024Q2 or 2024"),
    "template.register.type.enum": ("从下拉列表选择", "one of the list"),
    # what each field means (instructions sheet); English as Field.en
    "template.meaning.org_code": (
        "机构的统一社会信用代码或组织机构代码，各报告期保持不变",
        "institution code",
    ),
    "template.meaning.org_name": ("机构全称", "institution name"),
    "template.meaning.city": ("机构所在的地级市", "city"),
    "template.meaning.county": ("机构所在的区、县（市）", "county / district"),
    "template.meaning.org_type": ("机构类别", "institution type"),
    "template.meaning.hospital_grade": ("医院评审等级", "hospital grade"),
    "template.meaning.area": ("机构所在地属城市还是农村", "urban / rural"),
    "template.meaning.period": ("数据所属的季度或年度", "reporting period"),
    "template.meaning.total_visits": ("报告期内门诊、急诊、出诊等诊疗人次合计", "total visits"),
    "template.meaning.tcm_visits": ("报告期内中医（含民族医）诊疗人次", "TCM visits"),
    "template.meaning.general_outpatient_visits": (
        "报告期内普通门诊（非专家、非专科门诊）人次",
        "general outpatient visits",
    ),
    "template.meaning.appointment_visits": ("报告期内通过预约就诊的人次", "appointment visits"),
    "template.meaning.referrals_up": ("报告期内向上级医疗机构转诊的人次", "referrals up"),
    "template.meaning.referrals_down": (
        "报告期内向下级（基层）医疗机构转诊的人次",
        "referrals down",
    ),
    "template.meaning.resident_population": (
        "机构服务区域内的常住人口",
        "resident population served",
    ),
    "template.meaning.signed_residents": (
        "与家庭医生签约的常住居民人数（期末累计）",
        "signed residents",
    ),
    "template.meaning.key_population": (
        "服务区域内重点人群人数。重点人群按《关于推进家庭医生签约服务的指导意见》（国医改办发〔2016〕1号）：65岁及以上老年人、孕产妇、儿童、残疾人，"
        "以及高血压、糖尿病、结核病等慢性疾病患者和严重精神障碍患者等；同一人属于几类人群的只计一次",
        "key population",
    ),
    "template.meaning.key_signed": (
        "重点人群中已签约的人数（期末累计；同一人只计一次，口径同重点人群数）",
        "key population signed",
    ),
    "template.meaning.beds": ("期末实有床位数", "beds"),
    "template.meaning.health_technicians": ("期末在岗卫生技术人员数", "health technicians"),
    "template.meaning.mid_senior_title_staff": (
        "卫生技术人员中具有中级及以上（中级、副高、正高）专业技术职称的人数",
        "staff with intermediate or senior titles",
    ),
    "template.meaning.bachelor_staff": (
        "卫生技术人员中本科及以上学历的人数",
        "staff with a bachelor's degree or above",
    ),
    "template.meaning.college_staff": (
        "卫生技术人员中大专及以上学历的人数",
        "staff with a college diploma or above",
    ),
    "template.meaning.doctors": ("执业医师和执业助理医师人数", "licensed (assistant) doctors"),
    "template.meaning.nurses": ("注册护士人数", "registered nurses"),
    "template.meaning.general_practitioners": (
        "注册为全科医学专业或取得全科培训合格证的医生人数",
        "general practitioners",
    ),
    "template.meaning.chronic_patients": (
        "服务区域内登记管理的高血压、糖尿病患者人数",
        "hypertension and diabetes patients",
    ),
    "template.meaning.chronic_managed": (
        "其中按规范进行管理的人数",
        "hypertension and diabetes patients under standard management",
    ),
    "template.meaning.day_surgery_types": ("开展日间手术的病种数", "day-surgery procedure types"),
    "template.meaning.key_specialties": ("省、市级临床重点专科个数", "clinical key specialties"),
    "template.meaning.emr_level": ("电子病历系统应用水平分级评价等级", "EMR application level"),
    "template.meaning.county_level_hospital": ("是否为县级（含区级）医院", "county-level hospital"),
    "template.meaning.provides_tcm": ("是否能够提供中医药服务", "provides TCM services"),
    "template.meaning.meets_basic_standard": (
        "是否达到国家基层医疗卫生机构服务能力基本标准",
        "meets the national basic service-capacity standard",
    ),
    "template.meaning.meets_recommended_standard": (
        "是否达到国家基层医疗卫生机构服务能力推荐标准",
        "meets the national recommended service-capacity standard",
    ),
    "template.meaning.on_referral_platform": (
        "是否已接入分级诊疗信息平台",
        "connected to the tiered-care information platform",
    ),
    "template.meaning.provides_telemedicine": ("是否提供远程医疗服务", "provides telemedicine"),
    "template.meaning.outpatient_visits": (
        "报告期内门诊人次（不含急诊、出诊），预约诊疗率的分母",
        "outpatient visits (without emergency)",
    ),
    "template.meaning.county_key_specialties": (
        "县级医院临床重点专科建设工程中经评审确定的县级临床重点专科个数（不含省、市级临床重点专科）",
        "county-level clinical key specialties",
    ),
    "template.meaning.hospital_rank": (
        "医院评审等次（甲等、乙等、丙等、未评）",
        "hospital rank (甲等/乙等/丙等)",
    ),
    "template.meaning.ownership": ("公立或非公立（社会办）", "ownership (public / non-public)"),
    "template.meaning.partnered_with_hospital": (
        "社区卫生服务中心、乡镇卫生院是否与二、三级医院建立稳定的技术帮扶和分工协作关系",
        "has a stable partnership with a secondary or tertiary hospital",
    ),
}
