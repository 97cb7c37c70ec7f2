"""The payload of a month's value report: every figure shown, as JSON, each with references to
its sources (the contract of issue 13). Built from the metrics roll-ups (RollupSeries and
RollupPoint of the system facility) and the other apps' records through bounded SQL
aggregates, never from raw measurements. The same data gives the same payload, byte for byte:
nothing in it depends on when it is built.
"""

import calendar
import datetime
import hashlib
import json
import statistics
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, Subquery

from governance.models import Decision
from informatics.models import StrategicPriority
from informatics.services import site_settings_get
from initiatives.choices import Health, Stage
from initiatives.models import BenefitLine, Initiative, InitiativePriority, StatusUpdate
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from metrics.choices import AnnotationKind
from metrics.models import Annotation, RollupPoint, RollupSeries, Target
from metrics.selectors import system_facility
from metrics.targets import applicable_target
from metrics.value import value_headline

SCHEMA = 1
SPARKLINE_POINTS = 12
# Bounds on what one report lists, so a build's cost never grows with the whole history.
MAX_SOURCES = 20
MAX_ROWS = 200
MAX_THEMES = 5
HEALTH_KEYS = {Health.ON_TRACK: "green", Health.AT_RISK: "amber", Health.OFF_TRACK: "red"}
HEALTH_RANK = {Health.ON_TRACK: 0, Health.AT_RISK: 1, Health.OFF_TRACK: 2}

Ref = dict[str, Any]


def payload_hash(payload: dict[str, Any]) -> str:
    """sha256 of the payload's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _number(value: float | Decimal | None, places: str = "0.01") -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _ref(kind: str, pk: int, label: str) -> Ref:
    return {"kind": kind, "id": pk, "label": label[:200]}


def _refs(kind: str, rows: list[tuple[int, str]], *, empty: str) -> list[Ref]:
    """Up to MAX_SOURCES refs of `kind`; when there is no row, one ref to the list the figure
    counts (kind "<kind>_list", id 0), saying there was none, so that every figure still names
    a source a reader can open."""
    refs = [_ref(kind, pk, label) for pk, label in rows[:MAX_SOURCES]]
    return refs or [_ref(f"{kind}_list", 0, empty)]


def build_payload(*, month: datetime.date, priority_id: int | None) -> dict[str, Any]:
    """The payload of `month` (its first day) for the organisation (priority None) or one
    strategic priority."""
    site = site_settings_get()
    start, end = month_bounds(month)
    zone = zoneinfo.ZoneInfo(site.time_zone)
    window = (
        datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone),
    )
    priority = (
        StrategicPriority.objects.only("pk", "title").get(pk=priority_id)
        if priority_id is not None
        else None
    )
    scorecard, appendix = _scorecard(end=end, priority_id=priority_id)
    return {
        "schema": SCHEMA,
        "organisation": site.organisation_name,
        "currency": site.currency,
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "label": f"{calendar.month_name[start.month]} {start.year}",
        },
        "scope": {
            "priority": None if priority is None else {"id": priority.pk, "name": priority.title}
        },
        "headline": value_headline(month=start, priority_id=priority_id),
        "scorecard": scorecard,
        "portfolio": _portfolio(priority_id=priority_id),
        "pipeline": _pipeline(window=window, sla_hours=site.sla_hours, priority_id=priority_id),
        "decisions": _decisions(window=window, priority_id=priority_id),
        "appendix": appendix,
    }


# --- Scorecard ------------------------------------------------------------------------------


def _scorecard(
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
        series_ref = _ref("series", series.pk, f"{metric.code} system-wide")
        metric_ref = _ref("metric", metric.pk, f"{metric.code} {metric.name}")
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
                    "value": _number(latest.value),
                    "period_end": latest.period_end.isoformat(),
                    "sources": [series_ref],
                },
                "target": None
                if target is None
                else {
                    "value": _number(target.value),
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
                            "value": _number(p.value),
                            "sources": [series_ref],
                        }
                        for p in shown
                    ],
                    "centre": _number(latest.centre) if latest else None,
                    "lcl": _number(latest.lower) if latest else None,
                    "ucl": _number(latest.upper) if latest else None,
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
                "sources": [_ref("metric", note.metric_id, codes[note.metric_id])],
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
        "value": _number((latest - baseline) / gap),
        "sources": [_ref("series", complete[-1].series_id, "roll-up")],
    }


# --- Portfolio ------------------------------------------------------------------------------


def _portfolio(*, priority_id: int | None) -> list[dict[str, Any]]:
    """Per priority (an initiative under each priority it is aligned to; "none" for those
    aligned to none): stage and health counts and the benefit lines, locked target against
    realised. Four queries."""
    alignments = InitiativePriority.objects.all()
    if priority_id is not None:
        alignments = alignments.filter(priority_id=priority_id)
    pairs = list(
        alignments.values_list("priority_id", "priority__title", "initiative_id").order_by(
            "priority__rank", "priority_id", "initiative_id"
        )[: MAX_ROWS * 5]
    )
    by_priority: dict[int | None, list[int]] = defaultdict(list)
    titles: dict[int | None, str] = {}
    for aligned_id, title, initiative_id in pairs:
        by_priority[aligned_id].append(initiative_id)
        titles[aligned_id] = title
    if priority_id is None:
        unaligned = list(
            Initiative.objects.filter(alignments__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[: MAX_ROWS * 5]
        )
        if unaligned:
            by_priority[None] = unaligned
    initiative_ids = {pk for ids in by_priority.values() for pk in ids}
    latest = StatusUpdate.objects.filter(initiative=OuterRef("pk")).order_by("-at", "-pk")
    initiatives = {
        row["pk"]: row
        for row in Initiative.objects.filter(pk__in=initiative_ids)
        .annotate(
            h_schedule=Subquery(latest.values("schedule")[:1]),
            h_scope=Subquery(latest.values("scope")[:1]),
            h_budget=Subquery(latest.values("budget")[:1]),
            h_adoption=Subquery(latest.values("adoption")[:1]),
        )
        .values("pk", "title", "stage", "h_schedule", "h_scope", "h_budget", "h_adoption")
    }
    benefits: dict[int, list[BenefitLine]] = defaultdict(list)
    for line in BenefitLine.objects.filter(initiative_id__in=initiative_ids).order_by(
        "initiative_id", "pk"
    )[: MAX_ROWS * 5]:
        benefits[line.initiative_id].append(line)
    sections = []
    for pid, ids in by_priority.items():
        stages = {str(stage): 0 for stage in Stage.values}
        health = {"green": 0, "amber": 0, "red": 0, "none": 0}
        lines = []
        for pk in ids:
            row = initiatives[pk]
            stages[row["stage"]] += 1
            health[_health(row)] += 1
            for line in benefits[pk]:
                lines.append(
                    {
                        "initiative_id": pk,
                        "line_id": line.pk,
                        "description": line.description,
                        "locked_target": _number(line.locked_target),
                        "realised": None,
                        "sources": [_ref("benefit_line", line.pk, line.description)],
                    }
                )
        refs = [_ref("initiative", pk, initiatives[pk]["title"]) for pk in ids[:MAX_SOURCES]]
        if pid is not None:
            refs.insert(0, _ref("priority", pid, titles[pid]))
        sections.append(
            {
                "priority": None if pid is None else {"id": pid, "name": titles[pid]},
                "stages": stages,
                "health": health,
                "benefits": lines[:MAX_ROWS],
                "sources": refs,
            }
        )
    return sections


def _health(row: Mapping[str, Any]) -> str:
    """The worst dimension of the latest status update; "none" without one."""
    values = [row[name] for name in ("h_schedule", "h_scope", "h_budget", "h_adoption")]
    known = [value for value in values if value in HEALTH_RANK]
    if not known:
        return "none"
    return HEALTH_KEYS[Health(max(known, key=lambda value: HEALTH_RANK[value]))]


# --- Governance pipeline --------------------------------------------------------------------


def _requests(priority_id: int | None) -> Any:
    rows = IntakeRequest.objects.all()
    return rows.filter(priorities=priority_id) if priority_id is not None else rows


def _days(durations: list[datetime.timedelta]) -> dict[str, str | None]:
    days = sorted(Decimal(d.total_seconds()) / Decimal(86400) for d in durations)
    if not days:
        return {"median": None, "p90": None}
    p90 = days[min(len(days) - 1, int(Decimal("0.9") * len(days)))]
    return {"median": _number(statistics.median(days)), "p90": _number(p90)}


def _pipeline(
    *,
    window: tuple[datetime.datetime, datetime.datetime],
    sla_hours: dict[str, int],
    priority_id: int | None,
) -> dict[str, Any]:
    """Requests received, decided and delivered in the month; days to decision and to delivery
    (median, 90th percentile); the share decided within the route's SLA; the top themes (EHR
    module). Each list is bounded."""
    start, end = window
    received = list(
        _requests(priority_id)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("pk")
        .values_list("pk", "title")[: MAX_ROWS * 50]
    )

    def changes(status: str) -> list[tuple[int, str, datetime.datetime, datetime.datetime, str]]:
        rows = RequestStatusChange.objects.filter(to_status=status, at__gte=start, at__lt=end)
        if priority_id is not None:
            rows = rows.filter(request__priorities=priority_id)
        return list(
            rows.order_by("request_id", "at")
            .values_list(
                "request_id", "request__title", "at", "request__created_at", "request__route"
            )
            .distinct()[: MAX_ROWS * 50]
        )

    decided = changes(RequestStatus.DECIDED)
    delivered = changes(RequestStatus.RELEASED)
    within = [
        at - created <= datetime.timedelta(hours=sla_hours.get(route, 0))
        for _, _, at, created, route in decided
        if route in sla_hours
    ]
    themes = list(
        _requests(priority_id)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(ehr_module="")
        .values("ehr_module")
        .annotate(count=Count("pk"), first=Min("pk"))
        .order_by("-count", "ehr_module")[:MAX_THEMES]
    )
    decided_refs = _refs("request", [(r[0], r[1]) for r in decided], empty="none decided")
    delivered_refs = _refs("request", [(r[0], r[1]) for r in delivered], empty="none delivered")
    return {
        "received": {
            "value": len(received),
            "sources": _refs("request", received, empty="none received"),
        },
        "decided": {"value": len(decided), "sources": decided_refs},
        "delivered": {"value": len(delivered), "sources": delivered_refs},
        "days_to_decision": {
            **_days([at - created for _, _, at, created, _ in decided]),
            "sources": decided_refs,
        },
        "days_to_delivery": {
            **_days([at - created for _, _, at, created, _ in delivered]),
            "sources": delivered_refs,
        },
        "within_sla": {
            "value": _number(Decimal(sum(within)) / len(within)) if within else None,
            "sources": decided_refs,
        },
        "themes": [
            {
                "theme": row["ehr_module"],
                "count": row["count"],
                "sources": [_ref("request", row["first"], row["ehr_module"])],
            }
            for row in themes
        ],
    }


# --- Decisions ------------------------------------------------------------------------------


def _decisions(
    *, window: tuple[datetime.datetime, datetime.datetime], priority_id: int | None
) -> dict[str, Any]:
    """Decisions taken in the month, and what waits on one at its end: requests in review,
    initiatives proposed (awaiting the approval gate). Three queries, bounded."""
    start, end = window
    taken = Decision.objects.filter(decided_at__gte=start, decided_at__lt=end)
    waiting_requests = _requests(priority_id).filter(status=RequestStatus.IN_REVIEW)
    proposed = Initiative.objects.filter(stage=Stage.PROPOSED, created_at__lt=end)
    if priority_id is not None:
        taken = taken.filter(
            Q(priority_id=priority_id)
            | Q(initiative__priorities=priority_id)
            | Q(request__priorities=priority_id)
        ).distinct()
        proposed = proposed.filter(priorities=priority_id)
    taken_rows = list(
        taken.annotate(
            request_title=F("request__title"),
            initiative_title=F("initiative__title"),
            priority_title=F("priority__title"),
        )
        .order_by("decided_at", "pk")
        .values(
            "pk",
            "outcome",
            "decided_at",
            "rationale",
            "request_id",
            "initiative_id",
            "priority_id",
            "request_title",
            "initiative_title",
            "priority_title",
        )[:MAX_ROWS]
    )
    needed = [
        {
            "subject": title,
            "why": "In review: awaiting a governance decision",
            "sources": [_ref("request", pk, title)],
        }
        for pk, title in waiting_requests.order_by("pk").values_list("pk", "title")[:MAX_ROWS]
    ] + [
        {
            "subject": title,
            "why": "Proposed: awaiting the approval gate",
            "sources": [_ref("initiative", pk, title)],
        }
        for pk, title in proposed.order_by("pk").values_list("pk", "title")[:MAX_ROWS]
    ]
    return {"taken": [_taken(row) for row in taken_rows], "needed": needed}


def _taken(row: Mapping[str, Any]) -> dict[str, Any]:
    sources = [_ref("decision", row["pk"], f"Decision #{row['pk']}")]
    for kind in ("request", "initiative", "priority"):
        if row[f"{kind}_id"] is not None:
            subject = row[f"{kind}_title"]
            sources.append(_ref(kind, row[f"{kind}_id"], subject))
    return {
        "id": row["pk"],
        "outcome": row["outcome"],
        "subject": sources[1]["label"] if len(sources) > 1 else "",
        "decided_at": row["decided_at"].isoformat(),
        "rationale": row["rationale"],
        "sources": sources,
    }
