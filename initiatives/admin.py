"""Django admin registrations of intake and the portfolio: a read-only back office.

Requests, votes, comments and scores change through initiatives.services (permissions, PHI
guard, transition table, audit, notifications), and the rubric through its own page, which
makes a new version; initiatives, their alignments, stage timeline, benefit lines, milestones
and status updates change through the portfolio services (stage table, forecast lock,
optimistic locking, audit); so here they are shown and searched, never changed.
"""

from django.contrib import admin

from informatics.admin import ReadOnlyAdmin
from initiatives.models import (
    BenefitLine,
    Initiative,
    InitiativePriority,
    IntakeRequest,
    Milestone,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
    StageChange,
    StatusUpdate,
)


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ("version", "is_current", "created_by", "created_at", "note")
    list_select_related = ("created_by",)
    ordering = ("-version",)


@admin.register(IntakeRequest)
class IntakeRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "kind", "status", "route", "submitted_by", "created_at")
    list_filter = ("status", "kind", "route", "is_safety_concern", "is_private")
    list_select_related = ("submitted_by",)
    search_fields = ("id", "title")
    ordering = ("-created_at",)


@admin.register(RequestVote)
class RequestVoteAdmin(ReadOnlyAdmin):
    list_display = ("request", "voter", "specialty", "frequency", "merged_from", "created_at")
    list_select_related = ("request", "voter", "merged_from")
    search_fields = ("request__title", "voter__email")


@admin.register(RequestComment)
class RequestCommentAdmin(ReadOnlyAdmin):
    list_display = ("request", "kind", "author", "created_at")
    list_filter = ("kind",)
    list_select_related = ("request", "author")


@admin.register(RequestScore)
class RequestScoreAdmin(ReadOnlyAdmin):
    list_display = ("request", "rubric", "reason", "value", "effort_band", "priority_index")
    list_filter = ("reason", "effort_band")
    list_select_related = ("request", "rubric")


@admin.register(RequestStatusChange)
class RequestStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("request", "from_status", "to_status", "actor", "at")
    list_filter = ("to_status",)
    list_select_related = ("request", "actor")


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "type", "stage", "cmio_owner", "informaticist_lead", "version")
    list_filter = ("stage", "type")
    list_select_related = ("cmio_owner", "informaticist_lead")
    search_fields = ("id", "title")
    ordering = ("title",)


@admin.register(InitiativePriority)
class InitiativePriorityAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "priority", "alignment")
    list_filter = ("alignment",)
    list_select_related = ("initiative", "priority")


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "from_stage", "to_stage", "actor", "at")
    list_filter = ("to_stage",)
    list_select_related = ("initiative", "actor")


@admin.register(BenefitLine)
class BenefitLineAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "value_category", "description", "target", "locked_target")
    list_filter = ("value_category",)
    list_select_related = ("initiative",)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "title", "due_date", "done_at", "done_by")
    list_select_related = ("initiative", "done_by")


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ("initiative", "at", "author", "schedule", "scope", "budget", "adoption")
    list_select_related = ("initiative", "author")
