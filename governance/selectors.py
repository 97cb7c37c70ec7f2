"""Reads of this app, shaped for pages and the API."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from governance.choices import BodyKind
from governance.models import Decision, GovernanceBody, RouteOwner
from informatics.choices import Role
from informatics.models import User
from informatics.permissions import Action, can
from informatics.selectors import NeedsMeItem
from initiatives.models import Initiative
from initiatives.selectors import GATE_WAITING_STAGES
from intake.choices import RequestStatus
from intake.models import IntakeRequest

# --- Decisions ----------------------------------------------------------------------------------

# The relations a decision's row and page show, joined in the one query.
DECISION_RELATIONS = (
    "body",
    "review",
    "request",
    "initiative",
    "priority",
    "merged_into",
    "decided_by",
    "supersedes",
    "superseded_by",
)


def decision_list() -> QuerySet[Decision]:
    """The decision log, newest first, each row with its body, subject, who decided and the
    decisions it supersedes and is superseded by: one query for any page of it."""
    return Decision.objects.select_related(*DECISION_RELATIONS).order_by("-decided_at", "-pk")


def decision_detail(*, pk: int) -> Decision:
    """One decision with everything its page shows (Decision.DoesNotExist when there is none)."""
    return decision_list().select_related("agenda_item").get(pk=pk)


def bodies_deciding(*, user: User) -> QuerySet[GovernanceBody]:
    """The active bodies `user` may record decisions for: every one for the CMO and the CMIO,
    else those they chair or are members of."""
    bodies = GovernanceBody.objects.filter(is_active=True).order_by("name")
    if can(user, Action.DECISION_RECORD):
        return bodies
    if not getattr(user, "pk", None):
        return bodies.none()
    return bodies.filter(Q(chair=user) | Q(memberships__user=user)).distinct()


def decision_body_for(
    *, request: IntakeRequest | None = None, initiative: Initiative | None = None
) -> GovernanceBody | None:
    """The body that decides by default: the owner of the request's route, else executive
    steering (where the joint CMO–CMIO review sits)."""
    if request is not None and request.route:
        owner = RouteOwner.objects.select_related("body").filter(route=request.route).first()
        if owner is not None and owner.body.is_active:
            return owner.body
    return (
        GovernanceBody.objects.filter(kind=BodyKind.STEERING, is_active=True).order_by("pk").first()
    )


def decision_form_url(
    *, request: IntakeRequest | None = None, initiative: Initiative | None = None
) -> str:
    """The decision form for a request or an initiative."""
    base = reverse("governance:decision-create")
    if request is not None:
        return f"{base}?request={request.pk}"
    assert initiative is not None
    return f"{base}?initiative={initiative.pk}"


def _decisions_needs_me(user: User) -> list[NeedsMeItem]:
    """Requests in review, awaiting a decision, for the CMO and the CMIO. (Initiatives at a
    gate reach the CMO as the portfolio's "Awaiting approval", which links to the decision
    form; the CMIO gets them here.)"""
    if not can(user, Action.DECISION_RECORD):
        return []
    items = [
        NeedsMeItem(
            kind="Decision awaited",
            title=f"#{row.pk} {row.title}",
            url=decision_form_url(request=row),
            since=row.status_changed_at,
            detail=f"In review · {row.get_route_display() or 'no route'}",
        )
        for row in IntakeRequest.objects.filter(status=RequestStatus.IN_REVIEW).order_by(
            "status_changed_at", "pk"
        )[:50]
    ]
    if not user.has_role(Role.CMO):
        items += [
            NeedsMeItem(
                kind="Awaiting approval",
                title=row.title,
                url=decision_form_url(initiative=row),
                since=row.stage_changed_at,
                detail=f"{row.get_stage_display()} · approve, defer or stop",
            )
            for row in Initiative.objects.filter(stage__in=GATE_WAITING_STAGES).order_by(
                "stage_changed_at", "pk"
            )[:50]
        ]
    return items


# --- Needs me -----------------------------------------------------------------------------------


def needs_me_for(user: User) -> list[NeedsMeItem]:
    """What waits on `user` in this app, for the landing page's needs-me list."""
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted(_decisions_needs_me(user), key=lambda item: item.since)
