"""Governance bodies, their members and the intake routes they own."""

from typing import Any

from django.conf import settings
from django.db import models

from governance.choices import BodyKind
from informatics import limits
from informatics.choices import Route
from informatics.models import TimeStampedModel, one_row_per


class GovernanceBody(TimeStampedModel):
    """A standing body that decides (DOMAIN.md §5): executive steering, where the joint CMO–CMIO
    review sits, councils, workgroups, committees, the release board."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    charter = limits.text(limits.LONG_TEXT, blank=True)
    cadence = models.CharField(max_length=120, blank=True, help_text="e.g. monthly, 2nd Tuesday")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="BodyMembership", related_name="governance_bodies"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_member(self, user: Any) -> bool:
        """Membership is what lets a person record the body's decisions (DESIGN.md)."""
        if user is None or not getattr(user, "pk", None):
            return False
        return self.chair_id == user.pk or self.memberships.filter(user_id=user.pk).exists()


class BodyMembership(models.Model):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="body_memberships"
    )
    since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [one_row_per("body", "user", name="governance_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.body}"


class RouteOwner(models.Model):
    """The default body of an intake route; triage may pick another body of the same kind."""

    route = models.CharField(max_length=20, choices=Route.choices, unique=True)
    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="routes")

    class Meta:
        ordering = ["route"]

    def __str__(self) -> str:
        return f"{self.get_route_display()} → {self.body}"


class RequestBody(models.Model):
    """The body triage chose to decide one request instead of its route's default body (one of
    the same kind). It holds while the request stays on `route`: routing the request elsewhere
    brings back that route's default body."""

    request = models.OneToOneField(
        "intake.IntakeRequest", on_delete=models.CASCADE, related_name="deciding_body"
    )
    route = models.CharField(max_length=20, choices=Route.choices)
    body = models.ForeignKey(
        GovernanceBody, on_delete=models.PROTECT, related_name="chosen_requests"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "deciding body of a request"

    def __str__(self) -> str:
        return f"#{self.request_id} decided by {self.body}"
