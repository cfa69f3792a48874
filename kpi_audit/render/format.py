"""How values, gaps, thresholds, statuses and levels are displayed: the one formatting
module every renderer uses (terminal, CSV/JSON need none, Excel, HTML, SVG charts,
``targets list/show``, ingest and template).

No renderer guesses what a number is: each indicator's :data:`ValueKind` comes from the
catalog (:attr:`kpi_audit.core.models.Indicator.value_kind`) and travels in the result
(``AuditResult.value_kinds``). The rules:

- share and rate (fractions): percent. A value to one decimal (48.3%); a gap in
  percentage points (-9.5个百分点 / -9.5 pp).
- count: whole numbers (5, 1,234).
- per_1000, per_10000, number: two decimals (1.25).
- thresholds are shown as the documents write them, in their shortest exact form
  (65%, 92.5%, 1.2, 1,500), with the unit of a per-N rate in a requirement
  (≥ 1.2/千人). A value is never "-0.0"; a value exactly at target has the gap ±0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kpi_audit.core.models import DISPLAY_LEVEL_ORDER, PERCENT_KINDS, Target, ValueKind
from kpi_audit.core.result import AuditResult
from kpi_audit.render.i18n import LABELS, label

__all__ = ["DISPLAY_LEVEL_ORDER"]

STATUS_ORDER = ("fail", "warn", "not_evaluable", "pass")  # worst first
STATUS_SYMBOL: dict[str, str] = {"pass": "✔", "fail": "✘", "warn": "!", "not_evaluable": "?"}


@dataclass(frozen=True)
class Colours:
    """One status's colours as RGB hex without '#'."""

    text: str  # text on a light background (Excel cell, HTML chip, card)
    background: str  # a light fill behind that text
    mark: str  # a strong fill: chart bars, the terminal's colour
    terminal: str  # the rich style of the status word


# The one status palette: green / red / amber / grey.
STATUS_PALETTE: dict[str, Colours] = {
    "pass": Colours("006100", "C6EFCE", "2E7D32", "green"),
    "fail": Colours("9C0006", "FFC7CE", "C62828", "bold red"),
    "warn": Colours("7A4B00", "FFEB9C", "E08A00", "yellow"),
    "not_evaluable": Colours("4D4D4D", "E7E6E6", "9E9E9E", "dim"),
}
# (fill, text) per status, as Excel cells use them.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    s: (c.background, c.text) for s, c in STATUS_PALETTE.items()
}
_OPERATOR_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
# A gap this close to zero is "exactly at target" (float noise from sums and ratios).
_AT_TARGET = 1e-9


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(
    value: float | None, share: bool, *, signed: bool = False, whole: bool = False
) -> str:
    """48.3% for shares, 1.25 for numbers, 5 for counts (``whole``); empty for
    missing. Never "-0.0"."""
    if value is None or _missing(value):
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
    if gap is None or _missing(gap):
        return ""
    sign = "±" if abs(gap) < _AT_TARGET else ("-" if gap < 0 else "+")
    if share:
        return f"{sign}{round(abs(gap) * 100, 1):.1f}{label('unit.pp', lang)}"
    return sign + format_value(abs(gap), False, whole=whole)


def format_threshold(value: float | None, share: bool) -> str:
    """A threshold as the documents write it: 65%, 92.5%, 1.2, 1,500."""
    if value is None or _missing(value):
        return ""
    if share:
        return f"{round(value * 100, 4) + 0.0:,.6g}%"
    return f"{round(value, 6) + 0.0:,.6g}"


def format_count(value: float | None) -> str:
    if value is None or _missing(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class Display:
    """How one indicator's numbers are shown, from its value kind."""

    kind: ValueKind = "number"

    @property
    def share(self) -> bool:
        """Shown as a percentage (shares and rates)."""
        return self.kind in PERCENT_KINDS

    @property
    def whole(self) -> bool:
        return self.kind == "count"

    def value(self, value: float | None) -> str:
        return format_value(value, self.share, whole=self.whole)

    def gap(self, gap: float | None, lang: str = "zh") -> str:
        return format_gap(gap, self.share, lang, whole=self.whole)

    def threshold(self, value: float | None) -> str:
        return format_threshold(value, self.share)

    def requirement(self, target: Target, lang: str = "zh") -> str:
        """``≥ 65%``, ``5%–10%``, ``90% ± 2%``, ``≥ 1.2/千人``."""
        unit_key = f"unit.{self.kind}"
        unit = label(unit_key, lang) if unit_key in LABELS else ""
        low = self.threshold(target.threshold) + unit
        if target.operator == "between" and target.threshold_high is not None:
            return f"{low}–{self.threshold(target.threshold_high)}{unit}"
        if target.operator == "around":
            tolerance = getattr(target, "tolerance", None)
            return f"{low} ± {self.threshold(tolerance)}{unit}" if tolerance else f"≈ {low}"
        return f"{_OPERATOR_SYMBOL.get(target.operator, target.operator)} {low}"


def displays(value_kinds: dict[str, ValueKind]) -> dict[str, Display]:
    """indicator id -> Display, from ``AuditResult.value_kinds``."""
    return {indicator: Display(kind) for indicator, kind in value_kinds.items()}


def display_of(value_kinds: dict[str, ValueKind], indicator: str) -> Display:
    """The Display of ``indicator``; a plain number when its kind is not known."""
    return Display(value_kinds.get(indicator, "number"))


def threshold_text(target: Target, share: bool, lang: str = "zh") -> str:
    """The requirement of ``target`` (see :meth:`Display.requirement`) for callers that
    only know whether it is a percentage."""
    return Display("share" if share else "number").requirement(target, lang)


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


def display_width(text: str) -> int:
    """Width in character cells: CJK and full-width characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_width_px(text: str, font_px: int) -> int:
    return round(display_width(text) * font_px * 0.55)


def reporting_headline(result: AuditResult, lang: str = "zh") -> str | None:
    """``本期 334/336 家机构已上报`` when someone expected is missing, else None."""
    c = result.completeness
    if c.expected_basis == "none" or not c.missing_institutions:
        return None
    return label("comp.headline", lang, answered=c.answered, expected=c.expected)
