"""Reads of the portfolio as a whole: the initiative list with its filters, the summary by stage
and health, and the initiatives that need attention."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse

from informatics.models import StrategicPriority
from initiatives.choices import HEALTH_ORDER, Health, Stage
from initiatives.filters import InitiativeFilter
from initiatives.health import latest_health_rank, with_health
from initiatives.models import Initiative, InitiativePriority

# The CMO's gate: initiatives waiting for approval (or to be deferred or stopped, each a
# governance decision).
GATE_WAITING_STAGES: frozenset[str] = frozenset({Stage.PROPOSED})


def initiative_url(initiative: Initiative) -> str:
    return reverse("initiatives:initiative-detail", args=[initiative.pk])


def shaped(rows: QuerySet[Initiative]) -> QuerySet[Initiative]:
    return with_health(rows.select_related("executive_sponsor", "cmio_owner", "informaticist_lead"))


def alignments() -> Prefetch:
    return Prefetch(
        "alignments",
        queryset=InitiativePriority.objects.select_related("priority").order_by(
            "priority__rank", "id"
        ),
    )


def initiative_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Initiative]:
    """Every initiative by title, with its people, alignments (and their priorities),
    facilities and the `with_health` annotations, narrowed by `filters` (query parameters of
    InitiativeFilter). Three queries whatever the number of rows: the initiatives, their
    alignments with priorities, their facilities."""
    rows = (
        shaped(Initiative.objects.all())
        .prefetch_related(alignments(), "facilities")
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
        shaped(Initiative.objects.all())
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
