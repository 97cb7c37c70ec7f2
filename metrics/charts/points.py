"""The points of a chart: each period's value, limits and state (the signal it carries, or
common cause, or not complete yet), as the chart and its accessible description show them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from metrics.choices import Direction, Variation

if TYPE_CHECKING:
    from metrics.models import RollupPoint
    from metrics.selectors import SeriesView
    from metrics.spc import AnalysedPoint, Analysis


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One period as drawn: from the stored roll-up, or from an analysis under another preset."""

    period: datetime.date
    period_end: datetime.date
    value: float
    centre: float | None
    lower: float | None
    upper: float | None
    segment: int
    signals: tuple[dict[str, Any], ...]
    complete: bool


def point_state(signals: Any, *, direction: str, complete: bool) -> str:
    """The Making Data Count state of one point, as the engine classifies the latest one:
    common cause without a signal (and always for an incomplete period); neither better nor
    worse when the metric has no better direction or no signal has a side; concern when any
    signal is on the bad side, else improvement."""
    if not complete or not signals:
        return Variation.COMMON_CAUSE
    sides = {_side(signal) for signal in signals} - {None}
    if direction == Direction.NONE or not sides:
        return Variation.NEUTRAL
    bad = "down" if direction == Direction.HIGHER else "up"
    return Variation.CONCERN if bad in sides else Variation.IMPROVEMENT


def _side(signal: Any) -> str | None:
    side = signal.get("side") if isinstance(signal, dict) else getattr(signal, "side", None)
    return str(side) if side else None


def rule(signal: Any) -> str:
    rule = signal.get("rule") if isinstance(signal, dict) else getattr(signal, "rule", "")
    return str(rule or "")


def chart_points(view: SeriesView, analysis: Analysis | None = None) -> list[ChartPoint]:
    """The series as drawn. With an analysis (another rule preset, recomputed from the stored
    aggregates) its centre, limits and signals replace the stored ones, point by point."""
    analysed = list(analysis.points) if analysis is not None else []
    use_analysis = len(analysed) == len(view.points) and analysis is not None
    points = []
    for index, row in enumerate(view.points):
        source: AnalysedPoint | RollupPoint = analysed[index] if use_analysis else row
        signals = (
            tuple({"rule": rule(s), "side": _side(s)} for s in source.signals)
            if use_analysis
            else tuple(row.signals or ())
        )
        points.append(
            ChartPoint(
                period=row.period_start,
                period_end=row.period_end,
                value=float(source.value),
                centre=source.centre,
                lower=source.lower,
                upper=source.upper,
                segment=source.segment,
                signals=signals,
                complete=source.complete,
            )
        )
    return points


def figure(value: float) -> str:
    """A figure for a label: up to three significant decimals, no trailing zeros."""
    if value == int(value) and abs(value) >= 1:
        return f"{value:,.0f}"
    text = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")
