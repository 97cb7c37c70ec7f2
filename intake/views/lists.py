"""The lists of requests: the submitter's own, the triage queue and board (with bulk triage),
the filtered list with its saved views and sort links, and its CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from informatics.exports import csv_export_view
from informatics.listing import counted_page, filtered_page
from informatics.permissions import Action, require
from informatics.web import AuthedRequest, PostedForm, add_service_errors
from intake import exports, selectors, services
from intake.choices import CLOSED_STATUSES
from intake.filters import RequestFilter
from intake.forms import BoardTriageForm, BulkTriageForm, SavedViewForm, SortForm
from intake.models import IntakeRequest
from intake.views.common import form_problems, readable
from intake.views.detail import triage_save


@login_required
@require_GET
def request_mine(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.REQUEST_SUBMIT)
    rows = list(selectors.my_requests(user=request.user))
    return render(request, "intake/request_mine.html", {"rows": rows})


@login_required
@require_GET
def triage_queue(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.REQUEST_TRIAGE)
    context = counted_page(request, selectors.triage_queue())
    return render(request, "intake/triage_queue.html", {**context, "now": timezone.now()})


def _board_response(
    request: AuthedRequest,
    open_pk: int | None,
    *,
    form: BoardTriageForm | None = None,
    bulk: BulkTriageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The board: the queue's first page (with checkboxes for the bulk actions) beside the open
    request (`open_pk`, else the queue's first) and its triage form."""
    context = counted_page(request, selectors.triage_queue())
    rows: list[IntakeRequest] = context["rows"]
    if open_pk is None and rows:
        open_pk = rows[0].pk
    intake = readable(request, open_pk) if open_pk is not None else None
    if intake is not None and intake.status in CLOSED_STATUSES:
        intake = None
    rubric = selectors.rubric_current()
    ids = [row.pk for row in rows]
    next_pk = None
    if intake is not None:
        after = ids[ids.index(intake.pk) + 1 :] if intake.pk in ids else ids
        next_pk = next((pk for pk in after if pk != intake.pk), None)
    if intake is not None and form is None:
        form = BoardTriageForm(
            initial=BoardTriageForm.initial_for(intake, next_pk), rubric=rubric, auto_id="board_%s"
        )
    return render(
        request,
        "intake/triage_board.html",
        {
            **context,
            "now": timezone.now(),
            "intake": intake,
            "form": form if intake is not None else None,
            "next_pk": next_pk,
            "bulk_form": bulk or BulkTriageForm(selectable=ids, auto_id="bulk_%s"),
        },
        status=status,
    )


@login_required
@require_GET
def triage_board(request: AuthedRequest) -> HttpResponse:
    """The keyboard-driven triage queue: rate, route and size the open request, Enter saves
    and opens the next one."""
    require(request.user, Action.REQUEST_TRIAGE)
    raw = request.GET.get("open", "")
    return _board_response(request, int(raw) if raw.isdigit() else None)


@login_required
@require_POST
def triage_board_save(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = BoardTriageForm(request.POST, rubric=selectors.rubric_current(), auto_id="board_%s")
    board = reverse("intake:triage-board")

    def done() -> HttpResponse:
        following = form.cleaned_data.get("next") if form.is_valid() else None
        return redirect(f"{board}?open={following}" if following else board)

    return PostedForm("board", form).save(
        request,
        triage_save(request, intake, form),
        success=lambda saved: (
            f"Saved #{saved.pk} “{saved.title}”: {saved.get_status_display().lower()}."
        ),
        done=done,
        page=lambda posted: _board_response(request, pk, form=form, status=400),
        stale="Someone changed this request while you were triaging it. Nothing of your "
        "triage was saved; the current values are shown.",
        **form.rating_aliases(),
    )


@login_required
@require_POST
def triage_bulk(request: AuthedRequest) -> HttpResponse:
    """Route and/or move the requests selected on the board, all or nothing."""
    require(request.user, Action.REQUEST_TRIAGE)
    chosen = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()]
    found = {row.pk: row for row in IntakeRequest.objects.filter(pk__in=chosen)}
    form = BulkTriageForm(request.POST, selectable=list(found), auto_id="bulk_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.requests_bulk_triage(
                actor=request.user,
                requests=[found[pk] for pk in data["selected"]],
                route=data["route"],
                to_status=data["to_status"],
                decline_reason=data["decline_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            numbers = ", ".join(f"#{row.pk}" for row in done)
            messages.success(
                request, f"Updated {len(done)} request{pluralize(len(done))}: {numbers}."
            )
            return redirect("intake:triage-board")
    return _board_response(request, None, bulk=form, status=400)


def _filtered(request: AuthedRequest, sort: str) -> RequestFilter:
    rows = selectors.request_list(user=request.user, sort=sort, voter=request.user)
    return RequestFilter(request.GET or None, queryset=rows)


@login_required
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    """The requests, filtered and sorted (`?sort=votes`, see selectors.REQUEST_SORTS), each
    with a +1 button; the built-in views ("Most wanted") and the user's saved ones above."""
    require(request.user, Action.REQUEST_READ)
    sort_form = SortForm(request.GET)
    sort = sort_form.chosen()
    context = filtered_page(request, _filtered(request, sort))
    return render(
        request,
        "intake/request_list.html",
        {
            **context,
            "sort_form": sort_form,
            "sort": sort,
            "sort_links": _sort_links(request, sort),
            "views": selectors.request_views(user=request.user),
            "current_view": selectors.request_view_query(request.GET),
            "save_view_form": SavedViewForm(auto_id="view_%s"),
        },
    )


def _sort_links(request: AuthedRequest, sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link (the page's filters with that sort, from page one) and its
    `aria-sort` when the list is sorted by it."""
    links = {}
    for key in selectors.REQUEST_SORTS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = key
        links[key] = {
            "url": f"?{query.urlencode()}",
            "aria_sort": ("ascending" if key in ("age", "sla") else "descending")
            if key == sort
            else "",
        }
    return links


@login_required
@require_POST
def request_view_save(request: AuthedRequest) -> HttpResponse:
    """Save the list's current filters and order as one of the user's views."""
    form = SavedViewForm(request.POST, auto_id="view_%s")
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = services.saved_view_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "The view was not saved: " + " ".join(error.messages))
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            query = view.query
    else:
        messages.error(request, "The view was not saved: " + form_problems(form))
    list_url = reverse("intake:request-list")
    return redirect(f"{list_url}?{query}" if query else list_url)


@login_required
@require_POST
def request_view_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    view = selectors.saved_view_of(user=request.user, pk=pk)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("intake:request-list")


# The list's CSV for its filters: streamed, or prepared by a job when large (POST).
request_export = csv_export_view(exports.REQUESTS)
