"""Reads of the reports app: each role's landing page, composed from every app's selectors.

Landing pages get finished data: lists and small dataclasses, so their templates never query.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from governance import selectors as governance_selectors
from informatics import selectors as informatics_selectors
from informatics.choices import FacilityKind, Role
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, can
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem
from informatics.services import site_settings_get
from initiatives import selectors as initiatives_selectors
from initiatives.selectors import PortfolioSummary
from intake import selectors as intake_selectors
from metrics import selectors as metrics_selectors
from reports.choices import ReportState
from reports.models import ReportFileRedaction, ReportSubscription, ValueReport

LANDING_TITLES: dict[str, str] = {
    Role.CMO: "Portfolio dashboard",
    Role.CMIO: "CMIO workbench",
    Role.INFORMATICIST: "Informatics workbench",
    Role.EXECUTIVE: "Value reports",
    Role.CHAMPION: "My requests",
    Role.ADMIN: "Administration",
}


@dataclass(frozen=True)
class LabelledCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class AdminSummary:
    """What the admin landing shows: people by role and facilities by kind."""

    people_total: int
    people_active: int
    people_inactive: int
    people_by_role: list[LabelledCount]
    facilities_total: int
    facilities_by_kind: list[LabelledCount]


@dataclass(frozen=True)
class NeedsMeMore:
    """A kind of needs-me item with more waiting than the landing page shows."""

    kind: str
    count: int  # how many more than shown
    total: int
    url: str


@dataclass(frozen=True)
class Landing:
    """One role's landing page: its title, the needs-me list and the role's own content."""

    role: str
    title: str
    needs_me: list[NeedsMeItem]
    stale_after_days: int
    needs_me_more: list[NeedsMeMore] = field(default_factory=list)
    needs_me_total: int = 0
    priorities: list[StrategicPriority] = field(default_factory=list)
    portfolio: PortfolioSummary | None = None
    latest_report: ValueReport | None = None
    admin: AdminSummary | None = None


def needs_me_list(*, user: User) -> NeedsMe:
    """Everything waiting on `user` across the apps, oldest first: at most NEEDS_ME_LIMIT
    items of each kind (the oldest), with each kind's total and the link to its full list."""
    parts: list[list[NeedsMeItem]] = [
        informatics_selectors.needs_me_for(user),
        intake_selectors.needs_me_for(user),
        initiatives_selectors.needs_me_for(user),
        metrics_selectors.needs_me_for(user),
        governance_selectors.needs_me_for(user),
    ]
    totals: dict[str, int] = {}
    links: dict[str, str] = {}
    for part in parts:
        counted = part if isinstance(part, NeedsMe) else NeedsMe(part)
        for kind in {*counted.totals, *(item.kind for item in counted)}:
            totals[kind] = totals.get(kind, 0) + counted.total(kind)
        links.update(counted.links)
    shown: dict[str, int] = {}
    items: list[NeedsMeItem] = []
    for item in sorted((item for part in parts for item in part), key=lambda item: item.since):
        shown[item.kind] = shown.get(item.kind, 0) + 1
        if shown[item.kind] <= NEEDS_ME_LIMIT:
            items.append(item)
    return NeedsMe(items, totals=totals, links=links)


def needs_me_more(needs_me: NeedsMe) -> list[NeedsMeMore]:
    """The kinds of `needs_me` with more items than it holds, in the order they first appear
    (kinds with none shown last, by name)."""
    kinds = list(dict.fromkeys(item.kind for item in needs_me))
    kinds += sorted(kind for kind in needs_me.totals if kind not in kinds)
    more: list[NeedsMeMore] = []
    for kind in kinds:
        total = needs_me.total(kind)
        shown = sum(item.kind == kind for item in needs_me)
        if total > shown:
            url = needs_me.links.get(kind, "")
            more.append(NeedsMeMore(kind=kind, count=total - shown, total=total, url=url))
    return more


def admin_summary() -> AdminSummary:
    """Counts for the admin landing, in three queries whatever the number of rows:
    people (total, active), active people per role group, facilities per kind."""
    people = User.objects.aggregate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    per_role = dict(
        Group.objects.filter(name__in=Role.values)
        .annotate(members=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "members")
    )
    per_kind = dict(
        Facility.objects.filter(is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return AdminSummary(
        people_total=people["total"],
        people_active=people["active"],
        people_inactive=people["total"] - people["active"],
        people_by_role=[
            LabelledCount(key=role.value, label=str(role.label), count=per_role.get(role.value, 0))
            for role in Role
        ],
        facilities_total=sum(per_kind.values()),
        facilities_by_kind=[
            LabelledCount(key=kind.value, label=str(kind.label), count=per_kind.get(kind.value, 0))
            for kind in FacilityKind
        ],
    )


def landing_for(*, user: User, role: str) -> Landing:
    """The landing page of `role` for `user` (the caller checks that the user holds the role)."""
    role = Role(role)
    priorities: list[StrategicPriority] = []
    portfolio: PortfolioSummary | None = None
    admin: AdminSummary | None = None
    if role == Role.CMO:
        priorities = list(informatics_selectors.priority_list(include_retired=False))
        portfolio = initiatives_selectors.portfolio_summary()
    if role == Role.ADMIN:
        admin = admin_summary()
    latest_report = latest_issued_report() if role == Role.EXECUTIVE else None
    needs_me = needs_me_list(user=user)
    more = needs_me_more(needs_me)
    return Landing(
        role=role.value,
        title=LANDING_TITLES[role],
        needs_me=needs_me,
        needs_me_more=more,
        needs_me_total=len(needs_me) + sum(kind.count for kind in more),
        stale_after_days=site_settings_get().stale_after_days,
        priorities=priorities,
        portfolio=portfolio,
        admin=admin,
        latest_report=latest_report,
    )


LANDING_ROWS = 5


def intake_summary(*, user: User, role: str) -> dict[str, object]:
    """Intake on a landing page: the champion's own requests with their status, and the
    triage queue (its size, how many are overdue, the first rows) for the CMIO and
    informaticists. One query each, whatever the number of requests."""
    if role == Role.CHAMPION:
        mine = list(intake_selectors.my_requests(user=user)[: LANDING_ROWS * 2])
        return {"my_requests": mine}
    if role in (Role.CMIO, Role.INFORMATICIST):
        rows, total, overdue = intake_selectors.triage_queue_head(limit=LANDING_ROWS)
        return {"triage_rows": rows, "triage_total": total, "triage_overdue": overdue}
    return {}


# --- Value reports --------------------------------------------------------------------------


def report_list(*, user: User) -> QuerySet[ValueReport]:
    """The value reports `user` may read, newest month first: issued ones for everyone, drafts
    and reviewed ones too for those who read drafts (informaticists, the CMIO and the CMO)."""
    rows = ValueReport.objects.select_related("priority").defer("payload")
    if not can(user, Action.REPORT_DRAFT_READ):
        rows = rows.filter(state=ReportState.ISSUED)
    return rows.order_by("-month", "priority__rank", "priority_id", "-revision")


def report_detail(*, user: User, pk: int) -> ValueReport:
    """One report `user` may read, with its files; 404 otherwise (an executive asking for a
    draft learns nothing of it)."""
    rows = report_list(user=user).defer(None).prefetch_related("files")
    report = rows.filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def report_file_redactions(*, report: ValueReport) -> list[ReportFileRedaction]:
    """The report's files rendered again after redactions, oldest first, with each file (one
    query; for the report page of whoever may read the report)."""
    return list(
        ReportFileRedaction.objects.filter(report_file__report=report)
        .select_related("report_file")
        .order_by("at", "pk")
    )


def latest_issued_report() -> ValueReport | None:
    """The organisation's most recently issued report (for the executive's landing page)."""
    return (
        ValueReport.objects.filter(state=ReportState.ISSUED, priority__isnull=True)
        .only("pk", "month", "revision", "issued_at")
        .order_by("-month", "-revision")
        .first()
    )


def subscribed(*, user: User) -> bool:
    return ReportSubscription.objects.filter(user=user, active=True).exists()
