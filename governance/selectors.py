"""Reads of this app, shaped for pages and the API."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.urls import reverse
from django.utils import timezone

from governance.choices import (
    ActionStatus,
    BodyKind,
    MaturityDimension,
    MaturityKind,
    MaturityLevel,
    ReviewStatus,
)
from governance.models import (
    ActionItem,
    AgendaItem,
    Decision,
    GovernanceBody,
    MaturityAssessment,
    MaturityScore,
    MaturityWeight,
    RequestBody,
    Review,
    RouteOwner,
)
from governance.scoring import DEFAULT_WEIGHT, DIMENSIONS, level_of, weighted_overall
from informatics.choices import Role
from informatics.models import User
from informatics.permissions import Action, can
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from initiatives.choices import Stage
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


def _decisions_needs_me(user: User) -> NeedsMe:
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


# --- Needs me -----------------------------------------------------------------------------------

HISTORY_PER_PAGE = 12


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in this app, for the landing page's needs-me list: at most
    NEEDS_ME_LIMIT items of each kind, the oldest, with each kind's total."""
    if not user.is_authenticated or not user.is_active or not user.roles:
        return NeedsMe()
    decisions = _decisions_needs_me(user)
    reviews_and_actions = review_and_action_needs(user)
    # A chair's reviews and an owner's overdue actions are their own (a few): read whole,
    # counted, and the oldest NEEDS_ME_LIMIT of each kept.
    kept: list[NeedsMeItem] = []
    totals = dict(decisions.totals)
    for item in reviews_and_actions:
        totals[item.kind] = totals.get(item.kind, 0) + 1
        if totals[item.kind] <= NEEDS_ME_LIMIT:
            kept.append(item)
    links = {
        **decisions.links,
        "Review to prepare": reverse("governance:review-list"),
        "Overdue action": reverse("governance:action-list"),
    }
    items = sorted([*decisions, *kept], key=lambda item: item.since)
    return NeedsMe(items, totals=totals, links=links)


# --- Reviews, agendas and action items ------------------------------------------------------

PREPARE_DAYS = 14


def review_list() -> QuerySet[Review]:
    """Reviews, the latest first, with their body and how many items and decisions they have."""
    return (
        Review.objects.select_related("body")
        .annotate(
            item_count=Count("items", distinct=True),
            decision_count=Count("decisions", distinct=True),
        )
        .order_by("-scheduled_for", "-pk")
    )


def review_detail(*, pk: int) -> Review:
    """One review with its agenda (and what each item is about), attendees, decisions and the
    action items its items and decisions left; raises Review.DoesNotExist."""
    items = AgendaItem.objects.select_related(
        "request", "initiative", "metric", "action__owner"
    ).order_by("position", "pk")
    decisions = Decision.objects.select_related(
        "request", "initiative", "priority", "decided_by"
    ).order_by("decided_at", "pk")
    review: Review = (
        Review.objects.select_related("body", "body__chair", "created_by")
        .prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("decisions", queryset=decisions),
            "attendees",
        )
        .get(pk=pk)
    )
    return review


def review_actions(review: Review) -> QuerySet[ActionItem]:
    """The action items left by the review's agenda items or decisions."""
    return (
        ActionItem.objects.filter(Q(agenda_item__review=review) | Q(decision__review=review))
        .select_related("owner", "body")
        .distinct()
        .order_by("due_on", "pk")
    )


def action_list(*, user: User, today: datetime.date) -> QuerySet[ActionItem]:
    """The user's action items and, for a chair, those of the bodies they chair (all for the
    CMO and the CMIO); open and overdue first, then by due date."""
    rows = ActionItem.objects.select_related("owner", "body")
    if not ({Role.CMO, Role.CMIO} & set(user.roles)):
        rows = rows.filter(Q(owner=user) | Q(body__chair=user))
    return rows.annotate(
        is_overdue=Q(status=ActionStatus.OPEN, due_on__lt=today),
        is_open=Q(status=ActionStatus.OPEN),
    ).order_by("-is_overdue", "-is_open", "due_on", "pk")


def _at_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def review_and_action_needs(user: User) -> list[NeedsMeItem]:
    """In one query (a union): for a chair, each planned review of a body they chair within
    the next 14 days whose agenda is not built yet ("Review to prepare"); for an owner, each of
    their open action items past its due date ("Overdue action")."""
    now = timezone.now()
    today = timezone.localdate()
    columns = ("kind", "pk", "title", "body_name", "due_on", "scheduled_for", "created_at")
    reviews = (
        Review.objects.filter(
            body__chair=user,
            status=ReviewStatus.PLANNED,
            scheduled_for__gte=now,
            scheduled_for__lte=now + datetime.timedelta(days=PREPARE_DAYS),
        )
        .exclude(Exists(AgendaItem.objects.filter(review=OuterRef("pk"))))
        .annotate(
            kind=Value("review", output_field=CharField()),
            title=Value("", output_field=CharField()),
            body_name=F("body__name"),
            due_on=Value(None, output_field=DateField()),
        )
        .values_list(*columns)
        .order_by()
    )
    actions = (
        ActionItem.objects.filter(owner=user, status=ActionStatus.OPEN, due_on__lt=today)
        .annotate(
            kind=Value("action", output_field=CharField()),
            body_name=F("body__name"),
            scheduled_for=Value(None, output_field=DateTimeField()),
        )
        .values_list(*columns)
        .order_by()
    )
    items = []
    for kind, pk, title, body_name, due_on, scheduled_for, created_at in reviews.union(
        actions, all=True
    ):
        if kind == "review":
            when = timezone.localtime(scheduled_for).date()
            items.append(
                NeedsMeItem(
                    kind="Review to prepare",
                    title=f"{body_name} review, {when:%d %b %Y}",
                    url=reverse("governance:review-detail", args=[pk]),
                    since=created_at,
                    due=scheduled_for,
                    detail="No agenda yet: propose one from the portfolio.",
                )
            )
        else:
            due = _at_midnight(due_on)
            items.append(
                NeedsMeItem(
                    kind="Overdue action",
                    title=title,
                    url=reverse("governance:action-list") + f"#action-{pk}",
                    since=due,
                    due=due,
                    detail=f"For {body_name}, due {due_on:%d %b %Y}.",
                )
            )
    return sorted(items, key=lambda item: (item.since, item.url))


# --- Maturity -------------------------------------------------------------------------------


def maturity_weights() -> dict[str, Decimal]:
    """Every dimension's weight in the overall score (1 unless an admin changed it)."""
    stored = dict(MaturityWeight.objects.values_list("dimension", "weight"))
    return {dimension: stored.get(dimension, DEFAULT_WEIGHT) for dimension in DIMENSIONS}


def _with_scores(rows: QuerySet[MaturityAssessment]) -> QuerySet[MaturityAssessment]:
    return rows.select_related("assessed_by").prefetch_related(
        Prefetch("scores", queryset=MaturityScore.objects.order_by("id"))
    )


def maturity_assessment_list() -> QuerySet[MaturityAssessment]:
    """The assessments (not the targets), newest first, each with its assessor and scores."""
    return _with_scores(MaturityAssessment.objects.filter(kind=MaturityKind.ASSESSMENT))


@dataclass(frozen=True)
class MaturityProfile:
    """An assessment or target with its scores by dimension, overall score and level."""

    assessment: MaturityAssessment
    scores: dict[str, Decimal]
    next_actions: dict[str, str]
    overall: Decimal | None
    level: MaturityLevel | None

    @property
    def level_name(self) -> str:
        return str(self.level.label) if self.level is not None else ""


def maturity_profile(
    assessment: MaturityAssessment, weights: dict[str, Decimal]
) -> MaturityProfile:
    """`assessment` (its scores prefetched) scored with `weights`."""
    rows = list(assessment.scores.all())
    scores = {row.dimension: row.score for row in rows}
    overall = weighted_overall(scores, weights)
    return MaturityProfile(
        assessment=assessment,
        scores=scores,
        next_actions={row.dimension: row.next_actions for row in rows if row.next_actions},
        overall=overall,
        level=level_of(overall),
    )


@dataclass(frozen=True)
class DimensionRow:
    """One dimension on the page: its current and target score and next-level actions."""

    dimension: str
    label: str
    weight: Decimal
    current: Decimal | None
    target: Decimal | None
    next_actions: str


@dataclass(frozen=True)
class MaturityOverview:
    """The maturity page: the latest assessment, the latest target, the history page and the
    dimensions side by side."""

    current: MaturityProfile | None
    target: MaturityProfile | None
    history: list[MaturityProfile]
    page: Page[MaturityAssessment]
    weights: dict[str, Decimal]
    dimensions: list[DimensionRow]


def maturity_overview(*, page_number: int | str | None = 1) -> MaturityOverview:
    """Everything the maturity page shows, in a fixed number of queries whatever the length of
    the history: the weights, the history page (count, rows, scores), the latest target (row,
    scores) and, past the first page, the latest assessment (row, scores)."""
    weights = maturity_weights()
    paginator = Paginator(maturity_assessment_list(), HISTORY_PER_PAGE)
    page = paginator.get_page(page_number)
    history = [maturity_profile(row, weights) for row in page.object_list]
    if page.number == 1:
        latest = history[0] if history else None
    else:
        first = maturity_assessment_list().first()
        latest = maturity_profile(first, weights) if first is not None else None
    target_row = _with_scores(MaturityAssessment.objects.filter(kind=MaturityKind.TARGET)).first()
    target = maturity_profile(target_row, weights) if target_row is not None else None
    dimensions = [
        DimensionRow(
            dimension=dimension,
            label=str(MaturityDimension(dimension).label),
            weight=weights[dimension],
            current=latest.scores.get(dimension) if latest else None,
            target=target.scores.get(dimension) if target else None,
            next_actions=(target.next_actions.get(dimension, "") if target else "")
            or (latest.next_actions.get(dimension, "") if latest else ""),
        )
        for dimension in DIMENSIONS
    ]
    return MaturityOverview(
        current=latest,
        target=target,
        history=history,
        page=page,
        weights=weights,
        dimensions=dimensions,
    )
