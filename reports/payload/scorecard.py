"""The payload's scorecard: per metric of the report, its latest point, target, progress,
variation and assurance, with a sparkline, read from the system facility's stored roll-ups."""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from metrics.choices import AnnotationKind
from metrics.models import Annotation, RollupPoint, RollupSeries, Target
from metrics.selectors import system_facility
from metrics.targets import applicable_target
from reports.payload.common import MAX_ROWS, SPARKLINE_POINTS, number, ref


def scorecard_section(
    *, end: datetime.date, priority_id: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per active metric with a system-wide roll-up (of the priority, when scoped):
    four queries, whatever the number of metrics."""
    system = system_facility()
    series_rows = RollupSeries.objects.select_related("metric").filter(metric__is_active=True)
    series_rows = series_rows.filter(facility=system) if system else series_rows.none()
    if priority_id is not None:
        series_rows = series_rows.filter(metric__priorities=priority_id)
    series_list = list(series_rows.order_by("metric__value_category", "metric__code")[:MAX_ROWS])
    points: dict[int, list[RollupPoint]] = defaultdict(list)
    oldest = end - datetime.timedelta(days=31 * (SPARKLINE_POINTS + 1))
    for point in RollupPoint.objects.filter(
        series__in=series_list, period_end__lte=end, period_end__gt=oldest
    ).order_by("series_id", "period_start"):
        points[point.series_id].append(point)
    metric_ids = [series.metric_id for series in series_list]
    targets: dict[int, list[Target]] = defaultdict(list)
    for row in Target.objects.filter(metric_id__in=metric_ids):
        targets[row.metric_id].append(row)
    rebases = list(
        Annotation.objects.filter(
            metric_id__in=metric_ids, kind=AnnotationKind.REBASE, date__lte=end
        ).order_by("metric__code", "date", "pk")[:MAX_ROWS]
    )
    rows, definitions, data_through = [], [], {}
    presets: set[str] = set()
    for series in series_list:
        metric = series.metric
        series_ref = ref("series", series.pk, f"{metric.code} system-wide")
        metric_ref = ref("metric", metric.pk, f"{metric.code} {metric.name}")
        shown = points[series.pk][-SPARKLINE_POINTS:]
        latest = shown[-1] if shown else None
        target = applicable_target(targets[metric.pk], facility_id=series.facility_id, today=end)
        complete = [point for point in shown if point.complete]
        through = complete[-1].period_end.isoformat() if complete else None
        data_through[metric.code] = through
        presets.add(series.rule_preset)
        rows.append(
            {
                "metric": {
                    "code": metric.code,
                    "name": metric.name,
                    "unit": metric.unit,
                    "value_category": metric.value_category,
                    "direction": metric.direction,
                },
                "latest": None
                if latest is None
                else {
                    "value": number(latest.value),
                    "period_end": latest.period_end.isoformat(),
                    "sources": [series_ref],
                },
                "target": None
                if target is None
                else {
                    "value": number(target.value),
                    "due": target.due_date.isoformat(),
                    "sources": [metric_ref],
                },
                "progress": _progress(shown, target),
                "variation": series.variation,
                "assurance": series.assurance,
                "data_through": through,
                "incomplete": latest is not None and not latest.complete,
                "sparkline": {
                    "points": [
                        {
                            "period_end": p.period_end.isoformat(),
                            "value": number(p.value),
                            "sources": [series_ref],
                        }
                        for p in shown
                    ],
                    "centre": number(latest.centre) if latest else None,
                    "lcl": number(latest.lower) if latest else None,
                    "ucl": number(latest.upper) if latest else None,
                },
                "sources": [series_ref, metric_ref],
            }
        )
        definitions.append(
            {
                "code": metric.code,
                "name": metric.name,
                "definition_source": metric.definition_source,
                "definition_version": metric.definition_version,
                "chart_type": metric.chart_type,
                "sources": [metric_ref],
            }
        )
    codes = {series.metric_id: series.metric.code for series in series_list}
    appendix = {
        "metrics": definitions,
        "rebases": [
            {
                "metric": codes[note.metric_id],
                "date": note.date.isoformat(),
                "label": note.label,
                "sources": [ref("metric", note.metric_id, codes[note.metric_id])],
            }
            for note in rebases
        ],
        "rule_preset": ", ".join(sorted(presets)),
        "data_through": data_through,
    }
    return rows, appendix


def _progress(points: list[RollupPoint], target: Target | None) -> dict[str, Any] | None:
    """How far the latest complete point has moved from the baseline (the first shown point's
    centre line, else its value) toward the target: 0 at the baseline, 1 at the target."""
    complete = [point for point in points if point.complete]
    if target is None or not complete:
        return None
    first = complete[0]
    baseline = Decimal(str(first.centre if first.centre is not None else first.value))
    latest = Decimal(str(complete[-1].value))
    gap = Decimal(str(target.value)) - baseline
    if gap == 0:
        return None
    return {
        "value": number((latest - baseline) / gap),
        "sources": [ref("series", complete[-1].series_id, "roll-up")],
    }
