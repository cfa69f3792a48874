"""Words the reports show, in Chinese and English, and how values are displayed.

One table (:data:`LABELS`) serves the Excel, HTML and terminal renderers, so a heading
reads the same everywhere. Chinese is the default language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.models import Target
from kpi_audit.core.result import NEEDS_PREFIX, needs_reason

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
    # completeness
    "comp.expected": ("应报机构数（上期已报）", "Institutions expected (reported last period)"),
    "comp.reported": ("本期已报机构数", "Institutions reported"),
    "comp.missing": ("未报机构数", "Institutions missing"),
    "comp.rejected": ("被拒绝的数据行", "Rows rejected"),
    "comp.counties_without_data": ("无数据的区县", "Counties without data"),
    "comp.missing_list": ("未上报的机构", "Institutions that did not report"),
    "comp.none": ("无", "none"),
    # report text
    "report.title": ("医改目标监测报告", "Health-reform target report"),
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
    "report.units": ("家", ""),
    "report.count_rows": ("共 {n} 条", "{n} in all"),
    "report.threshold_line": ("目标线", "target"),
    "report.no_county_values": ("没有区县级数值", "No county values"),
    "report.footer": (
        "本报告由 kpi-audit {version} 根据各机构上报数据自动生成。",
        "Generated by kpi-audit {version} from the institutions' submissions.",
    ),
    "unit.pp": ("个百分点", " pp"),
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
    "term.behind": ("未达标区县：{counties}", "Behind target: {counties}"),
    "term.behind_sep": ("、", ", "),
    "term.behind_item": ("{county} {n} 项", "{county} {n} {targets}"),
    "term.nothing": ("没有可报告的目标", "no targets to report"),
    # CLI
    "cli.wrote": ("已生成报告：{path}（{fmt}）", "wrote {path} ({fmt})"),
}

STATUS_ORDER = ("fail", "warn", "not_evaluable", "pass")
STATUS_SYMBOL: dict[str, str] = {"pass": "✔", "fail": "✘", "warn": "!", "not_evaluable": "?"}
# (fill, text) colours per status, as RGB hex without '#': green / red / amber / grey.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "pass": ("C6EFCE", "006100"),
    "fail": ("FFC7CE", "9C0006"),
    "warn": ("FFEB9C", "7A4B00"),
    "not_evaluable": ("E7E6E6", "4D4D4D"),
}
OPERATOR_TEXT: dict[str, tuple[str, str]] = {
    ">=": ("≥", "≥"),
    "<=": ("≤", "≤"),
    ">": (">", ">"),
    "<": ("<", "<"),
    "==": ("=", "="),
    "between": ("介于", "between"),
}


def label(key: str, lang: str = "zh", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (zh or en), with ``{placeholders}`` filled."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def status_text(status: str | None, lang: str = "zh") -> str:
    """Symbol and word, e.g. ``✘ 未达标`` — never colour alone."""
    if status is None:
        return ""
    return f"{STATUS_SYMBOL[status]} {label(f'status.{status}', lang)}"


def level_text(level: str, lang: str = "zh") -> str:
    return label(f"level.{level}", lang)


def kind_text(kind: str | None, lang: str = "zh") -> str:
    if kind is None:
        return ""
    key = f"kind.{kind}"
    return label(key, lang) if key in LABELS else kind


# The evaluation's reasons are English strings (the JSON contract keeps them so);
# every report shows them through :func:`reason_text`.
_REASONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^zero denominator$"), "分母为零"),
    (re.compile(r"^no institutions in scope$"), "无符合条件的机构"),
    (re.compile(r"^no comparable data a year earlier$"), "无上年同期可比数据"),
    (re.compile(r"^target not yet in force \(from (\d+)\)$"), r"目标尚未生效（\1 年起）"),
    (re.compile(r"^needs: (.*)$", re.DOTALL), r"缺少数据：\1"),
)
_FIELD_REASONS_ZH = (
    (re.compile(r"^field not submitted: (.*)$"), "未填报：{}"),
    (re.compile(r"^no institution submitted all of: (.*)$"), "没有机构同时填报：{}"),
)


def _field_list_zh(ids: str) -> str:
    names = [FIELDS_BY_ID[f].zh if f in FIELDS_BY_ID else f for f in ids.split(", ")]
    return "、".join(names)


# indicator id -> (needs, needs_zh): what AuditResult.indicator_needs holds.
IndicatorNeeds = Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]


def reason_text(
    reason: str | None, lang: str = "zh", indicator_needs: IndicatorNeeds | None = None
) -> str:
    """An evaluation reason (English, as in the JSON) in the report language: Chinese
    with field ids as the template's headers, and the data a target needs as the
    catalog's ``needs_zh`` (pass ``AuditResult.indicator_needs``); English as given.
    Empty for None."""
    if not reason or lang == "en":
        return reason or ""
    if indicator_needs and reason.startswith(NEEDS_PREFIX):
        for needs, needs_zh in indicator_needs.values():
            if needs_zh and needs_reason(needs) == reason:
                return "缺少数据：" + "；".join(needs_zh)
    for pattern, template in _FIELD_REASONS_ZH:
        match = pattern.match(reason)
        if match:
            return template.format(_field_list_zh(match.group(1)))
    for pattern, zh in _REASONS_ZH:
        if pattern.match(reason):
            return pattern.sub(zh, reason)
    return reason


def indicator_name(names: dict[str, tuple[str, str]], indicator: str, lang: str = "zh") -> str:
    zh, en = names.get(indicator, (indicator, indicator))
    return en if lang == "en" else zh


# ---- value display -----------------------------------------------------------------
# A "share" is shown as a percentage (0.4828 → 48.3%); every other scale (per_1000,
# per_10000, number) as a plain number.


def indicator_is_share(targets: Iterable[Target]) -> dict[str, bool]:
    """Which indicators are shares, from the indicator catalog when it is available,
    else from the thresholds (a threshold ≤ 1 means a share)."""
    targets = tuple(targets)
    scales = {i: scale for i, (_, scale) in _catalog_kinds().items()}
    shares: dict[str, bool] = {}
    for t in targets:
        if t.indicator in scales:
            shares[t.indicator] = scales[t.indicator] == "fraction"
        else:
            shares[t.indicator] = shares.get(t.indicator, True) and abs(t.threshold) <= 1
    return shares


def counted_indicators(targets: Iterable[Target]) -> set[str]:
    """Indicators whose values are counts (kinds sum and count): shown as whole
    numbers (5, not 5.00)."""
    kinds = _catalog_kinds()
    return {t.indicator for t in targets if kinds.get(t.indicator, ("", ""))[0] in ("sum", "count")}


def _catalog_kinds() -> dict[str, tuple[str, str]]:
    """indicator id -> (kind, scale) from the catalog; empty when it is unavailable."""
    try:
        from kpi_audit.spec.catalog import load_catalog
    except ImportError:
        return {}
    catalog = load_catalog()
    indicators = getattr(catalog, "indicators", catalog)
    values = indicators.values() if isinstance(indicators, dict) else indicators
    return {ind.id: (ind.kind, ind.scale) for ind in values}


# A gap this close to zero is "exactly at target" (float noise from sums and ratios).
_AT_TARGET = 1e-9


def format_value(
    value: float | None, share: bool, *, signed: bool = False, whole: bool = False
) -> str:
    """48.3% for shares, 1.25 for numbers, 5 for counts (``whole``); empty for
    missing. Never "-0.0"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "+" if signed else ""
    if share:
        return f"{round(value * 100, 1) + 0.0:{sign}.1f}%"
    if whole:
        return f"{round(value) + 0:{sign},d}"
    return f"{round(value, 2) + 0.0:{sign},.2f}"


def format_gap(gap: float | None, share: bool, lang: str = "zh", *, whole: bool = False) -> str:
    """A share's gap in percentage points (-9.5个百分点), else a signed number; ± when
    the value is exactly at target, the true sign when it rounds to zero."""
    if gap is None or (isinstance(gap, float) and math.isnan(gap)):
        return ""
    sign = "±" if abs(gap) < _AT_TARGET else ("-" if gap < 0 else "+")
    if share:
        return f"{sign}{round(abs(gap) * 100, 1):.1f}{label('unit.pp', lang)}"
    return sign + format_value(abs(gap), False, whole=whole)


def format_count(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def threshold_text(target: Target, share: bool, lang: str = "zh") -> str:
    """``≥ 65.0%``, ``介于 1 和 3``."""
    op = OPERATOR_TEXT.get(target.operator, (target.operator, target.operator))
    word = op[1] if lang == "en" else op[0]
    low = _threshold_number(target.threshold, share)
    if target.operator == "between" and target.threshold_high is not None:
        high = _threshold_number(target.threshold_high, share)
        return f"{word} {low} – {high}"
    return f"{word} {low}"


def _threshold_number(value: float, share: bool) -> str:
    """Thresholds as the documents write them: 65.0%, 2, 1.2."""
    return format_value(value, True) if share else f"{value:,g}"


def display_width(text: str) -> int:
    """Width in character cells: CJK and full-width characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_width_px(text: str, font_px: int) -> int:
    return round(display_width(text) * font_px * 0.55)
