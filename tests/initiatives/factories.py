"""factory_boy factories for portfolio records, plus `create_initiative` and
`linked_request`, which go through the services (or write the link row directly), and
`decide`, which takes a gate (approve, defer, stop) as a governance decision.

Intake's factories live in tests/intake/factories.py.
"""

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from governance import services as governance_services
from governance.choices import BodyKind, Outcome
from governance.models import GovernanceBody
from informatics.choices import ValueCategory
from informatics.models import User
from initiatives import services
from initiatives.choices import Alignment, Health, InitiativeType, Stage
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    LinkedRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.models import IntakeRequest
from tests.factories import PriorityFactory, UserFactory
from tests.intake.factories import IntakeRequestFactory


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


DECIDED_BY: dict[str, str] = {
    Stage.APPROVED: Outcome.APPROVE,
    Stage.DEFERRED: Outcome.DEFER,
    Stage.STOPPED: Outcome.STOP,
}


def decide(
    actor: User,
    initiative: Initiative,
    to_stage: str,
    reason: str = "Decided at the gate.",
    revisit_date: datetime.date | None = None,
) -> Initiative:
    """Move `initiative` to approved, deferred or stopped as a decision of the steering body
    (created if missing), recorded by `actor` through the decision service; an approval of an
    initiative without a lead or a benefit line carries a waiver. Returns it read afresh."""
    body, _ = GovernanceBody.objects.get_or_create(
        code="steering", defaults={"name": "Executive steering", "kind": BodyKind.STEERING}
    )
    initiative.refresh_from_db()
    ready = initiative.informaticist_lead_id is not None and initiative.benefits.exists()
    outcome = DECIDED_BY[to_stage]
    governance_services.decision_record(
        actor=actor,
        body=body,
        outcome=outcome,
        rationale=reason,
        initiative=initiative,
        revisit_on=revisit_date,
        waiver="" if ready or outcome != Outcome.APPROVE else "Approved for the test as it is.",
    )
    initiative.refresh_from_db()
    return initiative


def linked_request(request: IntakeRequest, initiative: Initiative) -> LinkedRequest:
    """Link `request` to `initiative` directly (a row, no services, no status move)."""
    link: LinkedRequest = LinkedRequest.objects.create(request=request, initiative=initiative)
    return link


def initiative_of(request: IntakeRequest) -> Initiative | None:
    """The initiative a request is linked to, read afresh from the database."""
    link = LinkedRequest.objects.filter(request=request).select_related("initiative").first()
    return link.initiative if link else None


def request_in(initiative: Initiative, **overrides: Any) -> IntakeRequest:
    """A request written directly (IntakeRequestFactory) and linked to `initiative`."""
    request: IntakeRequest = IntakeRequestFactory.create(**overrides)
    linked_request(request, initiative)
    return request
