"""The payload's governance pipeline (requests by status, how long each step took) and the
month's decisions."""

import datetime
import statistics
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q

from governance.models import Decision
from initiatives.choices import Stage
from initiatives.models import Initiative
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from reports.payload.common import MAX_ROWS, MAX_THEMES, number, ref, refs


def _requests(priority_id: int | None) -> Any:
    rows = IntakeRequest.objects.all()
    return rows.filter(priorities=priority_id) if priority_id is not None else rows


def _days(durations: list[datetime.timedelta]) -> dict[str, str | None]:
    days = sorted(Decimal(d.total_seconds()) / Decimal(86400) for d in durations)
    if not days:
        return {"median": None, "p90": None}
    p90 = days[min(len(days) - 1, int(Decimal("0.9") * len(days)))]
    return {"median": number(statistics.median(days)), "p90": number(p90)}


def pipeline_section(
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
    decided_refs = refs("request", [(r[0], r[1]) for r in decided], empty="none decided")
    delivered_refs = refs("request", [(r[0], r[1]) for r in delivered], empty="none delivered")
    return {
        "received": {
            "value": len(received),
            "sources": refs("request", received, empty="none received"),
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
            "value": number(Decimal(sum(within)) / len(within)) if within else None,
            "sources": decided_refs,
        },
        "themes": [
            {
                "theme": row["ehr_module"],
                "count": row["count"],
                "sources": [ref("request", row["first"], row["ehr_module"])],
            }
            for row in themes
        ],
    }


def decisions_section(
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
            "sources": [ref("request", pk, title)],
        }
        for pk, title in waiting_requests.order_by("pk").values_list("pk", "title")[:MAX_ROWS]
    ] + [
        {
            "subject": title,
            "why": "Proposed: awaiting the approval gate",
            "sources": [ref("initiative", pk, title)],
        }
        for pk, title in proposed.order_by("pk").values_list("pk", "title")[:MAX_ROWS]
    ]
    return {"taken": [_taken(row) for row in taken_rows], "needed": needed}


def _taken(row: Mapping[str, Any]) -> dict[str, Any]:
    sources = [ref("decision", row["pk"], f"Decision #{row['pk']}")]
    for kind in ("request", "initiative", "priority"):
        if row[f"{kind}_id"] is not None:
            subject = row[f"{kind}_title"]
            sources.append(ref(kind, row[f"{kind}_id"], subject))
    return {
        "id": row["pk"],
        "outcome": row["outcome"],
        "subject": sources[1]["label"] if len(sources) > 1 else "",
        "decided_at": row["decided_at"].isoformat(),
        "rationale": row["rationale"],
        "sources": sources,
    }
