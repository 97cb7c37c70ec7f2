"""Reviews (meetings) with their agenda, the decisions taken in or outside them, and the action
items decisions and agenda items leave behind."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.choices import ActionStatus, AgendaKind, Outcome, RedirectTo, ReviewStatus
from governance.models.bodies import GovernanceBody
from informatics import limits
from informatics.models import StrategicPriority, TimeStampedModel
from initiatives.models import Initiative
from intake.choices import DeclineReason
from intake.models import IntakeRequest
from metrics.models import Metric


class AgendaSettings(models.Model):
    """The thresholds that put portfolio signals on a proposed agenda; one row, an admin edits
    it (`agenda_settings()` reads it, creating it with the defaults)."""

    request_min_score = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=60,
        help_text="Requests routed to the body and scored at or above this value (0–100) "
        "await its decision; fast-tracked requests are proposed whatever their score.",
    )
    action_overdue_days = models.PositiveSmallIntegerField(
        default=0, help_text="Action items this many days past their due date are proposed."
    )
    max_items = models.PositiveSmallIntegerField(
        default=40, help_text="The most items a proposed agenda holds, most urgent first."
    )

    def __str__(self) -> str:
        return "Agenda thresholds"


class Review(TimeStampedModel):
    """A meeting of a body: the joint CMO–CMIO review sits in executive steering."""

    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="reviews")
    scheduled_for = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reviews_attended"
    )
    minutes = limits.text(limits.LONG_TEXT, blank=True)
    minutes_pdf = models.FileField(upload_to="governance/minutes/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-scheduled_for"]
        indexes = [models.Index(fields=["body", "scheduled_for"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.scheduled_for).date()
        return f"{self.body} review, {when:%d %b %Y}"


class AgendaItem(models.Model):
    """One item of a review's agenda: what it is about, and why it is there. An item about a
    metric or an overdue action ends with a note (and, where needed, new action items);
    items about requests and initiatives end with decisions."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=AgendaKind.choices)
    reason = models.CharField(max_length=300, help_text="Why the item is on the agenda.")
    title = models.CharField(max_length=200, blank=True)
    request = models.ForeignKey(
        IntakeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    metric = models.ForeignKey(
        Metric, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = limits.text(limits.NOTE, blank=True)

    class Meta:
        ordering = ["review", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title or self.get_kind_display()}"


class Decision(models.Model):
    """What a body decided about a request, an initiative or a priority, why, who decided, and
    the evidence it saw. Append-only: a correction is a new decision that `supersedes` it."""

    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="decisions")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    request = models.ForeignKey(
        IntakeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    priority = models.ForeignKey(
        StrategicPriority, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    rationale = limits.text(limits.NOTE)
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    redirect_to = models.CharField(max_length=20, choices=RedirectTo.choices, blank=True)
    revisit_on = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey(
        IntakeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiver = limits.text(
        limits.NOTE,
        blank=True,
        help_text="Why an initiative was approved without a lead or a benefit plan.",
    )
    evidence = models.JSONField(default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(request__isnull=False, initiative__isnull=True, priority__isnull=True)
                    | Q(request__isnull=True, initiative__isnull=False, priority__isnull=True)
                    | Q(request__isnull=True, initiative__isnull=True, priority__isnull=False)
                ),
                name="governance_decision_one_subject",
            )
        ]
        indexes = [models.Index(fields=["body", "decided_at"])]

    def __str__(self) -> str:
        return f"Decision #{self.pk}: {self.get_outcome_display()}"


class ActionItem(TimeStampedModel):
    """Something a decision or an agenda item asks someone to do, by a date."""

    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="action_items")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(
        null=True, blank=True, help_text="The last day its owner was reminded that it is overdue."
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title
