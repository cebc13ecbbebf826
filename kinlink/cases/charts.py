"""Charts drawn on the server as SVG geometry; templates/cases/_chart.html writes the SVG.

Why not a JavaScript chart library: the page must work offline and under a CSP without
inline scripts or styles; SVG made here needs no script at all, prints, reads in a screen
reader through its title and the table beside it, mirrors for right-to-left languages, and
shows digits in the page's language through the template's `digits` filter. Coordinates are
pre-formatted strings so that no locale's decimal comma reaches an SVG attribute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

PALETTE_SIZE = 10


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Rect:
    x: str
    y: str
    width: str
    height: str
    css: str
    title: str


@dataclass(frozen=True)
class Text:
    x: str
    y: str
    text: str
    anchor: str = "start"
    css: str = ""


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str
    css: str


@dataclass(frozen=True)
class Dot:
    cx: str
    cy: str
    r: str
    css: str
    title: str


@dataclass
class Chart:
    width: int
    height: int
    title: str
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.rects or self.dots)


class _Frame:
    """Left-to-right geometry that mirrors itself for right-to-left pages."""

    def __init__(self, width: int, rtl: bool):
        self.width, self.rtl = width, rtl

    def x(self, x: float, w: float = 0.0) -> float:
        return self.width - x - w if self.rtl else x

    def anchor(self, anchor: str) -> str:
        if not self.rtl or anchor == "middle":
            return anchor
        return "end" if anchor == "start" else "start"


def axis_top(value: float) -> float:
    """The top of a value axis with four whole-numbered steps of 1, 2 or 5 x 10^k."""
    wanted = max(value / 4, 1)
    power = 10 ** math.floor(math.log10(wanted))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= wanted)
    return 4 * step


def stacked_columns(
    title: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    rtl: bool = False,
    width: int = 640,
    height: int = 280,
) -> Chart:
    """One column per period, one coloured segment per series; hidden counts draw nothing."""
    chart = Chart(width, height, title)
    frame = _Frame(width, rtl)
    left, right, top, bottom = 44, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] or 0 for _label, values in series) for i in range(len(periods))]
    top_value = axis_top(max(totals, default=0))
    _value_axis(chart, frame, top_value, left, top, plot_w, plot_h)
    slot = plot_w / max(len(periods), 1)
    for i, period in enumerate(periods):
        x = left + i * slot + slot * 0.15
        base = top + plot_h
        for s, (label, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top_value
            base -= h
            chart.rects.append(
                Rect(
                    _n(frame.x(x, slot * 0.7)),
                    _n(base),
                    _n(slot * 0.7),
                    _n(h),
                    f"s{s % PALETTE_SIZE}",
                    f"{label}, {period}: {value}",
                )
            )
        chart.texts.append(
            Text(_n(frame.x(x + slot * 0.35)), _n(height - 14), period, "middle", "muted-text")
        )
    chart.legend = [(f"s{s % PALETTE_SIZE}", label) for s, (label, _v) in enumerate(series)]
    return chart


def _value_axis(
    chart: Chart, frame: _Frame, top_value: float, left: float, top: float, w: float, h: float
) -> None:
    for k in range(5):
        value = top_value * k / 4
        y = top + h - h * k / 4
        chart.lines.append(
            Line(_n(frame.x(left)), _n(y), _n(frame.x(left + w)), _n(y), "grid" if k else "axis")
        )
        label = f"{value:g}"
        chart.texts.append(
            Text(_n(frame.x(left - 6)), _n(y + 4), label, frame.anchor("end"), "muted-text")
        )


def horizontal_bars(
    title: str, rows: Sequence[tuple[str, int | None]], rtl: bool = False, width: int = 640
) -> Chart:
    """One bar per row with its count at the end; a hidden count shows as "<5" and no bar."""
    row_h, label_w, top = 26, 300, 6
    height = top * 2 + row_h * max(len(rows), 1)
    chart = Chart(width, height, title)
    frame = _Frame(width, rtl)
    plot_w = width - label_w - 60
    top_value = axis_top(max((v or 0 for _l, v in rows), default=0))
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        chart.texts.append(Text(_n(frame.x(label_w - 8)), _n(y + 17), label, frame.anchor("end")))
        length = plot_w * (value or 0) / top_value
        if value:
            chart.rects.append(
                Rect(
                    _n(frame.x(label_w, length)),
                    _n(y + 4),
                    _n(length),
                    _n(row_h - 8),
                    "bar",
                    f"{label}: {value}",
                )
            )
        shown = str(value) if value is not None else "<5"
        chart.texts.append(
            Text(_n(frame.x(label_w + length + 6)), _n(y + 17), shown, frame.anchor("start"))
        )
    return chart


@dataclass(frozen=True)
class Spread:
    label: str
    shortest: float
    lower: float
    median: float
    upper: float
    longest: float


def spreads(title: str, rows: Sequence[Spread | str], rtl: bool = False, width: int = 640) -> Chart:
    """Per row: a line from shortest to longest, a box over the middle half, a dot at the median.
    A row given as a bare label had too few stays to show."""
    row_h, label_w, top, bottom = 28, 300, 6, 24
    height = top + bottom + row_h * max(len(rows), 1)
    chart = Chart(width, height, title)
    frame = _Frame(width, rtl)
    plot_w = width - label_w - 24
    top_value = axis_top(max((r.longest for r in rows if isinstance(r, Spread)), default=0))

    def at(days: float) -> float:
        return label_w + plot_w * days / top_value

    for i, row in enumerate(rows):
        y = top + i * row_h
        label = row.label if isinstance(row, Spread) else row
        chart.texts.append(Text(_n(frame.x(label_w - 8)), _n(y + 18), label, frame.anchor("end")))
        if not isinstance(row, Spread):
            chart.texts.append(
                Text(_n(frame.x(label_w)), _n(y + 18), "<5", frame.anchor("start"), "muted-text")
            )
            continue
        middle = y + row_h / 2
        start, end = frame.x(at(row.shortest)), frame.x(at(row.longest))
        chart.lines.append(Line(_n(start), _n(middle), _n(end), _n(middle), "spread"))
        box_w = max(at(row.upper) - at(row.lower), 1)
        chart.rects.append(
            Rect(
                _n(frame.x(at(row.lower), box_w)),
                _n(y + 7),
                _n(box_w),
                _n(row_h - 14),
                "bar",
                f"{label}: {row.lower:g}–{row.upper:g}",
            )
        )
        chart.dots.append(
            Dot(_n(frame.x(at(row.median))), _n(middle), "5", "median", f"{label}: {row.median:g}")
        )
    axis_y = top + row_h * max(len(rows), 1) + 4
    for k in range(5):
        days = top_value * k / 4
        chart.texts.append(
            Text(_n(frame.x(at(days))), _n(axis_y + 12), f"{days:g}", "middle", "muted-text")
        )
    return chart
