"""The Vega-Lite spec of a metric's chart: its named layers (points, centre and limits, target,
annotations), axes, colours and the description a screen reader announces."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from metrics.charts.points import ChartPoint, chart_points, figure, point_state, rule
from metrics.choices import AnnotationKind, ChartType, Variation

if TYPE_CHECKING:
    from metrics.selectors import SeriesView
    from metrics.spc import Analysis


SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH = 880
HEIGHT = 320

# Making Data Count's palette (NHSRplotthedots), and grey for what is still arriving.
COLOURS: dict[str, str] = {
    Variation.IMPROVEMENT: "#289de0",
    Variation.CONCERN: "#fab428",
    Variation.NEUTRAL: "#361475",
    Variation.COMMON_CAUSE: "#7b7d7d",
}
STATE_LABELS: dict[str, str] = {
    Variation.IMPROVEMENT: "Improvement",
    Variation.CONCERN: "Concern",
    Variation.NEUTRAL: "Special cause (no better direction)",
    Variation.COMMON_CAUSE: "Common cause",
}
STATE_SCALE = {
    "domain": [STATE_LABELS[state] for state in COLOURS],
    "range": list(COLOURS.values()),
}
INK = "#17212b"
LIMIT_COLOUR = "#4f5b67"
CENTRE_COLOUR = "#17212b"
TARGET_COLOUR = "#14633a"
MARK_COLOURS: dict[str, str] = {
    "go_live": "#0a5a82",
    AnnotationKind.PDSA: "#7a4300",
    AnnotationKind.REBASE: "#a61b1b",
    AnnotationKind.NOTE: "#4f5b67",
}
MARK_PREFIXES: dict[str, str] = {
    "go_live": "Go-live",
    AnnotationKind.PDSA: "PDSA",
    AnnotationKind.REBASE: "Rebase",
    AnnotationKind.NOTE: "Note",
}
LABEL_ROWS = 3  # annotation labels stagger over this many rows, so close ones do not collide
LABEL_ROW_HEIGHT = 13
RIGHT_ALIGN_FROM = 0.6  # labels of marks in the right part of the chart run leftward
LABEL_MAX = 40


def _unit(view: SeriesView) -> str:
    return str(view.metric.unit or "")


def _y(field: str, view: SeriesView) -> dict[str, Any]:
    """The shared y encoding: every layer uses the same scale, axis and title."""
    return {
        "field": field,
        "type": "quantitative",
        "scale": {"zero": False, "nice": True},
        "axis": {"title": _unit(view), "grid": True, "tickCount": 6},
    }


X_AXIS = {
    "title": None,
    "format": "%b %Y",
    "labelAngle": 0,
    "tickCount": {"interval": "month", "step": 3},
    "grid": False,
}


def _x(field: str = "period") -> dict[str, Any]:
    return {"field": field, "type": "temporal", "scale": {"type": "utc"}, "axis": X_AXIS}


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def _describe(point: ChartPoint, state: str, unit: str) -> str:
    """The point's accessible name (its aria-label in the SVG)."""
    text = f"{point.period:%b %Y}: {figure(point.value)} {unit}".strip()
    if not point.complete:
        return f"{text}; incomplete period"
    if point.signals:
        rules = ", ".join(sorted({rule(s).replace("_", " ") for s in point.signals}))
        return f"{text}; {STATE_LABELS[state].lower()} ({rules})"
    return text


LINE_NAMES = {"centre": "Centre line", "lower": "Lower limit", "upper": "Upper limit"}


def _line_layer(name: str, rows: list[dict[str, Any]], view: SeriesView, **mark: Any) -> dict:
    """A step line of one segment's centre or limit per segment (`detail` splits them)."""
    return {
        "name": name,
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "step", "strokeWidth": 1.5, **mark},
        "encoding": {
            "x": _x(),
            "y": _y("y", view),
            "detail": {"field": "segment", "type": "nominal"},
            "description": {"value": LINE_NAMES[name]},
        },
    }


def chart_spec(view: SeriesView, analysis: Analysis | None = None) -> dict[str, Any]:
    """The Vega-Lite spec of `view` (its stored roll-up, or `analysis` under another preset)."""
    metric = view.metric
    direction = str(metric.direction)
    chart_type = str(view.series.chart_type if view.series else metric.chart_type)
    unit = _unit(view)
    points = chart_points(view, analysis)
    layers: list[dict[str, Any]] = []

    point_rows = []
    for point in points:
        state = point_state(point.signals, direction=direction, complete=point.complete)
        point_rows.append(
            {
                "period": _iso(point.period),
                "value": point.value,
                "state": STATE_LABELS[state],
                "complete": point.complete,
                "description": _describe(point, state, unit),
            }
        )

    is_survey = chart_type == ChartType.SURVEY
    is_cumulative = chart_type == ChartType.CUMULATIVE
    if not is_survey and not is_cumulative:
        for name, attribute, dash, colour in (
            ("centre", "centre", None, CENTRE_COLOUR),
            ("lower", "lower", [4, 3], LIMIT_COLOUR),
            ("upper", "upper", [4, 3], LIMIT_COLOUR),
        ):
            rows = [
                {"period": _iso(p.period), "y": getattr(p, attribute), "segment": p.segment}
                for p in points
                if getattr(p, attribute) is not None
            ]
            if rows:
                mark: dict[str, Any] = {"color": colour}
                if dash:
                    mark["strokeDash"] = dash
                layers.append(_line_layer(name, rows, view, **mark))
    if is_survey:
        intervals = [
            {"period": _iso(p.period), "lower": p.lower, "upper": p.upper}
            for p in points
            if p.lower is not None and p.upper is not None
        ]
        if intervals:
            layers.append(
                {
                    "name": "interval",
                    "data": {"values": intervals},
                    "mark": {"type": "rule", "color": LIMIT_COLOUR, "strokeWidth": 2},
                    "encoding": {
                        "x": _x(),
                        "y": _y("lower", view),
                        "y2": {"field": "upper"},
                    },
                }
            )

    # The values joined, faintly, so the eye follows the series.
    if len(point_rows) > 1 and not is_survey:
        layers.append(
            {
                "name": "series",
                "data": {"values": [{"period": r["period"], "y": r["value"]} for r in point_rows]},
                "mark": {"type": "line", "color": "#8795a1", "strokeWidth": 1, "aria": False},
                "encoding": {"x": _x(), "y": _y("y", view)},
            }
        )

    target = view.target
    if target is not None:
        value = float(target.value)
        layers.append(
            {
                "name": "target",
                "data": {"values": [{"y": value, "label": f"Target {figure(value)}"}]},
                "layer": [
                    {
                        "mark": {
                            "type": "rule",
                            "color": TARGET_COLOUR,
                            "strokeDash": [8, 5],
                            "strokeWidth": 1.5,
                        },
                        "encoding": {
                            "y": _y("y", view),
                            "description": {"field": "label"},
                        },
                    },
                    {
                        "mark": {
                            "type": "text",
                            "align": "right",
                            "baseline": "bottom",
                            "dy": -3,
                            "color": TARGET_COLOUR,
                            "fontSize": 11,
                            "fontWeight": "bold",
                        },
                        "encoding": {
                            "y": _y("y", view),
                            "x": {"value": WIDTH},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )

    layers.extend(_annotation_layers(view, points))

    layers.append(
        {
            "name": "points",
            "data": {"values": point_rows},
            "mark": {"type": "point", "size": 55, "strokeWidth": 1.5, "opacity": 1},
            "encoding": {
                "x": _x(),
                "y": _y("value", view),
                "color": {
                    "field": "state",
                    "type": "nominal",
                    "scale": STATE_SCALE,
                    # Survey waves and running totals carry no signals: no key to them.
                    "legend": None
                    if is_survey or is_cumulative
                    else {
                        "title": None,
                        "orient": "bottom",
                        "direction": "horizontal",
                        "labelLimit": 320,
                        "columnPadding": 24,
                        "symbolType": "circle",
                    },
                },
                "fill": {
                    "condition": {
                        "test": "datum.complete",
                        "field": "state",
                        "type": "nominal",
                        "scale": STATE_SCALE,
                        "legend": None,
                    },
                    "value": "#ffffff",
                },
                "description": {"field": "description"},
            },
        }
    )

    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "background": "#ffffff",
        "padding": {"left": 4, "right": 12, "top": 8, "bottom": 4},
        "description": _chart_description(view, chart_type),
        "config": {
            "font": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif",
            "axis": {
                "labelColor": INK,
                "titleColor": INK,
                "labelFontSize": 11,
                "titleFontSize": 12,
                "domainColor": "#8795a1",
                "tickColor": "#8795a1",
                "gridColor": "#e6eaee",
            },
            "legend": {"labelColor": INK, "labelFontSize": 11, "symbolStrokeWidth": 1.5},
            "view": {"stroke": None},
        },
        "layer": layers,
    }
    if any(not p.complete for p in points):
        spec["title"] = {
            "text": "Hollow points: periods whose data is still arriving (never a signal).",
            "anchor": "start",
            "color": LIMIT_COLOUR,
            "fontSize": 11,
            "fontWeight": "normal",
        }
    return spec


def _chart_description(view: SeriesView, chart_type: str) -> str:
    facility = view.facility.name if view.facility is not None else "All facilities"
    return f"{view.metric.code} {view.metric.name}, {facility}: {ChartType(chart_type).label}."


def _annotation_layers(view: SeriesView, points: list[ChartPoint]) -> list[dict[str, Any]]:
    """Go-lives, PDSA tests, rebases and notes within the charted periods, as labelled rules.
    The labels sit above the plot, in staggered rows, so they never cover a point; those in
    the right part of the chart run leftward from their rule."""
    if not points:
        return []
    first, last = points[0].period, points[-1].period_end
    span = max((points[-1].period - first).days, 1)
    rows = []
    for index, mark in enumerate(m for m in view.marks if first <= m.date <= last):
        kind = str(mark.kind)
        label = str(mark.label)
        if kind == AnnotationKind.REBASE:  # the reason is on the page, not on the chart
            label = label.split(" (rebase: ")[0]
        prefix = MARK_PREFIXES.get(kind, kind.title())
        if not label.startswith(prefix):
            label = f"{prefix}: {label}"
        if len(label) > LABEL_MAX:
            label = label[: LABEL_MAX - 1].rstrip() + "…"
        rows.append(
            {
                "date": _iso(mark.date),
                "kind": kind,
                "label": label,
                "row": -8 - LABEL_ROW_HEIGHT * (LABEL_ROWS - 1 - index % LABEL_ROWS),
                "colour": MARK_COLOURS.get(kind, LIMIT_COLOUR),
                "leftward": (mark.date - first).days / span > RIGHT_ALIGN_FROM,
            }
        )
    if not rows:
        return []

    def labels(leftward: bool) -> dict[str, Any]:
        return {
            "transform": [{"filter": f"{'' if leftward else '!'}datum.leftward"}],
            "mark": {
                "type": "text",
                "align": "right" if leftward else "left",
                "baseline": "middle",
                "dx": -4 if leftward else 4,
                "fontSize": 11,
            },
            "encoding": {
                "x": _x("date"),
                "y": {"field": "row", "type": "quantitative", "scale": None},
                "text": {"field": "label"},
                "color": {"field": "colour", "type": "nominal", "scale": None},
            },
        }

    return [
        {
            "name": "annotations",
            "data": {"values": rows},
            "layer": [
                {
                    "mark": {"type": "rule", "strokeWidth": 1.5, "strokeDash": [2, 2]},
                    "encoding": {
                        "x": _x("date"),
                        "color": {"field": "colour", "type": "nominal", "scale": None},
                        "description": {"field": "label"},
                    },
                },
                {
                    "mark": {"type": "rule", "strokeWidth": 1, "strokeDash": [2, 2], "aria": False},
                    "encoding": {
                        "x": _x("date"),
                        "y": {"field": "row", "type": "quantitative", "scale": None},
                        "y2": {"value": 0},
                        "color": {"field": "colour", "type": "nominal", "scale": None},
                    },
                },
                labels(False),
                labels(True),
            ],
        }
    ]
