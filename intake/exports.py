"""The request list's CSV export (informatics.exports): the rows a reader may read, narrowed
by the list's filters, and their cells. The streamed download and the job's file both use it."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from informatics.export import choice_labels
from informatics.exports import CsvExport
from informatics.models import User
from informatics.permissions import Action
from intake import selectors
from intake.filters import RequestFilter
from intake.models import IntakeRequest

HEADER = [
    "Number",
    "Title",
    "Kind",
    "Status",
    "Route",
    "Facility",
    "Specialty",
    "Submitted by",
    "Submitted on",
    "Safety concern",
    "Votes (+1)",
    "Value",
    "Effort points",
    "Priority index",
    "Service level due",
]


def request_cells(rows: Iterable[Any]) -> Iterator[Sequence[Any]]:
    kinds = choice_labels(IntakeRequest, "kind")
    statuses = choice_labels(IntakeRequest, "status")
    routes = choice_labels(IntakeRequest, "route")
    for row in rows:
        score = row.current_score
        yield [
            row.pk,
            row.title,
            kinds.get(row.kind, row.kind),
            statuses.get(row.status, row.status),
            routes.get(row.route, row.route) if row.route else "",
            row.facility.name if row.facility else "",
            row.specialty,
            row.submitted_by.full_name or row.submitted_by.email,
            timezone.localtime(row.created_at).date().isoformat(),
            "yes" if row.is_safety_concern else "no",
            row.vote_count,
            score.value if score else "",
            score.effort_points if score else "",
            score.priority_index if score else "",
            timezone.localtime(row.sla_due_at).isoformat(timespec="minutes")
            if row.sla_due_at
            else "",
        ]


def request_rows(user: User, params: QueryDict | None) -> QuerySet[IntakeRequest]:
    """The requests `user` may read, filtered as the request list is."""
    return RequestFilter(params, queryset=selectors.request_list(user=user)).qs


REQUESTS = CsvExport(
    name="requests",
    stem="requests",
    noun="requests",
    action=Action.REQUEST_READ,
    header=HEADER,
    queryset=request_rows,
    cells=request_cells,
    list_url="intake:request-list",
    copies=frozenset({"intake.intakerequest.title", "intake.intakerequest.specialty"}),
)
