"""Measurements entered by hand: one figure of a metric at a facility for a period, upserted
on (metric, facility, period) and audited per row."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from informatics.audit import audit_created, audited_update
from informatics.models import Facility, User
from informatics.permissions import Action, require
from informatics.services import site_today
from informatics.services.records import field_errors, lock
from metrics.choices import ChartType, MetricFrequency
from metrics.figures import (
    FigureError,
    chart_figures_error,
    measurement_figures,
    parse_decimal,
    stored,
)
from metrics.models import Measurement, Metric
from metrics.periods import period_is_regular, period_label
from metrics.services.catalogue._common import _facility_check
from metrics.services.rollups import rollup_enqueue
from metrics.spc import ATTRIBUTE_CHARTS

MEASUREMENT_FIELDS = (
    "metric",
    "facility",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
)


def _figure(value: Any, column: str, errors: dict[str, str]) -> Decimal | None:
    """A figure that fits the measurement columns (14 digits, 6 decimals), or an error."""
    try:
        number = parse_decimal(value, column)
    except FigureError as exc:
        errors[column] = exc.message
        return None
    if number is not None and number != stored(number):
        errors[column] = "Give at most 6 decimals."
        return None
    return number


def _period_check(
    *,
    metric: Metric,
    facility: Facility,
    period_start: datetime.date,
    period_end: datetime.date,
    errors: dict[str, str],
) -> None:
    """The period's rules, once both dates are dates: in order, one period of the metric's
    frequency, started, and overlapping no other period stored for the facility."""
    if period_end < period_start:
        errors["period_end"] = "The period cannot end before it starts."
        return
    if not period_is_regular(metric.frequency, period_start, period_end):
        errors["period_end"] = (
            f"{metric.code} is measured {MetricFrequency(metric.frequency).label.lower()}: "
            f"give {period_label(metric.frequency)}."
        )
        return
    if period_start > site_today():
        errors["period_start"] = "The period has not started yet."
        return
    if isinstance(facility, Facility) and facility.pk:
        overlap = (
            Measurement.objects.filter(
                metric=metric,
                facility=facility,
                period_start__lte=period_end,
                period_end__gte=period_start,
            )
            .exclude(period_start=period_start)
            .order_by("period_start")
            .first()
        )
        if overlap is not None:
            errors["period_start"] = (
                f"Overlaps the period {overlap.period_start} to {overlap.period_end} already "
                "stored for this facility."
            )


@transaction.atomic
def measurement_enter(
    *,
    actor: User,
    metric: Metric,
    facility: Facility,
    period_start: datetime.date,
    period_end: datetime.date,
    value: Decimal | int | str | None = None,
    numerator: Decimal | int | str | None = None,
    denominator: Decimal | int | str | None = None,
) -> Measurement:
    """Enter (or correct) one figure by hand (informaticists and the CMIO): a value, or a
    numerator and denominator, or all three agreeing (value = numerator ÷ denominator ×
    multiplier). Upserts on (metric, facility, period); audited per row; the metric's
    roll-ups are redone after commit. Attribute charts (p, u, Laney) need the numerator and
    denominator; a proportion's numerator cannot exceed its denominator."""
    require(actor, Action.MEASUREMENT_LOAD)
    errors: dict[str, str] = {}
    _facility_check(facility, errors, required=True)
    period = Measurement(period_start=period_start, period_end=period_end)
    field_errors(period, ("period_start", "period_end"), errors)
    if not {"period_start", "period_end"} & set(errors):
        period_start, period_end = period.period_start, period.period_end
        _period_check(
            metric=metric,
            facility=facility,
            period_start=period_start,
            period_end=period_end,
            errors=errors,
        )
    figures = {
        name: _figure(raw, name, errors)
        for name, raw in (("value", value), ("numerator", numerator), ("denominator", denominator))
    }
    chart = metric.chart_type
    if not {"value", "numerator", "denominator"} & set(errors):
        try:
            figures["value"] = measurement_figures(
                multiplier=metric.multiplier,
                value=figures["value"],
                numerator=figures["numerator"],
                denominator=figures["denominator"],
            )
        except FigureError as exc:
            errors[exc.column] = exc.message
    if not {"value", "numerator", "denominator"} & set(errors):
        numerator, denominator = figures["numerator"], figures["denominator"]
        if chart in ATTRIBUTE_CHARTS and (numerator is None or denominator is None):
            errors["numerator" if numerator is None else "denominator"] = (
                f"A {ChartType(chart).label} needs the numerator and denominator of every period."
            )
        elif refused := chart_figures_error(
            chart, numerator=numerator, denominator=denominator, value=figures["value"]
        ):
            errors[refused.column] = refused.message
    if errors:
        raise ValidationError(errors)
    lock(metric)
    now = timezone.now()
    changes: dict[str, Any] = {
        "period_end": period_end,
        "value": figures["value"],
        "numerator": figures["numerator"],
        "denominator": figures["denominator"],
        "batch": None,
        "entered_by": actor,
        "source_system": "",
        "definition_version": metric.definition_version,
        "extracted_at": None,
    }
    current = (
        Measurement.objects.select_for_update()
        .filter(metric=metric, facility=facility, period_start=period_start)
        .first()
    )
    if current is None:
        measurement = Measurement.objects.create(
            metric=metric, facility=facility, period_start=period_start, updated_at=now, **changes
        )
        audit_created(instance=measurement, actor=actor, fields=MEASUREMENT_FIELDS)
    else:
        measurement = current
        audited_update(measurement, actor=actor, changes=changes, note="entered by hand")
    rollup_enqueue(metric_ids=[metric.pk], actor=actor)
    return measurement
