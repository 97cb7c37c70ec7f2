"""factory_boy factories for intake records, plus helpers that go through the services.

The factories write rows directly (fast, any state); `submit`, `triage_fully` and
`scored_request` use the services, so the rows are exactly what a real submission or triage
would leave.
"""

from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from informatics.models import User
from intake import services
from intake.choices import CommentKind, Frequency, RequestKind, RequestStatus, ScoreReason
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)
from tests.factories import UserFactory

# Ratings of every criterion of the default rubric (v1) that triage rates (all but reach).
FULL_RATINGS: dict[str, int] = {
    "safety_quality": 3,
    "strategic_alignment": 4,
    "time_saved": 2,
    "financial": 1,
    "equity": 0,
    "evidence": 3,
    "readiness": 5,
}


class IntakeRequestFactory(factory.django.DjangoModelFactory[IntakeRequest]):
    """A submitted pain point by a champion (pass status=… for any other state)."""

    class Meta:
        model = IntakeRequest

    kind = RequestKind.PAIN_POINT
    title = factory.Sequence(lambda n: f"Pain point {n}")
    story_today = "Every admission takes four extra clicks."
    story_wanted = "One click."
    frequency = Frequency.DAILY
    submitted_by = factory.SubFactory(UserFactory, roles=["champion"])
    status = RequestStatus.SUBMITTED
    status_changed_at = factory.LazyFunction(timezone.now)


class RequestVoteFactory(factory.django.DjangoModelFactory[RequestVote]):
    class Meta:
        model = RequestVote

    request = factory.SubFactory(IntakeRequestFactory)
    voter = factory.SubFactory(UserFactory, roles=["champion"])
    frequency = Frequency.WEEKLY


class RequestCommentFactory(factory.django.DjangoModelFactory[RequestComment]):
    class Meta:
        model = RequestComment

    request = factory.SubFactory(IntakeRequestFactory)
    author = factory.SubFactory(UserFactory, roles=["informaticist"])
    kind = CommentKind.COMMENT
    body = "Thanks, we are looking at it."


class RequestStatusChangeFactory(factory.django.DjangoModelFactory[RequestStatusChange]):
    class Meta:
        model = RequestStatusChange

    request = factory.SubFactory(IntakeRequestFactory)
    from_status = RequestStatus.SUBMITTED
    to_status = RequestStatus.TRIAGE


class RequestScoreFactory(factory.django.DjangoModelFactory[RequestScore]):
    """A score row under the current rubric (set it as the request's current_score yourself)."""

    class Meta:
        model = RequestScore

    request = factory.SubFactory(IntakeRequestFactory)
    rubric = factory.LazyFunction(lambda: Rubric.objects.get(is_current=True))
    reason = ScoreReason.TRIAGE
    breakdown = factory.LazyFunction(dict)
    people = 1
    reach = 0
    value = Decimal("50.00")
    effort_band = "S"
    effort_points = 2
    priority_index = Decimal("25.00")


def submit(actor: User, **overrides: Any) -> IntakeRequest:
    """Submit a request through `request_submit` (a daily pain point unless overridden)."""
    fields: dict[str, Any] = {
        "kind": RequestKind.PAIN_POINT,
        "title": "Med rec screen loses home meds",
        "story_today": "Home medications vanish when the patient moves units.",
        "story_wanted": "They stay on the list until reconciled.",
        "frequency": Frequency.DAILY,
        **overrides,
    }
    return services.request_submit(actor=actor, **fields)


def triage_fully(
    actor: User,
    request: IntakeRequest,
    *,
    ratings: dict[str, int] | None = None,
    build_hours: int = 20,
    **fields: Any,
) -> IntakeRequest:
    """Triage with every rating and a build estimate, so the request is scored."""
    request.refresh_from_db()
    return services.request_triage(
        actor=actor,
        request=request,
        version=request.version,
        ratings=ratings or FULL_RATINGS,
        build_hours=build_hours,
        **fields,
    )


def scored_request(triager: User, submitter: User | None = None, **overrides: Any) -> IntakeRequest:
    """A request submitted (by `submitter`, or a new champion) and triaged fully by `triager`
    through the services, so it is Scored."""
    author = submitter or UserFactory.create(roles=["champion"])
    request = triage_fully(triager, submit(author, **overrides))
    assert request.status == RequestStatus.SCORED
    return request
