"""The scoring rubric's page: everyone reads it and its versions; an admin saves a new version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from informatics.choices import Route
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, add_service_errors
from intake import selectors, services
from intake.choices import EffortBand, RequestKind
from intake.forms import RubricForm


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
