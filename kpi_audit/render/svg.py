"""Inline SVG charts for the HTML report: county values against the threshold (bars)
and recent periods (lines). Pure string building — no JavaScript, no fonts, no
external files — and every piece of text is escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from kpi_audit.render.format import STATUS_PALETTE, format_threshold, format_value, text_width_px

STATUS_FILL = {status: f"#{c.mark.lower()}" for status, c in STATUS_PALETTE.items()}
THRESHOLD_COLOUR = "#b71c1c"
CITY_COLOUR = "#1a237e"
# Muted, distinguishable line colours for the counties (colour-blind-safe order).
SERIES_COLOURS = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#8c6d31",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
FONT = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    status: str


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]  # one per period; None = no value that period
    emphasis: bool = False  # the city line


def nice_ticks(low: float, high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high]; whole numbers only when ``whole`` (an axis
    of counts has no 0.5)."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    if whole:
        raw = max(raw, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in multiples if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    t = start
    while t <= high + step * 1e-9:
        ticks.append(round(t, 10) + 0.0)
        t += step
    if ticks[-1] < high:
        ticks.append(round(t, 10))
    return ticks


def _decimals(step: float) -> int:
    """Decimals needed to tell ticks ``step`` apart (2.5 → 1, 0.25 → 2, 5 → 0)."""
    for decimals in range(4):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-6:
            return decimals
    return 4


def _tick_text(value: float, share: bool, step: float) -> str:
    if abs(value) < step * 1e-6:
        value = 0.0
    if share:
        return f"{value * 100:.{_decimals(step * 100)}f}%"
    return f"{value:,.{_decimals(step)}f}"


def bar_chart(
    bars: Sequence[Bar],
    threshold: float,
    *,
    share: bool,
    title: str,
    threshold_label: str,
    whole: bool = False,
    width: int = 520,
) -> Markup:
    """Horizontal bars, one per county, coloured by status, with the threshold as a
    dashed vertical line. ``whole``: the values are counts, labelled 2 (not 2.00)."""
    row_h, bar_h, top, bottom = 26, 16, 30, 28
    label_w = min(max((text_width_px(b.label, FONT) for b in bars), default=40) + 12, 170)
    value_w = 64
    plot_w = width - label_w - value_w
    height = top + row_h * len(bars) + bottom
    values = [b.value for b in bars] + [threshold]
    ticks = nice_ticks(
        min(0.0, *values), max(0.0, *values) * 1.05 if max(values) > 0 else 0.0, whole=whole
    )
    lo, hi = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    parts = [_open(width, height, title)]
    for t in ticks:  # grid and axis labels
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" '
            f'y2="{height - bottom}" class="grid"/>'
        )
        parts.append(
            f'<text x="{x(t):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'class="tick">{escape(_tick_text(t, share, step))}</text>'
        )
    zero = x(max(lo, 0.0))
    for i, b in enumerate(bars):
        y = top + i * row_h
        x0, x1 = sorted((zero, x(b.value)))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 3}" text-anchor="end">'
            f"{escape(b.label)}</text>"
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{bar_h}" fill="{STATUS_FILL.get(b.status, "#9e9e9e")}">'
            f"<title>{escape(b.label)}: {escape(format_value(b.value, share, whole=whole))}"
            f"</title></rect>"
        )
        parts.append(
            f'<text x="{x1 + 4:.1f}" y="{y + bar_h - 3}" class="value">'
            f"{escape(format_value(b.value, share, whole=whole))}</text>"
        )
    tx = x(threshold)
    parts.append(
        f'<line x1="{tx:.1f}" y1="{top - 8}" x2="{tx:.1f}" y2="{height - bottom}" '
        f'stroke="{THRESHOLD_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{tx:.1f}" y="{top - 12}" text-anchor="middle" class="threshold">'
        f"{escape(threshold_label)} {escape(format_threshold(threshold, share))}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    periods: Sequence[str],
    lines: Sequence[Line],
    threshold: float | None,
    *,
    share: bool,
    title: str,
    threshold_label: str,
    whole: bool = False,
    width: int = 520,
    height: int = 260,
) -> Markup:
    """One line per unit over ``periods``; the city emphasised; the threshold dashed.
    ``whole``: the values are counts, labelled 2 (not 2.00)."""
    left, top, bottom = 56, 16, 30
    legend_w = min(max((text_width_px(ln.label, FONT) for ln in lines), default=40) + 30, 150)
    plot_w = width - left - legend_w - 10
    plot_h = height - top - bottom
    values = [v for ln in lines for v in ln.values if v is not None]
    if threshold is not None:
        values.append(threshold)
    if not values:
        values = [0.0, 1.0]
    span = (max(values) - min(values)) or abs(max(values)) or 1.0
    low = min(values) - span * 0.05
    if min(values) >= 0:  # no negative axis for values that cannot be negative
        low = max(low, 0.0)
    ticks = nice_ticks(low, max(values) + span * 0.05, whole=whole)
    lo, hi = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    n = max(len(periods) - 1, 1)

    def px(i: int) -> float:
        return left + i / n * plot_w

    def py(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    parts = [_open(width, height, title)]
    for t in ticks:
        parts.append(
            f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + plot_w}" '
            f'y2="{py(t):.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_tick_text(t, share, step))}</text>"
        )
    for i, period in enumerate(periods):
        parts.append(
            f'<text x="{px(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'class="tick">{escape(period)}</text>'
        )
    if threshold is not None:
        parts.append(
            f'<line x1="{left}" y1="{py(threshold):.1f}" x2="{left + plot_w}" '
            f'y2="{py(threshold):.1f}" stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" '
            f'stroke-dasharray="6 4"><title>{escape(threshold_label)} '
            f"{escape(format_threshold(threshold, share))}</title></line>"
        )
    colours = iter(SERIES_COLOURS * (len(lines) // len(SERIES_COLOURS) + 1))
    # Counties first, the city last so it is drawn on top.
    ordered = sorted(lines, key=lambda ln: ln.emphasis)
    legend_y = top + 4
    for ln in ordered:
        colour = CITY_COLOUR if ln.emphasis else next(colours)
        stroke = 3 if ln.emphasis else 1.5
        for segment in _segments(ln.values):
            points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}"><title>{escape(ln.label)}</title></polyline>'
            )
        for i, v in enumerate(ln.values):
            if v is not None and (ln.emphasis or i == len(ln.values) - 1):
                radius = 3 if ln.emphasis else 2
                parts.append(
                    f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="{radius}" '
                    f'fill="{colour}"><title>{escape(ln.label)} {escape(periods[i])}: '
                    f"{escape(format_value(v, share, whole=whole))}</title></circle>"
                )
        lx = left + plot_w + 14
        parts.append(
            f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 14}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="{stroke}"/>'
        )
        parts.append(
            f'<text x="{lx + 18}" y="{legend_y + 4}" class="legend">{escape(ln.label)}</text>'
        )
        legend_y += 17
    parts.append("</svg>")
    return Markup("".join(parts))


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive values; a gap (None) breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, v))
    return [r for r in runs if r]


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
