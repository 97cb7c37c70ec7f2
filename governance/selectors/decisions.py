"""Reads of decisions and who decides: the log, one decision, the bodies a user may record for,
the body that decides a request, and the decisions waiting on a user."""

from django.db.models import Count, Q, QuerySet, Window
from django.urls import reverse

from governance.choices import BodyKind
from governance.models import Decision, GovernanceBody, RequestBody, RouteOwner
from informatics.choices import Role
from informatics.models import User
from informatics.permissions import Action, can
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from initiatives.choices import Stage
from initiatives.models import Initiative
from initiatives.selectors import GATE_WAITING_STAGES
from intake.choices import RequestStatus
from intake.models import IntakeRequest

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


def default_body_for(*, request: IntakeRequest) -> GovernanceBody | None:
    """The body that decides `request` by default: the owner of its route, else executive
    steering (where the joint CMO–CMIO review sits)."""
    if request.route:
        owner = RouteOwner.objects.select_related("body").filter(route=request.route).first()
        if owner is not None and owner.body.is_active:
            return owner.body
    return _steering()


def _steering() -> GovernanceBody | None:
    return (
        GovernanceBody.objects.filter(kind=BodyKind.STEERING, is_active=True).order_by("pk").first()
    )


def chosen_body_for(*, request: IntakeRequest) -> RequestBody | None:
    """The body triage chose for `request`, while it holds: the request is still on the route
    it was chosen for and the body is not retired."""
    return (
        RequestBody.objects.select_related("body", "chosen_by")
        .filter(request=request, route=request.route or "", body__is_active=True)
        .first()
    )


def decision_body_for(
    *, request: IntakeRequest | None = None, initiative: Initiative | None = None
) -> GovernanceBody | None:
    """The body that decides: for a request, the body triage chose for it, else the owner of
    its route; else executive steering (where the joint CMO–CMIO review sits)."""
    if request is not None:
        chosen = chosen_body_for(request=request) if request.route else None
        return chosen.body if chosen is not None else default_body_for(request=request)
    return _steering()


def request_body_options(*, default: GovernanceBody) -> QuerySet[GovernanceBody]:
    """The bodies triage may choose to decide a request whose default body is `default`: the
    active bodies of its kind."""
    return GovernanceBody.objects.filter(kind=default.kind, is_active=True).order_by("name")


def decision_form_url(
    *, request: IntakeRequest | None = None, initiative: Initiative | None = None
) -> str:
    """The decision form for a request or an initiative."""
    base = reverse("governance:decision-create")
    if request is not None:
        return f"{base}?request={request.pk}"
    assert initiative is not None
    return f"{base}?initiative={initiative.pk}"


def decisions_needs_me(user: User) -> NeedsMe:
    """Requests in review, awaiting a decision, for the CMO and the CMIO. (Initiatives at a
    gate reach the CMO as the portfolio's "Awaiting approval", which links to the decision
    form; the CMIO gets them here.) The oldest NEEDS_ME_LIMIT of each, with the total counted
    in the same query (a window function)."""
    if not can(user, Action.DECISION_RECORD):
        return NeedsMe()
    items: list[NeedsMeItem] = []
    totals: dict[str, int] = {}
    in_review = (
        IntakeRequest.objects.filter(status=RequestStatus.IN_REVIEW)
        .annotate(total=Window(Count("pk")))
        .order_by("status_changed_at", "pk")[:NEEDS_ME_LIMIT]
    )
    for row in in_review:
        totals["Decision awaited"] = row.total
        items.append(
            NeedsMeItem(
                kind="Decision awaited",
                title=f"#{row.pk} {row.title}",
                url=decision_form_url(request=row),
                since=row.status_changed_at,
                detail=f"In review · {row.get_route_display() or 'no route'}",
            )
        )
    if not user.has_role(Role.CMO):
        at_gate = (
            Initiative.objects.filter(stage__in=GATE_WAITING_STAGES)
            .annotate(total=Window(Count("pk")))
            .order_by("stage_changed_at", "pk")[:NEEDS_ME_LIMIT]
        )
        for gate_row in at_gate:
            totals["Awaiting approval"] = gate_row.total
            items.append(
                NeedsMeItem(
                    kind="Awaiting approval",
                    title=gate_row.title,
                    url=decision_form_url(initiative=gate_row),
                    since=gate_row.stage_changed_at,
                    detail=f"{gate_row.get_stage_display()} · approve, defer or stop",
                )
            )
    initiatives = reverse("initiatives:initiative-list")
    links = {
        "Decision awaited": reverse("intake:request-list") + f"?status={RequestStatus.IN_REVIEW}",
        "Awaiting approval": f"{initiatives}?stage={Stage.PROPOSED}",
    }
    return NeedsMe(items, totals=totals, links=links)
