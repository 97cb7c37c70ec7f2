"""Django admin registrations of the portfolio: a read-only back office.

Initiatives, their alignments, linked requests, stage timeline, benefit lines, financial
entries, milestones and status updates change through the portfolio services (stage table,
forecast lock, optimistic locking, audit); so here they are shown and searched, never changed.
"""

from django.contrib import admin

from informatics.web import ReadOnlyAdmin
from initiatives.models import (
    BenefitLine,
    FinancialEntry,
    Initiative,
    InitiativePriority,
    LinkedRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "type", "stage", "cmio_owner", "informaticist_lead", "version")
    list_filter = ("stage", "type")
    search_fields = ("id", "title")
    ordering = ("title",)


@admin.register(InitiativePriority)
class InitiativePriorityAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "priority", "alignment")
    list_filter = ("alignment",)


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "from_stage", "to_stage", "actor", "at")
    list_filter = ("to_stage",)


@admin.register(BenefitLine)
class BenefitLineAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "value_category", "description", "target", "locked_target")
    list_filter = ("value_category",)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "title", "due_date", "done_at", "done_by")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "at", "author", "schedule", "scope", "budget", "adoption")


@admin.register(LinkedRequest)
class LinkedRequestAdmin(ReadOnlyAdmin):
    list_display = ("request", "initiative")
    search_fields = ("request__title", "initiative__title")


@admin.register(FinancialEntry)
class FinancialEntryAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "month", "kind", "amount", "source", "entered_by")
    list_filter = ("kind", "month")
    search_fields = ("initiative__title", "source")
