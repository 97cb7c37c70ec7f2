"""Django admin registrations of this app.

Bodies, reviews and action items change through governance.services (permissions, PHI guard,
audit); here they are shown and searched, never changed. The agenda thresholds are the one
editable row: an admin tunes what a proposed agenda picks up. The maturity weights are edited
on the maturity page.
"""

from django.contrib import admin
from django.http import HttpRequest

from governance.models import (
    ActionItem,
    AgendaSettings,
    Decision,
    GovernanceBody,
    MaturityAssessment,
    MaturityScore,
    MaturityWeight,
    RequestBody,
    Review,
    RouteOwner,
)
from informatics.admin_lists import Listing, register_listings


@admin.register(AgendaSettings)
class AgendaSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "request_min_score", "action_overdue_days", "max_items")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AgendaSettings.objects.exists()  # one row

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


register_listings(
    {
        GovernanceBody: Listing(
            ("code", "name", "kind", "chair", "cadence", "is_active"),
            filters=("kind", "is_active"),
            search=("code", "name"),
        ),
        RouteOwner: Listing(("route", "body")),
        Review: Listing(
            ("id", "body", "scheduled_for", "status", "created_by"),
            filters=("status", "body"),
            ordering=("-scheduled_for",),
        ),
        ActionItem: Listing(
            ("id", "title", "owner", "body", "due_on", "status", "reminded_on"),
            filters=("status", "body"),
            search=("title",),
            ordering=("due_on",),
        ),
        MaturityAssessment: Listing(
            ("assessed_on", "kind", "assessed_by", "due_on"), filters=("kind",)
        ),
        MaturityScore: Listing(("assessment", "dimension", "score"), filters=("dimension",)),
        MaturityWeight: Listing(("dimension", "weight", "updated_at")),
        # Decisions are append-only: a correction is a new decision recorded through
        # governance.services.decision_record.
        Decision: Listing(
            ("id", "outcome", "body", "request", "initiative", "priority", "decided_at"),
            filters=("outcome", "body"),
            search=("id", "rationale"),
            ordering=("-decided_at", "-id"),
        ),
        RequestBody: Listing(("request", "route", "body", "chosen_by", "chosen_at")),
    }
)
