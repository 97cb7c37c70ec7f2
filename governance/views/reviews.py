"""Review and action item pages: the list of reviews, scheduling one, a review's page (its
agenda with the reason of each item, the chair's controls, decisions, action items, minutes
and their PDF), and the action items of the signed-in person.

Each view parses its input, calls one service or selector, and renders; the services check
who may act (a refusal is a 403) and name the field of each error."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import selectors, services
from governance.forms import AgendaItemForm, MinutesForm, MoveForm, ReviewForm
from governance.models import AgendaItem, Review
from informatics import services as kernel
from informatics.listing import PER_PAGE
from informatics.permissions import Action, can, require
from informatics.web import (
    AuthedRequest,
    PostedForm,
    create_page,
    found_or_404,
    page_forms,
    run_action,
)


def _detail_url(review: Review) -> str:
    return reverse("governance:review-detail", args=[review.pk])


def _review(pk: int) -> Review:
    return found_or_404(lambda: selectors.review_detail(pk=pk), "No such review.")


@login_required
@require_GET
def review_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    page = Paginator(selectors.review_list(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "governance/review_list.html", {"page": page, "rows": list(page)})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    form = ReviewForm(request.POST or None, user=request.user)
    return create_page(
        request,
        template="governance/review_form.html",
        form=form,
        save=lambda: services.review_schedule(
            actor=request.user,
            body=form.cleaned_data["body"],
            scheduled_for=form.cleaned_data["scheduled_for"],
            attendees=form.cleaned_data["attendees"],
        ),
        success=lambda review: f"{review} scheduled.",
        done=lambda review: redirect(_detail_url(review)),
    )


def _detail_page(
    request: AuthedRequest, review: Review, posted: PostedForm | None = None
) -> HttpResponse:
    chair = can(request.user, Action.REVIEW_CHAIR, review.body)
    minutes_form = MinutesForm(
        initial={"attendees": list(review.attendees.all()), "minutes": review.minutes}
    )
    context = {
        "review": review,
        "items": list(review.items.all()),
        "decisions": list(review.decisions.all()),
        "actions": list(selectors.review_actions(review)),
        "attendees": list(review.attendees.all()),
        "is_chair": chair,
        "is_planned": review.status == "planned",
        **page_forms({"item_form": AgendaItemForm(), "minutes_form": minutes_form}, posted),
    }
    status = 200 if posted is None else 400
    return render(request, "governance/review_detail.html", context, status=status)


@login_required
@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    return _detail_page(request, _review(pk))


@login_required
@require_POST
def review_agenda_build(request: AuthedRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("body"), pk=pk)
    run_action(
        request,
        services.agenda_build,
        lambda items: f"Agenda proposed: {len(items)} items.",
        review=review,
    )
    return redirect(_detail_url(review))


def _post_review_form(
    request: AuthedRequest,
    pk: int,
    name: str,
    form_class: type[forms.Form],
    service: Callable[..., object],
    success: str,
) -> HttpResponse:
    """The `name` form posted from a review's page: `service` saves its values (given the actor
    and the review), else the page shows it again as posted, with its errors (status 400)."""
    review = get_object_or_404(Review.objects.select_related("body"), pk=pk)
    form = form_class(request.POST)
    return PostedForm(name, form).save(
        request,
        lambda: service(actor=request.user, review=review, **form.cleaned_data),
        success=success,
        done=lambda: redirect(_detail_url(review)),
        page=lambda posted: _detail_page(request, _review(pk), posted),
    )


@login_required
@require_POST
def review_item_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post_review_form(
        request, pk, "item", AgendaItemForm, services.agenda_item_add, "Item added."
    )


def _item(pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("review__body"), pk=pk)


@login_required
@require_POST
def review_item_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    run_action(request, services.agenda_item_remove, "Item removed.", item=item)
    return redirect(_detail_url(item.review))


@login_required
@require_POST
def review_item_move(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _item(pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move the item up or down, or give a position.")
    else:
        run_action(
            request,
            services.agenda_item_move,
            "Item moved.",
            item=item,
            direction=form.cleaned_data["direction"] or "",
            position=form.cleaned_data["position"],
        )
    return redirect(_detail_url(item.review))


@login_required
@require_POST
def review_minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post_review_form(
        request, pk, "minutes", MinutesForm, services.review_update, "Minutes saved."
    )


@login_required
@require_POST
def review_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("body"), pk=pk)
    run_action(
        request, services.review_hold, "Review marked held; the minutes PDF follows.", review=review
    )
    return redirect(_detail_url(review))


@login_required
@require_GET
def review_minutes_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    require(request.user, Action.PORTFOLIO_READ)
    review = get_object_or_404(Review, pk=pk)
    if not review.minutes_pdf:
        raise Http404("The minutes PDF is not ready yet.")
    return FileResponse(
        review.minutes_pdf.open("rb"),
        as_attachment=True,
        filename=f"minutes-review-{review.pk}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def action_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    rows = selectors.action_list(user=request.user, today=kernel.site_today())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "governance/action_list.html", {"page": page, "rows": list(page)})


@login_required
@require_POST
def action_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    from governance.models import ActionItem

    item = get_object_or_404(ActionItem.objects.select_related("body"), pk=pk)
    run_action(request, services.action_item_complete, "Action marked done.", item=item)
    return redirect("governance:action-list")
