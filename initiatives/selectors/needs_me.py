"""What waits on whom in the portfolio, for the landing pages' "needs me" lists."""

import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from informatics.choices import Role
from informatics.models import User
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from informatics.services import site_settings_get
from initiatives.choices import Stage
from initiatives.health import aware_midnight, overdue_q, stale_cutoff, stale_q
from initiatives.models import Initiative, Milestone, StatusUpdate
from initiatives.selectors.portfolio import GATE_WAITING_STAGES, initiative_url


def needs_me_links() -> dict[str, str]:
    """Where the full list of each portfolio needs-me kind is (paginated)."""
    initiatives = reverse("initiatives:initiative-list")
    return {
        "Stale initiative": f"{initiatives}?stale=true",
        "Overdue milestone": reverse("initiatives:portfolio") + "#attention-heading",
        "Awaiting approval": f"{initiatives}?stage={Stage.PROPOSED}",
    }


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in the portfolio, in one query (none for roles without items), at
    most NEEDS_ME_LIMIT items of each kind (the oldest) with each kind's total counted in the
    same query (window functions):

    - the CMIO (every initiative) and an initiative's CMIO owner and informaticist lead:
      "Stale initiative" (waiting since it became stale) and "Overdue milestone" (one item
      per initiative: its oldest overdue milestone, and how many more);
    - the CMO: "Awaiting approval" for initiatives waiting at the gate (proposed), since they
      reached it.
    """
    if not user.is_authenticated or not user.is_active:
        return NeedsMe()
    roles = set(user.roles)
    is_cmio, is_cmo = Role.CMIO in roles, Role.CMO in roles
    today = timezone.localdate()
    # Stale and overdue as set lookups the database reads once; the correlated subqueries
    # (last update, oldest overdue milestone) run only on the rows they concern.
    is_stale, has_overdue = stale_q(stale_cutoff()), overdue_q(today)
    wanted: list[Q] = []
    attention = is_stale | has_overdue
    if is_cmio:
        wanted.append(attention)
    elif Role.INFORMATICIST in roles:
        wanted.append(attention & (Q(cmio_owner=user) | Q(informaticist_lead=user)))
    if is_cmo:
        wanted.append(Q(stage__in=GATE_WAITING_STAGES))
    if not wanted:
        return NeedsMe()
    oldest_overdue = Milestone.objects.filter(
        initiative=OuterRef("pk"), done_at__isnull=True, due_date__lt=today
    ).order_by("due_date", "id")
    overdue_count = (
        Milestone.objects.filter(
            initiative=OuterRef("pk"), done_at__isnull=True, due_date__lt=today
        )
        .order_by()
        .values("initiative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_update = StatusUpdate.objects.filter(initiative=OuterRef("pk")).order_by("-at", "-id")
    mine = Q() if is_cmio else Q(cmio_owner=user) | Q(informaticist_lead=user)

    def member(condition: Q) -> Case:
        return Case(When(condition, then=Value(True)), default=Value(False))

    def only_if(condition: Q, value: Any, field: Any) -> Case:
        return Case(When(condition, then=value), default=Value(None), output_field=field)

    def ranked(partition: str, order: str) -> dict[str, Window]:
        """The row's place in its kind (oldest first) and the kind's size."""
        return {
            f"{partition}_rank": Window(
                RowNumber(), partition_by=[F(partition)], order_by=[F(order).asc(), F("id").asc()]
            ),
            f"{partition}_total": Window(Count("pk"), partition_by=[F(partition)]),
        }

    gate = Q(stage__in=GATE_WAITING_STAGES) if is_cmo else Q(pk__in=[])
    limit = NEEDS_ME_LIMIT
    rows: QuerySet[Any] = (
        Initiative.objects.filter(reduce(or_, wanted))
        .annotate(
            stale_kind=member(mine & is_stale),
            overdue_kind=member(mine & has_overdue),
            gate_kind=member(gate),
        )
        .annotate(
            last_update_at=only_if(
                Q(stale_kind=True), Subquery(last_update.values("at")[:1]), DateTimeField()
            ),
            stale_since=Coalesce(
                "last_update_at", "forecast_locked_at", "created_at", output_field=DateTimeField()
            ),
            overdue_title=only_if(
                Q(overdue_kind=True), Subquery(oldest_overdue.values("title")[:1]), CharField()
            ),
            overdue_due=only_if(
                Q(overdue_kind=True), Subquery(oldest_overdue.values("due_date")[:1]), DateField()
            ),
            overdue_milestones=only_if(
                Q(overdue_kind=True),
                Subquery(overdue_count, output_field=IntegerField()),
                IntegerField(),
            ),
        )
        .annotate(
            **ranked("stale_kind", "stale_since"),
            **ranked("overdue_kind", "overdue_due"),
            **ranked("gate_kind", "stage_changed_at"),
        )
        .filter(
            Q(stale_kind_rank__lte=limit)
            | Q(overdue_kind_rank__lte=limit)
            | Q(gate_kind_rank__lte=limit)
        )
        .only(
            "pk",
            "title",
            "stage",
            "stage_changed_at",
            "created_at",
            "forecast_locked_at",
            "cmio_owner_id",
            "informaticist_lead_id",
        )
        .order_by("pk")
    )
    stale_after = datetime.timedelta(days=site_settings_get().stale_after_days)
    items: list[NeedsMeItem] = []
    totals: dict[str, int] = {}
    for row in rows:
        url = initiative_url(row)
        stage = row.get_stage_display()
        if row.stale_kind:
            totals["Stale initiative"] = row.stale_kind_total
        if row.stale_kind and row.stale_kind_rank <= limit:
            last = getattr(row, "last_update_at", None)
            since_text = f"since {last:%Y-%m-%d}" if last else "yet"
            items.append(
                NeedsMeItem(
                    kind="Stale initiative",
                    title=row.title,
                    url=url,
                    since=row.stale_since + stale_after,
                    detail=f"{stage} · no status update {since_text}",
                )
            )
        overdue = int(getattr(row, "overdue_milestones", None) or 0)
        if row.overdue_kind:
            totals["Overdue milestone"] = row.overdue_kind_total
        if row.overdue_kind and overdue and row.overdue_kind_rank <= limit:
            due: datetime.date = row.overdue_due
            more = f" and {overdue - 1} more" if overdue > 1 else ""
            items.append(
                NeedsMeItem(
                    kind="Overdue milestone",
                    title=row.title,
                    url=url,
                    since=aware_midnight(due + datetime.timedelta(days=1)),
                    due=aware_midnight(due + datetime.timedelta(days=1)),
                    detail=f"{row.overdue_title} (due {due:%Y-%m-%d}){more}",
                )
            )
        if row.gate_kind:
            totals["Awaiting approval"] = row.gate_kind_total
        if row.gate_kind and row.gate_kind_rank <= limit:
            items.append(
                NeedsMeItem(
                    kind="Awaiting approval",
                    title=row.title,
                    # The gate is a governance decision: its form, by URL name (no import).
                    url=f"{reverse('governance:decision-create')}?initiative={row.pk}",
                    since=row.stage_changed_at,
                    detail=f"{stage} · approve, defer or stop",
                )
            )
    return NeedsMe(
        sorted(items, key=lambda item: item.since), totals=totals, links=needs_me_links()
    )
