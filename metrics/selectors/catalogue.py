"""Reads of the catalogue, shaped for pages and the API: the metric list with each metric's
system-level roll-up, one metric in full, measurements, and what waits on whom. A fixed number
of queries whatever the number of metrics."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
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
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from informatics.choices import FacilityKind, Role
from informatics.models import Facility, User
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from metrics.choices import Variation
from metrics.models import (
    Annotation,
    Measurement,
    Metric,
    MetricInitiative,
    RollupSeries,
    Target,
    ValueBasis,
)
from metrics.periods import due_period_end, next_period_end


def metric_url(metric: Metric) -> str:
    return reverse("metrics:metric-detail", args=[metric.pk])


def initiative_url(initiative_id: int) -> str:
    return reverse("initiatives:initiative-detail", args=[initiative_id])


def _system_rollups() -> Prefetch:
    """The roll-up at the top of the facility tree (the whole system), as `system_rollups`
    (a list of at most one)."""
    return Prefetch(
        "rollups",
        queryset=RollupSeries.objects.filter(facility__parent__isnull=True)
        .select_related("facility")
        .order_by("facility_id"),
        to_attr="system_rollups",
    )


def system_rollup(metric: Metric) -> RollupSeries | None:
    """The system-level roll-up prefetched by `metric_list` or `metric_detail`."""
    rows: list[RollupSeries] = getattr(metric, "system_rollups", [])
    return rows[0] if rows else None


def metric_list(
    *, user: User | None = None, params: Mapping[str, Any] | None = None
) -> QuerySet[Metric]:
    """The catalogue by code, with owners, priorities and each metric's system-level roll-up
    (`system_rollup(metric)`), narrowed by `params` (query parameters of MetricFilter; "mine"
    reads `user`). Three queries whatever the number of metrics: the metrics with their
    owners, their system roll-ups, their priorities."""
    from metrics.filters import MetricFilter

    rows = (
        Metric.objects.select_related("owner")
        .prefetch_related(_system_rollups(), "priorities")
        .order_by("code", "id")
    )
    if params:
        rows = MetricFilter(data=params, queryset=rows, user=user).qs
    return rows


def value_basis_of(metric: Metric) -> ValueBasis | None:
    """The metric's value basis, if it has one (joined by `metric_detail`: no query)."""
    try:
        return metric.value_basis
    except ObjectDoesNotExist:
        return None


def metric_detail(*, metric_id: int) -> Metric:
    """One metric with its owner, value basis, priorities, attribution links (their initiatives and
    benefit lines), balancing metrics, targets and annotations (with facilities and authors)
    and system-level roll-up. Http404 when there is none."""
    metric = (
        Metric.objects.filter(pk=metric_id)
        .select_related("owner", "value_basis")
        .prefetch_related(
            _system_rollups(),
            "priorities",
            Prefetch(
                "links",
                queryset=MetricInitiative.objects.select_related(
                    "initiative", "benefit_line"
                ).order_by("-share", "initiative_id"),
            ),
            Prefetch("balancing_metrics", queryset=Metric.objects.order_by("code")),
            Prefetch(
                "targets",
                queryset=Target.objects.select_related("facility").order_by("due_date", "id"),
            ),
            Prefetch(
                "annotations",
                queryset=Annotation.objects.select_related("facility", "created_by").order_by(
                    "date", "id"
                ),
            ),
        )
        .first()
    )
    if metric is None:
        raise Http404("No such metric.")
    return metric


def system_facility() -> Facility | None:
    """The health system at the top of the facility tree (the first, should there be more)."""
    return (
        Facility.objects.filter(parent__isnull=True, kind=FacilityKind.SYSTEM)
        .order_by("pk")
        .first()
    )


def measurement_list(
    *, user: User | None = None, params: Mapping[str, Any] | None = None
) -> QuerySet[Measurement]:
    """Measurements by metric, facility and period, with their import batch and who entered
    them, narrowed by `params` (query parameters of MeasurementFilter). One query whatever
    the number of rows. Every signed-in user reads every measurement (`user` is for callers
    that narrow by reader in the future)."""
    from metrics.filters import MeasurementFilter

    rows = Measurement.objects.select_related("metric", "facility", "batch", "entered_by").order_by(
        "metric__code", "facility__code", "period_start", "id"
    )
    if params:
        rows = MeasurementFilter(data=params, queryset=rows).qs
    return rows


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def needs_me_links() -> dict[str, str]:
    """Where the full list of each metrics needs-me kind is (the catalogue, filtered)."""
    catalogue = reverse("metrics:metric-list")
    return {
        "Metric data overdue": f"{catalogue}?mine=true&is_active=true",
        "Special-cause concern": f"{catalogue}?variation={Variation.CONCERN}&is_active=true",
    }


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in metrics, oldest first, in one query for every signed-in user,
    at most NEEDS_ME_LIMIT items of each kind (the oldest), with each kind's total:

    - a metric's owner: "Metric data overdue" when the metric (active) has no data for the
      latest period that should be complete by now (its frequency plus its data lag; survey
      waves have no schedule), waiting since the first missing period's data became due (or
      since the metric was created, when it has no data at all);
    - the CMIO: "Special-cause concern" for each active metric whose system-level series'
      latest complete point is a special-cause concern, since the variation turned so (the
      oldest NEEDS_ME_LIMIT only are read, and the total is counted in the same query).

    Whether an owner's metric is overdue depends on its schedule, so the owner's metrics
    (a handful each: the catalogue's size at most) are read and their items counted here.
    """
    if not user.is_authenticated or not user.is_active or not user.roles:
        return NeedsMe()
    is_cmio = Role.CMIO in user.roles
    latest_end = (
        Measurement.objects.filter(metric=OuterRef("pk"))
        .order_by("-period_end")
        .values("period_end")[:1]
    )
    concern = RollupSeries.objects.filter(
        metric=OuterRef("pk"), facility__parent__isnull=True, variation=Variation.CONCERN
    ).order_by("facility_id")
    wanted = Q(owner=user)
    if is_cmio:
        wanted |= Q(Exists(concern))
    is_owned = Case(When(owner=user, then=Value(True)), default=Value(False))
    rows = (
        Metric.objects.filter(wanted, is_active=True)
        .annotate(
            latest_end=Subquery(latest_end),
            is_concern=Exists(concern),
            concern_since=Subquery(concern.values("variation_changed_at")[:1]),
            concern_period=Subquery(concern.values("latest_period")[:1]),
            is_owned=is_owned,
        )
        .annotate(
            concern_rank=Window(
                RowNumber(),
                partition_by=[F("is_concern")],
                order_by=[Coalesce("concern_since", "created_at").asc(), F("id").asc()],
            ),
            concern_total=Window(Count("pk"), partition_by=[F("is_concern")]),
            # Every owned metric is read (see above): owned ones rank first, up to their count.
            owned_rank=Window(RowNumber(), order_by=[F("is_owned").desc(), F("id").asc()]),
            owned_count=Window(Sum(Case(When(owner=user, then=1), default=0))),
        )
        .filter(Q(concern_rank__lte=NEEDS_ME_LIMIT) | Q(owned_rank__lte=F("owned_count")))
        .only("pk", "code", "name", "owner_id", "frequency", "data_lag_days", "created_at")
        .order_by("pk")
    )
    today = timezone.localdate()
    items: list[NeedsMeItem] = []
    totals: dict[str, int] = {}
    for row in rows:
        title, url = f"{row.code} {row.name}", metric_url(row)
        due_end = due_period_end(row.frequency, row.data_lag_days, today)
        latest: datetime.date | None = getattr(row, "latest_end", None)
        if row.owner_id == user.pk and due_end is not None and (latest is None or latest < due_end):
            if latest is None:
                since, detail = row.created_at, "No measurements yet."
            else:
                missing_end = next_period_end(row.frequency, latest) or due_end
                lag = datetime.timedelta(days=row.data_lag_days + 1)
                since = _midnight(missing_end + lag)
                detail = f"Data through {latest:%Y-%m-%d}; expected through {due_end:%Y-%m-%d}."
            items.append(
                NeedsMeItem(
                    kind="Metric data overdue",
                    title=title,
                    url=url,
                    since=since,
                    due=since,
                    detail=detail,
                )
            )
        if is_cmio and getattr(row, "is_concern", False):
            totals["Special-cause concern"] = row.concern_total
            if row.concern_rank > NEEDS_ME_LIMIT:
                continue
            period: datetime.date | None = getattr(row, "concern_period", None)
            detail = "The latest system-level point is a special-cause concern"
            detail += f" (period from {period:%Y-%m-%d})." if period else "."
            items.append(
                NeedsMeItem(
                    kind="Special-cause concern",
                    title=title,
                    url=url,
                    since=getattr(row, "concern_since", None) or row.created_at,
                    detail=detail,
                )
            )
    overdue = sorted(
        (item for item in items if item.kind == "Metric data overdue"), key=lambda i: i.since
    )
    totals["Metric data overdue"] = len(overdue)
    dropped = {id(item) for item in overdue[NEEDS_ME_LIMIT:]}
    kept = [item for item in items if id(item) not in dropped]
    return NeedsMe(sorted(kept, key=lambda item: item.since), totals=totals, links=needs_me_links())
