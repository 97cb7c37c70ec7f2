"""The program's maturity self-assessments (DOMAIN.md §4): each assessment, and each 12-month
target, is a dated row with a score per dimension; rows are only ever added, so the history
stays. The weights of the overall score are one row per dimension (missing = 1)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from governance.choices import MaturityDimension, MaturityKind
from informatics import limits
from informatics.models import TimeStampedModel, User, one_row_per

# 1 to 4 in steps of 0.5, the only scores there are.
SCORE_STEPS = tuple(Decimal(half) / 2 for half in range(2, 9))


class MaturityAssessment(TimeStampedModel):
    """Where the program stands (`kind` assessment), or where it aims to be by `due_on`
    (`kind` target), as judged on `assessed_on` by `assessed_by`. Never changed once recorded:
    a new judgement is a new row."""

    kind = models.CharField(max_length=12, choices=MaturityKind.choices)
    assessed_on = models.DateField()
    due_on = models.DateField(null=True, blank=True, help_text="When a target is due.")
    assessed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="maturity_assessments"
    )
    note = limits.text(limits.NOTE, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["kind", "-assessed_on", "-id"], name="maturity_kind_date")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=MaturityKind.ASSESSMENT) & Q(due_on__isnull=True))
                | (Q(kind=MaturityKind.TARGET) & Q(due_on__gt=models.F("assessed_on"))),
                name="maturity_target_due_after_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.assessed_on:%d %b %Y}"


class MaturityScore(models.Model):
    """One dimension's score in an assessment or target, with the actions that would take the
    dimension to its next level."""

    assessment = models.ForeignKey(
        MaturityAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.CharField(max_length=30, choices=MaturityDimension.choices)
    score = models.DecimalField(max_digits=2, decimal_places=1)
    next_actions = limits.text(limits.NOTE, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            one_row_per("assessment", "dimension", name="maturity_one_score_per_dimension"),
            models.CheckConstraint(
                condition=Q(score__in=SCORE_STEPS), name="maturity_score_in_half_steps"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.score}"


class MaturityWeight(TimeStampedModel):
    """A dimension's weight in the overall score, set by an admin; a dimension with no row
    weighs 1, so that the weights are equal until someone changes them."""

    dimension = models.CharField(max_length=30, choices=MaturityDimension.choices, unique=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["dimension"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="maturity_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} × {self.weight}"
