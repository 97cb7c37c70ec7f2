"""A request's page and the forms posted from it: comment, ask, answer, triage, move along the
status table, merge."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from informatics import selectors as kernel_selectors
from informatics.panels import panels_for
from informatics.permissions import Action, can, require
from informatics.phi import redactable_fields
from informatics.web import AuthedRequest, PostedForm, add_service_errors, page_forms
from intake import selectors, services
from intake.choices import CLOSED_STATUSES, TRANSITIONS, RequestStatus
from intake.forms import (
    AnswerForm,
    AskForm,
    BoardTriageForm,
    CommentForm,
    MergeForm,
    RequestForm,
    TransitionForm,
    TriageForm,
    VoteForm,
)
from intake.models import IntakeRequest
from intake.views.common import first_facility, readable


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
            initial=RequestForm.initial_for_user(user, first_facility(user)),
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
    return _detail_response(request, readable(request, pk))


def _guarded_text_action(
    request: AuthedRequest, pk: int, *, form_class: type[Form], name: str, text: str, act: Any
) -> HttpResponse:
    """A comment, question or answer: save it, or show the page again with the form's errors
    (the PHI guard's among them)."""
    intake = readable(request, pk)
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
    intake = readable(request, pk)
    require(request.user, Action.REQUEST_TRIAGE, intake)
    form = TriageForm(request.POST, auto_id="triage_%s", rubric=selectors.rubric_current())
    return PostedForm("triage", form).save(
        request,
        triage_save(request, intake, form),
        success=f"Saved the triage of “{intake.title}”.",
        done=lambda: redirect("intake:request-detail", pk=intake.pk),
        page=lambda posted: _detail_response(request, intake, posted=posted),
        stale="Someone changed this request while you were triaging it. Nothing of your "
        "triage was saved; the current values are shown below.",
        **form.rating_aliases(),
    )


def triage_save(
    request: AuthedRequest, intake: IntakeRequest, form: TriageForm | BoardTriageForm
) -> Callable[[], IntakeRequest]:
    """The service call that saves a triage form (the request page's or the board's)."""
    return lambda: services.request_triage(
        actor=request.user, request=intake, version=form.cleaned_data["version"], **form.changes()
    )


@login_required
@require_POST
def request_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    intake = readable(request, pk)
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
    intake = readable(request, pk)
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
