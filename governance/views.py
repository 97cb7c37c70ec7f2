"""Pages of this app: thin views that parse, authorise, call one service or selector, render."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from governance import selectors, services
from governance.choices import MaturityDimension
from governance.forms import MaturityAssessmentForm, MaturityTargetForm, MaturityWeightsForm
from governance.radar import RadarSeries, radar_svg
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, submit

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


@login_required
@require_POST
def maturity_assess(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MATURITY_ASSESS)
    form = MaturityAssessmentForm(request.POST)
    outcome = submit(
        form, lambda: services.maturity_assessment_record(actor=request.user, **form.values())
    )
    if outcome.done:
        messages.success(request, "Assessment recorded.")
        return redirect("governance:maturity-overview")
    return _maturity_page(request, posted="assessment", form=form)


@login_required
@require_POST
def maturity_target(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MATURITY_ASSESS)
    form = MaturityTargetForm(request.POST)
    outcome = submit(
        form, lambda: services.maturity_target_set(actor=request.user, **form.values())
    )
    if outcome.done:
        messages.success(request, "Target set.")
        return redirect("governance:maturity-overview")
    return _maturity_page(request, posted="target", form=form)


@login_required
@require_POST
def maturity_weights(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    form = MaturityWeightsForm(request.POST)
    outcome = submit(
        form, lambda: services.maturity_weights_set(actor=request.user, **form.values())
    )
    if outcome.done:
        messages.success(request, "Weights saved; the overall scores now use them.")
        return redirect("governance:maturity-overview")
    return _maturity_page(request, posted="weights", form=form)
