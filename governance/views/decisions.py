"""The decision log, one decision, and the form that records one. No edit or delete: decisions
are append-only."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from governance import selectors, services
from governance.filters import DecisionFilter
from governance.forms import DecisionForm
from governance.models import Decision
from informatics.listing import filtered_page
from informatics.permissions import Action, ActionDenied, require
from informatics.web import AuthedRequest, form_context, found_or_404, submit
from initiatives.models import Initiative
from intake.models import IntakeRequest


@login_required
@require_GET
def decision_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    filterset = DecisionFilter(request.GET or None, queryset=selectors.decision_list())
    context = filtered_page(request, filterset)
    context["can_decide"] = selectors.bodies_deciding(user=request.user).exists()
    return render(request, "governance/decision_list.html", context)


@login_required
@require_GET
def decision_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    decision = found_or_404(lambda: selectors.decision_detail(pk=pk), "No such decision.")
    context = {
        "decision": decision,
        "can_decide": selectors.bodies_deciding(user=request.user).exists(),
        "superseded_by": getattr(decision, "superseded_by", None),
    }
    return render(request, "governance/decision_detail.html", context)


def _record[M](model: type[M], raw: str | None, noun: str) -> M | None:
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(f"No such {noun}.")
    found: M | None = model._default_manager.filter(pk=int(raw)).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404(f"No such {noun}.")
    return found


def _initial(request: AuthedRequest) -> dict[str, Any]:
    """The form's first values, from the query: the subject (`request`, `initiative`), the
    `outcome`, or the decision it corrects (`supersedes`, whose subject, body and outcome it
    takes); the body defaults to the owner of the request's route, else steering."""
    query = request.GET
    old = _record(Decision, query.get("supersedes"), "decision")
    if old is not None:
        return {
            "supersedes": old,
            "request": old.request,
            "initiative": old.initiative,
            "priority": old.priority,
            "body": old.body,
            "outcome": old.outcome,
        }
    subject = _record(IntakeRequest, query.get("request"), "request")
    initiative = _record(Initiative, query.get("initiative"), "initiative")
    if subject is None and initiative is None:
        raise Http404("Open the decision form from a request or an initiative.")
    return {
        "request": subject,
        "initiative": initiative,
        "body": selectors.decision_body_for(request=subject, initiative=initiative),
        "outcome": query.get("outcome", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: AuthedRequest) -> HttpResponse:
    """The decision form: about the request or initiative of the query (or the subject of the
    decision it corrects). Only those who record decisions in some body see it."""
    user = request.user
    bodies = selectors.bodies_deciding(user=user)
    if not bodies.exists():
        raise ActionDenied(Action.DECISION_RECORD)
    if request.method == "GET":
        initial = _initial(request)
        form = DecisionForm(initial=initial, bodies=bodies)
        return _form_page(request, form, {}, initial)
    form = DecisionForm(request.POST, bodies=bodies)
    outcome = submit(form, lambda: services.decision_record(actor=user, **form.values()))
    return outcome.respond(
        request,
        lambda decision: f"Recorded decision #{decision.pk}: {decision.get_outcome_display()}.",
        lambda decision: redirect("governance:decision-detail", pk=decision.pk),
        lambda seen: _form_page(request, form, seen, _posted_subject(form)),
    )


def _posted_subject(form: DecisionForm) -> dict[str, Any]:
    data = getattr(form, "cleaned_data", {})
    return {name: data.get(name) for name in ("request", "initiative", "priority", "supersedes")}


def _form_page(
    request: AuthedRequest, form: DecisionForm, seen: dict[str, Any], subject: dict[str, Any]
) -> HttpResponse:
    context = form_context(
        form,
        seen,
        subject_request=subject.get("request"),
        subject_initiative=subject.get("initiative"),
        subject_priority=subject.get("priority"),
        corrects=subject.get("supersedes"),
    )
    return render(request, "governance/decision_form.html", context)
