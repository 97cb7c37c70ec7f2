"""The initiative list's CSV export (informatics.exports): the initiatives, narrowed by the
list's filters, and their cells. The streamed download and the job's file both use it."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from informatics.export import choice_labels
from informatics.exports import CsvExport
from informatics.models import User
from informatics.permissions import Action
from initiatives import selectors
from initiatives.choices import Health
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative

HEADER = [
    "Number",
    "Title",
    "Type",
    "Stage",
    "Stage since",
    "Health",
    "Stale",
    "Priorities",
    "Executive sponsor",
    "CMIO owner",
    "Informaticist lead",
    "Start date",
    "Target date",
    "Go-live date",
    "Effort (hours)",
    "Cost estimate",
    "Linked requests",
]


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user else ""


def initiative_cells(rows: Iterable[Any]) -> Iterator[Sequence[Any]]:
    types = choice_labels(Initiative, "type")
    stages = choice_labels(Initiative, "stage")
    for row in rows:
        yield [
            row.pk,
            row.title,
            types.get(row.type, row.type),
            stages.get(row.stage, row.stage),
            timezone.localtime(row.stage_changed_at).date().isoformat(),
            _health_label(row.latest_health),
            "yes" if row.is_stale else "no",
            "; ".join(
                f"{a.priority.title} ({a.get_alignment_display().lower()})"
                for a in row.alignments.all()
            ),
            _name(row.executive_sponsor),
            _name(row.cmio_owner),
            _name(row.informaticist_lead),
            row.start_date,
            row.target_date,
            row.go_live_date,
            row.effort_hours,
            row.cost_estimate,
            row.linked_requests,
        ]


def _health_label(health: str | None) -> str:
    return str(Health(health).label) if health else ""


def initiative_rows(user: User, params: QueryDict | None) -> QuerySet[Initiative]:
    """The initiatives (every reader reads them all), filtered as the initiative list is."""
    return InitiativeFilter(params, queryset=selectors.initiative_list()).qs


INITIATIVES = CsvExport(
    name="initiatives",
    stem="initiatives",
    noun="initiatives",
    action=Action.PORTFOLIO_READ,
    header=HEADER,
    queryset=initiative_rows,
    cells=initiative_cells,
    list_url="initiatives:initiative-list",
    copies=frozenset({"initiatives.initiative.title", "informatics.strategicpriority.title"}),
)
