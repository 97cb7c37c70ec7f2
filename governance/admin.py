"""Django admin registrations of this app."""

# --- Decisions: read-only, as everywhere; decisions are append-only (a correction is a new
# decision recorded through governance.services.decision_record).

from django.contrib import admin

from governance.models import Decision
from informatics.web import ReadOnlyAdmin


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "outcome", "body", "request", "initiative", "priority", "decided_at")
    list_filter = ("outcome", "body")
    list_select_related = ("body", "request", "initiative", "priority")
    search_fields = ("id", "rationale")
    ordering = ("-decided_at", "-id")
