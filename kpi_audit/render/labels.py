"""How statuses, levels and values are displayed. The words themselves live in the one
table of :mod:`kpi_audit.render.i18n` (re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from kpi_audit.core.models import Target
from kpi_audit.render.i18n import LABELS, LANGS, label, reason_expr, reason_text

__all__ = ["LABELS", "LANGS", "label", "reason_expr", "reason_text"]

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
