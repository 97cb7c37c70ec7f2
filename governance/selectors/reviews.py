"""Reads of reviews, their agendas and action items, and the ones waiting on a user."""

import datetime

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
)
from django.urls import reverse
from django.utils import timezone

from governance.choices import ActionStatus, ReviewStatus
from governance.models import ActionItem, AgendaItem, Decision, Review
from informatics.choices import Role
from informatics.models import User
from informatics.selectors import NeedsMeItem

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
