"""The terminal summary of a check: one rich table per target, units behind target
first, then data-issue counts and a one-line summary.

Status is always a symbol and a word as well as a colour, so the output reads the same
with NO_COLOR, in a pipe, or in a log file.
"""

from __future__ import annotations

import re

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kpi_audit.fields import FIELDS_BY_ID
from kpi_audit.models import Target
from kpi_audit.render.labels import (
    format_gap,
    format_value,
    indicator_is_share,
    indicator_name,
    level_text,
    status_text,
    threshold_text,
)
from kpi_audit.result import AuditResult

STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "not_evaluable": "dim"}
LEVEL_ORDER = {"city": 0, "county": 1, "facility": 2}
BEHIND = ("fail", "warn")

_REASONS_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^zero denominator$"), "分母为零"),
    (re.compile(r"^no institutions in scope$"), "无符合条件的机构"),
    (re.compile(r"^no comparable data a year earlier$"), "无上年同期可比数据"),
    (re.compile(r"^target not yet in force \(from (\d+)\)$"), r"目标尚未生效（\1 年起）"),
    (re.compile(r"^needs: (.*)$"), r"缺少所需数据：\1"),
    (re.compile(r"^no institution submitted all of: (.*)$"), r"没有机构同时填报：\1"),
)


def reason_text(reason: str | None, lang: str = "zh") -> str:
    """The evaluation's reason (English, as in the JSON) in the report language."""
    if not reason or lang == "en":
        return reason or ""
    missing = re.match(r"^field not submitted: (\w+)$", reason)
    if missing:
        field = FIELDS_BY_ID.get(missing.group(1))
        return f"未填报：{field.zh if field else missing.group(1)}"
    for pattern, zh in _REASONS_ZH:
        if pattern.match(reason):
            return pattern.sub(zh, reason)
    return reason


_WORDS = {
    "unit": ("单位", "Unit"),
    "level": ("级别", "Level"),
    "value": ("数值", "Value"),
    "threshold": ("目标", "Target"),
    "gap": ("差距", "Gap"),
    "status": ("状态", "Status"),
    "reason": ("原因", "Reason"),
    "more": (
        "另有 {n} 家机构达标或无法评估（--level facility 显示全部）",
        "{n} more facilities meet the target or cannot be judged (--level facility shows all)",
    ),
    "issues": (
        "数据问题：{rows} 行被拒绝 · {missing} 家机构本期未上报 · {counties} 个区县"
        "无数据 · {other} 条其他",
        "data issues: {rows} rows rejected · {missing} "
        "institutions did not report · {counties} counties without data · {other} other",
    ),
    "summary": (
        "{period}：{pass_} 达标 · {fail} 未达标 · {warn} 预警 · {ne} 无法评估",
        "{period}: {pass_} pass · {fail} fail · {warn} warn · {ne} not evaluable",
    ),
    "nothing": ("没有可报告的目标", "no targets to report"),
}


def _word(key: str, lang: str, **fmt: object) -> str:
    zh, en = _WORDS[key]
    return (en if lang == "en" else zh).format(**fmt)


def _title(target: Target, result: AuditResult, share: bool, lang: str) -> Text:
    title = Text()
    title.append(indicator_name(result.indicator_names, target.indicator, lang), "bold")
    title.append(f"  {threshold_text(target, share, lang)}")
    title.append(f"  [{target.target_set}] {target.source.citation} {target.source.clause}", "dim")
    return title


def _ordered(rows: pl.DataFrame) -> pl.DataFrame:
    """City, county, facility; within a level the furthest behind first."""
    return (
        rows.with_columns(
            _lv=pl.col("level").replace_strict(LEVEL_ORDER, default=3, return_dtype=pl.Int8),
            _ne=pl.col("status") == "not_evaluable",
        )
        .sort("_lv", "_ne", "gap", "unit", nulls_last=True)
        .drop("_lv", "_ne")
    )


def _table(rows: pl.DataFrame, share: bool, lang: str, title: Text) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for key, justify in (
        ("level", "left"),
        ("unit", "left"),
        ("value", "right"),
        ("threshold", "right"),
        ("gap", "right"),
        ("status", "left"),
        ("reason", "left"),
    ):
        table.add_column(_word(key, lang), justify=justify)  # type: ignore[arg-type]
    for r in rows.iter_rows(named=True):
        unit = (
            r["unit"] if r["unit_name"] in (None, r["unit"]) else f"{r['unit_name']} ({r['unit']})"
        )
        low = format_value(r["threshold"], share)
        threshold = (
            f"{low}–{format_value(r['threshold_high'], share)}"
            if r["operator"] == "between"
            else low
        )
        table.add_row(
            level_text(r["level"], lang),
            unit,
            format_value(r["value"], share),
            threshold,
            format_gap(r["gap"], share, lang),
            Text(status_text(r["status"], lang), style=STYLE[r["status"]]),
            reason_text(r["reason"], lang),
        )
    return table


def print_result(
    result: AuditResult, console: Console, *, level: str = "all", lang: str = "zh"
) -> None:
    """Print ``result``: a table per target, then issue counts and the summary line.

    Unless ``level`` is ``facility``, facility rows are cut to those behind target plus
    a count of the rest.
    """
    results = result.results
    if level != "all":
        results = results.filter(pl.col("level") == level)
    shares = indicator_is_share(result.targets)
    by_target = results.partition_by("target_id", as_dict=True, maintain_order=True)
    targets = {t.id: t for t in result.targets}
    for (target_id,), rows in by_target.items():
        target = targets.get(str(target_id))
        if target is None:
            continue
        share = shares.get(target.indicator, abs(target.threshold) <= 1)
        hidden = 0
        if level != "facility":
            facility = pl.col("level") == "facility"
            keep = ~facility | pl.col("status").is_in(BEHIND)
            hidden = rows.filter(~keep).height
            rows = rows.filter(keep)
        console.print(_table(_ordered(rows), share, lang, _title(target, result, share, lang)))
        if hidden:
            console.print(Text(_word("more", lang, n=hidden), style="dim"))
        console.print()
    if not results.height:
        console.print(_word("nothing", lang))
    issues = result.data_issues["kind"].value_counts()
    counts = dict(zip(issues["kind"].to_list(), issues["count"].to_list(), strict=True))
    other = sum(
        n
        for k, n in counts.items()
        if k not in ("row_error", "missing_report", "county_no_data", "notice")
    )
    for notice in result.data_issues.filter(pl.col("kind") == "notice")["message"].to_list():
        console.print(Text(notice, style="dim"))
    console.print(
        _word(
            "issues",
            lang,
            rows=result.completeness.rejected_rows,
            missing=counts.get("missing_report", 0),
            counties=counts.get("county_no_data", 0),
            other=other,
        )
    )
    s = (
        result.summary()
        if level == "all"
        else {k: results.filter(pl.col("status") == k).height for k in result.summary()}
    )
    console.print(
        Text(
            _word(
                "summary",
                lang,
                period=result.period,
                pass_=s["pass"],
                fail=s["fail"],
                warn=s["warn"],
                ne=s["not_evaluable"],
            ),
            style="bold",
        )
    )
