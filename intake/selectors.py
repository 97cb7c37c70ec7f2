"""Reads of intake, shaped for pages and the API: querysets arrive with their joins, counts
and SLA state, so templates and serializers never query."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from informatics.choices import Role, Route
from informatics.models import PhiConfirmation, User
from informatics.panels import panel_relations
from informatics.permissions import Action, ActionDenied, can, require
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from intake.choices import (
    CLOSED_STATUSES,
    SLA_STATUSES,
    TRIAGE_STATUSES,
    CommentKind,
    RequestKind,
    RequestStatus,
)
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
# Below this, a title is not similar enough to suggest (0–1 on either database).
# The request page, as higher apps name it when they register a panel on it.
REQUEST_PAGE = "intake.request-detail"
SIMILARITY_THRESHOLD = 0.3
SIMILAR_CANDIDATES = 200


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


def _held_confirmations(model: str, pk: Any = None) -> QuerySet[PhiConfirmation]:
    """The uncleared PHI confirmations of the intake `model` row whose key is `pk` (the outer
    row's by default): while there is one, the row is held."""
    return PhiConfirmation.objects.filter(
        content_type__app_label="intake",
        content_type__model=model,
        object_id=Cast(OuterRef("pk") if pk is None else pk, CharField()),
        cleared_at__isnull=True,
    )


def _held_ids(model: str) -> QuerySet[PhiConfirmation, Any]:
    """The keys of the intake `model` rows held now (uncleared PHI confirmations), as
    integers: for `pk__in`, which the database reads once rather than once per row."""
    return PhiConfirmation.objects.filter(
        content_type__app_label="intake", content_type__model=model, cleared_at__isnull=True
    ).values_list(Cast("object_id", BigIntegerField()), flat=True)


def _asked() -> QuerySet[RequestComment, Any]:
    """The requests with an unanswered question (for `pk__in`, read once per query)."""
    return RequestComment.objects.filter(
        kind=CommentKind.QUESTION, answered_by__isnull=True
    ).values("request_id")


def held() -> Exists:
    """True on a request held since its writer confirmed past the PHI guard."""
    return Exists(_held_confirmations("intakerequest"))


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
        is_held=Exists(_held_confirmations("requestcomment"))
    )
    if not reads_held(user):
        rows = rows.filter(Q(is_held=False) | Q(author=user))
    return rows.order_by("created_at", "id")


# --- Similar titles -------------------------------------------------------------------------

STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it"}
    | {"of", "on", "or", "the", "to", "when", "with"}
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def title_tokens(text: str) -> set[str]:
    """Lowercase words without punctuation; a hyphenated word ("post-op") is a token and so
    is each of its parts ("post", "op"). Stopwords are left out."""
    tokens: set[str] = set()
    for word in _WORD.findall(text.lower()):
        tokens.add(word)
        if "-" in word:
            tokens.update(word.split("-"))
    return tokens - STOPWORDS


def _query_words(text: str) -> list[str]:
    return [word for word in dict.fromkeys(_WORD.findall(text.lower())) if word not in STOPWORDS]


def title_similarity(query: str, title: str) -> float:
    """0–1: the share of the query's words found in the title.

    A word found whole counts 1; a hyphenated query word whose parts are only partly there
    counts the share of its parts; a word that only begins a title word (still being typed:
    "seps" of "sepsis") counts 0.5 — the prefix bonus.
    """
    words = _query_words(query)
    if not words:
        return 0.0
    tokens = title_tokens(title)
    total = 0.0
    for word in words:
        if word in tokens:
            total += 1
            continue
        parts = [part for part in word.split("-") if part] if "-" in word else []
        if parts and any(part in tokens for part in parts):
            total += sum(part in tokens for part in parts) / len(parts)
        elif len(word) >= 3 and any(token.startswith(word) for token in tokens):
            total += 0.5
    return total / len(words)


def _similar_candidates(exclude_id: int | None) -> QuerySet[IntakeRequest]:
    rows = IntakeRequest.objects.exclude(status__in=CLOSED_STATUSES).filter(
        Q(is_private=False) & Q(~held())
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return rows.annotate(vote_count=vote_count())


def requests_similar(
    *, title: str, limit: int = 5, exclude_id: int | None = None
) -> list[IntakeRequest]:
    """Open, non-private requests whose titles resemble `title`, most similar first, each with
    `similarity` (0–1) and `vote_count`.

    PostgreSQL ranks with pg_trgm's word similarity (how well the typed words match some run
    of the title); other databases use `title_similarity` on the words.
    """
    title = title.strip()
    if len(title) < 3:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import TrigramWordSimilarity

        return list(
            _similar_candidates(exclude_id)
            .annotate(similarity=TrigramWordSimilarity(title, "title"))
            # `title %> query` reads the trigram index on titles (its threshold is the
            # connection's pg_trgm.word_similarity_threshold, set to this one in settings);
            # the exact comparison keeps the threshold whatever the connection says.
            .filter(TrigramWordSimilar(F("title"), Value(title)))
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-created_at", "-id")[:limit]
        )
    words = [word for word in _query_words(title) if len(word) >= 2]
    if not words:
        return []
    match = Q()
    for word in words:
        for part in {word, *word.split("-")}:
            if len(part) >= 2:
                match |= Q(title__icontains=part)
    scored = []
    for row in _similar_candidates(exclude_id).filter(match)[:SIMILAR_CANDIDATES]:
        similarity = title_similarity(title, row.title)
        if similarity >= SIMILARITY_THRESHOLD:
            row.similarity = similarity  # type: ignore[attr-defined]
            scored.append((similarity, row))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].created_at.timestamp(), -pair[1].pk))
    return [row for _, row in scored[:limit]]


# --- Needs me -------------------------------------------------------------------------------


def _url(request: IntakeRequest) -> str:
    return reverse("intake:request-detail", args=[request.pk])


HELD_DETAIL = "Confirmed as not patient information: review it and clear the hold."


def needs_me_links() -> dict[str, str]:
    """Where the full list of each intake needs-me kind is (paginated)."""
    requests = reverse("intake:request-list")
    return {
        "Question for you": reverse("intake:request-mine"),
        "PHI held": reverse("intake:triage-queue"),
        "Triage": reverse("intake:triage-queue"),
        "Overdue SLA": f"{requests}?sla=overdue",
    }


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in intake, oldest first: at most NEEDS_ME_LIMIT items of each kind
    (the oldest), in one query — a UNION of one bounded part per kind, each an ordered LIMIT the
    database serves from the top of its index or a small top-N sort — and each kind's total in
    a second (conditional counts), so the cost does not grow with the queue. The portfolio's
    items are `initiatives.selectors.needs_me_for`'s.

    Informaticists and the CMIO: the requests in the triage queue ("Triage"), and the routed
    requests past their SLA before a decision ("Overdue SLA") — one item per request.
    Anyone: their own requests in Needs info with a question still unanswered ("Question for
    you"), dated from the oldest open question. Triage also: the requests held since their
    writer confirmed past the PHI guard, on the request or a comment ("PHI held"), dated from
    the oldest confirmation, until an informaticist clears it.
    """
    if not user.is_authenticated or not user.is_active:
        return NeedsMe()
    now = timezone.now()
    limit = NEEDS_ME_LIMIT
    open_questions = RequestComment.objects.filter(
        request=OuterRef("pk"), kind=CommentKind.QUESTION, answered_by__isnull=True
    ).order_by("created_at", "id")
    triage = can(user, Action.REQUEST_TRIAGE)
    overdue = Q(status__in=SLA_STATUSES, sla_due_at__lt=now)
    kinds: dict[str, Q] = {
        "Question for you": Q(submitted_by=user, status=S.NEEDS_INFO, pk__in=_asked()),
    }
    if triage:
        kinds["PHI held"] = Q(pk__in=_held_ids("intakerequest")) | Q(
            pk__in=RequestComment.objects.filter(pk__in=_held_ids("requestcomment")).values(
                "request_id"
            )
        )
        kinds["Overdue SLA"] = overdue
        kinds["Triage"] = Q(status__in=TRIAGE_STATUSES) & ~overdue
    held_at = Subquery(
        _held_confirmations("intakerequest").order_by("confirmed_at").values("confirmed_at")[:1]
    )
    held_comment_at = Subquery(
        PhiConfirmation.objects.filter(
            content_type__app_label="intake",
            content_type__model="requestcomment",
            cleared_at__isnull=True,
            object_id__in=RequestComment.objects.filter(request=OuterRef(OuterRef("pk")))
            .annotate(key=Cast("pk", CharField()))
            .values("key"),
        )
        .order_by("confirmed_at")
        .values("confirmed_at")[:1]
    )
    since: dict[str, Any] = {
        "Question for you": Subquery(open_questions.values("created_at")[:1]),
        "PHI held": Least(Coalesce(held_at, held_comment_at), Coalesce(held_comment_at, held_at)),
        "Overdue SLA": F("created_at"),
        "Triage": F("created_at"),
    }

    def only_if(condition: Q, value: Any, field: Any) -> Case:
        return Case(When(condition, then=value), default=Value(None), output_field=field)

    # A held question is not quoted: its text waits for triage's review.
    question = Subquery(
        open_questions.filter(~Exists(_held_confirmations("requestcomment"))).values("body")[:1]
    )
    fields = ("pk", "title", "status", "route", "created_at", "sla_due_at", "submitted_by_id")
    ordered = {  # each kind's first items: an ordered LIMIT over that kind's rows alone
        kind: IntakeRequest.objects.filter(wanted)
        .annotate(since=ExpressionWrapper(since[kind], output_field=DateTimeField()))
        .order_by("since", "id")
        .values("pk")[:limit]
        for kind, wanted in kinds.items()
    }

    def total(wanted: Q) -> Coalesce:  # uncorrelated: the database counts it once
        counted = (
            IntakeRequest.objects.filter(wanted)
            .order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    shown = {f"shown_{n}": Q(pk__in=ids) for n, ids in enumerate(ordered.values())}
    rows: list[Any] = list(
        IntakeRequest.objects.filter(reduce(or_, shown.values()))
        .annotate(
            **{
                name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in shown.items()
            },
            **{f"total_{n}": total(wanted) for n, wanted in enumerate(kinds.values())},
            **{
                f"since_{n}": only_if(Q(**{f"shown_{n}": True}), since[kind], DateTimeField())
                for n, kind in enumerate(kinds)
            },
            question=only_if(Q(shown_0=True), question, TextField()),
        )
        .only(*fields)
        .order_by("pk")
    )
    totals: dict[str, int] = {}
    items: list[NeedsMeItem] = []
    for row in rows:
        for n, kind in enumerate(kinds):
            totals[kind] = getattr(row, f"total_{n}")
            if not getattr(row, f"shown_{n}"):
                continue
            if kind == "Question for you":
                detail = str(row.question or "")[:120]
            elif kind == "PHI held":
                detail = HELD_DETAIL
            else:
                detail = row.get_status_display()
                if row.route:
                    detail += f" · {row.get_route_display()}"
            items.append(
                NeedsMeItem(
                    kind=kind,
                    title=f"#{row.pk} {row.title}",
                    url=_url(row),
                    since=getattr(row, f"since_{n}"),
                    due=row.sla_due_at if kind in ("Overdue SLA", "Triage") else None,
                    detail=detail,
                )
            )
    totals = {kind: count for kind, count in totals.items() if count}
    return NeedsMe(
        sorted(items, key=lambda item: item.since), totals=totals, links=needs_me_links()
    )
