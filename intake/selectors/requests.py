"""Reads of requests, shaped for pages and the API: who may read which, the list with its sorts and
saved views, the submitter's own, the triage queue, one request in full, and the rubric."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast
from django.http import Http404, QueryDict
from django.utils import timezone

from informatics.choices import Role, Route
from informatics.models import PhiConfirmation, User
from informatics.panels import panel_relations
from informatics.permissions import Action, ActionDenied, require
from intake.choices import SLA_STATUSES, TRIAGE_STATUSES, CommentKind, RequestKind, RequestStatus
from intake.filters import RequestFilter
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
    SavedView,
)

S = RequestStatus
# The request page, as higher apps name it when they register a panel on it.
REQUEST_PAGE = "intake.request-detail"


class SlaState:
    NONE = "none"  # not routed yet: no clock
    DUE = "due"
    OVERDUE = "overdue"


def rubric_current() -> Rubric:
    """The rubric new scores are made under (exactly one row is current)."""
    rubric: Rubric = Rubric.objects.get(is_current=True)
    return rubric


def rubric_versions() -> list[Rubric]:
    """Every version of the rubric, newest first, with who made it."""
    return list(Rubric.objects.select_related("created_by").order_by("-version"))


def _fast_track() -> Q:
    return Q(route=Route.FAST_TRACK) | Q(is_safety_concern=True) | Q(kind=RequestKind.SAFETY)


def _sla_state() -> Case:
    now = timezone.now()
    return Case(
        When(sla_due_at__isnull=True, then=Value(SlaState.NONE)),
        When(~Q(status__in=SLA_STATUSES), then=Value(SlaState.NONE)),
        When(sla_due_at__lt=now, then=Value(SlaState.OVERDUE)),
        default=Value(SlaState.DUE),
        output_field=CharField(),
    )


# Who reads a record held since its writer confirmed past the PHI guard, besides its author.
HOLD_READERS = frozenset({Role.INFORMATICIST, Role.CMIO, Role.ADMIN})


def held_confirmations(model: str, pk: Any = None) -> QuerySet[PhiConfirmation]:
    """The uncleared PHI confirmations of the intake `model` row whose key is `pk` (the outer
    row's by default): while there is one, the row is held."""
    return PhiConfirmation.objects.filter(
        content_type__app_label="intake",
        content_type__model=model,
        object_id=Cast(OuterRef("pk") if pk is None else pk, CharField()),
        cleared_at__isnull=True,
    )


def held_ids(model: str) -> QuerySet[PhiConfirmation, Any]:
    """The keys of the intake `model` rows held now (uncleared PHI confirmations), as
    integers: for `pk__in`, which the database reads once rather than once per row."""
    return PhiConfirmation.objects.filter(
        content_type__app_label="intake", content_type__model=model, cleared_at__isnull=True
    ).values_list(Cast("object_id", BigIntegerField()), flat=True)


def asked() -> QuerySet[RequestComment, Any]:
    """The requests with an unanswered question (for `pk__in`, read once per query)."""
    return RequestComment.objects.filter(
        kind=CommentKind.QUESTION, answered_by__isnull=True
    ).values("request_id")


def held() -> Exists:
    """True on a request held since its writer confirmed past the PHI guard."""
    return Exists(held_confirmations("intakerequest"))


def reads_held(user: User) -> bool:
    """Triage (informaticists, the CMIO) and admins read every held record."""
    return bool(user.is_authenticated and HOLD_READERS & set(user.roles))


def readable_by(user: User) -> Q:
    """What `user` may read: everything, except that a champion-only user sees private
    requests only when they are their own (DESIGN.md's table), and that a request held for a
    PHI confirmation is read only by its author, triage and admins."""
    roles = set(user.roles) if user.is_authenticated else set()
    if not roles:
        return Q(pk__in=[])
    rule = Q() if roles - {Role.CHAMPION} else Q(is_private=False) | Q(submitted_by=user)
    if reads_held(user):
        return rule
    return rule & (Q(~held()) | Q(submitted_by=user))


def vote_count() -> Subquery:
    """How many "+1"s the outer request has: a count per row returned, answered by the
    vote_once_per_request index. A page of 50 counts the votes of 50 requests, where
    `Count("votes")` joined and grouped every request before taking the page (and the
    paginator's COUNT wrapped the same GROUP BY)."""
    votes = (
        RequestVote.objects.filter(request=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(votes, output_field=IntegerField())


def _shaped(rows: QuerySet[IntakeRequest]) -> QuerySet[IntakeRequest]:
    return rows.select_related("submitted_by", "facility", "current_score").annotate(
        vote_count=vote_count(),
        sla_state=_sla_state(),
    )


# The request list's orders: key → (label, ORDER BY). Each ends on the key, so a page is
# stable; empty scores and SLAs sort last. A page is still one LIMIT query and one COUNT.
NEWEST = ("-created_at", "-id")
REQUEST_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "newest": ("Newest first", NEWEST),
    "votes": ("Most +1s", ("-vote_count", *NEWEST)),
    "score": ("Highest value score", (F("current_score__value").desc(nulls_last=True), *NEWEST)),
    "priority": (
        "Highest priority index",
        (F("current_score__priority_index").desc(nulls_last=True), *NEWEST),
    ),
    "age": ("Oldest first", ("created_at", "id")),
    "sla": ("SLA due soonest", (F("sla_due_at").asc(nulls_last=True), "created_at", "id")),
}


def request_list(
    *,
    user: User,
    filters: Mapping[str, Any] | None = None,
    sort: str = "newest",
    voter: User | None = None,
) -> QuerySet[IntakeRequest]:
    """The requests `user` may read, each with `vote_count` and `sla_state`, in the order of
    `sort` (a key of REQUEST_SORTS; newest first when unknown), narrowed by `filters` (query
    parameters of RequestFilter). With `voter`, each row has `has_voted` (whether that user
    added a +1), for the list's +1 buttons."""
    order = REQUEST_SORTS.get(sort, REQUEST_SORTS["newest"])[1]
    rows = _shaped(IntakeRequest.objects.filter(readable_by(user))).order_by(*order)
    if voter is not None:
        rows = rows.annotate(
            has_voted=Exists(RequestVote.objects.filter(request=OuterRef("pk"), voter=voter))
        )
    if filters:
        rows = RequestFilter(data=filters, queryset=rows).qs
    return rows


@dataclass(frozen=True)
class RequestView:
    """A named view of the request list: built in (`pk` None) or saved by the user."""

    name: str
    query: str
    pk: int | None = None


# Views everyone has: the open requests most people want, and those past their SLA.
BUILT_IN_VIEWS = (
    RequestView("Most wanted", "state=open&sort=votes"),
    RequestView("Past their SLA", "sla=overdue&sort=sla"),
)
VIEW_PARAMS = (*RequestFilter.base_filters, "sort")


def request_view_query(params: Mapping[str, Any] | str) -> str:
    """The list's filters and order in `params` (a QueryDict or a query string), as the
    query string a view keeps: known parameters only, without empty ones or the page."""
    given = params if isinstance(params, QueryDict) else QueryDict(str(params or ""))
    kept = QueryDict(mutable=True)
    for name in VIEW_PARAMS:
        values = [value for value in given.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def request_views(*, user: User) -> list[RequestView]:
    """The built-in views, then the views `user` saved, by name."""
    saved = SavedView.objects.filter(owner=user).order_by("name", "id")
    return [*BUILT_IN_VIEWS, *(RequestView(v.name, v.query, v.pk) for v in saved)]


def saved_view_of(*, user: User, pk: int) -> SavedView:
    """One of `user`'s saved views; Http404 for anyone else's."""
    view = SavedView.objects.filter(owner=user, pk=pk).first()
    if view is None:
        raise Http404("No such view.")
    return view


def my_requests(*, user: User) -> QuerySet[IntakeRequest]:
    """What `user` raised or added a +1 to, newest first."""
    voted = RequestVote.objects.filter(request=OuterRef("pk"), voter=user)
    rows = IntakeRequest.objects.filter(Q(submitted_by=user) | Exists(voted)).filter(
        readable_by(user)
    )
    return _shaped(rows).order_by("-created_at", "-id")


def triage_queue() -> QuerySet[IntakeRequest]:
    """Requests waiting on triage (submitted, in triage, needs info): fast-track and safety
    items first, then oldest first; each with `is_fast_track`, `sla_state` and `vote_count`."""
    return (
        _shaped(IntakeRequest.objects.filter(status__in=TRIAGE_STATUSES))
        .annotate(
            is_fast_track=Case(
                When(_fast_track(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-is_fast_track", "created_at", "id")
    )


def triage_queue_head(*, limit: int) -> tuple[list[IntakeRequest], int, int]:
    """The first `limit` requests of the triage queue, the queue's size and how many in it are
    past their SLA: one query whatever the queue's length (the counts are window functions
    over the queue, read off the first row)."""
    overdue = Q(status__in=SLA_STATUSES, sla_due_at__lt=timezone.now())
    rows: list[IntakeRequest] = list(
        triage_queue().annotate(
            queue_total=Window(Count("pk")),
            queue_overdue=Window(Sum(Case(When(overdue, then=1), default=0))),
        )[:limit]
    )
    if not rows:
        return rows, 0, 0
    first: Any = rows[0]
    return rows, int(first.queue_total), int(first.queue_overdue or 0)


def request_detail(*, user: User, pk: int) -> IntakeRequest:
    """One request with everything its page shows: what the panels of higher apps read (the
    initiative that delivers it, joined here through `panel_relations`), timeline, thread,
    +1s, scores (newest first, with their rubric) and linked priorities. Http404 when it does
    not exist, ActionDenied when `user` may not read it."""
    request = (
        IntakeRequest.objects.select_related(
            "submitted_by",
            "facility",
            "suggested_priority",
            "duplicate_of",
            "current_score__rubric",
            *panel_relations(REQUEST_PAGE),
        )
        .annotate(vote_count=vote_count(), sla_state=_sla_state(), is_held=held())
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=RequestStatusChange.objects.select_related("actor").order_by("at", "id"),
            ),
            Prefetch(
                "comments",
                queryset=_comments_for(user),
            ),
            Prefetch(
                "votes",
                queryset=RequestVote.objects.select_related(
                    "voter", "facility", "merged_from"
                ).order_by("created_at", "id"),
            ),
            Prefetch(
                "scores",
                queryset=RequestScore.objects.select_related("rubric", "created_by").order_by(
                    "-created_at", "-id"
                ),
            ),
            "priorities",
            "duplicates",
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such request.")
    require(user, Action.REQUEST_READ, request)
    if request.is_held and not reads_held(user) and request.submitted_by_id != user.pk:
        raise ActionDenied(Action.REQUEST_READ)  # held until an informaticist reviews it
    return request


def _comments_for(user: User) -> QuerySet[RequestComment]:
    """A request's thread as `user` reads it, each comment with `is_held`: a held comment
    shows to its author, triage and admins only."""
    rows = RequestComment.objects.select_related("author").annotate(
        is_held=Exists(held_confirmations("requestcomment"))
    )
    if not reads_held(user):
        rows = rows.filter(Q(is_held=False) | Q(author=user))
    return rows.order_by("created_at", "id")
