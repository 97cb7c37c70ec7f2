"""factory_boy factories for intake and portfolio records, plus helpers that go through the
services.

The factories write rows directly (fast, any state); `submit`, `triage_fully`,
`scored_request` and `create_initiative` use the services, so the rows are exactly what a real
submission, triage or initiative would leave.
"""

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from informatics.choices import ValueCategory
from informatics.models import User
from initiatives import services
from initiatives.choices import (
    Alignment,
    CommentKind,
    Frequency,
    Health,
    InitiativeType,
    RequestKind,
    RequestStatus,
    ScoreReason,
    Stage,
)
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    IntakeRequest,
    Milestone,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
    StageChange,
    StatusUpdate,
)
from tests.factories import PriorityFactory, UserFactory

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


# --- Portfolio ------------------------------------------------------------------------------


class InitiativeFactory(factory.django.DjangoModelFactory[Initiative]):
    """A proposed initiative, written directly (pass stage=… for any other; a deferred one
    needs a revisit_date)."""

    class Meta:
        model = Initiative

    title = factory.Sequence(lambda n: f"Initiative {n}")
    type = InitiativeType.EHR_OPTIMISATION
    summary = "Fewer clicks at admission."
    stage = Stage.PROPOSED
    stage_changed_at = factory.LazyFunction(timezone.now)


class InitiativePriorityFactory(factory.django.DjangoModelFactory[InitiativePriority]):
    class Meta:
        model = InitiativePriority

    initiative = factory.SubFactory(InitiativeFactory)
    priority = factory.SubFactory(PriorityFactory)
    alignment = Alignment.STRONG


class StageChangeFactory(factory.django.DjangoModelFactory[StageChange]):
    class Meta:
        model = StageChange

    initiative = factory.SubFactory(InitiativeFactory)
    from_stage = ""
    to_stage = Stage.PROPOSED


class BenefitLineFactory(factory.django.DjangoModelFactory[BenefitLine]):
    """An unlocked line of the benefit plan: after-hours EHR time from 86 to 60 min/day, a
    year from today."""

    class Meta:
        model = BenefitLine

    initiative = factory.SubFactory(InitiativeFactory)
    value_category = ValueCategory.ENGAGEMENT
    description = "Less after-hours EHR time"
    unit = "min/day"
    baseline = Decimal("86.00")
    target = Decimal("60.00")
    horizon = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))


class MilestoneFactory(factory.django.DjangoModelFactory[Milestone]):
    """An open milestone due in 90 days (pass due_date=… for an overdue one)."""

    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class StatusUpdateFactory(factory.django.DjangoModelFactory[StatusUpdate]):
    """An on-track update (pass schedule=…, scope=…, budget=…, adoption=… and at=…)."""

    class Meta:
        model = StatusUpdate

    initiative = factory.SubFactory(InitiativeFactory)
    author = factory.SubFactory(UserFactory, roles=["informaticist"])
    at = factory.LazyFunction(timezone.now)
    schedule = Health.ON_TRACK
    scope = Health.ON_TRACK
    budget = Health.ON_TRACK
    adoption = Health.ON_TRACK
    narrative = "Build is on plan."


def create_initiative(actor: User, **overrides: Any) -> Initiative:
    """Log an initiative through `initiative_create` (an EHR optimisation unless overridden)."""
    fields: dict[str, Any] = {
        "title": "Admission order set clean-up",
        "type": InitiativeType.ORDER_SET,
        "summary": "Remove unused orders from the admission order sets.",
        **overrides,
    }
    return services.initiative_create(actor=actor, **fields)
