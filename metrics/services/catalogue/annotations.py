"""Writes of a metric's timeline: PDSA tests, rebases and notes. Go-lives are read from the
linked initiatives, never written here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from informatics.audit import audit_created, audited_delete
from informatics.models import Facility, User
from informatics.permissions import Action, require
from informatics.phi import phi_guard
from informatics.services.records import field_errors, record_phi
from metrics.choices import AnnotationKind
from metrics.models import Annotation, Metric
from metrics.services.catalogue._common import _facility_check, _text
from metrics.services.rollups import rollup_enqueue

ANNOTATION_FIELDS = ("metric", "facility", "kind", "date", "label", "reason")


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
    annotation = Annotation(
        metric=metric,
        kind=kind,
        date=date,
        label=_text(label),
        reason=_text(reason),
        created_by=actor,
    )
    field_errors(annotation, ("kind", "date", "label", "reason"), errors)
    if kind == AnnotationKind.REBASE and not annotation.reason:
        errors["reason"] = (
            "Say why the limits start again here (the process change), so readers can judge it."
        )
    _facility_check(facility, errors)
    if errors:
        raise ValidationError(errors)
    findings = phi_guard(
        fields={"label": annotation.label, "reason": annotation.reason}, confirmed=phi_confirmed
    )
    annotation.facility = facility  # set once checked: the model refuses any other value
    annotation.save(force_insert=True)
    audit_created(instance=annotation, actor=actor, fields=ANNOTATION_FIELDS)
    record_phi(instance=annotation, findings=findings, actor=actor)
    if kind == AnnotationKind.REBASE:
        rollup_enqueue(metric_ids=[metric.pk], actor=actor)
    return annotation


@transaction.atomic
def annotation_delete(*, actor: User, annotation: Annotation) -> None:
    """Take an annotation off the timeline (CMIO, CMO, admin); removing a rebase joins its
    segments again."""
    require(actor, Action.METRIC_EDIT)
    metric_id, kind = annotation.metric_id, annotation.kind
    audited_delete(instance=annotation, actor=actor, fields=ANNOTATION_FIELDS)
    if kind == AnnotationKind.REBASE:
        rollup_enqueue(metric_ids=[metric_id], actor=actor)
