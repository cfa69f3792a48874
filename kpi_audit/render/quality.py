"""The data-quality findings (``AuditResult.quality`` / ``kpi-audit quality``) for every
renderer: JSON records (domain.md §5 ``quality``), CSV rows, the terminal table.

Self-contained so that the report renderers only call in: ``xlsx_quality`` and
``html_quality`` hold the Excel sheet and the HTML section.
"""

from __future__ import annotations

import csv
import math
from typing import IO, Any

import polars as pl

from kpi_audit.core.result import QualityReview
from kpi_audit.render.i18n import LABELS, label

# domain.md §5, then additive keys.
QUALITY_KEYS = (
    "rule",
    "level",
    "unit",
    "period",
    "indicator",
    "field",
    "value",
    "expected_low",
    "expected_high",
    "score",
    "message",
    "severity",
    "kind",
    "unit_name",
    "county",
    "reference",
    "other",
    "count",
    "message_zh",
    "message_en",
    "history",
    "history_periods",
)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def quality_frame(review: QualityReview, lang: str = "zh") -> pl.DataFrame:
    """The findings with their messages (``message`` in ``lang``, and both languages)."""
    from kpi_audit.quality.messages import messages

    zh, en = messages(review, "zh"), messages(review, "en")
    return review.findings.with_columns(
        message=en if lang == "en" else zh, message_zh=zh, message_en=en
    )


def quality_records(review: QualityReview | None, lang: str = "zh") -> list[dict[str, Any]]:
    if review is None:
        return []
    frame = quality_frame(review, lang).select(QUALITY_KEYS)
    return [{k: _finite(v) for k, v in r.items()} for r in frame.to_dicts()]


def coverage_records(review: QualityReview | None) -> list[dict[str, Any]]:
    return [] if review is None else review.coverage.to_dicts()


def review_json(review: QualityReview, lang: str = "zh") -> dict[str, Any]:
    """What ``kpi-audit quality --format json`` prints."""
    return {
        "period": review.period,
        "quality": quality_records(review, lang),
        "quality_coverage": coverage_records(review),
    }


_CSV_KEYS = tuple(k for k in QUALITY_KEYS if k not in ("history", "history_periods"))


def write_quality_csv(review: QualityReview, stream: IO[str], lang: str = "zh") -> None:
    writer = csv.writer(stream)
    writer.writerow(_CSV_KEYS)
    for r in quality_frame(review, lang).select(_CSV_KEYS).iter_rows():
        writer.writerow(["" if v is None else v for v in r])


def rule_rows(review_rules: Any, lang: str) -> list[dict[str, Any]]:
    """`kpi-audit quality rules`: one entry per rule."""
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "severity": r.severity,
            "name": r.name(lang),
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "parameters": _plain(r.parameters()),
        }
        for r in review_rules
    ]


def write_rule_rows_csv(rows: list[dict[str, Any]], stream: IO[str]) -> None:
    """`kpi-audit quality rules --format csv`: one line per rule, the parameters as JSON."""
    import json

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["id", "kind", "severity", "name", "name_zh", "name_en", "parameters"])
    for r in rows:
        params = json.dumps(r["parameters"], ensure_ascii=False, sort_keys=True)
        writer.writerow(
            [r["id"], r["kind"], r["severity"], r["name"], r["name_zh"], r["name_en"], params]
        )


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-friendly values (a related rule's sides by indicator id or
    their numerator/denominator fields)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None:
            continue
        if hasattr(v, "indicator"):
            ind = v.indicator
            if "." in ind.id:
                out[k] = {
                    "numerator": ind.numerator.field,
                    "denominator": ind.denominator.field if ind.denominator else None,
                    "where": [f"{c.field} {c.op} {c.value}" for c in ind.numerator.where],
                    "per_year": v.per_year,
                }
            else:
                out[k] = ind.id
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


def severity_word(severity: str, lang: str) -> str:
    key = f"severity.{severity}"
    return label(key, lang) if key in LABELS else severity


def print_review(review: QualityReview, console: Any, *, lang: str = "zh") -> None:
    """The terminal table: grouped by county (city-level findings first), most severe
    first inside each group."""
    from rich.table import Table

    frame = quality_frame(review, lang)
    title = label("quality.title", lang, period=review.period)
    if frame.is_empty():
        console.print(title, markup=False)
        console.print(label("quality.none", lang), markup=False)
        return
    console.print(title, markup=False)
    rule_names = {r.id: r.name(lang) for r in review.rules}
    frame = frame.with_columns(
        _group=pl.when(pl.col("level") == "city")
        .then(pl.lit(""))
        .otherwise(pl.col("county").fill_null(""))
    )
    # Counties with an error first, then by name; inside each, most severe first.
    rank = pl.col("severity").replace_strict({"error": 0, "warning": 1}, default=2)
    groups = (
        frame.group_by("_group")
        .agg(rank.min().alias("_worst"))
        .sort("_worst", "_group")["_group"]
        .to_list()
    )
    for group in groups:
        rows = frame.filter(pl.col("_group") == group).sort(
            pl.col("severity").replace_strict({"error": 0, "warning": 1}, default=2),
            maintain_order=True,
        )
        heading = group or label("quality.city_level", lang)
        table = Table(title=heading, title_justify="left", show_lines=False, expand=False)
        for column in ("quality.severity", "quality.rule", "quality.message"):
            table.add_column(label(column, lang), overflow="fold")
        for r in rows.iter_rows(named=True):
            table.add_row(
                severity_word(r["severity"], lang),
                rule_names.get(r["rule"], r["rule"]),
                r["message"],
            )
        console.print(table)
    errors = review.errors()
    console.print(
        label("quality.total", lang, n=frame.height, errors=errors, warnings=frame.height - errors),
        markup=False,
    )


# ---- Excel sheet 数据质量 and the HTML section ------------------------------------------

_SHEET_HEADINGS = (
    "quality.severity",
    "quality.rule",
    "quality.county",
    "quality.unit",
    "quality.item",
    "quality.value",
    "quality.expected",
    "quality.message",
)


def display_frame(review: QualityReview, lang: str) -> pl.DataFrame:
    """One row per finding with the texts every report shows."""
    from kpi_audit.core.fields import FIELDS_BY_ID
    from kpi_audit.quality.messages import number_text

    en = lang == "en"
    rule_names = {r.id: r.name(lang) for r in review.rules}
    fields = {f.id: (f.en if en else f.zh) for f in FIELDS_BY_ID.values()}
    indicators = {i: n[1] if en else n[0] for i, n in review.indicator_names.items()}
    low, high = number_text("expected_low"), number_text("expected_high")
    frame = quality_frame(review, lang)
    return frame.with_columns(
        severity_text=pl.col("severity").replace(
            {s: severity_word(s, lang) for s in ("error", "warning")}
        ),
        rule_name=pl.col("rule").replace(rule_names),
        item=pl.coalesce(pl.col("field").replace(fields), pl.col("indicator").replace(indicators)),
        value_text=number_text("value"),
        expected_text=pl.when(pl.col("kind") == "late_submission")
        .then(pl.lit(""))
        .when(pl.col("expected_low").is_not_null() & pl.col("expected_high").is_not_null())
        .then(pl.format("{}–{}", low, high))
        .when(pl.col("expected_low").is_not_null())
        .then(pl.format("≥ {}", low))
        .when(pl.col("expected_high").is_not_null())
        .then(pl.format("≤ {}", high))
        .otherwise(pl.lit("")),
    )


def write_quality_sheet(wb: Any, review: QualityReview | None, lang: str) -> None:
    """The sheet 数据质量 (Data quality) of a write-only workbook: one row per finding."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    ws = wb.create_sheet(label("quality.sheet", lang))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for letter, width in zip("ABCDEFGH", (8, 26, 10, 30, 22, 12, 20, 90), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"

    def bold(text: str) -> Any:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        return cell

    ws.append([bold(label(h, lang)) for h in _SHEET_HEADINGS])
    if review is None or review.findings.is_empty():
        ws.append([label("quality.none", lang)])
        return
    columns = (
        "severity_text",
        "rule_name",
        "county",
        "unit_name",
        "item",
        "value_text",
        "expected_text",
        "message",
    )
    for row in display_frame(review, lang).select(columns).iter_rows():
        ws.append(["" if v is None else v for v in row])
    ws.append([])
    ws.append([label("quality.note", lang)])


def sparkline(values: list[float | None] | None, periods: list[str] | None) -> str:
    """A small inline SVG line of a finding's history; the last point (the period
    reviewed) is marked. Empty when there is fewer than two values."""
    from markupsafe import escape

    from kpi_audit.render.svg import _segments

    points = [v for v in values or [] if v is not None]
    if values is None or len(points) < 2:
        return ""
    width, height, pad = 120, 28, 3
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{pad + i * step:.1f},{height - pad - (v - lo) / span * (height - 2 * pad):.1f}"

    title = " · ".join(
        f"{p} {'–' if v is None else f'{v:g}'}"
        for p, v in zip(periods or [""] * len(values), values, strict=False)
    )
    lines = "".join(
        f'<polyline fill="none" stroke="#4a6fa5" stroke-width="1.5" '
        f'points="{" ".join(xy(i, v) for i, v in run)}"/>'
        for run in _segments(values)
    )
    last = values[-1]
    mark = (
        f'<circle cx="{xy(len(values) - 1, last).split(",")[0]}" '
        f'cy="{xy(len(values) - 1, last).split(",")[1]}" r="2.8" fill="#c0392b"/>'
        if last is not None
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{lines}{mark}</svg>'
    )


def html_quality(review: QualityReview | None, lang: str) -> dict[str, Any] | None:
    """The context of the HTML section (templates/quality.html.j2); None without a review."""
    from markupsafe import Markup

    if review is None:
        return None
    rows = [
        {**r, "spark": Markup(sparkline(r["history"], r["history_periods"]))}
        for r in display_frame(review, lang).iter_rows(named=True)
    ]
    not_assessed = [
        label(
            "quality.not_assessed",
            lang,
            units=r["units"],
            reason=label(f"quality.reason.{r['reason_code']}", lang)
            if f"quality.reason.{r['reason_code']}" in LABELS
            else r["reason_code"],
        )
        + f" ({r['rule']})"
        for r in review.coverage.filter(pl.col("outcome") == "not_assessed").iter_rows(named=True)
    ]
    errors = review.errors()
    return {
        "title": label("quality.title", lang, period=review.period),
        "note": label("quality.note", lang),
        "none": label("quality.none", lang),
        "total": label(
            "quality.total", lang, n=len(rows), errors=errors, warnings=len(rows) - errors
        ),
        "headings": {
            h.split(".")[1]: label(h, lang) for h in (*_SHEET_HEADINGS, "quality.history")
        },
        "rows": rows,
        "not_assessed": not_assessed,
    }
