"""The organisation's reference data and settings: the facility tree and the site settings (an
admin)."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from informatics import selectors, services
from informatics.forms import SiteSettingsForm
from informatics.models import Facility
from informatics.permissions import Action, require
from informatics.web import AuthedRequest, submit


@dataclass
class FacilityNode:
    facility: Facility
    children: list["FacilityNode"] = field(default_factory=list)


def _nest(tree: list[tuple[Facility, int]]) -> list[FacilityNode]:
    """Turn facility_tree's (facility, depth) rows, parents first, into nested nodes."""
    roots: list[FacilityNode] = []
    path: list[FacilityNode] = []
    for facility, depth in tree:
        node = FacilityNode(facility)
        del path[depth:]
        (path[-1].children if path else roots).append(node)
        path.append(node)
    return roots


@login_required
@require_GET
def facility_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    nodes = _nest(selectors.facility_tree())
    return render(request, "informatics/facility_list.html", {"nodes": nodes})


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    initial: dict[str, Any] = SiteSettingsForm.initial_for(services.site_settings_get())
    form = SiteSettingsForm(request.POST or None, initial=initial)
    if submit(
        form, lambda: services.site_settings_update(actor=request.user, **form.changes())
    ).done:
        messages.success(request, "Saved the site settings.")
        return redirect("informatics:settings-edit")
    return render(request, "informatics/settings_form.html", {"form": form})
