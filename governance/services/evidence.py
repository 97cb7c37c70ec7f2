"""The evidence a decision saw, frozen with it: the request's story, votes, score and triage
inputs; the initiative's stage, health, benefits and metrics; the priority's goal. Read when
the decision is recorded, so later changes to the subject do not rewrite what was decided on."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from governance.models import AgendaItem
from informatics.models import StrategicPriority
from initiatives.choices import Stage
from initiatives.health import with_health
from initiatives.models import Initiative
from intake.choices import RequestStatus
from intake.models import IntakeRequest


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# Only facts the portal computed or chose from a list are copied: a subject's free text
# (titles, descriptions) stays on its record, where an admin's redaction reaches it.


def _request_evidence(request: IntakeRequest) -> dict[str, Any]:
    row = IntakeRequest.objects.select_related("current_score__rubric").filter(pk=request.pk).get()
    score = row.current_score
    return {
        "status": row.status,
        "status_label": str(RequestStatus(row.status).label),
        "route": row.route,
        "route_label": row.get_route_display() if row.route else "",
        "votes": row.votes.count(),
        "score": None
        if score is None
        else {
            "value": _plain(score.value),
            "priority_index": _plain(score.priority_index),
            "effort_band": score.effort_band,
            "effort_points": score.effort_points,
            "people": score.people,
            "reach": score.reach,
            "rubric_version": score.rubric_id,
            "breakdown": [
                {
                    "code": item["code"],
                    "label": item.get("label", item["code"]),
                    "weight": _plain(item.get("weight")),
                    "rating": _plain(item.get("rating")),
                    "points": _plain(item.get("points")),
                }
                for item in score.ordered_breakdown
            ],
        },
    }


def _initiative_evidence(initiative: Initiative) -> dict[str, Any]:
    row = (
        with_health(Initiative.objects.filter(pk=initiative.pk))
        .select_related("informaticist_lead")
        .prefetch_related("benefits")
        .get()
    )
    lead = row.informaticist_lead
    return {
        "stage": row.stage,
        "stage_label": str(Stage(row.stage).label),
        "health": getattr(row, "latest_health", None),
        "is_stale": bool(getattr(row, "is_stale", False)),
        "lead": lead.get_full_name() or lead.email if lead is not None else None,
        "benefits": [
            {
                "category": benefit.value_category,
                "category_label": benefit.get_value_category_display(),
                "baseline": _plain(benefit.baseline),
                "target": _plain(benefit.target),
                "unit": benefit.unit,
                "horizon": _plain(benefit.horizon),
            }
            for benefit in row.benefits.all()
        ],
    }


def _priority_evidence(priority: StrategicPriority) -> dict[str, Any]:
    return {"title": priority.title, "rank": priority.rank, "is_active": priority.is_active}


def decision_evidence(
    *,
    request: IntakeRequest | None = None,
    initiative: Initiative | None = None,
    priority: StrategicPriority | None = None,
    agenda_item: AgendaItem | None = None,
) -> dict[str, Any]:
    """The evidence a decision sees about its subject, as plain JSON, taken now."""
    evidence: dict[str, Any]
    if request is not None:
        evidence = {"subject": "request", "number": request.pk, **_request_evidence(request)}
    elif initiative is not None:
        evidence = {
            "subject": "initiative",
            "number": initiative.pk,
            **_initiative_evidence(initiative),
        }
    else:
        assert priority is not None
        evidence = {"subject": "priority", "number": priority.pk, **_priority_evidence(priority)}
    if agenda_item is not None:
        evidence["agenda_reason"] = agenda_item.reason
    evidence["taken_at"] = timezone.now().isoformat()
    return evidence
