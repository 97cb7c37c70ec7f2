"""Import pages: upload a measurement file (with the canonical columns explained and a CSV
template to start from), and follow a batch — its status, progress (refreshed by htmx while
the job runs), counts and every error by row and column.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. Uploading, the list and the template are for those who load
measurements (informaticists and the CMIO); a batch's page is readable by its uploader,
informaticists, the CMIO and admins (`import_can_read`): its errors locate rows of a file.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from informatics.export import csv_response
from informatics.models import Facility
from informatics.permissions import Action, can, require
from informatics.web import AuthedRequest, add_service_errors, job_page
from metrics.choices import ImportStatus
from metrics.figures import stored
from metrics.imports import COLUMNS, ERRORS_KEPT, limits, selectors
from metrics.models import Metric
from metrics.services.imports import import_require_read, import_upload

RECENT = 20
RUNNING = (ImportStatus.PENDING, ImportStatus.RUNNING)

# What each canonical column holds (shown on the upload page, in order); the examples are the
# site's own codes (example_codes).
COLUMN_HELP: dict[str, str] = {
    "metric_code": "The metric's code in the catalogue, e.g. {metric}. Required.",
    "facility_code": "The facility's code, e.g. {facility}. Required.",
    "period_start": "First day of the period, YYYY-MM-DD. Required.",
    "period_end": "Last day of the period, YYYY-MM-DD, not before period_start. Required.",
    "numerator": "Count of events (≥ 0). With a denominator, or leave both blank.",
    "denominator": "Count of opportunities (> 0).",
    "value": "The figure as charted. With numerator and denominator it must equal numerator ÷ "
    "denominator × the metric's multiplier, to the decimals you give; blank: computed.",
    "unit": "Optional; if given, the metric's unit exactly.",
    "source_system": "Optional: where the figure came from (at most 60 characters).",
    "definition_version": "Optional: the definition version it was computed under.",
    "extracted_at": "Optional: when it was extracted, ISO 8601 (e.g. 2024-02-05T06:00:00Z).",
}


def example_records() -> tuple[Metric | None, Facility | None]:
    """The metric and the facility that examples name: the first active metric and the first
    facility below the system, by code (none when the catalogue or the tree is empty)."""
    metric = Metric.objects.filter(is_active=True).order_by("code").first()
    facility = Facility.objects.filter(parent__isnull=False).order_by("code").first()
    return metric, facility


def example_codes(metric: Metric | None, facility: Facility | None) -> dict[str, str]:
    """The codes that examples name: those of `example_records()`, else Q1 and rh-north."""
    return {
        "metric": metric.code if metric else "Q1",
        "facility": facility.code if facility else "rh-north",
    }


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A .csv (UTF-8) or .xlsx with the columns below, or a FHIR R4 MeasureReport "
        "or Bundle of them as .json.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload_page(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MEASUREMENT_LOAD)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].help_text = f"{form.fields['file'].help_text} {limits.sizes_text()}"
    codes = example_codes(*example_records())
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_upload(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("metrics:import-detail", pk=batch.pk)
    return render(
        request,
        "metrics/import_upload.html",
        {
            "form": form,
            "columns": [(name, text.format(**codes)) for name, text in COLUMN_HELP.items()],
            "batches": selectors.import_list()[:RECENT],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def import_detail_page(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.import_detail(batch_id=pk)
    import_require_read(user=request.user, batch=batch)
    return job_page(
        request,
        page="metrics/import_detail.html",
        status="metrics/import_status.html",
        running=batch.status in RUNNING,
        context={
            "batch": batch,
            "can_upload": can(request.user, Action.MEASUREMENT_LOAD),
            "job": batch.job,
            "errors_kept": ERRORS_KEPT,
        },
    )


@login_required
@require_GET
def import_template(request: AuthedRequest) -> HttpResponseBase:
    """A CSV with the canonical header and one example row, using a real metric and facility
    when the catalogue has them (their texts made safe for a spreadsheet, as in every CSV the
    portal offers)."""
    require(request.user, Action.MEASUREMENT_LOAD)
    metric, facility = example_records()
    codes = example_codes(metric, facility)
    multiplier = metric.multiplier if metric else Decimal(100)
    value = stored(Decimal(57) / Decimal(400) * multiplier).normalize()
    example = {
        "metric_code": codes["metric"],
        "facility_code": codes["facility"],
        "period_start": "2024-01-01",
        "period_end": "2024-01-31",
        "numerator": "57",
        "denominator": "400",
        "value": f"{value:f}",
        "unit": metric.unit if metric else "%",
        "source_system": "EHR reporting",
        "definition_version": metric.definition_version if metric else "",
        "extracted_at": "2024-02-05T06:00:00Z",
    }
    return csv_response(
        filename="measurements-template.csv",
        header=list(COLUMNS),
        rows=[[example[name] for name in COLUMNS]],
    )
