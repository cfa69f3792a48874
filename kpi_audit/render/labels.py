"""Where the report words and display helpers used to live; kept so that existing
imports work. Words: :mod:`kpi_audit.render.i18n`; formats, statuses, levels:
:mod:`kpi_audit.render.format`. New code imports from those two."""

from __future__ import annotations

from kpi_audit.render.format import (
    STATUS_COLOURS,
    STATUS_ORDER,
    STATUS_PALETTE,
    STATUS_SYMBOL,
    Display,
    display_of,
    display_width,
    format_count,
    format_gap,
    format_threshold,
    format_value,
    indicator_name,
    kind_text,
    level_text,
    status_text,
    text_width_px,
    threshold_text,
)
from kpi_audit.render.i18n import LABELS, LANGS, label, reason_expr, reason_text

__all__ = [
    "LABELS",
    "LANGS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "STATUS_PALETTE",
    "STATUS_SYMBOL",
    "Display",
    "display_of",
    "display_width",
    "format_count",
    "format_gap",
    "format_threshold",
    "format_value",
    "indicator_name",
    "kind_text",
    "label",
    "level_text",
    "reason_expr",
    "reason_text",
    "status_text",
    "text_width_px",
    "threshold_text",
]
