"""The scorecard's sparklines: a metric's recent points with its centre line and limits, as a
small Vega-Lite chart rendered to SVG on the server (through `metrics.charts.render_svg`, so
an unchanged sparkline is served from the cache of renders, keyed by its spec's fingerprint).

No axes and no text: the figures are in the table beside it, and the PDF's text stays the
report's own. Presentation attributes only (no style attributes, no script), so the SVG can be
inlined under the site's strict Content Security Policy.
"""

from collections.abc import Mapping
from typing import Any

from metrics.charts import CENTRE_COLOUR, LIMIT_COLOUR, SCHEMA, render_svg

WIDTH = 140
HEIGHT = 32
POINT_COLOUR = "#0a5a82"


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def sparkline_spec(sparkline: Mapping[str, Any], *, description: str = "") -> dict[str, Any]:
    """The spec of one sparkline (`{"points": [{"period_end", "value"}], "centre", "lcl",
    "ucl"}`): the values as a line with points, the centre as a solid rule, the limits as
    dashed rules."""
    points = [
        {"period_end": str(point["period_end"]), "value": float(point["value"])}
        for point in sparkline.get("points", [])
        if _float(point.get("value")) is not None
    ]
    rules = []
    for key, dash, colour in (
        ("centre", None, CENTRE_COLOUR),
        ("lcl", [3, 2], LIMIT_COLOUR),
        ("ucl", [3, 2], LIMIT_COLOUR),
    ):
        value = _float(sparkline.get(key))
        if value is not None:
            mark: dict[str, Any] = {"type": "rule", "color": colour, "strokeWidth": 1}
            if dash:
                mark["strokeDash"] = dash
            rules.append(
                {
                    "name": key,
                    "data": {"values": [{"y": value}]},
                    "mark": mark,
                    "encoding": {"y": {"field": "y", "type": "quantitative"}},
                }
            )
    y_scale = {"zero": False, "nice": False}
    series = {
        "name": "values",
        "data": {"values": points},
        "mark": {"type": "line", "color": POINT_COLOUR, "strokeWidth": 1.5, "point": True},
        "encoding": {
            "x": {"field": "period_end", "type": "temporal", "scale": {"type": "utc"}},
            "y": {"field": "value", "type": "quantitative", "scale": y_scale},
        },
    }
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "background": "#ffffff",
        "padding": 2,
        "description": description or "Sparkline",
        "config": {"view": {"stroke": None}, "axis": {"disable": True}},
        "layer": [*rules, series],
    }


def sparkline_svg(sparkline: Mapping[str, Any] | None, *, description: str = "") -> str:
    """The sparkline as SVG markup ("" when it has no points)."""
    if not sparkline or not sparkline.get("points"):
        return ""
    return render_svg(sparkline_spec(sparkline, description=description))
