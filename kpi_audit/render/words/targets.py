"""`targets list / show / validate` words and a target told in words
(kpi_audit.render.target_text).

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

TARGETS: dict[str, tuple[str, str]] = {
    # targets show: a target in words (kpi_audit.render.target_text)
    "show.op.>=": ("不低于 {t} 为达标", "met at {t} or more"),
    "show.op.>": ("高于 {t} 为达标", "met above {t}"),
    "show.op.<=": ("不高于 {t} 为达标", "met at {t} or less"),
    "show.op.<": ("低于 {t} 为达标", "met below {t}"),
    "show.op.==": ("等于 {t} 为达标", "met at exactly {t}"),
    "show.between": ("在 {low} 至 {high} 之间（含两端）为达标", "met from {low} to {high}"),
    "show.around": (
        "{t}左右：在 {low} 至 {high} 之间为达标",
        "about {t}: met from {low} to {high}",
    ),
    "show.points": ("{n} 个百分点", "{n} points"),
    "show.warn_short": ("；差距不超过 {w} 为预警", "; up to {w} short is a warning"),
    "show.warn_band": ("；超出范围不超过 {w} 为预警", "; up to {w} outside is a warning"),
    "show.binding": (
        "是：未达到即为“未达标”，计入汇总，并使退出码为 1",
        "yes: a value short of it fails, counts in the summary and makes the exit code 1",
    ),
    "show.aspiration": (
        "否（力争目标）：只显示进展，从不计为“未达标”，不影响退出码",
        "no (an aspiration): shown as progress, never counted as a failure or in the exit code",
    ),
    "show.due.from": (
        "自 {year} 年起的每个报告期都评判",
        "judged in every period from {year}",
    ),
    "show.due.year_end": (
        "{year} 年底前完成：按 {year} 年全年或第四季度评判，该年第一至三季度为“未到期”"
        "（只显示进展）；此后各期照常评判",
        "due by the end of {year}: judged on {year} as a whole or its fourth quarter; its "
        "first three quarters are not due (progress only); every later period is judged",
    ),
    "show.until": (
        "；{until} 年后不再施行（此后各期为“不在施行期”）",
        "; no longer in force after {until} (later periods: not in force)",
    ),
    "show.scope.all": (
        "全部地区和机构（按指标口径）",
        "every area and institution the indicator counts",
    ),
    "show.scope.area": (
        "仅适用于{types}；其他类型的区县为“不适用”",
        "applies to {types} only; other county-level units are out of scope",
    ),
    "show.scope.where": ("只计{conditions}的机构", "counts only institutions where {conditions}"),
    # a scope condition in words (render/target_text.py)
    "show.condition": ("{name}{word}{values}", "{name} {word} {values}"),
    "show.org_class": ("机构大类", "institution class"),
    "show.class.primary_care": ("基层医疗卫生机构", "primary-care facilities"),
    "show.class.hospital": ("医院", "hospitals"),
    "show.class.tcm_institution": ("中医类医疗机构", "TCM institutions"),
    "show.class.tcm_hospital": ("中医类医院（中医、中西医结合、民族医医院）", "TCM hospitals"),
    "show.class.public_health": ("专业公共卫生机构", "public-health institutions"),
    "show.class.other": ("其他机构", "other institutions"),
    "show.cond.=": ("为", "is"),
    "show.cond.!=": ("不为", "is not"),
    "show.cond.in": ("为", "is one of"),
    "show.cond.not in": ("不为", "is none of"),
    "show.cond.>=": ("≥", ">="),
    "show.cond.<=": ("≤", "<="),
    "show.cond.>": (">", ">"),
    "show.cond.<": ("<", "<"),
    "show.true": ("是", "true"),
    "show.false": ("否", "false"),
    "show.list_sep": ("、", ", "),
    "show.and": ("，且", " and "),
    "show.part_sep": ("；", "; "),
    # targets list / show
    "targets.col.id": ("ID", "ID"),
    "targets.col.indicator": ("指标", "Indicator"),
    "targets.col.requirement": ("要求", "Requirement"),
    "targets.col.from_year": ("起始年", "From"),
    "targets.col.levels": ("层级", "Levels"),
    "targets.col.evaluable": ("可评估", "Evaluable"),
    "targets.col.clause": ("条款", "Clause"),
    "targets.col.needs": ("缺少数据", "Data needed"),
    "targets.needs_sep": ("；", "; "),
    "targets.yes": ("✔ 是", "✔ yes"),
    "targets.no": ("✘ 否", "✘ no"),
    "targets.caption": (
        "✘ 否：缺少报表无法提供的数据（kpi-audit targets show ID 查看）",
        "✘ no: needs data a submission lacks (kpi-audit targets show ID)",
    ),
    "targets.level.facility": ("机构", "facility"),
    "targets.level.county": ("县", "county"),
    "targets.level.city": ("市", "city"),
    "targets.level_sep": ("、", ", "),
    "targets.show.target": ("目标编号", "target"),
    "targets.show.set": ("目标集", "set"),
    "targets.show.indicator": ("指标", "indicator"),
    "targets.show.requirement": ("要求", "requirement"),
    "targets.show.judged": ("判定", "judged"),
    "targets.show.binding": ("约束性", "binding"),
    "targets.show.in_force": ("施行年份", "in force"),
    "targets.show.due": ("期限", "due"),
    "targets.show.scope": ("适用范围", "scope"),
    "targets.show.levels": ("层级", "levels"),
    "targets.show.evaluable": ("可评估", "evaluable"),
    "targets.show.measures": ("计算方法", "measures"),
    "targets.show.document": ("文件", "document"),
    "targets.show.clause": ("条款", "clause"),
    "targets.show.quote": ("原文", "quote"),
    "targets.show.note": ("备注", "note"),
    "targets.years_from": ("{years} 年起", "from {years}"),
    "targets.years_span": ("{years} 年", "{years}"),
    "targets.evaluable_yes": ("是", "yes"),
    "targets.evaluable_no": ("否 — 缺少数据：{needs}", "no — needs: {needs}"),
    "targets.validate_ok": ("OK：{n} 项目标", "OK: {n} targets"),
}
