"""factory_boy factories for portfolio records, plus `create_initiative` and
`linked_request`, which go through the services (or write the link row directly).

Intake's factories live in tests/intake/factories.py.
"""

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

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
