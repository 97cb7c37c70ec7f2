"""The body structure: which body owns each intake route (an admin), and which body decides one
request (triage)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from governance import selectors, services
from governance.forms import RequestBodyForm, RouteOwnersForm
from governance.models import RouteOwner
from informatics.permissions import Action, require
from informatics.web import AuthedRequest, form_context, submit
from intake.models import IntakeRequest


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
