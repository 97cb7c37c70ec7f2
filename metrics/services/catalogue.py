"""Writes of the metric catalogue — metrics, targets, timeline annotations, attribution links
to initiatives — and measurements entered by hand.

Every function checks who may act (METRIC_EDIT for the catalogue: CMIO, CMO, admin;
MEASUREMENT_LOAD for measurements: informaticists and the CMIO), validates before writing
anything — the model's own field checks (types, lengths, choices), then the catalogue's rules,
each error naming its field — guards free text against patient information, records what
changed (informatics.audit; a hand-entered measurement per row, an imported one through its
batch) and, when a change alters what a chart shows, enqueues a roll-up of the metric after
commit.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from informatics.audit import audit_created, audit_record, audited_update, diff, field_values
from informatics.choices import AuditAction
from informatics.exceptions import StaleEdit
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action, require
from informatics.phi import PhiFinding, phi_confirmations_record, phi_guard
from initiatives.models import BenefitLine, Initiative
from metrics.choices import AnnotationKind, ChartType, MetricFrequency, RulePreset
from metrics.figures import FigureError, measurement_figures, parse_decimal, stored
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target
from metrics.periods import period_is_regular, period_label
from metrics.services.rollups import rollup_enqueue, site_today
from metrics.spc import ATTRIBUTE_CHARTS, PROPORTION_CHARTS

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
METRIC_PHI_FIELDS = ("name", "definition")
# Kept as typed, bar the spaces around them.
METRIC_TEXT_FIELDS = (
    "code",
    "name",
    "definition",
    "definition_source",
    "definition_version",
    "fhir_measure_url",
    "unit",
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
TARGET_FIELDS = ("metric", "facility", "value", "due_date", "note")
ANNOTATION_FIELDS = ("metric", "facility", "kind", "date", "label", "reason")
MEASUREMENT_FIELDS = (
    "metric",
    "facility",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
)
SHARE_MAX = Decimal(100)


# --- Checks ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").strip()


def _field_errors(instance: models.Model, names: Iterable[str], errors: dict[str, str]) -> None:
    """The model's own checks of the fields `names` of `instance` — type, length, blank,
    choices and validators, as the model declares them — with each value converted as it will
    be stored ("12.5" → Decimal, "2026-03-01" → date). The first message of each failing field
    goes into `errors`, unless the field already has one there (a domain message checked
    first wins). Give only non-relational fields: a foreign key would be looked up."""
    wanted = set(names)
    others = [field.name for field in instance._meta.concrete_fields if field.name not in wanted]
    try:
        instance.clean_fields(exclude=others)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, messages[0])


def _metric_check(fields: Mapping[str, Any], *, current: Metric | None = None) -> dict[str, Any]:
    """Clean the metric's fields (only those given) or raise field-named errors: first the
    model's own field checks (types, lengths, blanks, choices, the code's and the URL's
    formats), then the catalogue's rules."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name in METRIC_TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    scalars = [name for name in METRIC_FIELDS if name in cleaned and name != "owner"]
    candidate = Metric(**{name: cleaned[name] for name in scalars})
    _field_errors(candidate, scalars, errors)
    cleaned.update({name: getattr(candidate, name) for name in scalars if name not in errors})

    def given(name: str) -> bool:
        return name in cleaned and name not in errors

    others = Metric.objects.exclude(pk=current.pk) if current else Metric.objects.all()
    code = cleaned.get("code")
    if given("code") and others.filter(code__iexact=code).exists():
        errors["code"] = f"Another metric already has the code {code!r}."
    url = cleaned.get("fhir_measure_url")
    if given("fhir_measure_url") and url and others.filter(fhir_measure_url=url).exists():
        errors["fhir_measure_url"] = "Another metric already cites this FHIR Measure."
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
    if errors:
        raise ValidationError(errors)
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
        raise ValidationError(errors)


def _unknown_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))


def _record_phi(*, instance: Any, findings: Mapping[str, list[PhiFinding]], actor: User) -> None:
    if any(findings.values()):
        phi_confirmations_record(instance=instance, findings=dict(findings), actor=actor)


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


def _lock(metric: Metric) -> Metric:
    """The metric's row, locked for the rest of the transaction."""
    locked: Metric = Metric.objects.select_for_update().get(pk=metric.pk)
    return locked


def _copy_back(metric: Metric, source: Metric) -> None:
    for field in Metric._meta.concrete_fields:
        setattr(metric, field.attname, getattr(source, field.attname))


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
    findings = phi_guard(
        fields={name: cleaned[name] for name in METRIC_PHI_FIELDS}, confirmed=phi_confirmed
    )
    now = timezone.now()
    metric = Metric.objects.create(
        **{name: cleaned[name] for name in METRIC_FIELDS}, created_at=now, updated_at=now
    )
    _m2m_set(metric, cleaned)
    values = field_values(metric, METRIC_FIELDS)
    values.update(_m2m_values(metric))
    audit_record(
        instance=metric,
        actor=actor,
        action=AuditAction.CREATE,
        changes={name: [None, value] for name, value in values.items()},
    )
    _record_phi(instance=metric, findings=findings, actor=actor)
    return metric


@transaction.atomic
def metric_update(
    *, actor: User, metric: Metric, version: int, phi_confirmed: bool = False, **changes: Any
) -> Metric:
    """Edit a metric (CMIO, CMO, admin). Refused with StaleEdit when someone saved it since
    `version`. The multiplier cannot change under stored measurements, nor can the chart
    become an attribute chart when measurements lack numerators or denominators. A change to
    how the metric is charted or judged redoes its roll-ups."""
    require(actor, Action.METRIC_EDIT)
    locked = _lock(metric)
    if locked.version != version:
        raise StaleEdit(current=locked, expected_version=version)
    _unknown_fields(changes, METRIC_EDITABLE)
    cleaned = _metric_check(changes, current=locked)
    _data_check(locked, cleaned)
    changed_text = {
        name: cleaned[name]
        for name in METRIC_PHI_FIELDS
        if name in cleaned and cleaned[name] != getattr(locked, name)
    }
    findings = phi_guard(fields=changed_text, confirmed=phi_confirmed)
    before = field_values(locked, [name for name in METRIC_FIELDS if name in cleaned])
    m2m_before = _m2m_values(locked)
    audited_update(
        locked,
        actor=actor,
        changes={name: cleaned[name] for name in METRIC_FIELDS if name in cleaned},
        expected_version=version,
    )
    if set(METRIC_M2M) & set(cleaned):
        _m2m_set(locked, cleaned)
        m2m_after = _m2m_values(locked)
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes=diff(
                {name: m2m_before[name] for name in METRIC_M2M if name in cleaned},
                {name: m2m_after[name] for name in METRIC_M2M if name in cleaned},
            ),
        )
    _record_phi(instance=locked, findings=findings, actor=actor)
    moved = diff(before, field_values(locked, before.keys()))
    if ROLLUP_FIELDS & set(moved):
        rollup_enqueue(metric_ids=[locked.pk], actor=actor)
    _copy_back(metric, locked)
    return metric


# --- Targets --------------------------------------------------------------------------------


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


def _facility_check(facility: Any, errors: dict[str, str], *, required: bool = False) -> None:
    if facility is None:
        if required:
            errors["facility"] = "Choose the facility."
        return
    if not isinstance(facility, Facility) or not facility.is_active:
        errors["facility"] = "Choose an active facility (or none for the whole system)."


@transaction.atomic
def target_set(
    *,
    actor: User,
    metric: Metric,
    value: Decimal | int | str,
    due_date: datetime.date,
    facility: Facility | None = None,
    note: str = "",
    phi_confirmed: bool = False,
) -> Target:
    """Set the value `metric` should reach by `due_date`, for `facility` or (None) the whole
    system (CMIO, CMO, admin). A target for the same facility and due date is replaced. Which
    target charts and assurance judge against: `metrics.targets.applicable_target`."""
    require(actor, Action.METRIC_EDIT)
    errors: dict[str, str] = {}
    candidate = Target(value=value, due_date=due_date, note=_text(note))
    _field_errors(candidate, ("value", "due_date", "note"), errors)
    _facility_check(facility, errors)
    if errors:
        raise ValidationError(errors)
    findings = phi_guard(fields={"note": candidate.note}, confirmed=phi_confirmed)
    _lock(metric)
    # The unique constraint on (metric, facility, due date) backs this upsert; the lock on the
    # metric's row makes a second writer wait rather than fail on it.
    current = Target.objects.filter(
        metric=metric, facility=facility, due_date=candidate.due_date
    ).first()
    if current is None:
        target = Target.objects.create(
            metric=metric,
            facility=facility,
            value=candidate.value,
            due_date=candidate.due_date,
            note=candidate.note,
            created_by=actor,
        )
        audit_created(instance=target, actor=actor, fields=TARGET_FIELDS)
    else:
        target = current
        audited_update(
            target, actor=actor, changes={"value": candidate.value, "note": candidate.note}
        )
    _record_phi(instance=target, findings=findings, actor=actor)
    rollup_enqueue(metric_ids=[metric.pk], actor=actor)
    return target


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    """Remove a target (CMIO, CMO, admin); the metric's charts are judged again."""
    require(actor, Action.METRIC_EDIT)
    metric_id = target.metric_id
    values = field_values(target, TARGET_FIELDS)
    audit_record(
        instance=target,
        actor=actor,
        action=AuditAction.DELETE,
        changes={name: [value, None] for name, value in values.items()},
    )
    target.delete()
    rollup_enqueue(metric_ids=[metric_id], actor=actor)


# --- Annotations ----------------------------------------------------------------------------


@transaction.atomic
def annotation_add(
    *,
    actor: User,
    metric: Metric,
    kind: str,
    date: datetime.date,
    label: str,
    reason: str = "",
    facility: Facility | None = None,
    phi_confirmed: bool = False,
) -> Annotation:
    """Put a PDSA test, a rebase or a note on the metric's timeline, for every facility's
    chart or (with `facility`) one (CMIO, CMO, admin). A rebase is a deliberate decision and
    needs a reason: it starts new limits at the first period from `date`. Go-lives are read
    from the linked initiatives, never written here, and never rebase by themselves."""
    require(actor, Action.METRIC_EDIT)
    errors: dict[str, str] = {}
    if kind == "go_live":
        errors["kind"] = (
            f"{kind!r} is not a PDSA test, rebase or note. Go-lives come from the linked "
            "initiatives."
        )
    candidate = Annotation(kind=kind, date=date, label=_text(label), reason=_text(reason))
    _field_errors(candidate, ("kind", "date", "label", "reason"), errors)
    if kind == AnnotationKind.REBASE and not candidate.reason:
        errors["reason"] = (
            "Say why the limits start again here (the process change), so readers can judge it."
        )
    _facility_check(facility, errors)
    if errors:
        raise ValidationError(errors)
    findings = phi_guard(
        fields={"label": candidate.label, "reason": candidate.reason}, confirmed=phi_confirmed
    )
    annotation = Annotation.objects.create(
        metric=metric,
        facility=facility,
        kind=candidate.kind,
        date=candidate.date,
        label=candidate.label,
        reason=candidate.reason,
        created_by=actor,
    )
    audit_created(instance=annotation, actor=actor, fields=ANNOTATION_FIELDS)
    _record_phi(instance=annotation, findings=findings, actor=actor)
    if kind == AnnotationKind.REBASE:
        rollup_enqueue(metric_ids=[metric.pk], actor=actor)
    return annotation


@transaction.atomic
def annotation_delete(*, actor: User, annotation: Annotation) -> None:
    """Take an annotation off the timeline (CMIO, CMO, admin); removing a rebase joins its
    segments again."""
    require(actor, Action.METRIC_EDIT)
    metric_id, kind = annotation.metric_id, annotation.kind
    values = field_values(annotation, ANNOTATION_FIELDS)
    audit_record(
        instance=annotation,
        actor=actor,
        action=AuditAction.DELETE,
        changes={name: [value, None] for name, value in values.items()},
    )
    annotation.delete()
    if kind == AnnotationKind.REBASE:
        rollup_enqueue(metric_ids=[metric_id], actor=actor)


# --- Attribution links ----------------------------------------------------------------------


def _link_labels(metric: Metric) -> list[str]:
    """The metric's links as audit values: initiatives by number only (titles are free text
    an admin may redact)."""
    return [
        f"initiative #{initiative_id}: {share.normalize():f}%"
        for initiative_id, share in MetricInitiative.objects.filter(metric=metric)
        .order_by("initiative_id")
        .values_list("initiative_id", "share")
    ]


@transaction.atomic
def metric_link_initiative(
    *,
    actor: User,
    metric: Metric,
    initiative: Initiative,
    share: Decimal | int | str,
    benefit_line: BenefitLine | None = None,
) -> MetricInitiative:
    """Attribute `share` percent of the metric's change to `initiative` (CMIO, CMO, admin),
    optionally naming the benefit-plan line the metric evidences. Linking again changes the
    share. A metric's shares sum to at most 100: checked under a lock on the metric's row, so
    two people linking at once cannot overshoot."""
    require(actor, Action.METRIC_EDIT)
    errors: dict[str, str] = {}
    candidate = MetricInitiative(share=share)
    _field_errors(candidate, ("share",), errors)
    number = candidate.share
    if "share" not in errors and not 0 <= number <= SHARE_MAX:
        errors["share"] = "Give the share as a percentage from 0 to 100, with at most 2 decimals."
    if not isinstance(initiative, Initiative) or not initiative.pk:
        errors["initiative"] = "Choose an initiative."
    elif benefit_line is not None and benefit_line.initiative_id != initiative.pk:
        errors["benefit_line"] = "Choose a line of this initiative's benefit plan."
    if errors:
        raise ValidationError(errors)
    locked = _lock(metric)
    others = (
        MetricInitiative.objects.filter(metric=locked)
        .exclude(initiative=initiative)
        .aggregate(total=Sum("share"))["total"]
    ) or Decimal(0)
    if others + number > SHARE_MAX:
        left = SHARE_MAX - others
        raise ValidationError(
            {
                "share": (
                    f"The shares of {locked.code} would sum to {(others + number).normalize():f}%; "
                    f"other initiatives hold {others.normalize():f}%, so at most "
                    f"{left.normalize():f}% is left."
                )
            }
        )
    before = _link_labels(locked)
    link, created = MetricInitiative.objects.get_or_create(
        metric=locked,
        initiative=initiative,
        defaults={"share": number, "benefit_line": benefit_line},
    )
    if not created:
        MetricInitiative.objects.filter(pk=link.pk).update(share=number, benefit_line=benefit_line)
        link.share, link.benefit_line = number, benefit_line
    audit_record(
        instance=locked,
        actor=actor,
        action=AuditAction.UPDATE,
        changes=diff({"initiatives": before}, {"initiatives": _link_labels(locked)}),
        note=f"initiative #{initiative.pk} linked",
    )
    return link


@transaction.atomic
def metric_unlink_initiative(*, actor: User, metric: Metric, initiative: Initiative) -> None:
    """Take the initiative's attribution off the metric (CMIO, CMO, admin); its go-live no
    longer marks the metric's charts."""
    require(actor, Action.METRIC_EDIT)
    locked = _lock(metric)
    before = _link_labels(locked)
    deleted, _ = MetricInitiative.objects.filter(metric=locked, initiative=initiative).delete()
    if deleted:
        audit_record(
            instance=locked,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"initiatives": [before, _link_labels(locked)]},
            note=f"initiative #{initiative.pk} unlinked",
        )


# --- Measurements entered by hand -----------------------------------------------------------


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
    _field_errors(period, ("period_start", "period_end"), errors)
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
        elif chart in PROPORTION_CHARTS and numerator is not None and denominator is not None:
            if numerator > denominator:
                errors["numerator"] = "A proportion's numerator cannot exceed its denominator."
        elif chart == ChartType.C and figures["value"] is not None and figures["value"] < 0:
            errors["value"] = "A count cannot be negative."
    if errors:
        raise ValidationError(errors)
    _lock(metric)
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
