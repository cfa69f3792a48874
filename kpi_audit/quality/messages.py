"""Findings' messages, from each rule's text_zh / text_en in ``rules.toml``: filled in
with polars expressions, one per rule (never a loop per finding)."""

from __future__ import annotations

import re

import polars as pl

from kpi_audit.core.fields import FIELDS_BY_ID
from kpi_audit.core.result import QualityReview

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = (
    "unit_name",
    "unit",
    "county",
    "period",
    "field",
    "indicator",
    "value",
    "low",
    "high",
    "score",
    "reference",
    "other",
    "count",
    "note",
)


def number_text(column: str) -> pl.Expr:
    """A finding's number as text, by its value_kind: 12345 · 48.3% · 6.84 · 12."""
    v = pl.col(column)
    whole = v.round(0).cast(pl.Int64).cast(pl.String)
    share = pl.format("{}%", (v * 100).round(1).cast(pl.String))
    number = v.round(2).cast(pl.String)
    kind = pl.col("value_kind")
    text = pl.when(kind == "share").then(share).when(kind == "number").then(number).otherwise(whole)
    return text.fill_null("–")


def _columns(review: QualityReview, lang: str) -> dict[str, pl.Expr]:
    en = lang == "en"
    field_names = {f.id: (f.en if en else f.zh) for f in FIELDS_BY_ID.values()}
    ind_names = {i: (n[1] if en else n[0]) for i, n in review.indicator_names.items()}
    text = {
        "unit_name": pl.col("unit_name").fill_null(pl.col("unit")),
        "unit": pl.col("unit"),
        "county": pl.col("county"),
        "period": pl.col("period"),
        "field": pl.col("field").replace(field_names),
        "indicator": pl.col("indicator").replace(ind_names),
        "other": pl.col("other"),
        "note": pl.col("note"),
        "count": pl.col("count").cast(pl.String),
        "score": pl.col("score").round(2).cast(pl.String),
        "value": number_text("value"),
        "low": number_text("expected_low"),
        "high": number_text("expected_high"),
        "reference": number_text("reference"),
    }
    return {k: e.fill_null("–") for k, e in text.items()}


def messages(
    review: QualityReview, lang: str = "zh", findings: pl.DataFrame | None = None
) -> pl.Series:
    """One message per row of ``findings`` (default: all of the review's), in ``lang``."""
    frame = review.findings if findings is None else findings
    if frame.is_empty():
        return pl.Series("message", [], pl.String)
    columns = _columns(review, lang)
    expr: pl.Expr = pl.lit(None, pl.String)
    for rule in review.rules:
        template = rule.text_en if lang == "en" else rule.text_zh
        names = _PLACEHOLDER.findall(template)
        fmt = _PLACEHOLDER.sub("{}", template)
        filled = pl.format(fmt, *(columns[n] for n in names)) if names else pl.lit(fmt)
        expr = pl.when(pl.col("rule") == rule.id).then(filled).otherwise(expr)
    return frame.select(expr.alias("message")).to_series()
