"""Not-evaluable reasons: ``reason.<reason_code>`` (and ``reason.<code>.<case>``);
placeholders are the ``reason_params``.

One entry per key: ``key -> (zh, en)``; merged into
:data:`kpi_audit.render.i18n.LABELS`."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
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
}
