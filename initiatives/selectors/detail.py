"""Reads of one initiative: in full (its alignments, people, timeline, milestones, status,
benefits and their variance, linked requests), and the requests a user may link to it."""

import decimal
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Prefetch, Value, When
from django.http import Http404
from django.utils import timezone

from informatics.listing import search_words
from informatics.models import User
from initiatives.health import worst_health_case
from initiatives.models import (
    BenefitLine,
    FinancialEntry,
    Initiative,
    Milestone,
    StageChange,
    StatusUpdate,
)
from initiatives.selectors.portfolio import alignments, shaped
from intake.choices import CLOSED_STATUSES, TRIAGE_STATUSES
from intake.models import IntakeRequest
from intake.selectors import readable_by


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
        shaped(Initiative.objects.filter(pk=pk))
        .prefetch_related(
            alignments(),
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
