"""Intake: requests from physicians, their votes, comments, scores and status timeline, and
the scoring rubric.

A request does not know the initiative that delivers it: the portfolio owns that link
(`initiatives.LinkedRequest`) and moves linked requests along through this app's services, so
imports point down, from initiatives to intake. The request page shows the link through a panel
that the initiatives app registers (`informatics.panels`).
"""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from informatics import limits
from informatics.choices import Route
from informatics.models import (
    Facility,
    StrategicPriority,
    TimelineEntry,
    TimeStampedModel,
    User,
    VersionedModel,
    one_row_per,
)
from intake.choices import (
    CommentKind,
    DeclineReason,
    EffortBand,
    Frequency,
    RequestKind,
    RequestStatus,
    ScoreReason,
)


class Rubric(models.Model):
    """One version of the scoring rubric. Editing makes a new version; scores keep theirs.

    `criteria`: [{"code", "label", "weight"}] with weights summing to 100, each rated 0–5.
    `gates`: {"fast_track": [kinds…], "mandatory": [kinds…]} — kinds (and the safety and
    regulatory flags) that skip scoring order and go to a route straight away.
    `effort_points`: {"XS": 1, "S": 2, "M": 3, "L": 5, "XL": 8}.
    """

    version = models.PositiveIntegerField(unique=True)
    criteria = models.JSONField()
    gates = models.JSONField(default=dict)
    effort_points = models.JSONField()
    is_current = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="rubric_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"Rubric v{self.version}"


class IntakeRequest(VersionedModel):
    """A pain point or enhancement request, from submission to a closed loop."""

    # What the submitter tells us.
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    title = models.CharField(max_length=200)
    story_today = limits.text(limits.LONG_TEXT, help_text="What happens today.")
    story_wanted = limits.text(limits.LONG_TEXT, help_text="What should happen instead.")
    workflow_area = models.CharField(max_length=100, blank=True)
    ehr_module = models.CharField(max_length=100, blank=True)
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    specialty = models.CharField(max_length=100, blank=True)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    minutes_lost = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes lost each time it happens."
    )
    is_safety_concern = models.BooleanField(default=False)
    is_regulatory = models.BooleanField(default=False)
    suggested_priority = models.ForeignKey(
        StrategicPriority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_private = models.BooleanField(
        default=False, help_text="Only the submitter and the informatics team see it."
    )
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="requests")
    submission_key = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The one-time key of the form that submitted it: the same form posted again "
        "finds this request instead of making a second one.",
    )

    # What triage decides.
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    priorities = models.ManyToManyField(StrategicPriority, blank=True, related_name="requests")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    ratings = models.JSONField(default=dict, blank=True, help_text="Triage ratings 0–5.")
    reach_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Triage's reach rating, when above the people count's."
    )
    build_hours = models.PositiveIntegerField(null=True, blank=True)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    current_score = models.ForeignKey(
        "RequestScore", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["submitted_by", "-created_at"]),
            # The list's order (newest first), read backwards: a page without a sort.
            models.Index(fields=["created_at", "id"], name="request_created_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="request_not_duplicate_of_itself"
            ),
            one_row_per("submitted_by", "submission_key", name="request_one_per_submission_key"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class RequestVote(models.Model):
    """A "+1": another person has the same problem, with their own context."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="request_votes")
    specialty = models.CharField(max_length=100, blank=True)
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    merged_from = models.ForeignKey(
        IntakeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [one_row_per("request", "voter", name="vote_once_per_request")]

    def __str__(self) -> str:
        return f"+1 by {self.voter} on {self.request_id}"


class RequestComment(TimeStampedModel):
    """The thread between the submitter and triage: comments, questions and answers."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=CommentKind.choices, default=CommentKind.COMMENT)
    body = limits.text(limits.COMMENT)
    answered_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on #{self.request_id}"


class RequestScore(models.Model):
    """One score of one request under one rubric version, with its per-criterion breakdown.

    Rows are never updated: a new row is made by an event on the request itself.
    `breakdown`: {code: {"label", "weight", "rating", "points"}}.
    """

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="scores")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="scores")
    reason = models.CharField(max_length=10, choices=ScoreReason.choices)
    breakdown = models.JSONField()
    people = models.PositiveIntegerField(help_text="Distinct people behind the request.")
    reach = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=6, decimal_places=2)
    effort_band = models.CharField(max_length=2, choices=EffortBand.choices)
    effort_points = models.PositiveSmallIntegerField()
    priority_index = models.DecimalField(max_digits=7, decimal_places=2)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0, value__lte=100), name="score_value_0_100"
            ),
            models.CheckConstraint(condition=Q(effort_points__gt=0), name="score_effort_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.value} / {self.effort_points} on #{self.request_id} (v{self.rubric_id})"

    @property
    def ordered_breakdown(self) -> list[dict[str, Any]]:
        """The breakdown in the order of the rubric's criteria (PostgreSQL's jsonb keeps no key
        order). Reads `rubric`: select it with the score."""
        order = {criterion["code"]: n for n, criterion in enumerate(self.rubric.criteria)}
        rows = [{"code": code, **item} for code, item in self.breakdown.items()]
        return sorted(rows, key=lambda row: order.get(row["code"], len(order)))


class RequestStatusChange(TimelineEntry):
    """The status timeline the submitter sees."""

    request = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    note = limits.text(limits.NOTE, blank=True)

    def __str__(self) -> str:
        return f"#{self.request_id}: {self.from_status or '—'} → {self.to_status}"


class SavedView(models.Model):
    """A user's named view of the request list: its filters and order, as a query string."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_request_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [one_row_per("owner", "name", name="saved_view_name_per_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"
