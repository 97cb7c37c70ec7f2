"""Django admin registrations of this app.

Bodies, reviews and action items change through governance.services (permissions, PHI guard,
audit); here they are shown and searched, never changed. The agenda thresholds are the one
editable row: an admin tunes what a proposed agenda picks up.
"""

from django.contrib import admin
from django.http import HttpRequest

from governance.models import ActionItem, AgendaSettings, GovernanceBody, Review, RouteOwner
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
    list_select_related = ("chair",)
    search_fields = ("code", "name")


@admin.register(RouteOwner)
class RouteOwnerAdmin(ReadOnlyAdmin):
    list_display = ("route", "body")
    list_select_related = ("body",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "body", "scheduled_for", "status", "created_by")
    list_filter = ("status", "body")
    list_select_related = ("body", "created_by")
    ordering = ("-scheduled_for",)


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "owner", "body", "due_on", "status", "reminded_on")
    list_filter = ("status", "body")
    list_select_related = ("owner", "body")
    search_fields = ("title",)
    ordering = ("due_on",)


# Decisions (registered below by the decision log's part).
