"""Governance records for the agenda, review and action tests."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from governance.choices import BodyKind
from governance.models import ActionItem, GovernanceBody, Review, RouteOwner
from informatics.choices import FacilityKind
from informatics.models import User
from metrics.choices import Assurance, ChartType, RulePreset, Variation
from metrics.models import Metric, RollupSeries
from tests.factories import FacilityFactory
from tests.intake.factories import IntakeRequestFactory, RequestScoreFactory
from tests.metrics.factories import MetricFactory


def body(code: str, kind: str, chair: User | None = None, **fields: Any) -> GovernanceBody:
    made, _ = GovernanceBody.objects.get_or_create(
        code=code, defaults={"name": code.upper(), "kind": kind, "chair": chair, **fields}
    )
    return made


def steering(chair: User | None = None) -> GovernanceBody:
    return body("steering", BodyKind.STEERING, chair)


def review_of(owner: GovernanceBody, creator: User, days: int = 7) -> Review:
    return Review.objects.create(
        body=owner,
        scheduled_for=timezone.now() + datetime.timedelta(days=days),
        created_by=creator,
    )


def routed_request(route: str, owner: GovernanceBody, score: str | None, **fields: Any) -> Any:
    RouteOwner.objects.get_or_create(route=route, defaults={"body": owner})
    request = IntakeRequestFactory.create(route=route, **{"status": "scored", **fields})
    if score is not None:
        request.current_score = RequestScoreFactory.create(request=request, value=Decimal(score))
        request.save(update_fields=["current_score"])
    return request


def rollup(metric: Metric | None = None, **fields: Any) -> RollupSeries:
    system = FacilityFactory.create(code="sys", kind=FacilityKind.SYSTEM)
    return RollupSeries.objects.create(
        metric=metric or MetricFactory.create(),
        facility=system,
        chart_type=ChartType.XMR,
        rule_preset=RulePreset.MDC,
        fingerprint="x",
        **{"variation": Variation.COMMON_CAUSE, "assurance": Assurance.HIT_AND_MISS, **fields},
    )


def action(owner_body: GovernanceBody, owner: User, due_on: datetime.date, **f: Any) -> ActionItem:
    return ActionItem.objects.create(
        title=f.pop("title", "Send the order-set draft"),
        owner=owner,
        due_on=due_on,
        body=owner_body,
        **f,
    )
