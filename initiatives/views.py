"""Portfolio pages: the priority × stage grid, the list with its filters and CSV export, an
initiative's page with its stage action, status updates, milestones, benefit plan and linked
requests, and the create and edit forms.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. The services hold the rules — the stage table, the gates, reasons and
dates, the PHI guard, who may do what — and a ValidationError they raise names the field, which
goes back onto the form beside it.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors as kernel_selectors
from informatics.exceptions import StaleEdit
from informatics.export import csv_response
from informatics.listing import filtered_page
from informatics.models import User
from informatics.permissions import Action, ActionDenied, can, require
from informatics.web import (
    AuthedRequest,
    create_page,
    edit_page,
    run_action,
    service_errors,
    submit,
)
from initiatives import health, selectors, services
from initiatives.choices import GATE_STAGES, REASON_REQUIRED, STAGE_TRANSITIONS, Health, Stage
from initiatives.filters import InitiativeFilter
from initiatives.forms import (
    BenefitForm,
    InitiativeEditForm,
    InitiativeForm,
    LinkRequestsForm,
    MilestoneForm,
    StageForm,
    StatusUpdateForm,
)
from initiatives.models import BenefitLine, Initiative, Milestone

PER_PAGE = 50


def _initiative(request: AuthedRequest, pk: int) -> Initiative:
    """The initiative, shaped for its page, with the linked requests the user may read (404
    when there is none)."""
    return selectors.initiative_detail(pk=pk, user=request.user)


# --- Portfolio and list -------------------------------------------------------------------------


@login_required
@require_GET
def portfolio(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    summary = selectors.portfolio_summary()
    return render(
        request,
        "initiatives/portfolio.html",
        {
            "summary": summary,
            "attention": selectors.portfolio_attention(summary=summary),
            "can_create": can(request.user, Action.INITIATIVE_EDIT),
        },
    )


def _filtered(request: AuthedRequest) -> InitiativeFilter:
    return InitiativeFilter(request.GET or None, queryset=selectors.initiative_list())


@login_required
@require_GET
def initiative_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    filterset = _filtered(request)
    context = filtered_page(request, filterset, per_page=PER_PAGE)
    context["can_create"] = can(request.user, Action.INITIATIVE_EDIT)
    return render(request, "initiatives/initiative_list.html", context)


EXPORT_HEADER = [
    "Number",
    "Title",
    "Type",
    "Stage",
    "Stage since",
    "Health",
    "Stale",
    "Priorities",
    "Executive sponsor",
    "CMIO owner",
    "Informaticist lead",
    "Start date",
    "Target date",
    "Go-live date",
    "Effort (hours)",
    "Cost estimate",
    "Linked requests",
]


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user else ""


def _export_rows(rows: Any) -> Iterator[Sequence[Any]]:
    for row in rows:
        yield [
            row.pk,
            row.title,
            row.get_type_display(),
            row.get_stage_display(),
            timezone.localtime(row.stage_changed_at).date().isoformat(),
            _health_label(row.latest_health),
            "yes" if row.is_stale else "no",
            "; ".join(
                f"{a.priority.title} ({a.get_alignment_display().lower()})"
                for a in row.alignments.all()
            ),
            _name(row.executive_sponsor),
            _name(row.cmio_owner),
            _name(row.informaticist_lead),
            row.start_date,
            row.target_date,
            row.go_live_date,
            row.effort_hours,
            row.cost_estimate,
            row.linked_requests,
        ]


def _health_label(health: str | None) -> str:
    return str(Health(health).label) if health else ""


@login_required
@require_GET
def initiative_export(request: AuthedRequest) -> HttpResponseBase:
    require(request.user, Action.PORTFOLIO_READ)
    rows = _filtered(request).qs
    stamp = timezone.localdate().isoformat()
    return csv_response(
        filename=f"initiatives-{stamp}.csv", header=EXPORT_HEADER, rows=_export_rows(rows)
    )


# --- Create and edit ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.INITIATIVE_EDIT)
    form = InitiativeForm(request.POST or None)
    return create_page(
        request,
        template="initiatives/initiative_form.html",
        form=form,
        save=lambda: services.initiative_create(
            actor=request.user, requests=form.cleaned_data["requests"], **form.values()
        ),
        success=lambda made: f"Logged “{made.title}” as initiative #{made.pk}: proposed.",
        done=lambda made: redirect("initiatives:initiative-detail", pk=made.pk),
    )


def _conflict(stale: StaleEdit) -> dict[str, Any]:
    """The conflict for the page: who saved, when, and each change they made."""
    current: Initiative = stale.current
    saves = kernel_selectors.saves_since(instance=current, version=stale.expected_version)
    if not saves:
        return {"lead": f"“{current}” was changed by someone else.", "events": []}
    latest = saves[0]
    actor = latest.actor
    who = (actor.get_full_name() or actor.email) if actor else "Someone else"
    when = formats.date_format(timezone.localtime(latest.at), "j M Y, H:i")
    return {"lead": f"{who} saved “{current}” at {when} while you were editing.", "events": saves}


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    return edit_page(
        request,
        template="initiatives/initiative_form.html",
        form_class=InitiativeEditForm,
        name="initiative",
        record=initiative,
        save=lambda form: services.initiative_update(
            actor=request.user,
            initiative=initiative,
            version=form.cleaned_data["version"],
            **form.values(),  # type: ignore[attr-defined]
        ),
        reload=lambda: _initiative(request, pk),
        conflict=_conflict,
        success=f"Saved your changes to “{initiative.title}”.",
        done=lambda: redirect("initiatives:initiative-detail", pk=initiative.pk),
    )


# --- An initiative's page -----------------------------------------------------------------------


def _next_stages(user: User, initiative: Initiative) -> tuple[str, ...]:
    """The table's next stages that `user` may take (`services.initiative_may_move`)."""
    return tuple(
        stage
        for stage in STAGE_TRANSITIONS[initiative.stage]
        if services.initiative_may_move(user=user, initiative=initiative, to_stage=stage)
    )


def _detail_response(
    request: AuthedRequest,
    initiative: Initiative,
    *,
    bound: dict[str, Form] | None = None,
    phi_form: str = "",
    phi_seen: dict[str, SafeString] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The initiative's page. `bound` replaces a blank form with one holding the user's input
    and its errors; `phi_form` names the form whose text the PHI guard flagged."""
    user = request.user
    can_edit = can(user, Action.INITIATIVE_EDIT, initiative)
    next_stages = _next_stages(user, initiative)
    updates = list(initiative.status_updates.all())
    gates_waiting = [
        Stage(stage).label
        for stage in STAGE_TRANSITIONS[initiative.stage]
        if stage in GATE_STAGES and stage not in next_stages
    ]
    forms: dict[str, Form | None] = {
        "stage_form": StageForm(
            auto_id="stage_%s",
            allowed=next_stages,
            initial={"version": initiative.version},
        )
        if next_stages
        else None,
        "status_form": StatusUpdateForm(
            auto_id="status_%s",
            initial=StatusUpdateForm.initial_for(updates[0] if updates else None),
        )
        if can_edit
        else None,
        "milestone_form": MilestoneForm(auto_id="milestone_%s") if can_edit else None,
        "benefit_form": BenefitForm(auto_id="benefit_%s") if can_edit else None,
        "link_form": LinkRequestsForm(auto_id="link_%s") if can_edit else None,
    }
    forms.update(bound or {})
    context: dict[str, Any] = {
        "initiative": initiative,
        "alignments": list(initiative.alignments.all()),
        "champions": list(initiative.champions.all()),
        "facilities": list(initiative.facilities.all()),
        "timeline": list(initiative.stage_changes.all()),
        "updates": updates,
        "health": health.initiative_health(initiative),
        "milestones": list(initiative.milestones.all()),
        "benefits": list(initiative.benefits.all()),
        "linked": list(initiative.requests.all()),
        "events": list(kernel_selectors.audit_history(instance=initiative)),
        "can_edit": can_edit,
        "gates_waiting": gates_waiting,
        "shows_reason": initiative.stage in REASON_REQUIRED,
        "today": timezone.localdate(),
        "phi_form": phi_form,
        "phi_seen_by_form": {phi_form: phi_seen} if phi_form and phi_seen else {},
        **forms,
    }
    return render(request, "initiatives/initiative_detail.html", context, status=status)


@login_required
@require_GET
def initiative_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    return _detail_response(request, _initiative(request, pk))


@login_required
@require_POST
def initiative_stage(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    user = request.user
    allowed = _next_stages(user, initiative)
    form = StageForm(request.POST, auto_id="stage_%s", allowed=allowed)
    # Authorise the move asked for, before its input is checked.
    wanted = request.POST.get("to_stage", "")
    if not services.initiative_may_move(user=user, initiative=initiative, to_stage=wanted):
        raise ActionDenied(services.stage_move_action(wanted))
    phi_seen: dict[str, SafeString] = {}
    if form.is_valid():
        try:
            moved = services.initiative_advance(actor=user, initiative=initiative, **form.move())
        except StaleEdit:
            messages.error(
                request,
                "Someone changed this initiative while you were looking at it. Nothing was "
                "moved; its current stage is shown below.",
            )
            return redirect("initiatives:initiative-detail", pk=initiative.pk)
        except ValidationError as error:
            phi_seen = service_errors(form, error)
        else:
            messages.success(
                request, f"“{moved.title}” is now {moved.get_stage_display().lower()}."
            )
            return redirect("initiatives:initiative-detail", pk=initiative.pk)
    flagged = "stage" if phi_seen or form["phi_confirmed"].value() else ""
    return _detail_response(
        request, initiative, bound={"stage_form": form}, phi_form=flagged, phi_seen=phi_seen
    )


@login_required
@require_POST
def initiative_status_update(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    form = StatusUpdateForm(request.POST, auto_id="status_%s")
    outcome = submit(
        form,
        lambda: services.status_update_post(
            actor=request.user, initiative=initiative, **form.post()
        ),
    )
    if outcome.done:
        messages.success(request, "Posted your status update.")
        return redirect("initiatives:initiative-detail", pk=initiative.pk)
    flagged = "status" if outcome.phi_seen or form["phi_confirmed"].value() else ""
    return _detail_response(
        request,
        initiative,
        bound={"status_form": form},
        phi_form=flagged,
        phi_seen=outcome.phi_seen,
    )


@login_required
@require_POST
def initiative_milestone_add(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    form = MilestoneForm(request.POST, auto_id="milestone_%s")
    return _page_form_post(
        request,
        initiative,
        "milestone",
        form,
        save=lambda: services.milestone_add(
            actor=request.user, initiative=initiative, **form.cleaned_data
        ),
        success=lambda: f"Added the milestone “{form.cleaned_data['title']}”.",
    )


def _page_form_post(
    request: AuthedRequest,
    initiative: Initiative,
    name: str,
    form: Form,
    *,
    save: Callable[[], object],
    success: Callable[[], str],
) -> HttpResponse:
    """A form on the initiative's page: saved, back to the page with `success`; else the page
    again with the `name` form and its errors."""
    if submit(form, save).done:
        messages.success(request, success())
        return redirect("initiatives:initiative-detail", pk=initiative.pk)
    return _detail_response(request, initiative, bound={f"{name}_form": form})


def _milestone(initiative: Initiative, milestone_pk: int) -> Milestone:
    for milestone in initiative.milestones.all():
        if milestone.pk == milestone_pk:
            milestone.initiative = initiative
            return milestone
    raise Http404("No such milestone on this initiative.")


@login_required
@require_POST
def initiative_milestone_done(request: AuthedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    milestone = _milestone(initiative, milestone_pk)
    run_action(
        request,
        lambda: services.milestone_done(actor=request.user, milestone=milestone),
        f"Marked “{milestone.title}” done.",
    )
    return redirect("initiatives:initiative-detail", pk=initiative.pk)


@login_required
@require_POST
def initiative_benefit_add(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    form = BenefitForm(request.POST, auto_id="benefit_%s")
    return _page_form_post(
        request,
        initiative,
        "benefit",
        form,
        save=lambda: services.benefit_add(
            actor=request.user, initiative=initiative, **form.values()
        ),
        success=lambda: "Added the line to the benefit plan.",
    )


def _benefit(initiative: Initiative, benefit_pk: int) -> BenefitLine:
    for benefit in initiative.benefits.all():
        if benefit.pk == benefit_pk:
            benefit.initiative = initiative
            return benefit
    raise Http404("No such benefit line on this initiative.")


@login_required
@require_http_methods(["GET", "POST"])
def initiative_benefit_edit(request: AuthedRequest, pk: int, benefit_pk: int) -> HttpResponse:
    """Edit a benefit line's current values; a locked forecast stays and shows the variance."""
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    benefit = _benefit(initiative, benefit_pk)
    form = BenefitForm(request.POST or None, initial=BenefitForm.initial_for(benefit))
    if submit(
        form,
        lambda: services.benefit_update(actor=request.user, benefit=benefit, **form.values()),
    ).done:
        messages.success(request, "Saved the benefit line.")
        return redirect("initiatives:initiative-detail", pk=initiative.pk)
    return render(
        request,
        "initiatives/initiative_benefit_form.html",
        {"initiative": initiative, "benefit": benefit, "form": form},
    )


@login_required
@require_POST
def initiative_link_requests(request: AuthedRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    form = LinkRequestsForm(request.POST, auto_id="link_%s")
    return _page_form_post(
        request,
        initiative,
        "link",
        form,
        save=lambda: services.initiative_link_requests(
            actor=request.user, initiative=initiative, requests=form.cleaned_data["requests"]
        ),
        success=lambda: (
            f"Linked {_numbers(form.cleaned_data['requests'])}: each follows this initiative's "
            "stage from now on."
        ),
    )


def _numbers(requests: Iterable[Any]) -> str:
    return ", ".join(f"#{r.pk}" for r in requests)
