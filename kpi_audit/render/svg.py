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


@dataclass(frozen=True)
class _Axis:
    """A value axis: its ticks, and the pixel span [start, end] that lo..hi maps onto."""

    ticks: list[float]
    start: float
    end: float

    @property
    def lo(self) -> float:
        return self.ticks[0]

    @property
    def hi(self) -> float:
        return self.ticks[-1]

    @property
    def step(self) -> float:
        return self.ticks[1] - self.ticks[0] if len(self.ticks) > 1 else 1.0

    def at(self, v: float) -> float:
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)


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
    row_h, top, bottom = 26, 30, 28
    label_w = min(max((text_width_px(b.label, FONT) for b in bars), default=40) + 12, 170)
    value_w = 64
    height = top + row_h * len(bars) + bottom
    values = [b.value for b in bars] + [threshold]
    ticks = nice_ticks(
        min(0.0, *values), max(0.0, *values) * 1.05 if max(values) > 0 else 0.0, whole=whole
    )
    axis = _Axis(ticks, label_w, width - value_w)
    x = axis.at
    parts = [_open(width, height, title)]
    for t in ticks:  # grid and axis labels
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" '
            f'y2="{height - bottom}" class="grid"/>'
        )
        parts.append(
            f'<text x="{x(t):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'class="tick">{escape(_tick_text(t, share, axis.step))}</text>'
        )
    parts += _bars(bars, axis, label_w, top, row_h, share, whole)
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


def _bars(
    bars: Sequence[Bar],
    axis: _Axis,
    label_w: int,
    top: int,
    row_h: int,
    share: bool,
    whole: bool,
) -> list[str]:
    """Each bar with its label on the left and its value at its end."""
    bar_h = 16
    zero = axis.at(max(axis.lo, 0.0))
    parts: list[str] = []
    for i, b in enumerate(bars):
        y = top + i * row_h
        x0, x1 = sorted((zero, axis.at(b.value)))
        shown = escape(format_value(b.value, share, whole=whole))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 3}" text-anchor="end">'
            f"{escape(b.label)}</text>"
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{bar_h}" fill="{STATUS_FILL.get(b.status, "#9e9e9e")}">'
            f"<title>{escape(b.label)}: {shown}</title></rect>"
        )
        parts.append(f'<text x="{x1 + 4:.1f}" y="{y + bar_h - 3}" class="value">{shown}</text>')
    return parts


@dataclass(frozen=True)
class _LinePlot:
    """Where a line chart draws: periods along x, values (``axis``) up y."""

    left: int
    top: int
    plot_w: int
    periods: Sequence[str]
    axis: _Axis
    share: bool
    whole: bool

    def px(self, i: int) -> float:
        return self.left + i / max(len(self.periods) - 1, 1) * self.plot_w

    def py(self, v: float) -> float:
        # hi at the top, lo at the bottom of the plot's axis.end pixels
        return self.top + (self.axis.hi - v) / (self.axis.hi - self.axis.lo) * self.axis.end

    def value_text(self, v: float) -> str:
        return escape(format_value(v, self.share, whole=self.whole))


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
    plot = _LinePlot(
        left,
        top,
        width - left - legend_w - 10,
        periods,
        _Axis(_line_ticks(lines, threshold, whole), 0, height - top - bottom),
        share,
        whole,
    )
    parts = [_open(width, height, title), *_line_grid(plot, height - bottom)]
    if threshold is not None:
        y = plot.py(threshold)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot.plot_w}" '
            f'y2="{y:.1f}" stroke="{THRESHOLD_COLOUR}" stroke-width="1.5" '
            f'stroke-dasharray="6 4"><title>{escape(threshold_label)} '
            f"{escape(format_threshold(threshold, share))}</title></line>"
        )
    colours = iter(SERIES_COLOURS * (len(lines) // len(SERIES_COLOURS) + 1))
    # Counties first, the city last so it is drawn on top.
    for k, ln in enumerate(sorted(lines, key=lambda ln: ln.emphasis)):
        colour = CITY_COLOUR if ln.emphasis else next(colours)
        parts += _series(plot, ln, colour, top + 4 + 17 * k)
    parts.append("</svg>")
    return Markup("".join(parts))


def _line_ticks(lines: Sequence[Line], threshold: float | None, whole: bool) -> list[float]:
    values = [v for ln in lines for v in ln.values if v is not None]
    if threshold is not None:
        values.append(threshold)
    if not values:
        values = [0.0, 1.0]
    span = (max(values) - min(values)) or abs(max(values)) or 1.0
    low = min(values) - span * 0.05
    if min(values) >= 0:  # no negative axis for values that cannot be negative
        low = max(low, 0.0)
    return nice_ticks(low, max(values) + span * 0.05, whole=whole)


def _line_grid(plot: _LinePlot, baseline: int) -> list[str]:
    """The value grid lines with their labels, and the periods along the bottom."""
    parts: list[str] = []
    for t in plot.axis.ticks:
        y = plot.py(t)
        parts.append(
            f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.left + plot.plot_w}" '
            f'y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_tick_text(t, plot.share, plot.axis.step))}</text>"
        )
    for i, period in enumerate(plot.periods):
        parts.append(
            f'<text x="{plot.px(i):.1f}" y="{baseline + 16}" text-anchor="middle" '
            f'class="tick">{escape(period)}</text>'
        )
    return parts


def _series(plot: _LinePlot, ln: Line, colour: str, legend_y: int) -> list[str]:
    """One unit's line (broken where a period has no value), its points, its legend."""
    stroke = 3 if ln.emphasis else 1.5
    parts: list[str] = []
    for segment in _segments(ln.values):
        points = " ".join(f"{plot.px(i):.1f},{plot.py(v):.1f}" for i, v in segment)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="{stroke}"><title>{escape(ln.label)}</title></polyline>'
        )
    for i, v in enumerate(ln.values):
        if v is not None and (ln.emphasis or i == len(ln.values) - 1):
            radius = 3 if ln.emphasis else 2
            parts.append(
                f'<circle cx="{plot.px(i):.1f}" cy="{plot.py(v):.1f}" r="{radius}" '
                f'fill="{colour}"><title>{escape(ln.label)} {escape(plot.periods[i])}: '
                f"{plot.value_text(v)}</title></circle>"
            )
    lx = plot.left + plot.plot_w + 14
    parts.append(
        f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 14}" y2="{legend_y}" '
        f'stroke="{colour}" stroke-width="{stroke}"/>'
    )
    parts.append(f'<text x="{lx + 18}" y="{legend_y + 4}" class="legend">{escape(ln.label)}</text>')
    return parts


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
