"""The portfolio: initiatives aligned to priorities, their stages, milestones, status updates
and benefit plans, and the link from an initiative to the intake requests it delivers."""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from informatics import limits
from informatics.choices import ValueCategory
from informatics.models import (
    Facility,
    StrategicPriority,
    TimelineEntry,
    TimeStampedModel,
    User,
    VersionedModel,
    one_row_per,
)
from initiatives.choices import Alignment, FinancialKind, Health, InitiativeType, Stage
from intake.models import IntakeRequest


class Initiative(VersionedModel):
    """A piece of informatics work, aligned to priorities, moved through one stage table."""

    title = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=InitiativeType.choices)
    summary = limits.text(limits.LONG_TEXT)
    problem_statement = limits.text(limits.LONG_TEXT, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROPOSED)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    executive_sponsor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="sponsored_initiatives"
    )
    cmio_owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_initiatives"
    )
    informaticist_lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="led_initiatives"
    )
    champions: "models.ManyToManyField[User, Any]" = models.ManyToManyField(
        User, blank=True, related_name="championed_initiatives"
    )
    facilities: "models.ManyToManyField[Facility, Any]" = models.ManyToManyField(
        Facility, blank=True, related_name="initiatives"
    )
    priorities: "models.ManyToManyField[StrategicPriority, Any]" = models.ManyToManyField(
        StrategicPriority, through="InitiativePriority", related_name="initiatives", blank=True
    )
    requests: "models.ManyToManyField[IntakeRequest, Any]" = models.ManyToManyField(
        IntakeRequest, through="LinkedRequest", related_name="+", blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    go_live_date = models.DateField(
        null=True, blank=True, help_text="Recorded when the initiative goes live; metrics read it."
    )
    effort_hours = models.PositiveIntegerField(null=True, blank=True)
    cost_estimate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    revisit_date = models.DateField(null=True, blank=True, help_text="When deferred.")
    stage_reason = limits.text(
        limits.NOTE, blank=True, help_text="Why it was last deferred, put on hold or stopped."
    )
    forecast_locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["stage"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage=Stage.DEFERRED) | Q(revisit_date__isnull=False),
                name="initiative_deferred_has_revisit_date",
            ),
            models.CheckConstraint(
                condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gte=0),
                name="initiative_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LinkedRequest(models.Model):
    """An intake request that an initiative delivers; a request belongs to one initiative at most.

    The portfolio owns the link so that intake never imports the portfolio: the request page
    reaches it through `request.initiative_link`, in a panel this app registers.
    """

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="request_links"
    )
    request = models.OneToOneField(
        IntakeRequest, on_delete=models.CASCADE, related_name="initiative_link"
    )

    class Meta:
        ordering = ["request_id"]

    def __str__(self) -> str:
        return f"#{self.request_id} → {self.initiative}"


class InitiativePriority(models.Model):
    """How strongly an initiative serves a strategic priority."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="alignments")
    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.PROTECT, related_name="alignments"
    )
    alignment = models.CharField(max_length=10, choices=Alignment.choices)

    class Meta:
        ordering = ["priority__rank", "id"]
        constraints = [one_row_per("initiative", "priority", name="align_once")]

    def __str__(self) -> str:
        return f"{self.initiative} → {self.priority} ({self.alignment})"


class StageChange(TimelineEntry):
    """The stage timeline; at a gate (approve, defer, stop) it records who decided and why."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = limits.text(limits.NOTE, blank=True)

    def __str__(self) -> str:
        return f"{self.initiative}: {self.from_stage or '—'} → {self.to_stage}"


class BenefitLine(TimeStampedModel):
    """Expected value in one category, with baseline, target and horizon. At approval the
    forecast is locked (`locked_*`); later edits show as variance against it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="benefits")
    value_category = models.CharField(max_length=20, choices=ValueCategory.choices)
    description = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    horizon = models.DateField()
    locked_baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    locked_target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    locked_horizon = models.DateField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["value_category", "id"]

    def __str__(self) -> str:
        return f"{self.get_value_category_display()}: {self.description}"


class Milestone(TimeStampedModel):
    """A dated step of an initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class StatusUpdate(models.Model):
    """A status report: health per dimension, a narrative and risks. The initiative's health
    is the worst dimension of its latest update."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_updates"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT)
    at = models.DateTimeField(default=timezone.now)
    schedule = models.CharField(max_length=10, choices=Health.choices)
    scope = models.CharField(max_length=10, choices=Health.choices)
    budget = models.CharField(max_length=10, choices=Health.choices)
    adoption = models.CharField(max_length=10, choices=Health.choices)
    narrative = limits.text(limits.LONG_TEXT)
    risks = limits.text(limits.LONG_TEXT, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["initiative", "-at"])]

    def __str__(self) -> str:
        return f"{self.initiative} at {self.at:%Y-%m-%d}"


class FinancialEntry(models.Model):
    """Money an initiative saved (hard savings) or spent (cost) in one month, as finance booked
    it: the value report sums these for its month (ROI's hard savings and costs)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="financial_entries"
    )
    month = models.DateField(help_text="The first day of the month the amount was booked in.")
    kind = models.CharField(max_length=20, choices=FinancialKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(
        max_length=200, help_text="Where finance booked it, e.g. “Finance GL 6100, November close”."
    )
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "kind", "id"]
        verbose_name_plural = "financial entries"
        indexes = [models.Index(fields=["month", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="financial_entry_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} in {self.month:%b %Y}"
