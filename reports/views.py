"""Pages of this app: thin views that parse, authorise, call one service or selector, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from informatics.models import User
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, form_context, run_action, submit
from reports import selectors, services
from reports.choices import FileKind, ReportState
from reports.forms import DraftRequestForm, NarrativeForm
from reports.models import ReportFile, ValueReport
from reports.selectors import intake_summary, landing_for
from reports.sources import payload_source_urls


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: send the user to the landing page of the first role they hold (DESIGN.md order)."""
    user: User = request.user  # type: ignore[assignment]  # login_required: never anonymous
    if not user.roles:
        return render(request, "reports/no_role.html")
    return redirect("reports:landing", role=user.roles[0])


@login_required
def landing(request: HttpRequest, role: str) -> HttpResponse:
    """`/home/<role>/`: one role's landing page, for users who hold that role (404 otherwise)."""
    user: User = request.user  # type: ignore[assignment]  # login_required: never anonymous
    if not user.has_role(role):
        raise Http404("You do not hold this role.")
    page = landing_for(user=user, role=role)
    context = {"page": page, "current_role": page.role, **intake_summary(user=user, role=role)}
    return render(request, f"reports/landing_{page.role}.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (Django admin): answer, not 404."""
    return redirect(static("img/favicon.svg"), permanent=True)


# --- Value reports --------------------------------------------------------------------------

REPORTS_PER_PAGE = 25


def _list_page(request: AuthedRequest, draft_form: DraftRequestForm | None = None) -> HttpResponse:
    page = Paginator(selectors.report_list(user=request.user), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": list(page),
        "can_draft": can(request.user, Action.REPORT_DRAFT),
        "reads_drafts": can(request.user, Action.REPORT_DRAFT_READ),
        "draft_form": draft_form or DraftRequestForm(),
        "subscribed": selectors.subscribed(user=request.user),
    }
    return render(request, "reports/report_list.html", context)


@login_required
@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    """`/reports/`: the reports the user may read (executives: issued only), newest first."""
    require(request.user, Action.PORTFOLIO_READ)
    return _list_page(request)


@login_required
@require_POST
def report_draft(request: AuthedRequest) -> HttpResponse:
    """The CMIO asks for a draft of a month: the build runs in the background."""
    require(request.user, Action.REPORT_DRAFT)
    form = DraftRequestForm(request.POST)
    submission = submit(
        form,
        lambda: services.report_draft_request(
            actor=request.user,
            month=form.cleaned_data["month"],
            priority=form.cleaned_data["priority"],
        ),
    )
    if not submission.done:
        return _list_page(request, draft_form=form)
    messages.success(request, "The draft is being built; it appears in the list when done.")
    return redirect("reports:report-list")


@login_required
@require_POST
def report_subscription(request: AuthedRequest) -> HttpResponse:
    """Each person turns their own e-mail about issued reports on or off."""
    active = request.POST.get("active") == "1"
    services.report_subscription_set(actor=request.user, active=active)
    messages.success(
        request,
        "You will be e-mailed when a report is issued."
        if active
        else "You will no longer be e-mailed when a report is issued.",
    )
    return redirect("reports:report-list")


def _detail_page(
    request: AuthedRequest,
    report: ValueReport,
    narrative_form: NarrativeForm | None = None,
    phi_seen: dict[str, Any] | None = None,
) -> HttpResponse:
    can_draft = can(request.user, Action.REPORT_DRAFT)
    is_draft = report.state == ReportState.DRAFT
    form = narrative_form or NarrativeForm(initial={"narrative": report.narrative})
    context = {
        "report": report,
        "payload": report.payload,
        "files": list(report.files.all()),
        "file_redactions": selectors.report_file_redactions(report=report),
        "links": True,
        # Every source link of the body, found in two queries rather than one per link.
        "source_urls": payload_source_urls(report.payload, reader=request.user),
        "can_write": can_draft and is_draft,
        "can_review": can_draft and is_draft and bool(report.narrative.strip()),
        "can_issue": can(request.user, Action.REPORT_ISSUE)
        and report.state == ReportState.REVIEWED,
        **form_context(form, phi_seen or {}),
    }
    return render(request, "reports/report_detail.html", context)


@login_required
@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """`/reports/<id>/`: one report's figures, its files and, for the CMIO and the CMO, the
    sign-off."""
    require(request.user, Action.PORTFOLIO_READ)
    return _detail_page(request, selectors.report_detail(user=request.user, pk=pk))


@login_required
@require_POST
def report_narrative(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.REPORT_DRAFT)
    report = selectors.report_detail(user=request.user, pk=pk)
    form = NarrativeForm(request.POST)
    submission = submit(
        form,
        lambda: services.report_narrative_set(actor=request.user, report=report, **form.values()),
    )
    if not submission.done:
        return _detail_page(request, report, form, submission.phi_seen)
    messages.success(request, "The narrative is saved.")
    return redirect("reports:report-detail", pk=pk)


def _sign_off(
    request: AuthedRequest, pk: int, needs: Action, step: Callable[..., object], done: str
) -> HttpResponse:
    """A sign-off button of the report's page: `step` (a service) given the report, `done` its
    message, then the page again."""
    require(request.user, needs)
    report = selectors.report_detail(user=request.user, pk=pk)
    run_action(request, step, done, report=report)
    return redirect("reports:report-detail", pk=pk)


@login_required
@require_POST
def report_review(request: AuthedRequest, pk: int) -> HttpResponse:
    return _sign_off(
        request, pk, Action.REPORT_DRAFT, services.report_mark_reviewed, "Marked reviewed."
    )


@login_required
@require_POST
def report_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    return _sign_off(
        request,
        pk,
        Action.REPORT_ISSUE,
        services.report_issue,
        "Issued: executives can now read it.",
    )


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.CSV: "application/zip",
}


def file_response(report_file: ReportFile) -> FileResponse:
    """The stored file, streamed, with its sha256 in `X-Content-SHA256`."""
    name = (report_file.file.name or "").rsplit("/", 1)[-1]
    kind = FileKind(report_file.kind)
    extension = "zip" if kind == FileKind.CSV else kind.value
    response = FileResponse(
        report_file.file.open("rb"),
        as_attachment=True,
        filename=f"{name.rsplit('.', 1)[0]}.{extension}",
        content_type=CONTENT_TYPES[kind],
    )
    response["X-Content-SHA256"] = report_file.sha256
    return response


@login_required
@require_GET
def report_download(request: AuthedRequest, pk: int, kind: str) -> FileResponse:
    """One of a report's files (executives: issued reports only)."""
    require(request.user, Action.PORTFOLIO_READ)
    report = selectors.report_detail(user=request.user, pk=pk)
    found = next((f for f in report.files.all() if f.kind == kind), None)
    if found is None:
        raise Http404("No such file.")
    return file_response(found)
