"""The strategic priorities' pages: the ranked list, one priority with what serves it, and the
forms that add, edit, move, retire and restore one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors, services
from informatics.exceptions import StaleEdit
from informatics.filters import PriorityFilter
from informatics.forms import (
    MoveForm,
    PriorityEditForm,
    PriorityForm,
    PriorityRetireForm,
    VersionForm,
)
from informatics.models import StrategicPriority
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, create_page, edit_page, form_context, run_action, submit


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
