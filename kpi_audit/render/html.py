"""The self-contained HTML report: one file, CSS and SVG charts inline, no scripts,
no external fonts or images. Long lists (facilities behind target, data issues,
missing institutions) are capped so a national quarter still gives a small page.

Usage: ``write_html(result, path, lang="zh")`` or ``render_html(result, lang="zh")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpi_audit.core.models import Target
from kpi_audit.core.periods import parse_period
from kpi_audit.core.result import STATUSES, AuditResult
from kpi_audit.render import html_sections as sections
from kpi_audit.render import svg
from kpi_audit.render.first_page import (
    TARGET_CATEGORIES,
    county_matrix,
    failing_counties,
    target_counts,
    target_overview,
)
from kpi_audit.render.format import (
    STATUS_SYMBOL,
    display_of,
    format_count,
    format_gap,
    format_value,
    reporting_headline,
    status_text,
)
from kpi_audit.render.i18n import label, localized
from kpi_audit.render.report_frames import (
    behind_target,
    county_ranking,
    recent_trend,
    references,
    register_lines,
    share_flags,
    target_summary,
)

FACILITY_CAP = 200  # facilities behind target listed per target
TREND_PERIODS = 8
MATRIX_BLOCK = 13  # target columns per block of the county × target matrix (fits A4)
TREND_MAX_COUNTIES = 10  # county lines in a trend chart: the furthest behind

_env = Environment(
    loader=PackageLoader("kpi_audit.render", "templates"),
    autoescape=select_autoescape(
        enabled_extensions=("html", "j2", "html.j2"), default_for_string=True, default=True
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_html(result: AuditResult, path: Path, *, lang: str = "zh") -> None:
    from kpi_audit.core.atomic import write_text_atomic

    write_text_atomic(path, render_html(result, lang=lang))


def render_html(result: AuditResult, *, lang: str = "zh") -> str:
    template = _env.get_template("report.html.j2")
    return template.render(**_context(localized(result, lang), lang))


def _context(result: AuditResult, lang: str) -> dict[str, Any]:
    shares = share_flags(result)
    summary = target_summary(result, lang, shares)
    targets = {t.id: t for t in result.targets}
    counts = result.summary()
    period = parse_period(result.period)
    from kpi_audit.render.quality import html_quality

    return {
        "lang": lang,
        "quality": html_quality(result.quality, lang),
        "L": lambda key, **kw: label(key, lang, **kw),
        "title": f"{result.area} {label('report.title', lang)}",
        "area": result.area,
        "period": period.label_zh if (period and lang == "zh") else result.period,
        "target_sets": result.target_sets,
        "documents": _documents(result),
        "page1": _first_page(result, lang),
        "generated": f"{result.generated_at:%Y-%m-%d %H:%M}",
        "version": result.version,
        "cards": [
            {
                "status": s,
                "symbol": STATUS_SYMBOL[s],
                "word": label(f"status.{s}", lang),
                "n": counts[s],
            }
            for s in STATUSES
        ],
        "summary_groups": [
            (name, [_summary_row(row, lang) for row in rows.iter_rows(named=True)])
            for (name,), rows in summary.group_by("target_set", maintain_order=True)
        ],
        "sections": [
            _section(result, targets[row["target_id"]], row, lang)
            for row in summary.iter_rows(named=True)
        ],
        "issues": sections.issues(result, lang),
        "completeness": sections.completeness(result, lang),
        "refused": sections.refused(result, lang),
        "sources": sections.sources(result.targets),
        "registers": register_lines(result, lang),
    }


def _documents(result: AuditResult) -> list[str]:
    """The documents audited, by title and number, each once (never the set's slug)."""
    seen = dict.fromkeys(
        f"{t.source.document}（{t.source.number}）" if t.source.number else t.source.document
        for t in result.targets
    )
    return list(seen)


def _first_page(result: AuditResult, lang: str) -> dict[str, Any]:
    overview = target_overview(result, lang)
    counts = target_counts(overview)
    units = result.summary()
    matrix = county_matrix(result, overview)
    blocks = [
        (
            matrix.columns[i : i + MATRIX_BLOCK],
            [(c, cells[i : i + MATRIX_BLOCK]) for c, cells in matrix.rows],
        )
        for i in range(0, len(matrix.columns), MATRIX_BLOCK)
    ]
    streaks = {
        r["target_id"]: r
        for r in result.streaks.filter(pl.col("level") == "city").iter_rows(named=True)
    }
    rows = []
    for r in overview.iter_rows(named=True):
        shown = display_of(result.value_kinds, r["indicator"])
        streak = streaks.get(r["target_id"])
        rows.append(
            {
                **r,
                "anchor": _anchor(r["target_id"]),
                "city_value_text": shown.value(r["city_value"]),
                "city_gap_text": shown.gap(r["city_gap"], lang),
                "status_text": status_text(r["status"], lang),
                "category_text": label(f"cat.{r['category']}", lang),
                "streak": label("page1.streak", lang, n=streak["periods_missed"]) if streak else "",
                "references": references(result, r["indicator"], lang),
            }
        )
    return {
        "reporting_headline": reporting_headline(result, lang),
        "counts": [
            {
                "category": c,
                "n": counts[c],
                "word": (f"{STATUS_SYMBOL[c]} " if c in STATUS_SYMBOL else "")
                + label(f"cat.{c}", lang),
            }
            for c in TARGET_CATEGORIES
        ],
        "units": " · ".join(
            f"{STATUS_SYMBOL[s]} {label(f'status.{s}', lang)} {units[s]}" for s in STATUSES
        ),
        "matrix_blocks": blocks,
        "targets": rows,
        "failing": failing_counties(result, overview, lang),
    }


def _summary_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    share, whole = bool(row["_share"]), bool(row["_whole"])
    return {
        "id": row["target_id"],
        "anchor": _anchor(row["target_id"]),
        "name": row["indicator_name"],
        "target_set": row["target_set"],
        "requirement": row["requirement"],
        "city_value": format_value(row["city_value"], share, whole=whole),
        "city_gap": format_gap(row["city_gap"], share, lang, whole=whole),
        "status": row["city_status"],
        "status_text": status_text(row["city_status"], lang),
        "n": {s: row[f"n_{s}"] for s in STATUSES},
        "n_facility_fail": row["n_facility_fail"],
    }


def _anchor(target_id: str) -> str:
    return "t-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in target_id)


def _section(result: AuditResult, target: Target, row: dict[str, Any], lang: str) -> dict[str, Any]:
    share, whole = bool(row["_share"]), bool(row["_whole"])
    ranking = county_ranking(result, target.id)
    behind, behind_total = behind_target(result, target.id, FACILITY_CAP)
    reason = _only_reason(result, target.id)
    if reason is not None:  # the same reason for every unit: said once, no ranking
        ranking = ranking.clear()
    else:
        city = result.results.filter(
            (pl.col("target_id") == target.id) & (pl.col("level") == "city")
        ).head(1)
        reason = city["reason"][0] if city.height else None
    name = row["indicator_name"]
    return {
        "id": target.id,
        "anchor": _anchor(target.id),
        "name": name,
        "title_zh": target.title_zh,
        "target_set": target.target_set,
        "requirement": row["requirement"],
        "references": references(result, target.indicator, lang),
        "from_year": target.from_year,
        "until_year": target.until_year,
        "note": target.note,
        "source": target.source,
        "status": row["city_status"],
        "status_text": status_text(row["city_status"], lang),
        "city_value": format_value(row["city_value"], share, whole=whole),
        "city_gap": format_gap(row["city_gap"], share, lang, whole=whole),
        "reason": reason or "",
        "bar_chart": _bar_chart(ranking, target, name, share, whole, lang),
        "trend_chart": _trend_chart(result, target, ranking, name, share, whole, lang),
        "trend_note": (
            label("report.trend_worst", lang, n=TREND_MAX_COUNTIES)
            if ranking.height > TREND_MAX_COUNTIES
            else ""
        ),
        "ranking": _ranking_rows(ranking, share, whole, lang),
        "behind": _behind_rows(behind, share, whole, lang),
        "level_counts": [
            c
            for c in (_level_counts(result, target.id, lv, lang) for lv in ("county", "facility"))
            if c
        ],
        "behind_total": behind_total,
        "behind_more": max(behind_total - behind.height, 0),
    }


def _bar_chart(
    ranking: pl.DataFrame, target: Target, name: str, share: bool, whole: bool, lang: str
) -> Markup | None:
    """The counties' values against the threshold; None when no county has a value."""
    bars = [
        svg.Bar(r["unit_name"] or r["unit"], r["value"], r["status"])
        for r in ranking.filter(pl.col("value").is_not_null()).iter_rows(named=True)
    ]
    if not bars:
        return None
    return svg.bar_chart(
        bars,
        target.threshold,
        share=share,
        whole=whole,
        threshold_label=label("report.threshold_line", lang),
        title=f"{name}: {label('report.chart_counties', lang)}",
    )


def _ranking_rows(
    ranking: pl.DataFrame, share: bool, whole: bool, lang: str
) -> list[dict[str, Any]]:
    return [
        {
            "rank": r["rank"],
            "unit": r["unit_name"] or r["unit"],
            "value": format_value(r["value"], share, whole=whole),
            "gap": format_gap(r["gap"], share, lang, whole=whole),
            "status": r["status"],
            "status_text": status_text(r["status"], lang),
            "numerator": format_count(r["numerator"]),
            "denominator": format_count(r["denominator"]),
            "reason": r["reason"] or "",
            "change_previous": _change(r["value"], r["value_previous"], share, whole, lang),
            "change_year": _change(r["value"], r["value_year_earlier"], share, whole, lang),
            "rank_change": _rank_move(r["rank_change"]),
        }
        for r in ranking.iter_rows(named=True)
    ]


def _behind_rows(behind: pl.DataFrame, share: bool, whole: bool, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "code": r["unit"],
            "name": r["unit_name"] or "",
            "county": r["county"] or "",
            "value": format_value(r["value"], share, whole=whole),
            "gap": format_gap(r["gap"], share, lang, whole=whole),
            "status": r["status"],
            "status_text": status_text(r["status"], lang),
        }
        for r in behind.iter_rows(named=True)
    ]


def _change(value: float | None, earlier: float | None, share: bool, whole: bool, lang: str) -> str:
    """环比 / 同比: the change since then, in percentage points for shares."""
    if value is None or earlier is None:
        return ""
    return format_gap(value - earlier, share, lang, whole=whole)


def _rank_move(change: int | None) -> str:
    if change is None:
        return ""
    return f"↑{change}" if change > 0 else (f"↓{-change}" if change < 0 else "–")


def _only_reason(result: AuditResult, target_id: str) -> str | None:
    """The reason when every unit of the target is not evaluable for that one reason
    (data the submissions lack, a target not yet in force, …); else None."""
    rows = result.results.filter(pl.col("target_id") == target_id)
    reasons = rows["reason"].unique()
    if rows.is_empty() or (rows["status"] != "not_evaluable").any() or reasons.len() != 1:
        return None
    return reasons[0]


def _level_counts(result: AuditResult, target_id: str, level: str, lang: str) -> str:
    """``县级: ✔ 达标 4 · ✘ 未达标 3`` — the units at ``level`` by status; "" if none."""
    rows = result.results.filter((pl.col("target_id") == target_id) & (pl.col("level") == level))
    if rows.is_empty():
        return ""
    counts = dict(rows.group_by("status").len().iter_rows())
    parts = [f"{status_text(s, lang)} {counts[s]}" for s in STATUSES if counts.get(s)]
    return f"{label(f'level.{level}', lang)}: " + " · ".join(parts)


def _trend_chart(
    result: AuditResult,
    target: Target,
    ranking: pl.DataFrame,
    name: str,
    share: bool,
    whole: bool,
    lang: str,
) -> Any:
    trend = recent_trend(result, target.indicator, TREND_PERIODS)
    # A city-wide target is not a yardstick for the counties: show the city alone.
    trend = trend.filter(pl.col("level").is_in([lv for lv in target.levels if lv != "facility"]))
    if ranking.height > TREND_MAX_COUNTIES:  # beyond ~10 lines a chart is unreadable
        worst = ranking.filter(pl.col("value").is_not_null()).tail(TREND_MAX_COUNTIES)
        trend = trend.filter(
            (pl.col("level") == "city") | pl.col("unit").is_in(worst["unit"].to_list())
        )
    if trend.is_empty():
        return None
    periods = trend.sort("_i")["period"].unique(maintain_order=True).to_list()
    index = {p: i for i, p in enumerate(periods)}
    lines = []
    for (level, unit), rows in trend.group_by(["level", "unit"], maintain_order=True):
        values: list[float | None] = [None] * len(periods)
        for period, value in rows.select("period", "value").iter_rows():
            values[index[period]] = value
        lines.append(svg.Line(str(unit), values, emphasis=level == "city"))
    return svg.line_chart(
        periods,
        lines,
        target.threshold,
        share=share,
        whole=whole,
        threshold_label=label("report.threshold_line", lang),
        title=f"{name}: {label('report.chart_trend', lang)}",
    )
