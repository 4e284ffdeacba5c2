"""Small inline-SVG charts for the dashboard: no script, no fonts or files to fetch."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from warehouse.safe_text import html_text as escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
LEGEND_WIDTH = 160


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    size: float = 1.0


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


class _Frame:
    """Maps data coordinates to the plot area and draws the axes."""

    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float], *,
                 legend: bool = False) -> None:
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        self.right = WIDTH - RIGHT - (LEGEND_WIDTH if legend else 0)

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (self.right - LEFT)

    def y(self, value: float) -> float:
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)

    def axes(self, x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[tuple[float, str]],
             x_title: str, y_title: str) -> list[str]:
        parts = [f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{self.right}" '
                 f'y2="{HEIGHT - BOTTOM}"/>',
                 f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}"/>']
        for value, text in y_ticks:
            y = self.y(value)
            parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{self.right}" y2="{y:.1f}"/>')
            parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>')
        for value, text in x_ticks:
            x = self.x(value)
            parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(text)}</text>')
        parts.append(f'<text class="title" x="{(LEFT + self.right) / 2}" y="{HEIGHT - 8}" '
                     f'text-anchor="middle">{escape(x_title)}</text>')
        parts.append(f'<text class="title" transform="translate(14 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" '
                     f'text-anchor="middle">{escape(y_title)}</text>')
        return parts


def _svg(label: str, parts: Sequence[str]) -> str:
    body = "\n".join(parts)
    return (f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">\n{body}\n</svg>')


def empty_chart(label: str, message: str) -> str:
    return _svg(label, [f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" '
                        f'text-anchor="middle">{escape(message)}</text>'])


def _ratio_ticks() -> list[tuple[float, str]]:
    return [(i / 5, f"{i * 20}%") for i in range(6)]


def scatter(label: str, points: Sequence[Point], x_title: str, y_title: str) -> str:
    """Points on [0, 1] x [0, 1]; marker area grows with ``size``."""
    frame = _Frame((0, 1), (0, 1))
    parts = frame.axes(_ratio_ticks(), _ratio_ticks(), x_title, y_title)
    biggest = max((p.size for p in points), default=1) or 1
    for i, point in enumerate(points):
        radius = 4 + 10 * math.sqrt(point.size / biggest)
        cx, cy = frame.x(point.x), frame.y(point.y)
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour}" '
                     f'fill-opacity="0.6" stroke="{colour}"><title>{escape(point.label)}: '
                     f'{point.x:.0%} / {point.y:.0%}</title></circle>')
        parts.append(f'<text class="point" x="{cx + radius + 3:.1f}" y="{cy + 4:.1f}">{escape(point.label)}</text>')
    return _svg(label, parts)


def grouped_histogram(label: str, groups: Sequence[Series], bins: int, x_title: str, y_title: str) -> str:
    """Bars per bin of [0, 1], one colour per group; ``values`` are each group's bin heights in [0, 1]."""
    top = max((v or 0 for g in groups for v in g.values), default=0)
    y_max = max(0.05, math.ceil(top * 20) / 20)
    frame = _Frame((0, 1), (0, y_max), legend=True)
    y_ticks = [(y_max * i / 5, f"{y_max * i / 5:.0%}") for i in range(6)]
    parts = frame.axes(_ratio_ticks(), y_ticks, x_title, y_title)
    slot = 1 / bins
    bar = slot * 0.8 / max(1, len(groups))
    for g, group in enumerate(groups):
        colour = PALETTE[g % len(PALETTE)]
        for b, value in enumerate(group.values):
            if not value:
                continue
            left = b * slot + slot * 0.1 + g * bar
            x, y = frame.x(left), frame.y(value)
            width, height = frame.x(left + bar) - x, frame.y(0) - y
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
                         f'fill="{colour}"><title>{escape(group.name)}, {b * slot:.0%} to '
                         f'{(b + 1) * slot:.0%}: {value:.0%}</title></rect>')
    parts.extend(_legend([g.name for g in groups]))
    return _svg(label, parts)


def line_chart(label: str, x_labels: Sequence[str], series: Sequence[Series], x_title: str,
               y_title: str) -> str:
    """Lines over categorical x (e.g. ISO weeks), y in [0, 1]; ``None`` breaks a line."""
    n = len(x_labels)
    frame = _Frame((-0.5, n - 0.5), (0, 1), legend=True)
    every = max(1, math.ceil(n / 6))
    x_ticks = [(i, text) for i, text in enumerate(x_labels) if i % every == 0]
    parts = frame.axes(x_ticks, _ratio_ticks(), x_title, y_title)
    for s, line in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                runs.append([])
                continue
            x, y = frame.x(i), frame.y(value)
            runs[-1].append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                         f'{escape(line.name)}, {escape(x_labels[i])}: {value:.0%}</title></circle>')
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                             f'stroke-width="2"/>')
    parts.extend(_legend([s.name for s in series]))
    return _svg(label, parts)


def _legend(names: Sequence[str]) -> list[str]:
    """Colour keys in the right margin that ``_Frame(legend=True)`` leaves free."""
    left = WIDTH - RIGHT - LEGEND_WIDTH + 12
    parts = []
    for i, name in enumerate(names):
        y = TOP + 4 + i * 16
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{left}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text class="legend" x="{left + 15}" y="{y + 9}">{escape(name)}</text>')
    return parts
