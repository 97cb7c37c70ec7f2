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
from informatics.web import ReadOnlyAdmin


@admin.register(AgendaSettings)
class AgendaSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "request_min_score", "action_overdue_days", "max_items")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AgendaSettings.objects.exists()  # one row

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "chair", "cadence", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")


@admin.register(RouteOwner)
class RouteOwnerAdmin(ReadOnlyAdmin):
    list_display = ("route", "body")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "body", "scheduled_for", "status", "created_by")
    list_filter = ("status", "body")
    ordering = ("-scheduled_for",)


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "owner", "body", "due_on", "status", "reminded_on")
    list_filter = ("status", "body")
    search_fields = ("title",)
    ordering = ("due_on",)


# Decisions (registered below by the decision log's part).


@admin.register(MaturityAssessment)
class MaturityAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("assessed_on", "kind", "assessed_by", "due_on")
    list_filter = ("kind",)


@admin.register(MaturityScore)
class MaturityScoreAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "dimension", "score")
    list_filter = ("dimension",)


@admin.register(MaturityWeight)
class MaturityWeightAdmin(ReadOnlyAdmin):
    list_display = ("dimension", "weight", "updated_at")


# Decisions are append-only: a correction is a new decision recorded through
# governance.services.decision_record.
@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "outcome", "body", "request", "initiative", "priority", "decided_at")
    list_filter = ("outcome", "body")
    search_fields = ("id", "rationale")
    ordering = ("-decided_at", "-id")


@admin.register(RequestBody)
class RequestBodyAdmin(ReadOnlyAdmin):
    list_display = ("request", "route", "body", "chosen_by", "chosen_at")
