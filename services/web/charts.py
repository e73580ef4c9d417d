"""Bar charts as inline SVG, drawn on the server: no script, no library, Japanese labels in the page's own font.

Every bar (or stacked segment) is a link to the list it counts, with its label
and count as a tooltip. Colours come from the stylesheet through each
segment's CSS class, so the palette lives in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

PLOT_WIDTH = 800
PLOT_HEIGHT = 200
AXIS_WIDTH = 44
LABEL_HEIGHT = 28
ROW_HEIGHT = 24
LABEL_CHARS = 14


@dataclass(frozen=True)
class Segment:
    """One part of a bar: how many, what it links to, its tooltip and its colour class."""

    value: int
    href: str
    title: str
    css_class: str = ""


@dataclass(frozen=True)
class Column:
    """One stacked bar, e.g. a month, bottom segment first."""

    label: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart."""

    label: str
    value: int
    href: str


def stacked_columns(columns: list[Column], caption: str) -> Markup:
    """Vertical stacked bars, one per column, with a value axis and a label every few columns."""
    if not columns:
        return _empty(caption)
    top, steps = nice_axis(max(sum(s.value for s in c.segments) for c in columns))
    slot = PLOT_WIDTH / len(columns)
    gap = min(2.0, slot * 0.2)
    every = max(1, math.ceil(len(columns) / 12))
    parts = [_open(AXIS_WIDTH + PLOT_WIDTH + 4, PLOT_HEIGHT + LABEL_HEIGHT + 8, caption)]
    for step in range(steps + 1):
        value = top * step // steps
        y = _y(value, top)
        parts.append(f'<line class="grid" x1="{AXIS_WIDTH}" x2="{AXIS_WIDTH + PLOT_WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{AXIS_WIDTH - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for index, column in enumerate(columns):
        x = AXIS_WIDTH + index * slot + gap / 2
        base = 0
        for segment in column.segments:
            if segment.value <= 0:
                continue
            y0, y1 = _y(base + segment.value, top), _y(base, top)
            parts.append(_bar_link(segment.href, segment.title, segment.css_class, x, y0, slot - gap, y1 - y0))
            base += segment.value
        if index % every == 0:
            parts.append(f'<text class="axis" x="{x + (slot - gap) / 2:.1f}" y="{PLOT_HEIGHT + 24}" text-anchor="middle">'
                         f"{escape(column.label)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(bars: list[Bar], caption: str, css_class: str = "") -> Markup:
    """One row per bar, longest first as given: label, bar, count."""
    if not bars:
        return _empty(caption)
    label_width, count_width, bar_width = 190, 70, 420
    top = max(bar.value for bar in bars) or 1
    parts = [_open(label_width + bar_width + count_width, ROW_HEIGHT * len(bars) + 4, caption)]
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT + 2
        width = max(1.0, bar_width * bar.value / top)
        short = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
        parts.append(f'<a href="{escape(bar.href)}"><text class="label" x="{label_width - 6}" y="{y + 16}" text-anchor="end">'
                     f"{escape(short)}<title>{escape(bar.label)}</title></text></a>")
        parts.append(_bar_link(bar.href, f"{bar.label}: {bar.value:,}", css_class, label_width, y + 3, width, ROW_HEIGHT - 6))
        parts.append(f'<text class="value" x="{label_width + width + 6:.1f}" y="{y + 16}">{bar.value:,}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def nice_axis(value: int) -> tuple[int, int]:
    """(top, steps): 4 or 5 equal steps of 1, 2 or 5 times a power of ten, the lowest top at least `value`."""
    choices = []
    for steps in (4, 5):
        step = 1
        while step * steps < value:
            step = _next_step(step)
        choices.append((step * steps, steps))
    return min(choices)


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, …"""
    leading = int(str(step)[0])
    return step * 5 // 2 if leading == 2 else step * 2


def _y(value: int, top: int) -> float:
    return 4 + PLOT_HEIGHT * (1 - value / top)


def _bar_link(href: str, title: str, css_class: str, x: float, y: float, width: float, height: float) -> str:
    return (f'<a href="{escape(href)}"><rect class="bar {escape(css_class)}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}"'
            f' height="{height:.1f}"><title>{escape(title)}</title></rect></a>')


def _open(width: float, height: float, caption: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(caption)}"'
            f' xmlns="http://www.w3.org/2000/svg"><title>{escape(caption)}</title>')


def _empty(caption: str) -> Markup:
    return Markup(f'<p class="empty">{escape(caption)}: nothing in this period.</p>')
