"""Data-quality review words: the terminal table, the Excel sheet 数据质量 and the HTML
section (kpi_audit.render.quality); why a unit was not assessed is
``quality.reason.<code>``. The rule texts themselves are in quality/rules.toml.

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

QUALITY: dict[str, tuple[str, str]] = {
    "quality.title": ("数据质量审核 · {period}", "Data-quality review · {period}"),
    "quality.none": ("未发现数据质量问题", "no data-quality findings"),
    "quality.city_level": ("全市", "City level"),
    "quality.severity": ("级别", "Severity"),
    "quality.rule": ("规则", "Rule"),
    "quality.unit": ("单位", "Unit"),
    "quality.county": ("区县", "County"),
    "quality.item": ("项目", "Item"),
    "quality.value": ("数值", "Value"),
    "quality.expected": ("合理范围", "Plausible range"),
    "quality.history": ("历史", "History"),
    "quality.message": ("说明", "Finding"),
    "quality.sheet": ("数据质量", "Data quality"),
    "quality.note": (
        "数据质量提示不改变任何目标的判定；"
        "使用 --fail-on quality 时，“错误”级别的提示使退出码为 1。",
        "Findings never change a verdict; with --fail-on quality an error finding makes the "
        "exit code 1.",
    ),
    "quality.total": (
        "共 {n} 条数据质量提示（错误 {errors}，警示 {warnings}）",
        "{n} data-quality findings ({errors} errors, {warnings} warnings)",
    ),
    "quality.not_assessed": ("未评估 {units} 项：{reason}", "not assessed: {units} ({reason})"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警示", "warning"),
    "quality.reason.short_history": (
        "此前期数不足规则所需",
        "fewer earlier periods than the rule needs",
    ),
    "quality.reason.no_previous": ("无上期数据", "no previous period"),
    "quality.reason.no_history": ("无往年同期数据", "no earlier years' same period"),
    "quality.reason.no_value": ("本期无法计算", "no value this period"),
    "quality.reason.area_register": (
        "人口取自行政区划与人口登记表",
        "population from the area register",
    ),
}
