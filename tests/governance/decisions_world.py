"""What the decision tests share: a steering body, a request in review, initiatives at the
gate, and the tables a refused decision must leave as they were."""

from decimal import Decimal
from typing import Any

from governance.models import BodyMembership, Decision, GovernanceBody
from informatics.models import AuditEvent, Notification, User
from initiatives.models import BenefitLine, Initiative, StageChange
from intake import services as intake_services
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestStatusChange
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.intake.factories import scored_request

TABLES: tuple[Any, ...] = (
    Decision,
    Initiative,
    StageChange,
    BenefitLine,
    IntakeRequest,
    RequestStatusChange,
    Notification,
    AuditEvent,
)


def steering(*members: User) -> GovernanceBody:
    body = GovernanceBody.objects.create(
        code="steering", name="Executive steering", kind="steering"
    )
    for member in members:
        BodyMembership.objects.create(body=body, user=member)
    return body


def in_review(triager: User, submitter: User | None = None) -> IntakeRequest:
    """A request scored through the services and moved to In review."""
    request = scored_request(triager, submitter)
    intake_services.request_transition(
        actor=triager, request=request, to_status=RequestStatus.IN_REVIEW
    )
    return request


def ready_initiative(lead: User, **fields: Any) -> Initiative:
    """A proposed initiative with its informaticist lead and one benefit line."""
    initiative: Initiative = InitiativeFactory.create(
        title="Sepsis alert tuning", informaticist_lead=lead, **fields
    )
    BenefitLineFactory.create(
        initiative=initiative, baseline=Decimal("86.00"), target=Decimal("60.00")
    )
    return initiative
