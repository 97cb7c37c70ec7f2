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
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from informatics.listing import filtered_page
from informatics.models import User
from informatics.permissions import Action, can, require
from informatics.web import (
    AuthedRequest,
    PostedForm,
    create_page,
    edit_page,
    first_or_404,
    page_forms,
)
from metrics import selectors, services
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
    ValueBasisForm,
)
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target, ValueBasis

FORMS = ("target_form", "annotation_form", "link_form", "measurement_form", "value_form")


# --- Catalogue ----------------------------------------------------------------------------------


@login_required
@require_GET
def metric_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    filterset = MetricFilter(
        request.GET or None, queryset=selectors.metric_list(user=request.user), user=request.user
    )
    context = filtered_page(request, filterset)
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
        update=services.metric_update,
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
    posted: PostedForm | None = None,
) -> HttpResponse:
    """The metric's page, at the facility and rule preset the query names."""
    user = request.user
    facility_param = request.GET.get("facility")
    preset = request.GET.get("preset") or None
    if preset not in (None, *RulePreset.values):
        preset = None
    facility_id = _int(facility_param)
    if facility_param and facility_id is None:
        raise Http404("No such facility.")
    page = selectors.metric_page(metric_id=pk, facility_id=facility_id, preset=preset)
    metric = page.metric
    can_edit = can(user, Action.METRIC_EDIT)
    can_load = can(user, Action.MEASUREMENT_LOAD)
    value_basis = selectors.value_basis_of(metric)
    blank: dict[str, Form | None] = {
        "target_form": TargetForm(auto_id="target_%s") if can_edit else None,
        "annotation_form": AnnotationForm(auto_id="annotation_%s") if can_edit else None,
        "link_form": LinkForm(auto_id="link_%s") if can_edit else None,
        "measurement_form": MeasurementForm(
            auto_id="measurement_%s",
            initial={"facility": page.facility.pk if page.facility else None},
        )
        if can_load
        else None,
        "value_form": ValueBasisForm(
            auto_id="value_%s", initial=ValueBasisForm.initial_for(value_basis)
        )
        if can_edit
        else None,
    }
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
        "value_basis": value_basis,
        "is_survey": metric.chart_type == ChartType.SURVEY,
        "is_cumulative": metric.chart_type == ChartType.CUMULATIVE,
        "presets": RulePreset.choices,
        "preset_label": RulePreset(page.preset).label,
        "chosen_preset": preset or "",
        "recomputed": recomputed,
        "can_edit": can_edit,
        "can_load": can_load,
        **page_forms(blank, posted),
    }
    return render(request, "metrics/metric_detail.html", context)


@login_required
@require_GET
def metric_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Action.PORTFOLIO_READ)
    return _detail_response(request, pk)


def _metric(pk: int) -> Metric:
    return first_or_404(Metric.objects.filter(pk=pk), "No such metric.")


def _back(metric: Metric, request: AuthedRequest, anchor: str = "") -> HttpResponse:
    """Back to the metric's page, at the facility and preset it was showing."""
    query = request.GET.urlencode()
    return redirect(f"{selectors.metric_url(metric)}{'?' + query if query else ''}{anchor}")


# --- The forms and buttons on a metric's page ---------------------------------------------------


def _page_form_view[T](
    name: str,
    form_class: type[Form],
    save: Callable[..., T],
    success: Callable[[Metric, T], str],
    anchor: str,
    action: Action = Action.METRIC_EDIT,
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """The POST view of the `name` form on the metric's page. `save` (the form's service) is
    given the actor, the metric and the form's values; saved, back to the page at `anchor` with
    `success`; else the page again with the form as posted, its errors and, on a form the PHI
    guard reads, what it saw."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        require(request.user, action)
        metric = _metric(pk)
        form: Any = form_class(request.POST, auto_id=f"{name}_%s")
        return PostedForm(name, form).save(
            request,
            lambda: save(actor=request.user, metric=metric, **form.values()),
            success=lambda saved: success(metric, saved),
            done=lambda: _back(metric, request, anchor),
            page=lambda posted: _detail_response(request, metric.pk, posted=posted),
        )

    view.__name__ = view.__qualname__ = f"metric_{name}_form"
    return view


def _remove_view(
    remove: Callable[[User, Metric, int], str], anchor: str
) -> Callable[[AuthedRequest, int, int], HttpResponse]:
    """The POST view of a remove button on the metric's page: `remove` finds the metric's
    record (404 when it has none such), removes it through its service and says what it
    removed; back to the page at `anchor`."""

    @login_required
    @require_POST
    def view(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
        require(request.user, Action.METRIC_EDIT)
        metric = _metric(pk)
        messages.success(request, remove(request.user, metric, item_pk))
        return _back(metric, request, anchor)

    view.__name__ = view.__qualname__ = remove.__name__.lstrip("_")
    return view


def _target_set(metric: Metric, target: Target) -> str:
    where = target.facility.name if target.facility else "the whole system"
    return (
        f"Set the target for {where}: {target.value.normalize():f} by {target.due_date:%d %b %Y}."
    )


def _target_remove(user: User, metric: Metric, target_pk: int) -> str:
    target = first_or_404(metric.targets.filter(pk=target_pk), "No such target on this metric.")
    services.target_delete(actor=user, target=target)
    return "Removed the target."


def _annotation_added(metric: Metric, annotation: Annotation) -> str:
    rebase = " The limits are recomputed from it shortly." if annotation.kind == "rebase" else ""
    return f"Added “{annotation.label}” to the timeline ({annotation.date:%d %b %Y}).{rebase}"


def _annotation_remove(user: User, metric: Metric, annotation_pk: int) -> str:
    annotation = first_or_404(
        metric.annotations.filter(pk=annotation_pk), "No such annotation on this metric."
    )
    services.annotation_delete(actor=user, annotation=annotation)
    return f"Removed “{annotation.label}” from the timeline."


def _linked(metric: Metric, link: MetricInitiative) -> str:
    share = link.share.normalize()
    return f"Linked “{link.initiative.title}” with {share:f}% of the attribution."


def _link_remove(user: User, metric: Metric, initiative_pk: int) -> str:
    link = first_or_404(
        metric.links.select_related("initiative").filter(initiative_id=initiative_pk),
        "That initiative is not linked to this metric.",
    )
    services.metric_unlink_initiative(actor=user, metric=metric, initiative=link.initiative)
    return f"Unlinked “{link.initiative.title}”."


def _value_set(metric: Metric, basis: ValueBasis) -> str:
    return f"Saved how {metric.code} is valued: {basis.get_kind_display().lower()}."


def _measurement_saved(metric: Metric, measurement: Measurement) -> str:
    return (
        f"Saved {metric.code} for {measurement.facility.name}, "
        f"{measurement.period_start:%d %b %Y} to {measurement.period_end:%d %b %Y}: "
        f"{measurement.value.normalize():f}. The chart is redrawn once the roll-up has run."
    )


metric_target_add = _page_form_view(
    "target", TargetForm, services.target_set, _target_set, "#targets"
)
metric_target_delete = _remove_view(_target_remove, "#targets")
metric_annotation_add = _page_form_view(
    "annotation", AnnotationForm, services.annotation_add, _annotation_added, "#annotations"
)
metric_annotation_delete = _remove_view(_annotation_remove, "#annotations")
metric_link_add = _page_form_view(
    "link", LinkForm, services.metric_link_initiative, _linked, "#initiatives"
)
metric_link_delete = _remove_view(_link_remove, "#initiatives")
metric_value_set = _page_form_view(
    "value", ValueBasisForm, services.value_basis_set, _value_set, "#value"
)
metric_measurement_enter = _page_form_view(
    "measurement",
    MeasurementForm,
    services.measurement_enter,
    _measurement_saved,
    "#data",
    action=Action.MEASUREMENT_LOAD,
)
