"""Writes of a metric's attribution links: the initiatives expected to move it, each with a
share of the change (a metric's shares sum to at most 100)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from informatics.audit import audit_record, diff
from informatics.choices import AuditAction
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, lock
from initiatives.models import BenefitLine, Initiative
from metrics.models import Metric, MetricInitiative

SHARE_MAX = Decimal(100)


def _link_labels(metric: Metric) -> list[str]:
    """The metric's links as audit values: initiatives by number only (titles are free text
    an admin may redact)."""
    return [
        f"initiative #{initiative_id}: {share.normalize():f}%"
        for initiative_id, share in MetricInitiative.objects.filter(metric=metric)
        .order_by("initiative_id")
        .values_list("initiative_id", "share")
    ]


def _links_audit(*, actor: User, metric: Metric, before: list[str], note: str) -> None:
    """Audit the metric's links as they now are against `before`; no change, no event."""
    audit_record(
        instance=metric,
        actor=actor,
        action=AuditAction.UPDATE,
        changes=diff({"initiatives": before}, {"initiatives": _link_labels(metric)}),
        note=note,
    )


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
    field_errors(candidate, ("share",), errors)
    number = candidate.share
    if "share" not in errors and not 0 <= number <= SHARE_MAX:
        errors["share"] = "Give the share as a percentage from 0 to 100, with at most 2 decimals."
    if not isinstance(initiative, Initiative) or not initiative.pk:
        errors["initiative"] = "Choose an initiative."
    elif benefit_line is not None and benefit_line.initiative_id != initiative.pk:
        errors["benefit_line"] = "Choose a line of this initiative's benefit plan."
    if errors:
        raise ValidationError(errors)
    locked = lock(metric)
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
    _links_audit(
        actor=actor, metric=locked, before=before, note=f"initiative #{initiative.pk} linked"
    )
    return link


@transaction.atomic
def metric_unlink_initiative(*, actor: User, metric: Metric, initiative: Initiative) -> None:
    """Take the initiative's attribution off the metric (CMIO, CMO, admin); its go-live no
    longer marks the metric's charts."""
    require(actor, Action.METRIC_EDIT)
    locked = lock(metric)
    before = _link_labels(locked)
    deleted, _ = MetricInitiative.objects.filter(metric=locked, initiative=initiative).delete()
    if deleted:
        _links_audit(
            actor=actor, metric=locked, before=before, note=f"initiative #{initiative.pk} unlinked"
        )
