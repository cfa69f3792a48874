"""The one table of words and messages, Chinese and English, and how a coded message
(a not-evaluable reason, a data issue) is rendered per language at the edge.

Everything a user reads comes from :data:`LABELS`: report headings, statuses, terminal
lines, and the messages of reason and issue codes. Problems are data: the evaluator
writes a stable code and its parameters (``reason_code`` + ``reason_params`` on a
result row, ``code`` + ``params`` on a data issue); this module turns them into words.

Adding a reason or data-issue code
----------------------------------
1. Where the problem is found, write the code and a JSON object of parameters, e.g.
   ``reason_code="not_due"``, ``reason_params=json.dumps({"due": "year_end"})``
   (data issues: ``code`` / ``params``, and ``message_zh`` / ``message_en`` from
   :func:`issue_messages`).
2. Add ONE entry below: ``"reason.not_due": ("中文 {due}", "English {due}")``
   (data issues: ``"issue.<code>"``). Placeholders are parameter names.

Parameter conventions: a list is joined with 、 in Chinese and ", " in English (see
:data:`_JOINS` for exceptions); ``field`` / ``fields`` hold field ids, shown in Chinese
as the template's headers (总诊疗人次) and in English as the ids. Text that exists in
both languages travels as two parameters (``name_zh`` / ``name_en``) and each template
uses its own. ``tests/test_i18n.py`` checks that every entry renders in both languages.
An unknown code renders as the code and its parameters, never as an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import polars as pl

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.result import AuditResult

LANGS = ("zh", "en")

# key -> (zh, en)
LABELS: dict[str, tuple[str, str]] = {
    # statuses
    "status.pass": ("达标", "meets target"),
    "status.fail": ("未达标", "behind target"),
    "status.warn": ("预警", "close to target"),
    "status.not_evaluable": ("无法评估", "not evaluable"),
    # levels
    "level.city": ("市级", "City"),
    "level.county": ("县级", "County"),
    "level.facility": ("机构", "Facility"),
    # sheet names (≤ 31 characters, none of []:*?/\)
    "sheet.summary": ("汇总", "Summary"),
    "sheet.issues": ("数据问题", "Data issues"),
    "sheet.completeness": ("完整性", "Completeness"),
    "sheet.sources": ("依据", "Sources"),
    "sheet.charts": ("图表", "Charts"),
    # column headings
    "col.target_id": ("目标编号", "Target"),
    "col.target_set": ("目标集", "Target set"),
    "col.indicator": ("指标", "Indicator"),
    "col.operator": ("要求", "Rule"),
    "col.threshold": ("目标值", "Threshold"),
    "col.threshold_high": ("目标上限", "Upper bound"),
    "col.from_year": ("起始年份", "In force from"),
    "col.until_year": ("截止年份", "In force until"),
    "col.n_pass": ("达标区县", "Counties meeting"),
    "col.n_fail": ("未达标区县", "Counties behind"),
    "col.n_warn": ("预警区县", "Counties close"),
    "col.n_not_evaluable": ("无法评估区县", "Counties not evaluable"),
    "col.n_facility_fail": ("未达标机构", "Facilities behind"),
    "col.city_value": ("全市数值", "City value"),
    "col.city_status": ("全市状态", "City status"),
    "col.unit": ("单位", "Unit"),
    "col.unit_name": ("名称", "Name"),
    "col.county": ("所属区县", "County"),
    "col.period": ("报告期", "Period"),
    "col.value": ("数值", "Value"),
    "col.gap": ("差距", "Gap"),
    "col.status": ("状态", "Status"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "col.reason": ("原因", "Reason"),
    "col.rank": ("排名", "Rank"),
    "col.kind": ("类别", "Kind"),
    "col.file": ("文件", "File"),
    "col.sheet": ("工作表", "Sheet"),
    "col.row": ("行号", "Row"),
    "col.field": ("字段", "Field"),
    "col.issue_value": ("填报值", "Value given"),
    "col.message": ("说明", "Message"),
    "col.org_code": ("机构代码", "Institution code"),
    "col.org_name": ("机构名称", "Institution"),
    "col.document": ("文件名称", "Document"),
    "col.number": ("文号", "Number"),
    "col.clause": ("条款", "Clause"),
    "col.quote": ("原文", "Quoted text"),
    "col.source": ("依据", "Source"),
    # data-issue kinds
    "kind.row_error": ("行错误", "row error"),
    "kind.row_warning": ("行警告", "row warning"),
    "kind.missing_report": ("未上报", "did not report"),
    "kind.county_no_data": ("区县无数据", "county without data"),
    "kind.register_mismatch": ("名录与报表不一致", "register and submissions disagree"),
    # reference registers in the sources section
    "src.registers": ("参考名录", "Reference registers"),
    "src.none": (
        "未载入行政区划与人口、机构名录：人口分母取自各机构填报的服务常住人口，应报机构取自上期已报机构",
        "No area or institution register loaded: population denominators are the "
        "facilities' reported service populations, and the expected reporters those of "
        "the previous period",
    ),
    "src.areas": (
        "行政区划与人口（{year}年，{rows}个区县）：人口类指标的分母、区划类型",
        "Area register ({year}, {rows} counties): population denominators and area types",
    ),
    "src.institutions": (
        "机构名录（{rows}家机构）：应报机构",
        "Institution register ({rows} institutions): who is expected to report",
    ),
    "src.files": ("文件：{files}；导入于 {loaded}", "file: {files}; loaded {loaded}"),
    "kind.reported_with_errors": ("已上报但数据有误", "reported, with errors"),
    "kind.not_comparable": (
        "不可比（未计入同比）",
        "not comparable (left out of the year-over-year)",
    ),
    "kind.notice": ("说明", "notice"),
    # completeness
    "comp.expected": ("应报机构数（上期已报）", "Institutions expected (reported last period)"),
    "comp.expected_now": ("应报机构数", "Institutions expected"),
    "comp.basis": ("应报依据", "Expected by"),
    "comp.reported": ("本期已报机构数", "Institutions reported"),
    "comp.missing": ("未报机构数", "Institutions missing"),
    "comp.rejected": ("被拒绝的数据行", "Rows rejected"),
    "comp.counties_without_data": ("无数据的区县", "Counties without data"),
    "comp.missing_list": ("未上报的机构", "Institutions that did not report"),
    "comp.none": ("无", "none"),
    "comp.rejected_institutions": (
        "已上报但全部数据行被拒绝的机构",
        "Institutions whose every row was refused",
    ),
    "comp.basis.institution_register": ("机构名录", "the institution register"),
    "comp.basis.previous_period": ("上期已报的机构", "the institutions that reported last period"),
    "comp.basis.none": (
        "无机构名录、无上期数据，无法判断缺报",
        "no register and no previous period: nobody can be counted as missing",
    ),
    "comp.headline": (
        "本期 {answered}/{expected} 家机构已上报",
        "{answered} of {expected} institutions have reported this period",
    ),
    "comp.provisional": ("暂定：{missing}家未报", "provisional: {missing} not reported"),
    # report text
    "report.title": ("医改目标监测报告", "Health-reform target report"),
    # first page (issue 11)
    "page1.documents": ("依据文件", "Documents"),
    "sheet.first_page": ("首页", "Overview"),
    "split.files": ("报告文件", "Report files"),
    "cli.wrote_split": (
        "已生成 {n} 个区县报告：{folder}（索引：{index}）",
        "Wrote {n} county reports to {folder} (index: {index})",
    ),
    "page1.targets_counted": ("目标数", "Targets"),
    "page1.units_counted": ("按“目标 × 单位”计：", "Per target × unit: "),
    "cat.pass": ("达标", "met"),
    "cat.fail": ("未达标", "missed"),
    "cat.warn": ("预警", "close"),
    "cat.not_evaluable": ("无法评估", "not evaluable"),
    "cat.not_due": ("未到考核期", "not yet due"),
    "cat.aspiration": ("力争目标", "aspirations"),
    "page1.matrix": ("区县 × 目标", "County × target"),
    "page1.matrix_note": (
        "列号见下表；✔ 达标 ✘ 未达标 ! 预警 ? 无法评估",
        "Column numbers as in the table below; ✔ met ✘ missed ! close ? not evaluable",
    ),
    "page1.targets_behind": (
        "各项目标（按全市差距排序，差距最大在前）",
        "Targets, furthest behind first",
    ),
    "page1.failing": ("未达标区县", "Counties behind target"),
    "page1.failing_line": ("未达标 {n} 项（共评估 {m} 项）", "{n} of {m} targets missed"),
    "page1.streak": ("连续 {n} 期", "{n} periods in a row"),
    "page1.streak_since": ("自 {p} 起", "since {p}"),
    "col.no": ("序号", "No."),
    "col.counties_missed": ("未达标区县数", "Counties behind"),
    "col.city_streak": ("全市连续未达标", "City behind for"),
    "col.rank_change": ("排名变化（环比）", "Rank change (vs previous)"),
    "col.rank_change_year": ("排名变化（同比）", "Rank change (vs a year earlier)"),
    "col.change_previous": ("环比", "vs previous"),
    "col.change_year": ("同比", "vs a year earlier"),
    "col.value_previous": ("上期数值（环比）", "Previous period"),
    "col.value_year_earlier": ("上年同期数值（同比）", "A year earlier"),
    "report.period": ("报告期", "Period"),
    "report.area": ("地区", "Area"),
    "report.target_sets": ("目标集", "Target sets"),
    "report.generated": ("生成时间", "Generated"),
    "report.summary": ("总体情况", "Summary"),
    "report.summary_note": ("按“目标 × 单位”计数", "Counted per target × unit"),
    "report.targets": ("各项目标", "Targets"),
    "report.threshold": ("目标", "Target"),
    "report.since": ("执行起始", "In force from"),
    "report.authority": ("依据", "Authority"),
    "report.city_value": ("全市", "City"),
    "report.chart_counties": ("各区县数值与目标线", "County values against the target line"),
    "report.chart_trend": ("近期趋势", "Recent trend"),
    "report.trend_worst": ("仅显示差距最大的 {n} 个区县", "the {n} counties furthest behind"),
    "report.ranking": ("区县排名（由好到差）", "County ranking (best to worst)"),
    "report.facilities_behind": ("未达标机构", "Facilities behind target"),
    "report.and_more": (
        "另有 {n} 条未列出，完整清单见 Excel 报告",
        "and {n} more — see the Excel workbook",
    ),
    "report.not_evaluable_needs": ("无法评估：", "Not evaluable: "),
    "report.data_issues": ("数据问题", "Data issues"),
    "report.completeness": ("上报完整性", "Completeness"),
    "report.sources": ("政策依据", "Sources"),
    "report.none": ("无", "None"),
    "report.files_refused": ("未能读取的文件", "Files not read"),
    "report.files_refused_note": (
        "以下附件未读入，本报告不含其数据；请修正后重新运行",
        "These attachments were not read and their data are not in this report; "
        "fix them and run again",
    ),
    "report.count_files": ("共 {n} 个", "{n} in all"),
    "refused.failed": ("无法读取", "unreadable"),
    "refused.rejected": ("整份拒收（--strict）", "refused whole (--strict)"),
    "sheet.files_refused": ("未读取文件", "Files not read"),
    "col.reference": ("参考值（不作为目标）", "Reference (not a target)"),
    "report.units": ("家", ""),
    "report.count_rows": ("共 {n} 条", "{n} in all"),
    "report.threshold_line": ("目标线", "target"),
    "report.no_county_values": ("没有区县级数值", "No county values"),
    "report.footer": (
        "本报告由 kpi-audit {version} 根据各机构上报数据自动生成。",
        "Generated by kpi-audit {version} from the institutions' submissions.",
    ),
    "unit.pp": ("个百分点", " pp"),
    # the unit of a per-N rate in a requirement (≥ 1.2/千人)
    "unit.per_1000": ("/千人", " per 1,000"),
    "unit.per_10000": ("/万人", " per 10,000"),
    # terminal (render/terminal.py)
    "term.unit": ("单位", "Unit"),
    "term.level": ("级别", "Level"),
    "term.value": ("数值", "Value"),
    "term.threshold": ("目标", "Target"),
    "term.gap": ("差距", "Gap"),
    "term.status": ("状态", "Status"),
    "term.reason": ("原因", "Reason"),
    "term.indicator": ("指标", "Indicator"),
    "term.requirement": ("要求", "Requirement"),
    "term.clause": ("条款", "Clause"),
    "term.more": (
        "另有 {n} 家机构达标或无法评估（--level facility 显示全部）",
        "{n} more facilities meet the target or cannot be judged (--level facility shows all)",
    ),
    "term.not_evaluable": (
        "无法评估的目标（{n} 项，完整原因见 JSON / Excel / HTML 报告）",
        "Targets that cannot be evaluated ({n}; full reasons in the JSON, Excel and HTML reports)",
    ),
    "term.issues": (
        "数据问题：{rows} 行被拒绝 · {missing} 家机构本期未上报 · {counties} 个区县"
        "无数据 · {other} 条其他",
        "data issues: {rows} rows rejected · {missing} "
        "institutions did not report · {counties} counties without data · {other} other",
    ),
    "term.summary": (
        "{period}：{pass_} 达标 · {fail} 未达标 · {warn} 预警 · {ne} 无法评估",
        "{period}: {pass_} pass · {fail} fail · {warn} warn · {ne} not evaluable",
    ),
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
    "term.aspirations": (
        "力争目标（不计入未达标）：{pass_} 已达到 · {fail} 未达到 · {warn} 接近 · {ne} 无法评估",
        "aspirations (never counted as failures): {pass_} reached · {fail} not reached · "
        "{warn} close · {ne} not evaluable",
    ),
    "term.reference": (
        "参考（不作为目标）：{label}：{value}（{source}）",
        "reference (context, not a target): {label}: {value} ({source})",
    ),
    "term.aspiration": ("［力争目标，不计入未达标］", "[aspiration, never a failure]"),
    "term.behind": ("未达标区县：{counties}", "Behind target: {counties}"),
    "term.behind_sep": ("、", ", "),
    "term.behind_item": ("{county} {n} 项", "{county} {n} {targets}"),
    "term.nothing": ("没有可报告的目标", "no targets to report"),
    # CLI
    "cli.wrote": ("已生成报告：{path}（{fmt}）", "wrote {path} ({fmt})"),
    "cli.template_wrote": (
        "已生成模板：{path}（{n} 列，其中 {required} 列必填）",
        "wrote {path}: template with {n} columns ({required} required)",
    ),
    "cli.nothing_loaded": (
        "尚未导入任何数据（用 kpi-audit ingest 路径... 导入报表）",
        "nothing loaded yet (kpi-audit ingest PATH... loads submissions)",
    ),
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
    "cli.no_registers": (
        "尚未导入区划名录或机构名录（kpi-audit ingest 文件 即可导入；kpi-audit template "
        "--kind areas|institutions 生成空白表）",
        "no register loaded (kpi-audit ingest FILE loads one; kpi-audit template "
        "--kind areas|institutions writes the blank workbook)",
    ),
    "cli.reg.kind": ("名录", "register"),
    "cli.reg.kind.areas": ("行政区划与人口", "areas"),
    "cli.reg.kind.institutions": ("机构名录", "institutions"),
    "cli.reg.year": ("年度", "year"),
    "cli.reg.rows": ("行数", "rows"),
    "cli.reg.counties": ("区县数", "counties"),
    "cli.reg.files": ("文件数", "files"),
    "cli.reg.last_loaded": ("最近导入", "last loaded"),
    "cli.register_template_wrote": (
        "已生成{kind}模板：{path}（{n} 列，其中 {required} 列必填）",
        "wrote {path}: {kind} template with {n} columns ({required} required)",
    ),
    "cli.sub.period": ("报告期", "period"),
    "cli.sub.county": ("区县", "county"),
    "cli.sub.facilities": ("机构数", "facilities"),
    "cli.sub.rejected": ("被拒绝行", "rejected"),
    "cli.sub.files": ("文件数", "files"),
    "cli.sub.last_ingested": ("最近导入", "last ingested"),
    # ---- not-evaluable reasons: "reason.<reason_code>", placeholders = reason_params
    "reason.no_data": ("本期无数据", "no data for this period"),
    "reason.no_institutions": ("无符合条件的机构", "no institutions in scope"),
    "reason.zero_denominator": ("分母为零", "zero denominator"),
    "reason.field_missing": ("未填报：{fields}", "field not submitted: {fields}"),
    "reason.no_complete_row": (
        "没有机构同时填报：{fields}",
        "no institution submitted all of: {fields}",
    ),
    "reason.no_comparable": ("无上年同期可比数据", "no comparable data a year earlier"),
    "reason.not_in_force": (
        "目标尚未生效（{from_year} 年起）",
        "target not yet in force (from {from_year})",
    ),
    "reason.needs_data": ("缺少数据：{needs_zh}", "needs: {needs}"),
    # reason_params "case" picks a variant: "reason.<code>.<case>"
    "reason.not_in_force.ended": (
        "目标已于 {until_year} 年底到期，不再施行",
        "target no longer in force (it ended with {until_year})",
    ),
    "reason.not_due": (
        "未到期：{due_year} 年底前完成，按全年或第四季度评判（{period} 的数值仅示进展）",
        "not due: to be met by the end of {due_year}, judged on the year or its fourth "
        "quarter ({period} shows progress only)",
    ),
    "reason.out_of_scope": (
        "不适用：本目标只适用于{scope}，该地为{area_type}",
        "not applicable: the target applies to {scope} only; this unit is a {area_type}",
    ),
    "reason.out_of_scope.city": (
        "不适用：本目标只适用于{scope}，本市没有此类区县",
        "not applicable: the target applies to {scope} only, and the city has none",
    ),
    "reason.incomplete": (
        "上报不完整：{reported}/{expected}家已上报，{missing}家未报（{names}），"
        "上期占分母{missing_prior_share}",
        "incomplete: {reported} of {expected} reported, {missing} missing ({names}), "
        "holding {missing_prior_share} of last period's denominator",
    ),
    # ---- data issues: "issue.<code>", placeholders = params
    "issue.missing_registered": (
        "机构名录中本期（{period}）应报，但未上报",
        "expected by the institution register for {period}, but did not report",
    ),
    "issue.reported_with_errors": (
        "本期（{period}）已上报，但所有数据行均被拒绝（见行错误），不计为未报",
        "reported for {period}, but every row was refused (see the row errors); "
        "not counted as missing",
    ),
    "issue.missing_report": (
        "上期（{previous}）已上报、本期（{period}）未上报",
        "reported for {previous} but not for {period}",
    ),
    "issue.county_no_data": (
        "该区县以往各期有数据，本期（{period}）无任何机构上报",
        "county had data in earlier periods but none for {period}",
    ),
    "issue.row_rejected": ("该行在导入时被拒绝", "row rejected at ingest"),
    "issue.yoy_only_now": (
        "{name_zh}：{period} 有数据、{earlier} 无，未计入同比",
        "{name_en}: reported for {period} but not for {earlier}, left out of the comparison",
    ),
    "issue.yoy_only_earlier": (
        "{name_zh}：{earlier} 有数据、{period} 无，未计入同比",
        "{name_en}: reported for {earlier} but not for {period}, left out of the comparison",
    ),
    "issue.fallback_field": (
        "{name_zh}：该机构未填报{field}，以{fallback}代替计算",
        "{name_en}: {field} not submitted, {fallback} used instead",
    ),
    "issue.year_from_quarters": (
        "{year} 年无全年报表，按季度数据汇总（{quarters}）：诊疗人次等流量相加，人口、签约、"
        "床位、人员及属性取最近一个季度",
        "no annual rows for {year}: values aggregated from its quarters ({quarters}): visits "
        "and referrals summed; population, signed residents, beds, staff and flags taken from "
        "each institution's latest quarter",
    ),
    # ---- submission ingest issues (ingest/validate.py)
    "issue.formula_not_computed": (
        "第 {row} 行「{header}」：公式未计算，请在Excel中重新计算后保存",
        "row {row}, {header}: the formula has no computed value; recalculate it in Excel and save",
    ),
    "issue.encoding_suspect": (
        "编码可能不正确：按 {encoding} 读取后，每个数据行都有无法识别的{fields}，"
        "可用 --encoding 指定",
        "the encoding may be wrong: read as {encoding}, every data row has an unrecognised "
        "{fields}; give the right one with --encoding",
    ),
    # ---- register data issues (ingest/registers.py, store/registers.py)
    "issue.register_required": (
        "{header_zh}为必填项，该行未导入",
        "{header_en} is required; row not loaded",
    ),
    "issue.register_not_a_number": (
        "{header_zh}「{value}」不是整数，该行未导入",
        "{header_en} '{value}' is not a whole number; row not loaded",
    ),
    "issue.register_negative": (
        "{header_zh}（{value}）不能为负数，该行未导入",
        "{header_en} ({value}) cannot be negative; row not loaded",
    ),
    "issue.register_bad_area_code": (
        "行政区划代码「{value}」不是 6 位数字的 GB/T 2260 代码，该行未导入",
        "area code '{value}' is not a 6-digit GB/T 2260 code; row not loaded",
    ),
    "issue.register_bad_year": (
        "年度「{value}」不是年份（如 2024），该行未导入",
        "year '{value}' is not a year (such as 2024); row not loaded",
    ),
    "issue.register_bad_period": (
        "{header_zh}「{value}」不是报告期（如 2024Q2 或 2024），该行未导入",
        "{header_en} '{value}' is not a period (such as 2024Q2 or 2024); row not loaded",
    ),
    "issue.register_vocabulary": (
        "{header_zh}「{value}」不是可选值（{choices}），该行未导入",
        "{header_en} '{value}' is not one of {choices}; row not loaded",
    ),
    "issue.register_part_exceeds_whole": (
        "{header_zh}（{value}）大于常住人口（{population}），该行未导入",
        "{header_en} ({value}) exceeds the resident population ({population}); row not loaded",
    ),
    "issue.register_urban_rural_sum": (
        "城镇与农村常住人口之和（{total}）不等于常住人口（{population}）",
        "urban + rural population ({total}) differs from the resident population ({population})",
    ),
    "issue.register_window_reversed": (
        "应报起始期 {reports_from} 晚于应报截止期 {reports_until}，该行未导入",
        "reports_from {reports_from} is after reports_until {reports_until}; row not loaded",
    ),
    "issue.register_duplicate_key": (
        "{key} 在本文件中重复出现，以第 {row} 行（最后一行）为准",
        "{key} appears more than once in this file; row {row} (the last) is kept",
    ),
    "issue.register_area_type_from_code": (
        "区划类型空白，按代码 {area_code} 末两位定为{area_type}",
        "area type blank: {area_type} from the last two digits of code {area_code}",
    ),
    "issue.register_county_not_submitted": (
        "区划名录（{year} 年）中的{county}在报送数据中没有出现",
        "{county} is in the {year} area register but no submission names it",
    ),
    "issue.register_county_missing": (
        "报送数据中的{county}不在已导入的 {year} 年区划名录中",
        "{county} is named in submissions but missing from the loaded {year} area register",
    ),
}

# How a list parameter is joined, per parameter name: (zh, en). Default: 、 and ", ".
_JOINS: dict[str, tuple[str, str]] = {
    "needs_zh": ("；", "; "),
    "quarters": (", ", ", "),
}
_FIELD_PARAMS = ("field", "fields", "fallback")


def label(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (zh or en), with ``{placeholders}`` filled."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def parse_params(params: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """Parameters as a dict, from a JSON object string (as the frames hold them)."""
    if params is None or params == "":
        return {}
    if isinstance(params, str):
        loaded = json.loads(params)
        return loaded if isinstance(loaded, dict) else {}
    return dict(params)


def params_json(**params: Any) -> str:
    """The JSON object string a frame's ``reason_params`` / ``params`` column holds."""
    return json.dumps(params, ensure_ascii=False, sort_keys=True)


_SHARE_PARAMS = ("missing_prior_share", "reporting_rate")


def _shown(name: str, value: Any, lang: str) -> str:
    zh = lang != "en"
    if name in _SHARE_PARAMS:
        if value is None:
            return "未知" if zh else "unknown"
        return f"{float(value) * 100:.1f}%"
    if name in _FIELD_PARAMS and zh:
        ids = value if isinstance(value, list | tuple) else [value]
        value = [FIELDS_BY_ID[f].zh if f in FIELDS_BY_ID else f for f in ids]
    if isinstance(value, list | tuple):
        sep = _JOINS.get(name, ("、", ", "))[0 if zh else 1]
        return sep.join(str(v) for v in value)
    return "" if value is None else str(value)


def coded_text(
    prefix: str, code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh"
) -> str:
    """The message of ``prefix.code`` (``reason`` or ``issue``) in ``lang``; empty
    for no code. An unknown code or a missing parameter shows the code and its
    parameters rather than failing a report."""
    if not code:
        return ""
    values = parse_params(params)
    entry = LABELS.get(f"{prefix}.{code}.{values.get('case')}") or LABELS.get(f"{prefix}.{code}")
    if entry is not None:
        template = entry[1] if lang == "en" else entry[0]
        try:
            return template.format_map({k: _shown(k, v, lang) for k, v in values.items()})
        except (KeyError, IndexError, ValueError):
            pass
    return f"{code} {params_json(**values)}" if values else code


def reason_text(code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh") -> str:
    """A not-evaluable reason (``reason_code`` + ``reason_params``) in ``lang``."""
    return coded_text("reason", code, params, lang)


def issue_text(code: str | None, params: Mapping[str, Any] | str | None, lang: str = "zh") -> str:
    """A data issue's message (``code`` + ``params``) in ``lang``."""
    return coded_text("issue", code, params, lang)


def issue_messages(code: str, **params: Any) -> tuple[str, str, str]:
    """(params JSON, message_zh, message_en) of a data issue found by kpi-audit."""
    return params_json(**params), issue_text(code, params, "zh"), issue_text(code, params, "en")


def issue_exprs(code: str, **params: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(message_zh, message_en) expressions of data issue ``code`` whose parameters are
    columns: the issue's templates with each ``{name}`` filled from ``params[name]``."""
    return tuple(  # type: ignore[return-value]
        pl.format(
            re.sub(r"\{\w+\}", "{}", template),
            *(
                params[name].cast(pl.String).fill_null("")
                for name in re.findall(r"\{(\w+)\}", template)
            ),
        )
        for template in LABELS[f"issue.{code}"]
    )


def _coded_expr(frame: pl.DataFrame, prefix: str, code: str, params: str, lang: str) -> pl.Expr:
    """The messages of a frame's ``code`` / ``params`` columns in ``lang``: each
    distinct pair rendered once, then mapped (null where there is no code)."""
    key = pl.concat_str([pl.col(code), pl.col(params).fill_null("")], separator="\x1f")
    pairs = frame.select(code, params).unique().drop_nulls(code)
    mapping = {f"{c}\x1f{p or ''}": coded_text(prefix, c, p, lang) for c, p in pairs.iter_rows()}
    return key.replace_strict(mapping, default=None, return_dtype=pl.String)


def reason_expr(frame: pl.DataFrame, lang: str = "zh") -> pl.Expr:
    """A results frame's reasons (``reason_code`` + ``reason_params``) in ``lang``."""
    return _coded_expr(frame, "reason", "reason_code", "reason_params", lang)


def message_expr(lang: str = "zh") -> pl.Expr:
    """A data-issues frame's message in ``lang`` (its ``message_zh`` / ``message_en``)."""
    return pl.col("message_en" if lang == "en" else "message_zh")


def localized(result: AuditResult, lang: str = "zh") -> AuditResult:
    """A copy of ``result`` whose results carry ``reason`` and whose data issues carry
    ``message``, both in ``lang``: what the report renderers show."""
    return replace(
        result,
        results=result.results.with_columns(reason=reason_expr(result.results, lang)),
        data_issues=result.data_issues.with_columns(message=message_expr(lang)),
    )
