"""The minutes of a held review as a PDF: attendees, the agenda with its notes, the decisions
with their rationales and the action items, stored through Django's storage with the review."""

from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from governance.choices import ReviewStatus
from governance.models import ActionItem, Decision, Review
from informatics.models import Redaction
from informatics.services import site_settings_get


def review_minutes_pdf(*, review: Review) -> bytes:
    """The minutes of `review`, rendered to PDF bytes."""
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    decisions = list(
        Decision.objects.filter(review=review)
        .select_related("request", "initiative", "priority", "decided_by")
        .order_by("decided_at", "pk")
    )
    actions = list(
        ActionItem.objects.filter(body=review.body, agenda_item__review=review).select_related(
            "owner"
        )
        | ActionItem.objects.filter(decision__review=review).select_related("owner")
    )
    html = render_to_string(
        "governance/minutes_pdf.html",
        {
            "review": review,
            "organisation": site_settings_get().organisation_name,
            "attendees": list(review.attendees.order_by("full_name", "pk")),
            "items": list(review.items.order_by("position")),
            "decisions": decisions,
            "actions": sorted(set(actions), key=lambda item: (item.due_on, item.pk)),
            "generated_at": timezone.now(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def review_minutes_render(*, review_id: int) -> bool:
    """Render and store the minutes PDF of a held review (again, replacing the old file, when
    run again). False when the review is not held."""
    review = Review.objects.select_related("body").filter(pk=review_id).first()
    if review is None or review.status != ReviewStatus.HELD:
        return False
    content = review_minutes_pdf(review=review)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review_id)
        storage = locked.minutes_pdf.storage
        for old in {locked.minutes_pdf.name, f"governance/minutes/review-{review_id}.pdf"}:
            if old and storage.exists(old):
                storage.delete(old)  # the new minutes replace the old under the same name
        locked.minutes_pdf.save(f"review-{review_id}.pdf", ContentFile(content), save=False)
        Review.objects.filter(pk=review_id).update(minutes_pdf=locked.minutes_pdf.name)
    return True


def minutes_redacted(*, redaction: Redaction, rewritten: dict[str, set[Any]]) -> list[int]:
    """After a redaction (the kernel's `text_redact`, in its transaction; see the app's
    `redaction_followups`): render again the stored minutes of every held review that show a
    rewritten record — the review's own minutes, an agenda item, a decision or an action
    item of it, or the request, initiative or priority a decision of it is about. Returns the
    reviews' ids. The Redaction row records who, when and which record."""

    def pks(label: str) -> Iterable[Any]:
        return rewritten.get(label, set())

    shown = (
        Q(pk__in=pks("governance.review"))
        | Q(items__in=pks("governance.agendaitem"))
        | Q(decisions__in=pks("governance.decision"))
        | Q(decisions__request__in=pks("intake.intakerequest"))
        | Q(decisions__initiative__in=pks("initiatives.initiative"))
        | Q(decisions__priority__in=pks("informatics.strategicpriority"))
        | Q(items__actions__in=pks("governance.actionitem"))
        | Q(decisions__actions__in=pks("governance.actionitem"))
    )
    reviews = list(
        Review.objects.filter(shown, status=ReviewStatus.HELD)
        .exclude(minutes_pdf="")
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    for review_id in reviews:
        review_minutes_render(review_id=review_id)
    return reviews
