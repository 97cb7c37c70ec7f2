"""Submitting, editing and withdrawing a request; similar requests while a title is typed, and
"+1" votes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, create_page, edit_page, run_action
from intake import selectors, services
from intake.forms import RequestEditForm, RequestForm, VoteForm
from intake.models import IntakeRequest
from intake.views.common import first_facility, form_problems, readable

SIMILAR_MIN_CHARS = 3


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.REQUEST_SUBMIT)
    user = request.user
    initial = RequestForm.initial_for_user(user, first_facility(user))
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
    intake = readable(request, pk)
    require(request.user, Action.REQUEST_EDIT, intake)
    return edit_page(
        request,
        template="intake/request_form.html",
        form_class=RequestEditForm,
        name="intake",
        form_kw="request",
        record=intake,
        update=services.request_update,
        reload=lambda: readable(request, pk),
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
    intake = readable(request, pk)
    run_action(request, services.request_withdraw, f"Withdrew “{intake.title}”.", request=intake)
    return redirect("intake:request-detail", pk=intake.pk)


@login_required
@require_POST
def request_hold_clear(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = readable(request, pk)
    run_action(
        request,
        services.request_hold_clear,
        "Cleared the PHI hold: everyone who may read the request reads it again.",
        request=intake,
    )
    return redirect("intake:request-detail", pk=intake.pk)


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
    intake = readable(request, pk)
    if getattr(request, "htmx", False):  # django-htmx sets request.htmx
        require(request.user, Action.REQUEST_SUBMIT)
        facilities = first_facility(request.user)
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
        messages.error(request, "Your +1 was not recorded: " + form_problems(form))
        return redirect("intake:request-detail", pk=intake.pk)
    run_action(
        request,
        services.request_vote,
        f"Added your +1 to “{intake.title}”. Its score now counts you too.",
        request=intake,
        **form.cleaned_data,
    )
    return redirect("intake:request-detail", pk=intake.pk)
