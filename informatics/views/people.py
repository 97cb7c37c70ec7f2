"""People (admins): the list, inviting someone, a person's page, editing their roles and
facilities, and deactivating or reactivating them."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors, services
from informatics.choices import ROLE_ORDER, Role
from informatics.filters import UserFilter
from informatics.forms import ActiveForm, InviteForm, PersonForm
from informatics.models import Facility, User
from informatics.permissions import Action, require
from informatics.web import AuthedRequest, found_or_404, run_action, submit


def _role_labels(user: User) -> list[str]:
    """The roles a person holds (active or not), in landing order, as labels."""
    names = {group.name for group in user.groups.all()}
    return [Role(role).label for role in ROLE_ORDER if role in names]


@dataclass(frozen=True)
class PersonRow:
    user: User
    roles: list[str]
    facilities: list[Facility] = field(default_factory=list)


def _person_fields(form: Form) -> dict[str, Any]:
    """A person's name, title, specialty, roles and facilities as the invite or edit form
    cleaned them."""
    return {name: form.cleaned_data[name] for name in PERSON_FIELDS}


PERSON_FIELDS = ("full_name", "title", "specialty", "roles", "facilities")


def _person(pk: int) -> User:
    return found_or_404(lambda: selectors.user_with_roles(user_id=pk), "No such person.")


@login_required
@require_GET
def person_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    filterset = UserFilter(request.GET or None, queryset=selectors.user_list())
    rows = [
        PersonRow(user=user, roles=_role_labels(user), facilities=list(user.facilities.all()))
        for user in filterset.qs
    ]
    return render(request, "informatics/person_list.html", {"filter": filterset, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def person_invite(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    form = InviteForm(request.POST or None)
    outcome = submit(
        form,
        lambda: services.user_invite(
            actor=request.user,
            email=form.cleaned_data["email"],
            base_url=request.build_absolute_uri("/"),
            **_person_fields(form),
        ),
    )
    if outcome.done:
        person = outcome.saved
        messages.success(
            request, f"Invited {person.full_name}: an e-mail to set a password is on its way."
        )
        return redirect("informatics:person-detail", pk=person.pk)
    link_hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    context = {"form": form, "link_hours": link_hours}
    return render(request, "informatics/person_invite.html", context)


@login_required
@require_GET
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    person = _person(pk)
    return render(
        request,
        "informatics/person_detail.html",
        {
            "person": person,
            "roles": _role_labels(person),
            "facilities": list(person.facilities.all()),
            "events": selectors.audit_history(instance=person),
            "is_self": person.pk == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    person = _person(pk)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person), person=person)
    if submit(
        form,
        lambda: services.user_update(actor=request.user, user=person, **_person_fields(form)),
    ).done:
        messages.success(request, f"Saved {person.full_name}.")
        return redirect("informatics:person-detail", pk=person.pk)
    return render(request, "informatics/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_set_active(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.ADMINISTER)
    person = _person(pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Status: choose active or deactivated.")
        return redirect("informatics:person-detail", pk=person.pk)
    is_active: bool = form.cleaned_data["is_active"]
    run_action(
        request,
        services.user_set_active,
        f"Reactivated {person.full_name}: they can sign in again."
        if is_active
        else f"Deactivated {person.full_name}: they can no longer sign in, and their API "
        "tokens were deleted.",
        user=person,
        is_active=is_active,
    )
    return redirect("informatics:person-detail", pk=person.pk)
