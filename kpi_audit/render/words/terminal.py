"""Terminal words: the lines and column headings of `check` on a terminal
(kpi_audit.render.terminal).

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

TERMINAL: dict[str, tuple[str, str]] = {
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
}
