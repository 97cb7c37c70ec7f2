"""Pages of the program kernel: priorities, people, facilities, site settings.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. Business rules live in the services: a ValidationError they raise names
the field, and goes back onto the form beside it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import phi, selectors, services
from informatics.choices import ROLE_ORDER, Role
from informatics.exceptions import StaleEdit
from informatics.filters import PriorityFilter, UserFilter
from informatics.forms import (
    ActiveForm,
    InviteForm,
    MoveForm,
    NotificationPreferenceForm,
    PersonForm,
    PriorityEditForm,
    PriorityForm,
    PriorityRetireForm,
    RedactForm,
    SiteSettingsForm,
    VersionForm,
)
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, can, require
from informatics.web import (
    AuthedRequest,
    create_page,
    edit_page,
    form_context,
    found_or_404,
    run_action,
    submit,
)

# --- Strategic priorities -------------------------------------------------------------------


def _priority(pk: int) -> StrategicPriority:
    return get_object_or_404(selectors.priority_list(), pk=pk)


def _stale_message(stale: StaleEdit) -> str:
    """The conflict in words: who saved the record, when, and which fields they changed."""
    events = selectors.saves_since(instance=stale.current, version=stale.expected_version)
    if not events:
        return f"{stale.current} was changed by someone else. Nothing of your edit was saved."
    latest = events[0]
    who = latest.actor.get_full_name() if latest.actor else "someone else"
    when = formats.date_format(timezone.localtime(latest.at), "j M Y, H:i")
    fields = sorted({name.replace("_", " ") for event in events for name in event.changes})
    return (
        f"{who} saved “{stale.current}” at {when} while you were editing "
        f"(changed: {', '.join(fields)}). Nothing of your edit was saved; "
        "the current values are shown below."
    )


@login_required
@require_GET
def priority_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    filterset = PriorityFilter(request.GET or None, queryset=selectors.priority_list())
    priorities = list(filterset.qs)
    is_filtered = filterset.is_bound and any(filterset.form.cleaned_data.values())
    can_edit = can(request.user, Action.PRIORITY_EDIT)
    return render(
        request,
        "informatics/priority_list.html",
        {
            "filter": filterset,
            "is_filtered": is_filtered,
            "active": [p for p in priorities if p.is_active],
            "retired": [p for p in priorities if not p.is_active],
            "can_edit": can_edit,
            "can_reorder": can_edit and not is_filtered,  # ranks move on the whole list only
        },
    )


@login_required
@require_GET
def priority_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    priority = _priority(pk)
    return render(
        request,
        "informatics/priority_detail.html",
        {
            "priority": priority,
            "events": selectors.audit_history(instance=priority),
            "can_edit": can(request.user, Action.PRIORITY_EDIT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PRIORITY_EDIT)
    form = PriorityForm(request.POST or None)
    return create_page(
        request,
        template="informatics/priority_form.html",
        form=form,
        save=lambda: services.priority_create(actor=request.user, **form.values()),
        success=lambda priority: f"Added “{priority}” at the bottom of the ranking.",
        done=lambda priority: redirect("informatics:priority-detail", pk=priority.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PRIORITY_EDIT)
    return edit_page(
        request,
        template="informatics/priority_form.html",
        form_class=PriorityEditForm,
        name="priority",
        record=_priority(pk),
        update=services.priority_update,
        reload=lambda: _priority(pk),
        conflict=_stale_message,
        success=lambda priority: f"Saved “{priority}”.",
        done=lambda: redirect("informatics:priority-detail", pk=pk),
    )


@login_required
@require_POST
def priority_move(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PRIORITY_EDIT)
    priority = _priority(pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Direction: move a priority “up” or “down”.")
        return redirect("informatics:priority-list")
    steps = -1 if form.cleaned_data["direction"] == "up" else 1
    run_action(
        request,
        services.priority_move,
        f"Moved “{priority}” {form.cleaned_data['direction']}.",
        priority=priority,
        steps=steps,
    )
    return redirect(reverse("informatics:priority-list") + f"#priority-{priority.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def priority_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PRIORITY_EDIT)
    priority = _priority(pk)
    if not priority.is_active:
        messages.error(request, f"“{priority}” is already retired.")
        return redirect("informatics:priority-detail", pk=priority.pk)
    form = PriorityRetireForm(request.POST or None, initial={"version": priority.version})
    try:
        outcome = submit(
            form,
            lambda: services.priority_retire(
                actor=request.user, priority=priority, **form.values()
            ),
        )
    except StaleEdit as stale:
        messages.error(request, _stale_message(stale))
        return redirect("informatics:priority-detail", pk=priority.pk)
    if outcome.done:
        messages.success(request, f"Retired “{priority}”.")
        return redirect("informatics:priority-detail", pk=priority.pk)
    return render(
        request,
        "informatics/priority_retire.html",
        form_context(form, outcome.phi_seen, priority=priority),
    )


@login_required
@require_POST
def priority_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PRIORITY_EDIT)
    priority = _priority(pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Version: reload the page and try again.")
        return redirect("informatics:priority-detail", pk=priority.pk)
    version = form.cleaned_data["version"]
    try:
        run_action(
            request,
            services.priority_restore,
            f"Restored “{priority}” at the bottom of the ranking.",
            priority=priority,
            version=version,
        )
    except StaleEdit as stale:
        messages.error(request, _stale_message(stale))
    return redirect("informatics:priority-detail", pk=priority.pk)


# --- People ---------------------------------------------------------------------------------


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


# --- Facilities -----------------------------------------------------------------------------


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


# --- Site settings --------------------------------------------------------------------------


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


# --- Own account ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_notifications(request: AuthedRequest) -> HttpResponse:
    """Everyone chooses how they hear from the portal; the page changes only their own."""
    initial = {"notification_preference": request.user.notification_preference}
    form = NotificationPreferenceForm(request.POST or None, initial=initial)
    if submit(
        form,
        lambda: services.notification_preference_set(
            actor=request.user, preference=form.cleaned_data["notification_preference"]
        ),
    ).done:
        messages.success(request, "Saved how you hear about changes.")
        return redirect("informatics:account-notifications")
    return render(request, "informatics/account_notifications.html", {"form": form})


@login_required
@require_GET
def account_access(request: AuthedRequest) -> HttpResponse:
    """A person's own API token (whether they have one, when it was made, when it expires;
    never its key) and the way to end every session."""
    return _account_access_page(request)


def _account_access_page(request: AuthedRequest, new_key: str = "") -> HttpResponse:
    token = selectors.user_token_status(user=request.user)
    return render(request, "informatics/account_access.html", {"token": token, "new_key": new_key})


@login_required
@require_POST
def account_token_create(request: AuthedRequest) -> HttpResponse:
    """A new API token, replacing any other; its key is shown on this answer only."""
    token = services.user_token_create(user=request.user)
    return _account_access_page(request, new_key=token.key)


@login_required
@require_POST
def account_token_revoke(request: AuthedRequest) -> HttpResponse:
    if services.user_token_revoke(user=request.user):
        messages.success(request, "Your API token was revoked: it no longer works.")
    else:
        messages.info(request, "You had no API token.")
    return redirect("informatics:account-access")


@login_required
@require_POST
def account_sign_out_everywhere(request: AuthedRequest) -> HttpResponse:
    """End every session of this person, on every device, and delete their API token."""
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    return render(request, "registration/logged_out.html", {"everywhere": True})


# --- Redaction ------------------------------------------------------------------------------


def _after_redaction(request: HttpRequest, next_url: str, instance: Any) -> str:
    """Back to the page the admin came from, else the record's page, else home."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    get_absolute_url = getattr(instance, "get_absolute_url", None)
    if callable(get_absolute_url):
        return str(get_absolute_url())
    return reverse("reports:home")


@login_required
@require_http_methods(["GET", "POST"])
def text_redact(
    request: AuthedRequest, app_label: str, model: str, object_id: str, field: str
) -> HttpResponse:
    """An admin replaces a free text with “[redacted]”, on the record and in its history."""
    require(request.user, Action.ADMINISTER)
    moved_to = phi.redactable_app_label(model.lower())
    if moved_to is not None and moved_to != app_label.lower():
        # An address from before the model moved apps (initiatives → intake) keeps working.
        args = {"app_label": moved_to, "model": model, "object_id": object_id, "field": field}
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("informatics:text-redact", kwargs=args) + query, permanent=True)
    try:
        instance = phi.redaction_target(
            app_label=app_label, model=model, object_id=object_id, field=field
        )
    except LookupError:
        raise Http404("There is no such text to redact.") from None
    field_name = str(getattr(instance._meta.get_field(field), "verbose_name", field))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = RedactForm(request.POST or None, initial={"next": next_url})
    if submit(
        form,
        lambda: services.text_redact(
            actor=request.user, instance=instance, field=field, reason=form.cleaned_data["reason"]
        ),
    ).done:
        messages.success(
            request, f"Redacted the {field_name} of “{instance}”, here and in its history."
        )
        return redirect(_after_redaction(request, form.cleaned_data["next"], instance))
    context = {
        "form": form,
        "instance": instance,
        "model_name": instance._meta.verbose_name,
        "field_name": field_name,
        "text": getattr(instance, field),
        "is_redacted": getattr(instance, field) == phi.REDACTED,
        "cancel_url": _after_redaction(request, next_url, instance),
    }
    return render(request, "informatics/text_redact.html", context)
