"""Scheduling and holding a body's reviews (meetings): who attends, the minutes."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from governance.choices import ReviewStatus
from governance.models import GovernanceBody, Review
from informatics.audit import audit_created, audit_record, audited_update
from informatics.choices import AuditAction
from informatics.exceptions import Conflict
from informatics.models import User
from informatics.permissions import Action, require
from informatics.services.records import field_errors, guard_record_text, record_phi


def _planned(review: Review) -> None:
    if review.status != ReviewStatus.PLANNED:
        raise Conflict(
            {"review": f"The review is {review.get_status_display().lower()}; it is not planned."}
        )


def _set_attendees(*, review: Review, actor: User, attendees: Iterable[User]) -> None:
    before = sorted(str(user) for user in review.attendees.all())
    review.attendees.set(list(attendees))
    after = sorted(str(user) for user in review.attendees.all())
    if before != after:
        audit_record(
            instance=review,
            actor=actor,
            action=AuditAction.UPDATE,
            changes={"attendees": [before, after]},
        )


@transaction.atomic
def review_schedule(
    *,
    actor: User,
    body: GovernanceBody,
    scheduled_for: datetime.datetime,
    attendees: Iterable[User] = (),
) -> Review:
    """Plan a review of `body` at `scheduled_for`: its chair, the CMO or the CMIO."""
    require(actor, Action.REVIEW_CHAIR, body)
    if not body.is_active:
        raise Conflict({"body": f"{body} is no longer active."})
    review = Review(body=body, scheduled_for=scheduled_for, created_by=actor)
    errors: dict[str, str] = {}
    field_errors(review, ["scheduled_for"], errors)
    if errors:
        raise ValidationError(errors)
    review.save()
    people = list(attendees)
    review.attendees.set(people)
    audit_created(
        instance=review,
        actor=actor,
        fields=["body", "scheduled_for", "status"],
        extra={"attendees": sorted(str(user) for user in people)},
    )
    return review


@transaction.atomic
def review_update(
    *,
    actor: User,
    review: Review,
    attendees: Iterable[User] | None = None,
    minutes: str | None = None,
    phi_confirmed: bool = False,
) -> Review:
    """Record who attended and the minutes (guarded against patient information)."""
    require(actor, Action.REVIEW_CHAIR, review.body)
    if review.status == ReviewStatus.CANCELLED:
        raise Conflict({"review": "The review was cancelled."})
    changes: dict[str, Any] = {}
    if minutes is not None:
        changes["minutes"] = minutes.strip()
        errors: dict[str, str] = {}
        probe = Review(minutes=changes["minutes"])
        field_errors(probe, ["minutes"], errors)
        if errors:
            raise ValidationError(errors)
    findings = guard_record_text(Review, changes, confirmed=phi_confirmed)
    if changes:
        audited_update(review, actor=actor, changes=changes)
        record_phi(instance=review, findings=findings, actor=actor)
    if attendees is not None:
        _set_attendees(review=review, actor=actor, attendees=attendees)
    return review


@transaction.atomic
def review_hold(*, actor: User, review: Review) -> Review:
    """Mark the review held; its minutes PDF is rendered once the change commits."""
    require(actor, Action.REVIEW_CHAIR, review.body)
    _planned(review)
    audited_update(review, actor=actor, changes={"status": ReviewStatus.HELD})
    from governance.tasks import review_minutes_render_task  # the tasks module imports services

    review_id = review.pk
    transaction.on_commit(lambda: review_minutes_render_task.delay(review_id))
    return review
