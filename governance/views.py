"""Pages of this app: thin views that parse, authorise, call one service or selector, render."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.choices import MaturityDimension
from governance.filters import DecisionFilter
from governance.forms import (
    DecisionForm,
    MaturityAssessmentForm,
    MaturityTargetForm,
    MaturityWeightsForm,
    RequestBodyForm,
    RouteOwnersForm,
)
from governance.models import Decision, RouteOwner
from governance.radar import RadarSeries, radar_svg
from informatics.listing import filtered_page
from informatics.permissions import Action, ActionDenied, can, require
from informatics.web import AuthedRequest, form_context, found_or_404, submit
from initiatives.models import Initiative
from intake.models import IntakeRequest

# --- Maturity -------------------------------------------------------------------------------


def _maturity_page(
    request: AuthedRequest, *, posted: str = "", form: forms.Form | None = None
) -> HttpResponse:
    """The maturity page, with the form `posted` (by its name) back in place when it failed."""
    overview = selectors.maturity_overview(page_number=request.GET.get("page", 1))
    today = timezone.localdate()
    series = [
        RadarSeries(name=f"{name} ({profile.overall})", css_class=css, scores=profile.scores)
        for name, css, profile in (
            ("Target", "radar__series--target", overview.target),
            ("Current", "radar__series--current", overview.current),
        )
        if profile is not None
    ]
    forms_: dict[str, Any] = {
        "assessment_form": MaturityAssessmentForm(today=today),
        "target_form": MaturityTargetForm(today=today),
        "weights_form": MaturityWeightsForm(weights=overview.weights),
    }
    if form is not None:
        forms_[f"{posted}_form"] = form
    context = {
        "overview": overview,
        "radar": radar_svg(
            title="Maturity profile by dimension, current and target",
            axes=MaturityDimension.choices,
            series=series,
        ),
        "can_assess": can(request.user, Action.MATURITY_ASSESS),
        "can_weigh": can(request.user, Action.ADMINISTER),
        "posted": posted,
        **forms_,
    }
    return render(request, "governance/maturity.html", context)


@login_required
@require_GET
def maturity_overview(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MATURITY_READ)
    return _maturity_page(request)


def _maturity_form_view(
    action: Action,
    form_class: type[forms.Form],
    service: Callable[..., object],
    done: str,
    posted: str,
) -> Callable[[AuthedRequest], HttpResponse]:
    """A maturity page form's POST: the permission, the service called with the form's values,
    a message and back to the page; or the page again with the form and its errors."""

    @login_required
    @require_POST
    def view(request: AuthedRequest) -> HttpResponse:
        require(request.user, action)
        form = form_class(request.POST)
        outcome = submit(form, lambda: service(actor=request.user, **form.values()))  # type: ignore[attr-defined]
        if outcome.done:
            messages.success(request, done)
            return redirect("governance:maturity-overview")
        return _maturity_page(request, posted=posted, form=form)

    return view


maturity_assess = _maturity_form_view(
    Action.MATURITY_ASSESS,
    MaturityAssessmentForm,
    services.maturity_assessment_record,
    "Assessment recorded.",
    "assessment",
)
maturity_target = _maturity_form_view(
    Action.MATURITY_ASSESS,
    MaturityTargetForm,
    services.maturity_target_set,
    "Target set.",
    "target",
)
maturity_weights = _maturity_form_view(
    Action.ADMINISTER,
    MaturityWeightsForm,
    services.maturity_weights_set,
    "Weights saved; the overall scores now use them.",
    "weights",
)


# --- Decisions ----------------------------------------------------------------------------------


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


# --- The body structure ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def route_owners(request: AuthedRequest) -> HttpResponse:
    """An admin chooses the default body of each intake route (DESIGN.md: routes → bodies)."""
    require(request.user, Action.ADMINISTER)
    owners = {owner.route: owner.body for owner in RouteOwner.objects.select_related("body")}
    form = RouteOwnersForm(request.POST or None, owners=owners)
    if submit(form, lambda: services.route_owners_set(actor=request.user, **form.values())).done:
        messages.success(request, "Saved which body owns each intake route.")
        return redirect("governance:route-owners")
    return render(
        request, "governance/route_owners.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_body(request: AuthedRequest, pk: int) -> HttpResponse:
    """Triage chooses the body that decides one request: its route's default body or another
    active body of the same kind. Saved, it goes back to the request's page."""
    require(request.user, Action.REQUEST_TRIAGE)
    intake = get_object_or_404(IntakeRequest, pk=pk)
    default = selectors.default_body_for(request=intake) if intake.route else None
    chosen = selectors.chosen_body_for(request=intake) if intake.route else None
    options = list(selectors.request_body_options(default=default)) if default else []
    form = RequestBodyForm(
        request.POST or None,
        options=options,
        default=default,
        initial={
            "body": chosen.body if chosen else default,
            "reason": chosen.reason if chosen else "",
        },
    )
    outcome = submit(
        form,
        lambda: services.request_body_choose(actor=request.user, request=intake, **form.values()),
    )
    return outcome.respond(
        request,
        lambda saved: f"{saved.body if saved else default} decides request #{intake.pk}.",
        lambda saved: redirect("intake:request-detail", pk=intake.pk),
        lambda seen: render(
            request,
            "governance/request_body_form.html",
            form_context(form, seen, intake=intake, default=default, chosen=chosen),
            status=400 if form.errors else 200,
        ),
    )
