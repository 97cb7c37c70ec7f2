"""Portfolio pages: the priority × stage grid, the list with its filters and CSV export, an
initiative's page with its stage action, status updates, milestones, benefit plan and linked
requests, and the create and edit forms.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. The services hold the rules — the stage table, the gates, reasons and
dates, the PHI guard, who may do what — and a ValidationError they raise names the field, which
goes back onto the form beside it.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics import selectors as kernel_selectors
from informatics.exceptions import StaleEdit
from informatics.exports import csv_export_view
from informatics.listing import counted_page, filtered_page
from informatics.models import User
from informatics.permissions import Action, ActionDenied, can, require
from informatics.web import (
    AuthedRequest,
    PostedForm,
    create_page,
    edit_page,
    form_context,
    page_forms,
    run_action,
    submit,
)
from initiatives import exports, health, selectors, services
from initiatives.choices import GATE_STAGES, REASON_REQUIRED, STAGE_TRANSITIONS, Stage
from initiatives.filters import InitiativeFilter
from initiatives.forms import (
    BenefitForm,
    FinancialEntryForm,
    InitiativeEditForm,
    InitiativeForm,
    LinkRequestsForm,
    MilestoneForm,
    StageForm,
    StatusUpdateForm,
)
from initiatives.models import BenefitLine, FinancialEntry, Initiative, Milestone

# The portfolio's "Needs attention" rows per page.
ATTENTION_PER_PAGE = 25


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
    attention = counted_page(request, selectors.portfolio_attention(), per_page=ATTENTION_PER_PAGE)
    return render(
        request,
        "initiatives/portfolio.html",
        {
            "summary": summary,
            "attention": attention["rows"],
            "page": attention["page"],
            "query": attention["query"],
            "can_create": can(request.user, Action.INITIATIVE_EDIT),
        },
    )


def _filtered(request: AuthedRequest) -> InitiativeFilter:
    return InitiativeFilter(request.GET or None, queryset=selectors.initiative_list())


@login_required
@require_GET
def initiative_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    context = filtered_page(request, _filtered(request))
    context["can_create"] = can(request.user, Action.INITIATIVE_EDIT)
    return render(request, "initiatives/initiative_list.html", context)


# The list's CSV for its filters: streamed, or prepared by a job when large (POST).
initiative_export = csv_export_view(exports.INITIATIVES)


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
    initiative = _editable(request, pk)
    return edit_page(
        request,
        template="initiatives/initiative_form.html",
        form_class=InitiativeEditForm,
        name="initiative",
        record=initiative,
        update=services.initiative_update,
        reload=lambda: _initiative(request, pk),
        conflict=_conflict,
        success=f"Saved your changes to “{initiative.title}”.",
        done=lambda: redirect("initiatives:initiative-detail", pk=initiative.pk),
    )


# --- An initiative's page -----------------------------------------------------------------------


def _next_stages(user: User, initiative: Initiative) -> tuple[str, ...]:
    """The table's next stages that `user` may take (`services.initiative_may_move`), gates
    aside: approve, defer and stop are governance decisions, recorded on the decision form."""
    return tuple(
        stage
        for stage in STAGE_TRANSITIONS[initiative.stage]
        if stage not in GATE_STAGES
        and services.initiative_may_move(user=user, initiative=initiative, to_stage=stage)
    )


# The decision outcomes the initiative page links to (the governance decision form's
# `outcome`), for each stage of the table a decision moves an initiative to.
GATE_DECISIONS: tuple[tuple[str, str, str], ...] = (
    (Stage.APPROVED, "approve", "Approve…"),
    (Stage.DEFERRED, "defer", "Defer…"),
    (Stage.STOPPED, "stop", "Stop…"),
)


def _gate_decisions(user: User, initiative: Initiative) -> list[tuple[str, str]]:
    """The decisions the page offers `user` ((outcome, label)): those whose stage the table
    allows next, when `user` records decisions in any body (the CMO, the CMIO); members of a
    body decide on its own pages."""
    following = STAGE_TRANSITIONS[initiative.stage]
    if not can(user, Action.DECISION_RECORD):
        return []
    return [(outcome, label) for stage, outcome, label in GATE_DECISIONS if stage in following]


def _labels_text(labels: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def _detail_response(
    request: AuthedRequest,
    initiative: Initiative,
    *,
    posted: PostedForm | None = None,
) -> HttpResponse:
    """The initiative's page; `posted`, a form posted from it that was not saved, shows in place
    of its blank form."""
    user = request.user
    can_edit = can(user, Action.INITIATIVE_EDIT, initiative)
    link_q = request.GET.get("link_q", "").strip()
    next_stages = _next_stages(user, initiative)
    updates = list(initiative.status_updates.all())
    gate_decisions = _gate_decisions(user, initiative)
    gates_waiting = _labels_text(
        [
            str(Stage(stage).label)
            for stage in STAGE_TRANSITIONS[initiative.stage]
            if stage in GATE_STAGES and not gate_decisions
        ]
    )
    blank: dict[str, Form | None] = {
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
        "financial_form": FinancialEntryForm(auto_id="financial_%s") if can_edit else None,
        "link_form": LinkRequestsForm(auto_id="link_%s") if can_edit else None,
    }
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
        "financial_entries": list(initiative.financial_entries.all()),
        "linked": list(initiative.requests.all()),
        "link_q": link_q,
        "candidates": selectors.link_candidates(user=request.user, query=link_q)
        if can_edit and link_q
        else [],
        "events": list(kernel_selectors.audit_history(instance=initiative)),
        "can_edit": can_edit,
        "gates_waiting": gates_waiting,
        "gate_decisions": gate_decisions,
        "shows_reason": initiative.stage in REASON_REQUIRED,
        "today": timezone.localdate(),
        **page_forms(blank, posted),
    }
    return render(request, "initiatives/initiative_detail.html", context)


@login_required
@require_GET
def initiative_link_candidates(request: AuthedRequest, pk: int) -> HttpResponse:
    """The link picker's answer as its user types (htmx): the requests that may be linked
    whose title or number matches `?link_q=`, each with its "Link" button."""
    initiative = _editable(request, pk)
    link_q = request.GET.get("link_q", "").strip()
    return render(
        request,
        "initiatives/partials/link_candidates.html",
        {
            "initiative": initiative,
            "link_q": link_q,
            "candidates": selectors.link_candidates(user=request.user, query=link_q),
        },
    )


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
    if wanted in GATE_STAGES:  # a governance decision, never a plain move
        messages.error(request, services.GATE_MOVE_REFUSALS[wanted])
        return redirect("initiatives:initiative-detail", pk=initiative.pk)
    return PostedForm("stage", form).save(
        request,
        lambda: services.initiative_advance(actor=user, initiative=initiative, **form.move()),
        success=lambda moved: f"“{moved.title}” is now {moved.get_stage_display().lower()}.",
        done=lambda: redirect("initiatives:initiative-detail", pk=initiative.pk),
        page=lambda posted: _detail_response(request, initiative, posted=posted),
        stale="Someone changed this initiative while you were looking at it. Nothing was "
        "moved; its current stage is shown below.",
    )


def _page_form_view(
    name: str,
    form_class: type[Form],
    save: Callable[..., object],
    success: str | Callable[[Any], str],
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """The POST view of the `name` form on the initiative's page. `save` (the form's service)
    is given the actor, the initiative and the form's values; saved, back to the page with
    `success` (given the form); else the page again with the form as posted, its errors and, on
    a form the PHI guard reads, what it saw."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        initiative = _editable(request, pk)
        form: Any = form_class(request.POST, auto_id=f"{name}_%s")
        return PostedForm(name, form).save(
            request,
            lambda: save(actor=request.user, initiative=initiative, **form.values()),
            success=lambda saved: success(form) if callable(success) else success,
            done=lambda: redirect("initiatives:initiative-detail", pk=initiative.pk),
            page=lambda posted: _detail_response(request, initiative, posted=posted),
        )

    view.__name__ = view.__qualname__ = f"initiative_{name}_form"
    return view


def _milestone_added(form: MilestoneForm) -> str:
    return f"Added the milestone “{form.cleaned_data['title']}”."


def _requests_linked(form: LinkRequestsForm) -> str:
    numbers = ", ".join(f"#{r.pk}" for r in form.cleaned_data["requests"])
    return f"Linked {numbers}: each follows this initiative's stage from now on."


initiative_status_update = _page_form_view(
    "status",
    StatusUpdateForm,
    services.status_update_post,
    "Posted your status update.",
)
initiative_milestone_add = _page_form_view(
    "milestone", MilestoneForm, services.milestone_add, _milestone_added
)
initiative_benefit_add = _page_form_view(
    "benefit", BenefitForm, services.benefit_add, "Added the line to the benefit plan."
)
initiative_financial_add = _page_form_view(
    "financial",
    FinancialEntryForm,
    services.financial_entry_add,
    lambda form: f"Recorded the {form.cleaned_data['kind'].replace('_', ' ')} entry.",
)
initiative_link_requests = _page_form_view(
    "link", LinkRequestsForm, services.initiative_link_requests, _requests_linked
)


def _editable(request: AuthedRequest, pk: int) -> Initiative:
    """The initiative, for a user who may edit it."""
    initiative = _initiative(request, pk)
    require(request.user, Action.INITIATIVE_EDIT, initiative)
    return initiative


def _own[R: (Milestone, BenefitLine, FinancialEntry)](
    initiative: Initiative, records: QuerySet[R], pk: int
) -> R:
    """One of the initiative's prefetched milestones, benefit lines or financial entries,
    pointing back at the initiative without a query (404 when it has none such)."""
    for record in records:
        if record.pk == pk:
            record.initiative = initiative
            return record
    raise Http404(f"No such {records.model._meta.verbose_name} on this initiative.")


def _item_button[R: (Milestone, FinancialEntry)](
    items: Callable[[Initiative], QuerySet[R]],
    act: Callable[..., object],
    success: Callable[[R], str],
    keyword: str,
) -> Callable[[AuthedRequest, int, int], HttpResponse]:
    """The POST view of a button on one of the initiative's `items`: `act` (its service) is given
    the item as `keyword`, `success` says what it did; back to the initiative's page."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
        initiative = _editable(request, pk)
        item = _own(initiative, items(initiative), item_pk)
        run_action(request, act, success(item), **{keyword: item})
        return redirect("initiatives:initiative-detail", pk=initiative.pk)

    return view


initiative_milestone_done = _item_button(
    lambda initiative: initiative.milestones.all(),
    services.milestone_done,
    lambda milestone: f"Marked “{milestone.title}” done.",
    "milestone",
)
# A financial entry entered in error is removed.
initiative_financial_delete = _item_button(
    lambda initiative: initiative.financial_entries.all(),
    services.financial_entry_delete,
    lambda entry: "Removed the financial entry.",
    "entry",
)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_benefit_edit(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    """Edit a benefit line's current values; a locked forecast stays and shows the variance."""
    initiative = _editable(request, pk)
    benefit = _own(initiative, initiative.benefits.all(), item_pk)
    form = BenefitForm(request.POST or None, initial=BenefitForm.initial_for(benefit))
    outcome = submit(
        form,
        lambda: services.benefit_update(actor=request.user, benefit=benefit, **form.values()),
    )
    if outcome.done:
        messages.success(request, "Saved the benefit line.")
        return redirect("initiatives:initiative-detail", pk=initiative.pk)
    return render(
        request,
        "initiatives/initiative_benefit_form.html",
        form_context(form, outcome.phi_seen, initiative=initiative, benefit=benefit),
    )
