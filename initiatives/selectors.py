"""Reads of the portfolio, shaped for pages and the API: initiatives arrive with their latest
health, staleness and counts computed by the database (subqueries, never a loop of queries),
so templates and serializers never query.

Health, staleness and overdue milestones are defined, and computed, in initiatives.health.
"""

import datetime
import decimal
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from informatics.choices import Role
from informatics.listing import search_words
from informatics.models import StrategicPriority, User
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from informatics.services import site_settings_get
from initiatives.choices import HEALTH_ORDER, Health, Stage
from initiatives.filters import InitiativeFilter
from initiatives.health import (
    aware_midnight,
    latest_health_rank,
    overdue_q,
    stale_cutoff,
    stale_q,
    with_health,
    worst_health_case,
)
from initiatives.models import (
    BenefitLine,
    FinancialEntry,
    Initiative,
    InitiativePriority,
    Milestone,
    StageChange,
    StatusUpdate,
)
from intake.choices import CLOSED_STATUSES, TRIAGE_STATUSES
from intake.models import IntakeRequest
from intake.selectors import readable_by

# The CMO's gate: initiatives waiting for approval (or to be deferred or stopped, each a
# governance decision).
GATE_WAITING_STAGES: frozenset[str] = frozenset({Stage.PROPOSED})


def initiative_url(initiative: Initiative) -> str:
    return reverse("initiatives:initiative-detail", args=[initiative.pk])


def _shaped(rows: QuerySet[Initiative]) -> QuerySet[Initiative]:
    return with_health(rows.select_related("executive_sponsor", "cmio_owner", "informaticist_lead"))


def _alignments() -> Prefetch:
    return Prefetch(
        "alignments",
        queryset=InitiativePriority.objects.select_related("priority").order_by(
            "priority__rank", "id"
        ),
    )


# --- Lists ----------------------------------------------------------------------------------


def initiative_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Initiative]:
    """Every initiative by title, with its people, alignments (and their priorities),
    facilities and the `with_health` annotations, narrowed by `filters` (query parameters of
    InitiativeFilter). Three queries whatever the number of rows: the initiatives, their
    alignments with priorities, their facilities."""
    rows = (
        _shaped(Initiative.objects.all())
        .prefetch_related(_alignments(), "facilities")
        .order_by("title", "id")
    )
    if filters:
        rows = InitiativeFilter(data=filters, queryset=rows).qs
    return rows


@dataclass(frozen=True)
class PortfolioCell:
    """The initiatives of one stage in one row of the grid: how many, how many are stale, at
    risk or off track, and the worst health among them (None when none has an update)."""

    stage: str
    count: int = 0
    stale: int = 0
    at_risk: int = 0
    off_track: int = 0
    worst: str | None = None


@dataclass(frozen=True)
class PortfolioRow:
    """One priority (None: initiatives aligned to no priority) across every stage."""

    priority: StrategicPriority | None
    cells: list[PortfolioCell]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)


@dataclass(frozen=True)
class PortfolioSummary:
    """Initiatives by priority × stage. An initiative aligned to two priorities sits in both
    rows; `totals` counts each initiative once per stage."""

    stages: list[tuple[str, str]]
    rows: list[PortfolioRow]
    totals: list[PortfolioCell]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.totals)

    @property
    def stale(self) -> int:
        return sum(cell.stale for cell in self.totals)

    @property
    def at_risk(self) -> int:
        return sum(cell.at_risk for cell in self.totals)

    @property
    def off_track(self) -> int:
        return sum(cell.off_track for cell in self.totals)


def _cell_counts(rows: QuerySet[Initiative], *group: str) -> dict[Any, dict[str, PortfolioCell]]:
    """The cells per `group` value and stage, counted in SQL: one GROUP BY over (group, stage,
    health, stale), so each initiative's health is worked out once, and the result has at most
    groups × stages × healths × 2 rows whatever the number of initiatives."""
    counted = (
        with_health(rows.order_by())
        .annotate(health_rank=latest_health_rank())
        .values(*group, "stage", "health_rank", "is_stale")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[Any, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in counted:
        key = row[group[0]] if group else None
        cell = found[key].setdefault(
            row["stage"], {"count": 0, "stale": 0, "at_risk": 0, "off_track": 0, "worst": None}
        )
        n, rank = row["n"], row["health_rank"]
        health = HEALTH_ORDER[rank] if rank is not None else None
        cell["count"] += n
        cell["stale"] += n if row["is_stale"] else 0
        cell["at_risk"] += n if health == Health.AT_RISK else 0
        cell["off_track"] += n if health == Health.OFF_TRACK else 0
        if rank is not None and (cell["worst"] is None or rank > cell["worst"]):
            cell["worst"] = rank
    return {
        key: {
            stage: PortfolioCell(
                stage=stage,
                count=c["count"],
                stale=c["stale"],
                at_risk=c["at_risk"],
                off_track=c["off_track"],
                worst=HEALTH_ORDER[c["worst"]] if c["worst"] is not None else None,
            )
            for stage, c in cells.items()
        }
        for key, cells in found.items()
    }


def portfolio_summary() -> PortfolioSummary:
    """The portfolio grid: a row per active priority in rank order (then any retired
    priority that still has initiatives, then the initiatives aligned to none), a column per
    stage, each cell counting its initiatives, the stale, at-risk and off-track ones, and the
    worst health.

    Three queries whatever the number of initiatives, each counted in SQL: the cells per
    priority (an initiative aligned to none falls in the row of no priority), the cells per
    stage over every initiative (each counted once), the priorities."""
    stages = [(str(value), str(label)) for value, label in Stage.choices]
    by_row = _cell_counts(Initiative.objects.all(), "alignments__priority_id")
    totals = _cell_counts(Initiative.objects.all()).get(None, {})
    aligned_to = [pk for pk in by_row if pk is not None]
    priorities = list(
        StrategicPriority.objects.filter(Q(is_active=True) | Q(pk__in=aligned_to)).order_by(
            "-is_active", "rank", "id"
        )
    )

    def cells(found: dict[str, PortfolioCell]) -> list[PortfolioCell]:
        return [found.get(stage) or PortfolioCell(stage=stage) for stage, _ in stages]

    rows = [PortfolioRow(priority=p, cells=cells(by_row.get(p.pk, {}))) for p in priorities]
    if None in by_row:
        rows.append(PortfolioRow(priority=None, cells=cells(by_row[None])))
    return PortfolioSummary(stages=stages, rows=rows, totals=cells(totals))


def portfolio_attention() -> QuerySet[Initiative]:
    """The portfolio's initiatives that need attention — off track, at risk or stale — each
    once, worst first: off track, then at risk, then stale with a better (or no) health; by
    title within each (then id). A queryset, so a page of it is one query."""
    return (
        _shaped(Initiative.objects.all())
        .filter(Q(is_stale=True) | Q(latest_health__in=[Health.OFF_TRACK, Health.AT_RISK]))
        .annotate(
            attention=Case(
                When(latest_health=Health.OFF_TRACK, then=Value(0)),
                When(latest_health=Health.AT_RISK, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("attention", "title", "id")
    )


# --- One initiative -------------------------------------------------------------------------


@dataclass(frozen=True)
class BenefitVariance:
    """Current minus locked values of a benefit line (horizon: days later than promised)."""

    baseline: decimal.Decimal
    target: decimal.Decimal
    horizon_days: int

    @property
    def changed(self) -> bool:
        return bool(self.baseline or self.target or self.horizon_days)


def benefit_variance(benefit: BenefitLine) -> BenefitVariance | None:
    """current − locked for each value of the forecast; None before it is locked."""
    if (
        benefit.locked_at is None
        or benefit.locked_baseline is None
        or benefit.locked_target is None
        or benefit.locked_horizon is None
    ):
        return None
    return BenefitVariance(
        baseline=benefit.baseline - benefit.locked_baseline,
        target=benefit.target - benefit.locked_target,
        horizon_days=(benefit.horizon - benefit.locked_horizon).days,
    )


def initiative_detail(*, pk: int, user: User | None = None) -> Initiative:
    """One initiative with everything its page shows, in ten queries whatever it holds:
    the initiative (people, `with_health`), alignments with priorities, champions, facilities,
    the stage timeline (actors), status updates newest first (authors, each with `health`),
    milestones by due date (who did them, `is_overdue`), benefit lines (each with `variance`,
    see `benefit_variance`), financial entries newest month first (who entered them) and
    linked requests (submitters) — those `user` may read when a
    user is given. Http404 when there is no such initiative."""
    requests = IntakeRequest.objects.select_related("submitted_by").order_by("pk")
    if user is not None:
        requests = requests.filter(readable_by(user))
    today = timezone.localdate()
    initiative = (
        _shaped(Initiative.objects.filter(pk=pk))
        .prefetch_related(
            _alignments(),
            "champions",
            "facilities",
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("actor").order_by("at", "id"),
            ),
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related("author")
                .annotate(health=worst_health_case())
                .order_by("-at", "-id"),
            ),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("done_by")
                .annotate(
                    is_overdue=Case(
                        When(done_at__isnull=True, due_date__lt=today, then=Value(True)),
                        default=Value(False),
                        output_field=BooleanField(),
                    )
                )
                .order_by("due_date", "id"),
            ),
            Prefetch("benefits", queryset=BenefitLine.objects.order_by("value_category", "id")),
            Prefetch(
                "financial_entries",
                queryset=FinancialEntry.objects.select_related("entered_by").order_by(
                    "-month", "kind", "id"
                ),
            ),
            Prefetch("requests", queryset=requests),
        )
        .first()
    )
    if initiative is None:
        raise Http404("No such initiative.")
    for benefit in initiative.benefits.all():
        benefit.variance = benefit_variance(benefit)  # type: ignore[attr-defined]
    return initiative


# --- Needs me -------------------------------------------------------------------------------


# How many requests the link picker offers at a time.
LINK_CANDIDATES = 8


def link_candidates(*, user: User, query: str) -> list[IntakeRequest]:
    """The requests the link picker offers for `query` (words of the title, or a number:
    "12", "#12"): those `user` may read that may be linked — triaged, still open, and not part
    of an initiative — newest first, at most LINK_CANDIDATES."""
    query = query.strip()
    if not query:
        return []
    rows = (
        IntakeRequest.objects.filter(readable_by(user))
        .exclude(status__in=(*CLOSED_STATUSES, *TRIAGE_STATUSES))
        .filter(initiative_link__isnull=True)
    )
    return list(
        search_words(rows, query, ("title",), by_number=True).order_by("-created_at", "-id")[
            :LINK_CANDIDATES
        ]
    )


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
