"""The maturity pages: the overview (radar, scores against targets) and the forms that record an
assessment, set a target or tune the dimensions' weights."""

from collections.abc import Callable
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
