"""An initiative's health and staleness, in Python and in SQL (one rule, both forms).

- Health: the worst dimension (schedule, scope, budget, adoption) of the latest status update;
  None while there is none.
- Stale: an open initiative (OPEN_STAGES) with no status update for more than
  SiteSettings.stale_after_days, counted from its last update, or, with none, from its
  approval (the forecast lock) or its creation. Sustaining, closed, deferred and stopped
  initiatives are never stale.
- Overdue milestone: not done, due before today, of an initiative still under way
  (OPEN_STAGES and sustaining).

The filters and the selectors both read `with_health`, so it lives below them.
"""

import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from informatics.services import site_settings_get
from initiatives.choices import HEALTH_DIMENSIONS, HEALTH_ORDER, OPEN_STAGES, Stage
from initiatives.models import Initiative, LinkedRequest, Milestone, StatusUpdate

STALE_STAGES: frozenset[str] = OPEN_STAGES
MILESTONE_STAGES: frozenset[str] = OPEN_STAGES | {Stage.SUSTAINING}


def health_worst(values: Any) -> str:
    """The worst of the health values given (HEALTH_ORDER runs best to worst)."""
    return max(values, key=HEALTH_ORDER.index)


def update_health(update: StatusUpdate) -> str:
    """A status update's health: its worst dimension."""
    return health_worst(getattr(update, name) for name in HEALTH_DIMENSIONS)


def initiative_health(initiative: Initiative) -> str | None:
    """The worst dimension of the initiative's latest status update; None with no update.
    Reads the `latest_health` annotation or prefetched updates when there, else one query."""
    annotations = vars(initiative)
    if "latest_health" in annotations:
        annotated: str | None = annotations["latest_health"]
        return annotated
    prefetched = getattr(initiative, "_prefetched_objects_cache", {})
    if "status_updates" in prefetched:
        updates = sorted(prefetched["status_updates"], key=lambda u: (u.at, u.pk), reverse=True)
        latest = updates[0] if updates else None
    else:
        latest = initiative.status_updates.order_by("-at", "-id").first()
    return update_health(latest) if latest is not None else None


def worst_health_case() -> Case:
    """A status update's worst dimension, in SQL (see `update_health`)."""
    worst_first = list(reversed(HEALTH_ORDER))
    return Case(
        *(
            When(reduce(or_, (Q(**{name: value}) for name in HEALTH_DIMENSIONS)), then=Value(value))
            for value in worst_first[:-1]
        ),
        default=Value(worst_first[-1]),
        output_field=CharField(),
    )


def latest_health_rank() -> Subquery:
    """The initiative's health as its place in HEALTH_ORDER (0 best … worst), read from its
    latest status update in one subquery; NULL with no update (see `initiative_health`)."""
    worst_first = list(reversed(HEALTH_ORDER))
    rank = Case(
        *(
            When(
                reduce(or_, (Q(**{name: value}) for name in HEALTH_DIMENSIONS)),
                then=Value(HEALTH_ORDER.index(value)),
            )
            for value in worst_first[:-1]
        ),
        default=Value(HEALTH_ORDER.index(worst_first[-1])),
        output_field=IntegerField(),
    )
    latest = StatusUpdate.objects.filter(initiative=OuterRef("pk")).order_by("-at", "-id")
    return Subquery(latest.annotate(rank=rank).values("rank")[:1], output_field=IntegerField())


def aware_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def stale_cutoff() -> datetime.datetime:
    """Before this instant, an open initiative's last sign of life makes it stale."""
    return timezone.now() - datetime.timedelta(days=site_settings_get().stale_after_days)


def stale_q(cutoff: datetime.datetime) -> Q:
    """Stale, as a condition the database checks with two set lookups (each read once, not
    once per row): an open initiative with no update since `cutoff` whose last update is older
    or, with none, whose approval (or creation) is. The same rule as `stale_since < cutoff`."""
    updated = StatusUpdate.objects.order_by().values("initiative_id")
    return (
        Q(stage__in=STALE_STAGES)
        & ~Q(pk__in=updated.filter(at__gte=cutoff))
        & (
            Q(pk__in=updated)
            | Q(forecast_locked_at__lt=cutoff)
            | Q(forecast_locked_at__isnull=True, created_at__lt=cutoff)
        )
    )


def overdue_q(today: datetime.date) -> Q:
    """An initiative under way with a milestone not done and due before `today` (one set
    lookup)."""
    overdue = Milestone.objects.filter(done_at__isnull=True, due_date__lt=today)
    return Q(stage__in=MILESTONE_STAGES, pk__in=overdue.order_by().values("initiative_id"))


def with_health(rows: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """Annotate initiatives with `latest_health` (None with no update), `last_update_at`,
    `stale_since` (last update, else approval, else creation), `is_stale`,
    `overdue_milestones` and `linked_requests` — subqueries, so one query whatever the rows."""
    cutoff = stale_cutoff()
    latest = StatusUpdate.objects.filter(initiative=OuterRef("pk")).order_by("-at", "-id")
    overdue = (
        Milestone.objects.filter(
            initiative=OuterRef("pk"), done_at__isnull=True, due_date__lt=timezone.localdate()
        )
        .order_by()
        .values("initiative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    linked = (
        LinkedRequest.objects.filter(initiative=OuterRef("pk"))
        .order_by()
        .values("initiative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.annotate(
        latest_health=Subquery(latest.annotate(worst=worst_health_case()).values("worst")[:1]),
        last_update_at=Subquery(latest.values("at")[:1]),
        stale_since=Coalesce(
            "last_update_at", "forecast_locked_at", "created_at", output_field=DateTimeField()
        ),
        is_stale=Case(
            When(stale_q(cutoff), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        overdue_milestones=Case(
            When(
                stage__in=MILESTONE_STAGES,
                then=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        linked_requests=Coalesce(Subquery(linked, output_field=IntegerField()), Value(0)),
    )
