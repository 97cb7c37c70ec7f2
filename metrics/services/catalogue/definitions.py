"""Writes of the catalogue's metrics: how each is defined, measured, charted and judged, the
priorities it evidences and the metrics to read beside it."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import CharField, Q, TextField

from informatics.audit import diff, field_values
from informatics.exceptions import Conflict, StaleEdit, refuse
from informatics.models import StrategicPriority, User
from informatics.permissions import Action, require
from informatics.services.records import (
    Writes,
    copy_back,
    field_errors,
    lock,
    refuse_unknown_fields,
    versioned_create,
    versioned_update,
)
from metrics.choices import ChartType, MetricFrequency, RulePreset
from metrics.models import Measurement, Metric
from metrics.services.catalogue._common import _text
from metrics.services.rollups import rollup_enqueue
from metrics.spc import ATTRIBUTE_CHARTS

METRIC_FIELDS = (
    "code",
    "name",
    "definition",
    "definition_source",
    "definition_version",
    "fhir_measure_url",
    "value_category",
    "aim",
    "unit",
    "multiplier",
    "direction",
    "frequency",
    "chart_type",
    "rule_preset",
    "screen_outliers",
    "baseline_points",
    "data_lag_days",
    "owner",
    "is_active",
)
METRIC_M2M = ("priorities", "balancing_metrics")
METRIC_EDITABLE = (*METRIC_FIELDS, *METRIC_M2M)
# The texts typed in (not chosen from a list): kept as typed, bar the spaces around them.
METRIC_TEXT_FIELDS = tuple(
    name
    for name in METRIC_FIELDS
    if isinstance(field := Metric._meta.get_field(name), CharField | TextField)
    and not field.choices
)
# A change to any of these changes what the metric's charts show: its roll-ups are redone.
ROLLUP_FIELDS = frozenset(
    {
        "chart_type",
        "rule_preset",
        "direction",
        "multiplier",
        "screen_outliers",
        "baseline_points",
        "data_lag_days",
    }
)
LAG_MAX = 366
BASELINE_MAX = 1000


def _metric_check(fields: Mapping[str, Any], *, current: Metric | None = None) -> dict[str, Any]:
    """Clean the metric's fields (only those given) or raise field-named errors: first the
    model's own field checks (types, lengths, blanks, choices, the code's and the URL's
    formats), then the catalogue's rules."""
    errors: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    cleaned = dict(fields)
    for name in METRIC_TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    scalars = [name for name in METRIC_FIELDS if name in cleaned and name != "owner"]
    candidate = Metric(**{name: cleaned[name] for name in scalars})
    field_errors(candidate, scalars, errors)
    cleaned.update({name: getattr(candidate, name) for name in scalars if name not in errors})

    def given(name: str) -> bool:
        return name in cleaned and name not in errors

    others = Metric.objects.exclude(pk=current.pk) if current else Metric.objects.all()
    code = cleaned.get("code")
    if given("code") and others.filter(code__iexact=code).exists():
        conflicts["code"] = f"Another metric already has the code {code!r}."
    url = cleaned.get("fhir_measure_url")
    if given("fhir_measure_url") and url and others.filter(fhir_measure_url=url).exists():
        conflicts["fhir_measure_url"] = "Another metric already cites this FHIR Measure."
    if given("multiplier") and cleaned["multiplier"] <= 0:
        errors["multiplier"] = (
            "Give a number greater than 0 with at most 4 decimals (1, 100 or 1000)."
        )
    chart = cleaned.get("chart_type", current.chart_type if current else ChartType.XMR)
    screen = cleaned.get("screen_outliers", current.screen_outliers if current else False)
    if screen is True and chart != ChartType.XMR and "chart_type" not in errors:
        field = "screen_outliers" if "screen_outliers" in cleaned else "chart_type"
        errors.setdefault(field, "Only an XmR chart screens outliers; turn screening off first.")
    baseline = cleaned.get("baseline_points")
    if given("baseline_points") and baseline is not None and not 2 <= baseline <= BASELINE_MAX:
        errors["baseline_points"] = (
            f"Give the number of points to freeze the limits after (2 to {BASELINE_MAX}), or "
            "leave it blank to use every point."
        )
    if given("data_lag_days") and cleaned["data_lag_days"] > LAG_MAX:
        errors["data_lag_days"] = f"Give a whole number of days from 0 to {LAG_MAX}."
    owner = cleaned.get("owner")
    kept_owner = current is not None and owner is not None and current.owner_id == owner.pk
    if (
        owner is not None
        and not kept_owner
        and (not isinstance(owner, User) or not owner.is_active)
    ):
        errors["owner"] = "Choose an active person as the metric's owner."
    if "priorities" in cleaned:
        priorities = list(dict.fromkeys(cleaned["priorities"] or ()))
        had = set(current.priorities.values_list("pk", flat=True)) if current else set()
        if not all(
            isinstance(p, StrategicPriority) and (p.pk in had or p.is_active) for p in priorities
        ):
            errors["priorities"] = "Link the metric to active strategic priorities only."
        cleaned["priorities"] = priorities
    if "balancing_metrics" in cleaned:
        balancing = list(dict.fromkeys(cleaned["balancing_metrics"] or ()))
        if not all(isinstance(m, Metric) and m.pk for m in balancing):
            errors["balancing_metrics"] = "Choose balancing metrics from the catalogue."
        elif current is not None and any(m.pk == current.pk for m in balancing):
            errors["balancing_metrics"] = "A metric cannot balance itself."
        cleaned["balancing_metrics"] = balancing
    refuse(errors, conflicts)
    return cleaned


def _data_check(metric: Metric, cleaned: Mapping[str, Any]) -> None:
    """Changes that would contradict the measurements already stored."""
    errors: dict[str, str] = {}
    measurements = Measurement.objects.filter(metric=metric)
    if "multiplier" in cleaned and cleaned["multiplier"] != metric.multiplier:
        count = measurements.count()
        if count:
            errors["multiplier"] = (
                f"{count} measurements were stored as numerator ÷ denominator × "
                f"{metric.multiplier.normalize():f}; the multiplier cannot change under them. "
                "Create a new metric (or a new definition version) instead."
            )
    chart = cleaned.get("chart_type")
    if chart in ATTRIBUTE_CHARTS and chart != metric.chart_type:
        missing = measurements.filter(Q(numerator__isnull=True) | Q(denominator__isnull=True))
        count = missing.count()
        if count:
            errors["chart_type"] = (
                f"A {ChartType(chart).label} needs a numerator and denominator for every "
                f"period; {count} measurements have none."
            )
    if errors:
        raise Conflict(errors)


def _m2m_values(metric: Metric) -> dict[str, list[str]]:
    return {
        "priorities": sorted(p.title for p in metric.priorities.all()),
        "balancing_metrics": sorted(m.code for m in metric.balancing_metrics.all()),
    }


def _m2m_set(metric: Metric, cleaned: Mapping[str, Any]) -> None:
    if "priorities" in cleaned:
        metric.priorities.set(cleaned["priorities"])
    if "balancing_metrics" in cleaned:
        metric.balancing_metrics.set(cleaned["balancing_metrics"])


METRIC_WRITES = Writes(METRIC_FIELDS, METRIC_M2M, _m2m_values, _m2m_set)


# --- Metrics --------------------------------------------------------------------------------


@transaction.atomic
def metric_create(
    *,
    actor: User,
    code: str,
    name: str,
    value_category: str,
    aim: str,
    unit: str,
    direction: str,
    chart_type: str,
    definition: str = "",
    definition_source: str = "",
    definition_version: str = "",
    fhir_measure_url: str = "",
    multiplier: Decimal | int | str = 1,
    frequency: str = MetricFrequency.MONTHLY,
    rule_preset: str = RulePreset.MDC,
    screen_outliers: bool = False,
    baseline_points: int | None = None,
    data_lag_days: int = 0,
    owner: User | None = None,
    is_active: bool = True,
    priorities: Iterable[StrategicPriority] = (),
    balancing_metrics: Iterable[Metric] = (),
    phi_confirmed: bool = False,
) -> Metric:
    """Add a metric to the catalogue (CMIO, CMO, admin): how it is defined, measured, charted
    and judged, the priorities it evidences and the metrics to read beside it."""
    require(actor, Action.METRIC_EDIT)
    cleaned = _metric_check(
        {
            "code": code,
            "name": name,
            "definition": definition,
            "definition_source": definition_source,
            "definition_version": definition_version,
            "fhir_measure_url": fhir_measure_url,
            "value_category": value_category,
            "aim": aim,
            "unit": unit,
            "multiplier": multiplier,
            "direction": direction,
            "frequency": frequency,
            "chart_type": chart_type,
            "rule_preset": rule_preset,
            "screen_outliers": screen_outliers,
            "baseline_points": baseline_points,
            "data_lag_days": data_lag_days,
            "owner": owner,
            "is_active": is_active,
            "priorities": priorities,
            "balancing_metrics": balancing_metrics,
        }
    )
    return versioned_create(
        Metric, cleaned, actor=actor, writes=METRIC_WRITES, confirmed=phi_confirmed
    )


@transaction.atomic
def metric_update(
    *, actor: User, metric: Metric, version: int, phi_confirmed: bool = False, **changes: Any
) -> Metric:
    """Edit a metric (CMIO, CMO, admin). Refused with StaleEdit when someone saved it since
    `version`. The multiplier cannot change under stored measurements, nor can the chart
    become an attribute chart when measurements lack numerators or denominators. A change to
    how the metric is charted or judged redoes its roll-ups."""
    require(actor, Action.METRIC_EDIT)
    locked = lock(metric)
    if locked.version != version:
        raise StaleEdit(current=locked, expected_version=version)
    refuse_unknown_fields(changes, METRIC_EDITABLE)
    cleaned = _metric_check(changes, current=locked)
    _data_check(locked, cleaned)
    before = field_values(locked, [name for name in METRIC_FIELDS if name in cleaned])
    versioned_update(
        locked, cleaned, actor=actor, version=version, writes=METRIC_WRITES, confirmed=phi_confirmed
    )
    moved = diff(before, field_values(locked, before.keys()))
    if ROLLUP_FIELDS & set(moved):
        rollup_enqueue(metric_ids=[locked.pk], actor=actor)
    copy_back(metric, locked)
    return metric
