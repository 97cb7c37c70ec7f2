"""The maturity profile as a radar chart: inline SVG drawn on the server, one axis per
dimension from 0 at the centre to 4 at the rim, a ring per level and one polygon per profile
(the current assessment, the target). No script and no style attribute, so the page's strict
CSP holds; every text is escaped."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Wide enough for the longest dimension's label on either side of the rim.
WIDTH, HEIGHT = 760, 440
CENTRE_X, CENTRE_Y = WIDTH / 2, HEIGHT / 2
RADIUS = 170
LEVELS = (1, 2, 3, 4)
TOP = 4


@dataclass(frozen=True)
class RadarSeries:
    """One polygon: its name (for the legend and the title), a CSS class, and the score of
    each axis (an axis with no score sits at the centre)."""

    name: str
    css_class: str
    scores: Mapping[str, Decimal]


def _point(index: int, count: int, value: float) -> tuple[str, str]:
    """Where `value` lies on axis `index` of `count`, as SVG coordinates to one place."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = RADIUS * value / TOP
    x, y = CENTRE_X + distance * math.cos(angle), CENTRE_Y + distance * math.sin(angle)
    return f"{x:.1f}", f"{y:.1f}"


def _points(axes: Sequence[str], value_of: Mapping[str, float]) -> str:
    return " ".join(
        "{},{}".format(*_point(i, len(axes), value_of.get(axis, 0.0)))
        for i, axis in enumerate(axes)
    )


def _label_at(index: int, count: int, label: str) -> tuple[str, str, str, str]:
    """Where an axis's label goes, just past the rim, and which way its text runs."""
    x, y = _point(index, count, TOP + 0.55)
    offset = float(x) - CENTRE_X
    anchor = "middle" if abs(offset) < 10 else ("start" if offset > 0 else "end")
    return x, y, anchor, label


def radar_svg(
    *, title: str, axes: Sequence[tuple[str, str]], series: Sequence[RadarSeries]
) -> SafeString:
    """The chart of `series` over `axes` (key, label), titled `title` for screen readers."""
    keys = [key for key, _ in axes]
    rings = format_html_join(
        "",
        '<polygon class="radar__ring" points="{}" fill="none" stroke="#c8ccd2"/>'
        '<text class="radar__tick" x="{}" y="{}" font-size="11" fill="#5b6270">{}</text>',
        (
            (
                _points(keys, dict.fromkeys(keys, float(level))),
                f"{CENTRE_X + 3:.1f}",
                f"{CENTRE_Y - RADIUS * level / TOP - 2:.1f}",
                level,
            )
            for level in LEVELS
        ),
    )
    count = len(axes)
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c8ccd2"/>',
        ((f"{CENTRE_X:.1f}", f"{CENTRE_Y:.1f}", *_point(i, count, TOP)) for i in range(count)),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" font-size="12" fill="#1f2430">{}</text>',
        (_label_at(i, count, label) for i, (_, label) in enumerate(axes)),
    )
    polygons = format_html_join(
        "",
        '<polygon class="radar__series {}" points="{}"><title>{}</title></polygon>',
        (
            (
                item.css_class,
                _points(keys, {k: float(v) for k, v in item.scores.items()}),
                item.name,
            )
            for item in series
        ),
    )
    return format_html(
        '<svg class="radar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="radar-title"><title id="radar-title">{}</title>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        rings,
        spokes,
        labels,
        polygons,
    )
