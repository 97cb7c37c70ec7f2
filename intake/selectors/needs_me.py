"""What waits on whom in intake, for the landing pages' "needs me" lists."""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from informatics.models import PhiConfirmation, User
from informatics.permissions import Action, can
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from intake.choices import SLA_STATUSES, TRIAGE_STATUSES, CommentKind, RequestStatus
from intake.models import IntakeRequest, RequestComment
from intake.selectors.requests import asked, held_confirmations, held_ids

S = RequestStatus


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
        "Question for you": Q(submitted_by=user, status=S.NEEDS_INFO, pk__in=asked()),
    }
    if triage:
        kinds["PHI held"] = Q(pk__in=held_ids("intakerequest")) | Q(
            pk__in=RequestComment.objects.filter(pk__in=held_ids("requestcomment")).values(
                "request_id"
            )
        )
        kinds["Overdue SLA"] = overdue
        kinds["Triage"] = Q(status__in=TRIAGE_STATUSES) & ~overdue
    held_at = Subquery(
        held_confirmations("intakerequest").order_by("confirmed_at").values("confirmed_at")[:1]
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
        open_questions.filter(~Exists(held_confirmations("requestcomment"))).values("body")[:1]
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
