"""Metric pages: the catalogue with each metric's system-level variation and assurance, a
metric's page (its chart for a facility, icons, data-through date, progress, the data with
where each figure came from, linked initiatives, priorities, balancing metrics, targets and
annotations), and the forms that change them.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. The catalogue services hold the rules (attribution shares, figures that
must agree, periods, the PHI guard, who may do what); a ValidationError they raise names the
field, which goes back onto the form beside it.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics.listing import filtered_page
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, create_page, edit_page, submit
from metrics import page_selectors, selectors, services
from metrics.charts import chart_svg
from metrics.choices import ChartType, RulePreset
from metrics.filters import MetricFilter
from metrics.forms import (
    AnnotationForm,
    LinkForm,
    MeasurementForm,
    MetricEditForm,
    MetricForm,
    TargetForm,
)
from metrics.models import Metric

PER_PAGE = 50
FORMS = ("target_form", "annotation_form", "link_form", "measurement_form")


# --- Catalogue ----------------------------------------------------------------------------------


@login_required
@require_GET
def metric_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    filterset = MetricFilter(
        request.GET or None, queryset=selectors.metric_list(user=request.user), user=request.user
    )
    context = filtered_page(request, filterset, per_page=PER_PAGE)
    context["entries"] = [(metric, selectors.system_rollup(metric)) for metric in context["rows"]]
    context["can_create"] = can(request.user, Action.METRIC_EDIT)
    context["can_load"] = can(request.user, Action.MEASUREMENT_LOAD)
    return render(request, "metrics/metric_list.html", context)


# --- Create and edit ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def metric_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    form = MetricForm(request.POST or None)
    return create_page(
        request,
        template="metrics/metric_form.html",
        form=form,
        save=lambda: services.metric_create(actor=request.user, **form.values()),
        success=lambda metric: f"Added {metric.code} “{metric.name}” to the catalogue.",
        done=lambda metric: redirect("metrics:metric-detail", pk=metric.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = selectors.metric_detail(metric_id=pk)
    return edit_page(
        request,
        template="metrics/metric_form.html",
        form_class=MetricEditForm,
        name="metric",
        record=metric,
        save=lambda form: services.metric_update(
            actor=request.user,
            metric=metric,
            version=form.cleaned_data["version"],
            **form.values(),  # type: ignore[attr-defined]
        ),
        reload=lambda: selectors.metric_detail(metric_id=pk),
        conflict=lambda stale: (
            "Someone saved this metric while you were editing it. Nothing of your edit was "
            "saved; its current values are shown below."
        ),
        success=f"Saved your changes to {metric.code}.",
        done=lambda: redirect("metrics:metric-detail", pk=metric.pk),
    )


# --- A metric's page ----------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _detail_response(
    request: AuthedRequest,
    pk: int,
    *,
    bound: dict[str, Form] | None = None,
    phi_form: str = "",
    phi_seen: dict[str, SafeString] | None = None,
) -> HttpResponse:
    """The metric's page. `bound` replaces a blank form with the user's input and its
    errors; `phi_form` names the form whose text the PHI guard flagged."""
    user = request.user
    facility_param = request.GET.get("facility")
    preset = request.GET.get("preset") or None
    if preset not in (None, *RulePreset.values):
        preset = None
    facility_id = _int(facility_param)
    if facility_param and facility_id is None:
        raise Http404("No such facility.")
    page = page_selectors.metric_page(metric_id=pk, facility_id=facility_id, preset=preset)
    metric = page.metric
    can_edit = can(user, Action.METRIC_EDIT)
    can_load = can(user, Action.MEASUREMENT_LOAD)
    forms: dict[str, Form | None] = {
        "target_form": TargetForm(auto_id="target_%s") if can_edit else None,
        "annotation_form": AnnotationForm(auto_id="annotation_%s") if can_edit else None,
        "link_form": LinkForm(auto_id="link_%s") if can_edit else None,
        "measurement_form": MeasurementForm(
            auto_id="measurement_%s",
            initial={"facility": page.facility.pk if page.facility else None},
        )
        if can_load
        else None,
    }
    forms.update(bound or {})
    analysis = page.analysis
    view = page.view
    has_points = bool(view and view.points)
    recomputed = analysis is not None and preset is not None and preset != metric.rule_preset
    chart = ""
    if view is not None and has_points:
        # Vega's SVG renderer escapes every text it draws; the markup is ours to inline.
        chart = mark_safe(chart_svg(view, analysis if recomputed else None))  # noqa: S308
    context: dict[str, Any] = {
        "metric": metric,
        "page": page,
        "view": view,
        "analysis": analysis,
        "chart": chart,
        "has_points": has_points,
        "rows": list(reversed(page.rows)),
        "system_rollup": selectors.system_rollup(metric),
        "links": list(metric.links.all()),
        "priorities": list(metric.priorities.all()),
        "balancing": list(metric.balancing_metrics.all()),
        "targets": list(metric.targets.all()),
        "annotations": list(metric.annotations.all()),
        "is_survey": metric.chart_type == ChartType.SURVEY,
        "is_cumulative": metric.chart_type == ChartType.CUMULATIVE,
        "presets": RulePreset.choices,
        "preset_label": RulePreset(page.preset).label,
        "chosen_preset": preset or "",
        "recomputed": recomputed,
        "can_edit": can_edit,
        "can_load": can_load,
        "phi_form": phi_form,
        "phi_seen_by_form": {phi_form: phi_seen} if phi_form and phi_seen else {},
        **forms,
    }
    return render(request, "metrics/metric_detail.html", context)


@login_required
@require_GET
def metric_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    return _detail_response(request, pk)


def _metric(pk: int) -> Metric:
    metric = Metric.objects.filter(pk=pk).first()
    if metric is None:
        raise Http404("No such metric.")
    return metric


def _back(metric: Metric, request: AuthedRequest, anchor: str = "") -> HttpResponse:
    """Back to the metric's page, at the facility and preset it was showing."""
    query = request.GET.urlencode()
    return redirect(f"{selectors.metric_url(metric)}{'?' + query if query else ''}{anchor}")


@login_required
@require_POST
def metric_target_add(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    form = TargetForm(request.POST, auto_id="target_%s")
    return _page_form_post(
        request,
        metric,
        "target",
        form,
        save=lambda: services.target_set(actor=request.user, metric=metric, **form.values()),
        success=lambda target: (
            "Set the target for "
            f"{target.facility.name if target.facility else 'the whole system'}: "
            f"{target.value.normalize():f} by {target.due_date:%d %b %Y}."
        ),
        anchor="#targets",
    )


@login_required
@require_POST
def metric_target_delete(request: AuthedRequest, pk: int, target_pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    target = metric.targets.filter(pk=target_pk).first()
    if target is None:
        raise Http404("No such target on this metric.")
    services.target_delete(actor=request.user, target=target)
    messages.success(request, "Removed the target.")
    return _back(metric, request, "#targets")


@login_required
@require_POST
def metric_annotation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    form = AnnotationForm(request.POST, auto_id="annotation_%s")
    return _page_form_post(
        request,
        metric,
        "annotation",
        form,
        save=lambda: services.annotation_add(actor=request.user, metric=metric, **form.values()),
        success=lambda annotation: (
            f"Added “{annotation.label}” to the timeline ({annotation.date:%d %b %Y})."
            + (" The limits are recomputed from it shortly." if annotation.kind == "rebase" else "")
        ),
        anchor="#annotations",
    )


def _page_form_post[T](
    request: AuthedRequest,
    metric: Metric,
    name: str,
    form: Form,
    *,
    save: Callable[[], T],
    success: Callable[[T], str],
    anchor: str,
) -> HttpResponse:
    """A form on the metric's page: saved, back to the page at `anchor` with `success`; else
    the page again with the `name` form as posted, its errors and, on a form the PHI guard
    reads, what it saw (the confirmation box shows once it flagged something, or while it is
    ticked)."""
    outcome = submit(form, save)
    if outcome.done:
        messages.success(request, success(outcome.saved))
        return _back(metric, request, anchor)
    bound = {f"{name}_form": form}
    if "phi_confirmed" not in form.fields:
        return _detail_response(request, metric.pk, bound=bound)
    flagged = name if outcome.phi_seen or form["phi_confirmed"].value() else ""
    return _detail_response(
        request, metric.pk, bound=bound, phi_form=flagged, phi_seen=outcome.phi_seen
    )


@login_required
@require_POST
def metric_annotation_delete(request: AuthedRequest, pk: int, annotation_pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    annotation = metric.annotations.filter(pk=annotation_pk).first()
    if annotation is None:
        raise Http404("No such annotation on this metric.")
    services.annotation_delete(actor=request.user, annotation=annotation)
    messages.success(request, f"Removed “{annotation.label}” from the timeline.")
    return _back(metric, request, "#annotations")


@login_required
@require_POST
def metric_link_add(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    form = LinkForm(request.POST, auto_id="link_%s")
    return _page_form_post(
        request,
        metric,
        "link",
        form,
        save=lambda: services.metric_link_initiative(
            actor=request.user, metric=metric, **form.cleaned_data
        ),
        success=lambda link: (
            f"Linked “{link.initiative.title}” with {link.share.normalize():f}% of the attribution."
        ),
        anchor="#initiatives",
    )


@login_required
@require_POST
def metric_link_delete(request: AuthedRequest, pk: int, initiative_pk: int) -> HttpResponse:
    require(request.user, Action.METRIC_EDIT)
    metric = _metric(pk)
    link = metric.links.select_related("initiative").filter(initiative_id=initiative_pk).first()
    if link is None:
        raise Http404("That initiative is not linked to this metric.")
    services.metric_unlink_initiative(actor=request.user, metric=metric, initiative=link.initiative)
    messages.success(request, f"Unlinked “{link.initiative.title}”.")
    return _back(metric, request, "#initiatives")


@login_required
@require_POST
def metric_measurement_enter(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.MEASUREMENT_LOAD)
    metric = _metric(pk)
    form = MeasurementForm(request.POST, auto_id="measurement_%s")
    return _page_form_post(
        request,
        metric,
        "measurement",
        form,
        save=lambda: services.measurement_enter(
            actor=request.user, metric=metric, **form.cleaned_data
        ),
        success=lambda measurement: (
            f"Saved {metric.code} for {measurement.facility.name}, "
            f"{measurement.period_start:%d %b %Y} to {measurement.period_end:%d %b %Y}: "
            f"{measurement.value.normalize():f}. The chart is redrawn once the roll-up "
            "has run."
        ),
        anchor="#data",
    )


urlpatterns: list[URLPattern] = [
    path("metrics/", metric_list, name="metric-list"),
    path("metrics/new/", metric_create, name="metric-create"),
    path("metrics/<int:pk>/", metric_detail, name="metric-detail"),
    path("metrics/<int:pk>/edit/", metric_edit, name="metric-edit"),
    path("metrics/<int:pk>/targets/", metric_target_add, name="metric-target-add"),
    path(
        "metrics/<int:pk>/targets/<int:target_pk>/delete/",
        metric_target_delete,
        name="metric-target-delete",
    ),
    path("metrics/<int:pk>/annotations/", metric_annotation_add, name="metric-annotation-add"),
    path(
        "metrics/<int:pk>/annotations/<int:annotation_pk>/delete/",
        metric_annotation_delete,
        name="metric-annotation-delete",
    ),
    path("metrics/<int:pk>/initiatives/", metric_link_add, name="metric-link-add"),
    path(
        "metrics/<int:pk>/initiatives/<int:initiative_pk>/unlink/",
        metric_link_delete,
        name="metric-link-delete",
    ),
    path(
        "metrics/<int:pk>/measurements/",
        metric_measurement_enter,
        name="metric-measurement-enter",
    ),
]
