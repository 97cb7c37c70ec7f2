"""Intake pages: submit, follow, triage and export requests; read and edit the rubric.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. The services hold the rules — the transition table, the PHI guard, who may
do what — and a ValidationError they raise names the field, which goes back onto the form beside
it. When the PHI guard flags a text, the form comes back with that field highlighted and a
"This is not patient information" box to tick: saving then needs an edit or the tick.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors as kernel_selectors
from informatics.choices import Route
from informatics.export_views import csv_export_view
from informatics.listing import counted_page, filtered_page
from informatics.models import Facility, User
from informatics.panels import panels_for
from informatics.permissions import Action, can, require
from informatics.phi import redactable_fields
from informatics.web import (
    AuthedRequest,
    PostedForm,
    add_service_errors,
    create_page,
    edit_page,
    page_forms,
    run_action,
)
from intake import exports, selectors, services
from intake.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    EffortBand,
    RequestKind,
    RequestStatus,
)
from intake.filters import RequestFilter
from intake.forms import (
    AnswerForm,
    AskForm,
    BoardTriageForm,
    BulkTriageForm,
    CommentForm,
    MergeForm,
    RequestEditForm,
    RequestForm,
    RubricForm,
    SavedViewForm,
    SortForm,
    TransitionForm,
    TriageForm,
    VoteForm,
)
from intake.models import IntakeRequest

SIMILAR_MIN_CHARS = 3


def _readable(request: AuthedRequest, pk: int) -> IntakeRequest:
    """The request, shaped for its page: 404 when there is none, 403 when the user may not
    read it (a champion, someone else's private request)."""
    return selectors.request_detail(user=request.user, pk=pk)


def _first_facility(user: User) -> list[Facility]:
    """Where the user works (the first of their facilities by name): the default facility of
    their requests and +1s."""
    return list(user.facilities.order_by("name")[:1])


# --- Submit, edit, withdraw -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.REQUEST_SUBMIT)
    user = request.user
    initial = RequestForm.initial_for_user(user, _first_facility(user))
    form = RequestForm(request.POST or None, initial=initial, suggest_similar=True)
    return create_page(
        request,
        template="intake/request_form.html",
        form=form,
        save=lambda: services.request_submit(actor=user, **form.values()),
        success=lambda intake: (
            f"Thank you: “{intake.title}” is request #{intake.pk}. You will hear from the "
            "informatics team at each step."
        ),
        done=lambda intake: redirect("intake:request-detail", pk=intake.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    require(request.user, Action.REQUEST_EDIT, intake)
    return edit_page(
        request,
        template="intake/request_form.html",
        form_class=RequestEditForm,
        name="intake",
        form_kw="request",
        record=intake,
        update=services.request_update,
        reload=lambda: _readable(request, pk),
        conflict=lambda stale: (
            "Someone changed this request while you were editing it. Nothing of your edit "
            "was saved; the current values are shown below."
        ),
        success=f"Saved your changes to “{intake.title}”.",
        done=lambda: redirect("intake:request-detail", pk=intake.pk),
    )


@login_required
@require_POST
def request_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    run_action(request, services.request_withdraw, f"Withdrew “{intake.title}”.", request=intake)
    return redirect("intake:request-detail", pk=intake.pk)


@login_required
@require_POST
def request_hold_clear(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    run_action(
        request,
        services.request_hold_clear,
        "Cleared the PHI hold: everyone who may read the request reads it again.",
        request=intake,
    )
    return redirect("intake:request-detail", pk=intake.pk)


# --- Similar requests and votes ---------------------------------------------------------------


@login_required
@require_GET
def request_similar(request: AuthedRequest) -> HttpResponse:
    """The htmx partial under the submit form's title: up to five similar open requests."""
    require(request.user, Action.REQUEST_SUBMIT)
    title = request.GET.get("title", "").strip()
    similar: list[IntakeRequest] = []
    if len(title) >= SIMILAR_MIN_CHARS:
        similar = [
            found
            for found in selectors.requests_similar(title=title, limit=5)
            if can(request.user, Action.REQUEST_READ, found)
        ]
    html = render_to_string("intake/partials/similar.html", {"similar": similar}, request=request)
    # Stripped: with nothing similar the box under the title stays empty, so it hides.
    return HttpResponse(html.strip())


def _vote_cell(request: AuthedRequest, pk: int, error: str = "") -> HttpResponse:
    """The +1 cell of one row of the request list, as it now is (the htmx answer of a +1 from
    the list)."""
    row = selectors.request_list(user=request.user, voter=request.user).get(pk=pk)
    html = render_to_string(
        "intake/partials/vote_cell.html", {"row": row, "vote_error": error}, request=request
    )
    return HttpResponse(html)


@login_required
@require_POST
def request_vote(request: AuthedRequest, pk: int) -> HttpResponse:
    """A +1 from the request's page (with the voter's context) or from the list (htmx: the
    voter's profile is their context, and the answer is the row's +1 cell, no reload)."""
    intake = _readable(request, pk)
    if getattr(request, "htmx", False):  # django-htmx sets request.htmx
        require(request.user, Action.REQUEST_SUBMIT)
        facilities = _first_facility(request.user)
        try:
            services.request_vote(
                actor=request.user,
                request=intake,
                specialty=request.user.specialty,
                facility=facilities[0] if facilities else None,
            )
        except ValidationError as error:
            return _vote_cell(request, pk, error=" ".join(error.messages))
        return _vote_cell(request, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your +1 was not recorded: " + _form_problems(form))
        return redirect("intake:request-detail", pk=intake.pk)
    run_action(
        request,
        services.request_vote,
        f"Added your +1 to “{intake.title}”. Its score now counts you too.",
        request=intake,
        **form.cleaned_data,
    )
    return redirect("intake:request-detail", pk=intake.pk)


def _form_problems(form: Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- Detail and the actions on it --------------------------------------------------------------


def _detail_response(
    request: AuthedRequest,
    intake: IntakeRequest,
    *,
    posted: PostedForm | None = None,
) -> HttpResponse:
    """The request's page; `posted`, a form posted from it that was not saved, shows in place of
    its blank form."""
    user = request.user
    rubric = selectors.rubric_current()
    can_triage = can(user, Action.REQUEST_TRIAGE)
    is_submitter = intake.submitted_by_id == user.pk
    votes = list(intake.votes.all())
    is_open = intake.status not in CLOSED_STATUSES
    allowed = TRANSITIONS[intake.status]
    movable = _movable(intake)
    redactable = redactable_fields()
    blank: dict[str, Form | None] = {
        "comment_form": CommentForm(auto_id="comment_%s"),
        "answer_form": AnswerForm(auto_id="answer_%s")
        if is_submitter and intake.status == RequestStatus.NEEDS_INFO
        else None,
        "ask_form": AskForm(auto_id="ask_%s") if can_triage and is_open else None,
        "vote_form": VoteForm(
            auto_id="vote_%s",
            initial=RequestForm.initial_for_user(user, _first_facility(user)),
        )
        if not services.request_vote_refusal(request=intake, user=user)
        else None,
        "triage_form": TriageForm(
            auto_id="triage_%s", initial=TriageForm.initial_for(intake), rubric=rubric
        )
        if can_triage and is_open
        else None,
        "transition_form": TransitionForm(auto_id="transition_%s", allowed=movable)
        if can_triage and movable
        else None,
        "merge_form": MergeForm(auto_id="merge_%s") if can_triage and is_open else None,
    }
    context: dict[str, Any] = {
        "intake": intake,
        "timeline": list(intake.status_changes.all()),
        "comments": list(intake.comments.all()),
        "is_held": getattr(intake, "is_held", False)
        or any(getattr(comment, "is_held", False) for comment in intake.comments.all()),
        "votes": votes,
        "priorities": list(intake.priorities.all()),
        "score": intake.current_score,
        "events": list(kernel_selectors.audit_history(instance=intake)),
        "is_submitter": is_submitter,
        "can_edit": can(user, Action.REQUEST_EDIT, intake),
        "can_withdraw": is_submitter and RequestStatus.WITHDRAWN in allowed,
        "can_triage": can_triage,
        "can_redact": can(user, Action.ADMINISTER),
        "similar": selectors.requests_similar(title=intake.title, exclude_id=intake.pk)
        if can_triage and is_open
        else [],
        "redactable": {
            "request": redactable.get("intake.intakerequest", ()),
            "comment": redactable.get("intake.requestcomment", ()),
            "status_change": redactable.get("intake.requeststatuschange", ()),
        },
        "panels": panels_for(selectors.REQUEST_PAGE),
        **page_forms(blank, posted),
    }
    return render(request, "intake/request_detail.html", context)


def _movable(intake: IntakeRequest) -> tuple[str, ...]:
    """The next statuses the transition form offers: the table's, except Needs info (reached
    by asking a question) and Merged (by merging), which have their own forms."""
    skip = (RequestStatus.NEEDS_INFO, RequestStatus.MERGED)
    return tuple(status for status in TRANSITIONS[intake.status] if status not in skip)


@login_required
@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_response(request, _readable(request, pk))


def _guarded_text_action(
    request: AuthedRequest, pk: int, *, form_class: type[Form], name: str, text: str, act: Any
) -> HttpResponse:
    """A comment, question or answer: save it, or show the page again with the form's errors
    (the PHI guard's among them)."""
    intake = _readable(request, pk)
    form = form_class(request.POST, auto_id=f"{name}_%s")
    # The service may name the text "body" or "question": it goes beside the text.
    return PostedForm(name, form).save(
        request,
        lambda: act(
            actor=request.user,
            request=intake,
            phi_confirmed=form.cleaned_data["phi_confirmed"],
            **{text: form.cleaned_data[text]},
        ),
        success=None,
        done=lambda: redirect("intake:request-detail", pk=intake.pk),
        page=lambda posted: _detail_response(request, intake, posted=posted),
        body=text,
        question=text,
    )


def _text_action_view(
    form_class: type[Form], name: str, act: Any
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """The POST view of one text action (comment, ask, answer) on a request."""
    (text,) = form_class.free_text  # type: ignore[attr-defined]

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        return _guarded_text_action(
            request, pk, form_class=form_class, name=name, text=text, act=act
        )

    view.__name__ = view.__qualname__ = f"request_{name}"
    return view


request_comment = _text_action_view(CommentForm, "comment", services.request_comment)
request_ask = _text_action_view(AskForm, "ask", services.request_ask)
request_answer = _text_action_view(AnswerForm, "answer", services.request_answer)


@login_required
@require_POST
def request_triage(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = TriageForm(request.POST, auto_id="triage_%s", rubric=selectors.rubric_current())
    return PostedForm("triage", form).save(
        request,
        _triage_save(request, intake, form),
        success=f"Saved the triage of “{intake.title}”.",
        done=lambda: redirect("intake:request-detail", pk=intake.pk),
        page=lambda posted: _detail_response(request, intake, posted=posted),
        stale="Someone changed this request while you were triaging it. Nothing of your "
        "triage was saved; the current values are shown below.",
        **form.rating_aliases(),
    )


def _triage_save(
    request: AuthedRequest, intake: IntakeRequest, form: TriageForm | BoardTriageForm
) -> Callable[[], IntakeRequest]:
    """The service call that saves a triage form (the request page's or the board's)."""
    return lambda: services.request_triage(
        actor=request.user, request=intake, version=form.cleaned_data["version"], **form.changes()
    )


@login_required
@require_POST
def request_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = TransitionForm(request.POST, auto_id="transition_%s", allowed=_movable(intake))
    return PostedForm("transition", form).save(
        request,
        lambda: services.request_transition(actor=request.user, request=intake, **form.values()),
        success=lambda changed: f"“{changed.title}” is now {changed.get_status_display().lower()}.",
        done=lambda: redirect("intake:request-detail", pk=intake.pk),
        page=lambda posted: _detail_response(request, intake, posted=posted),
    )


@login_required
@require_POST
def request_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = _readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = MergeForm(request.POST, auto_id="merge_%s")
    if form.is_valid():
        survivor_pk = form.cleaned_data["survivor"]
        try:
            survivor = selectors.request_detail(user=request.user, pk=survivor_pk)
        except Http404:
            form.add_error("survivor", f"There is no request #{survivor_pk}.")
        else:
            try:
                services.request_merge(actor=request.user, request=intake, survivor=survivor)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Merged “{intake.title}” into #{survivor.pk} “{survivor.title}”; its "
                    "submitter has been told.",
                )
                return redirect("intake:request-detail", pk=survivor.pk)
    return _detail_response(request, intake, posted=PostedForm("merge", form))


# --- Lists -------------------------------------------------------------------------------------


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


# --- Triage board ------------------------------------------------------------------------------


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
    intake = _readable(request, open_pk) if open_pk is not None else None
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
    intake = _readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = BoardTriageForm(request.POST, rubric=selectors.rubric_current(), auto_id="board_%s")
    board = reverse("intake:triage-board")

    def done() -> HttpResponse:
        following = form.cleaned_data.get("next") if form.is_valid() else None
        return redirect(f"{board}?open={following}" if following else board)

    return PostedForm("board", form).save(
        request,
        _triage_save(request, intake, form),
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
        messages.error(request, "The view was not saved: " + _form_problems(form))
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


# --- Rubric ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rubric_edit(request: AuthedRequest) -> HttpResponse:
    """Everyone reads the rubric and its versions; an admin saves a new version."""
    require(request.user, Action.REQUEST_READ)
    rubric = selectors.rubric_current()
    can_edit = can(request.user, Action.ADMINISTER)
    if request.method == "POST":
        require(request.user, Action.ADMINISTER)
    form = None
    if can_edit:
        form = RubricForm(
            request.POST or None, initial=RubricForm.initial_for(rubric), rubric=rubric
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            new = services.rubric_update(actor=request.user, **form.update())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Saved rubric version {new.version}. New scores use it; earlier scores keep "
                "the version they were made with.",
            )
            return redirect("intake:rubric-edit")
    return render(
        request,
        "intake/rubric.html",
        {
            "rubric": rubric,
            "effort_rows": [
                (EffortBand(band).label, points) for band, points in rubric.effort_points.items()
            ],
            "gate_rows": [
                (Route(gate).label, [RequestKind(kind).label for kind in kinds])
                for gate, kinds in rubric.gates.items()
                if gate in Route.values
            ],
            "versions": selectors.rubric_versions(),
            "form": form,
        },
    )
