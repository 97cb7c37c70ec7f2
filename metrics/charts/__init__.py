"""A metric's chart as a Vega-Lite spec built in Python, rendered to SVG on the server.

The browser runs no chart code: pages, PDFs and e-mail all carry the same SVG, so the Content
Security Policy stays strict. The SVG is cached in Django's cache under the sha256 of its spec,
which holds every figure drawn, so a changed roll-up, target or annotation renders anew and an
unchanged one never renders twice. The key is in the kernel's namespace of cached renders
(`informatics.cache`), which a redaction purges, so no redacted label outlives it there.

What the chart shows (NHS "Making Data Count" conventions):
- one point per period (layer "points"), coloured by the signal it carries: improvement blue,
  concern orange, neither purple (no better direction), common cause grey; a period whose data
  is not complete yet is drawn hollow and is never a signal;
- the centre line and the lower and upper limits ("centre", "lower", "upper") as step lines
  across each segment, so a rebase starts new lines; p and u charts step with each period's
  subgroup size; a run chart has only its median; survey waves show each wave's confidence
  interval ("interval") instead of limits; a cumulative chart has neither;
- the target as a dashed rule ("target");
- go-lives, PDSA tests, rebases and notes as labelled vertical rules ("annotations").

Each layer is named, so its marks carry the class `<name>_marks` in the SVG (tests count the
point symbols and read the lines' positions by it).

The points are read in `points`, the spec is built in `spec`; rendering and its cache are here.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import vl_convert
from django.core.cache import cache

from informatics.cache import render_key
from metrics.charts.points import ChartPoint, chart_points, figure, point_state
from metrics.charts.spec import CENTRE_COLOUR, LIMIT_COLOUR, SCHEMA, chart_spec

__all__ = [
    "CENTRE_COLOUR",
    "LIMIT_COLOUR",
    "SCHEMA",
    "ChartPoint",
    "chart_points",
    "chart_spec",
    "chart_svg",
    "figure",
    "point_state",
    "render_svg",
    "spec_fingerprint",
]

if TYPE_CHECKING:
    from metrics.selectors import SeriesView
    from metrics.spc import Analysis
# In the kernel's namespace of cached renders, which a redaction purges.
CACHE_PREFIX = render_key("metrics-chart-svg-v1", "")
CACHE_SECONDS = 60 * 60 * 24 * 30  # keyed by content, so it never goes stale; space is the limit


def spec_fingerprint(spec: dict[str, Any]) -> str:
    """sha256 of the spec in a canonical form: the cache key of its SVG."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def render_svg(spec: dict[str, Any]) -> str:
    """The spec rendered to SVG by vl-convert, from the cache when it was rendered before."""
    key = CACHE_PREFIX + spec_fingerprint(spec)
    svg = cache.get(key)
    if svg is None:
        svg = vl_convert.vegalite_to_svg(spec)
        cache.set(key, svg, CACHE_SECONDS)
    return str(svg)


def chart_svg(view: SeriesView, analysis: Analysis | None = None) -> str:
    """The chart of `view` as SVG markup, ready to inline in a page or a document."""
    return render_svg(chart_spec(view, analysis))
