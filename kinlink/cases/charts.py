"""Chart specs built on the server; Chart.js (vendored in static/cases/vendor) draws them.

A spec is a plain JSON-able dict: the template writes it with `json_script` and
static/cases/report_charts.js hands it to Chart.js, so no inline script is needed under the CSP.
Labels arrive translated and month labels already in the user's calendar and digits; numbers
stay numbers and Chart.js formats them for `locale` (Persian and Arabic digits). Counts hidden
below five arrive as None and stay null: they draw nothing and never reach the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PALETTE = (
    "#1f6f78",
    "#4c9f70",
    "#9bc53d",
    "#f0b429",
    "#e07a5f",
    "#8d5a97",
    "#3d5a80",
    "#98a2b3",
    "#b56576",
    "#6d597a",
)
ACCENT = "#1f6f78"
MEDIAN = "#f0b429"

Spec = dict[str, Any]

# The digits web/dates.py writes for each language, as an Intl locale that Chart.js formats with.
_NUMBERING = {"fa": "fa-u-nu-arabext", "ar": "ar-u-nu-arab"}


def chart_locale(language: str) -> str:
    return _NUMBERING.get(language, language)


def _spec(
    kind: str, title: str, labels: Sequence[str], datasets: list[dict], rtl: bool, **options
) -> Spec:
    return {
        "type": kind,
        "title": str(title),
        "labels": [str(label) for label in labels],
        "datasets": datasets,
        "rtl": bool(rtl),
        **options,
        "locale": chart_locale(options.get("locale", "en")),
    }


def is_empty(spec: Spec) -> bool:
    """True when no dataset has a single value to draw."""
    return not any(v is not None for d in spec["datasets"] for v in d["data"])


def stacked_columns(
    title: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    rtl: bool = False,
    locale: str = "en",
) -> Spec:
    """One column per period, one coloured segment per series; hidden counts draw nothing."""
    datasets = [
        {
            "label": str(label),
            "data": [value or None for value in values],
            "backgroundColor": PALETTE[s % len(PALETTE)],
        }
        for s, (label, values) in enumerate(series)
    ]
    return _spec("bar", title, periods, datasets, rtl, stacked=True, locale=locale)


def horizontal_bars(
    title: str, rows: Sequence[tuple[str, int | None]], rtl: bool = False, locale: str = "en"
) -> Spec:
    """One horizontal bar per row; a hidden count is null and draws no bar."""
    datasets = [
        {
            "label": str(title),
            "data": [value or None for _label, value in rows],
            "backgroundColor": ACCENT,
        }
    ]
    return _spec(
        "bar",
        title,
        [label for label, _value in rows],
        datasets,
        rtl,
        indexAxis="y",
        legend=False,
        locale=locale,
    )


@dataclass(frozen=True)
class Spread:
    label: str
    shortest: float
    lower: float
    median: float
    upper: float
    longest: float


def spreads(
    title: str,
    rows: Sequence[Spread | str],
    rtl: bool = False,
    locale: str = "en",
    range_label: str = "",
    middle_label: str = "",
    median_label: str = "",
) -> Spec:
    """Per row three floating horizontal bars drawn over each other: shortest..longest (thin),
    the middle half lower..upper quartile, and a sliver at the median. A row given as a bare
    label had too few stays to show and gets no bar (null)."""
    labels = [row.label if isinstance(row, Spread) else row for row in rows]

    def bars(pick) -> list[list[float] | None]:
        return [pick(row) if isinstance(row, Spread) else None for row in rows]

    top = max((row.longest for row in rows if isinstance(row, Spread)), default=0)
    sliver = max(top / 200, 0.05)
    datasets = [
        {
            "label": str(range_label),
            "data": bars(lambda r: [r.shortest, r.longest]),
            "backgroundColor": PALETTE[7],
            "barPercentage": 0.15,
            "grouped": False,
            "order": 3,
        },
        {
            "label": str(middle_label),
            "data": bars(lambda r: [r.lower, r.upper]),
            "backgroundColor": ACCENT,
            "barPercentage": 0.6,
            "grouped": False,
            "order": 2,
        },
        {
            "label": str(median_label),
            "data": bars(lambda r: [r.median - sliver, r.median + sliver]),
            "values": [r.median if isinstance(r, Spread) else None for r in rows],
            "backgroundColor": MEDIAN,
            "borderColor": "#222222",
            "borderWidth": 1,
            "barPercentage": 0.8,
            "grouped": False,
            "order": 1,
        },
    ]
    return _spec("bar", title, labels, datasets, rtl, indexAxis="y", locale=locale)
