"""Django admin registrations of intake: a read-only back office.

Requests, votes, comments and scores change through intake.services (permissions, PHI guard,
transition table, audit, notifications), and the rubric through its own page, which makes a new
version; so here they are shown and searched, never changed.
"""

from django.contrib import admin

from informatics.web import ReadOnlyAdmin
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ("version", "is_current", "created_by", "created_at", "note")
    ordering = ("-version",)


@admin.register(IntakeRequest)
class IntakeRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "kind", "status", "route", "submitted_by", "created_at")
    list_filter = ("status", "kind", "route", "is_safety_concern", "is_private")
    search_fields = ("id", "title")
    ordering = ("-created_at",)


@admin.register(RequestVote)
class RequestVoteAdmin(ReadOnlyAdmin):
    list_display = ("request", "voter", "specialty", "frequency", "merged_from", "created_at")
    search_fields = ("request__title", "voter__email")


@admin.register(RequestComment)
class RequestCommentAdmin(ReadOnlyAdmin):
    list_display = ("request", "kind", "author", "created_at")
    list_filter = ("kind",)


@admin.register(RequestScore)
class RequestScoreAdmin(ReadOnlyAdmin):
    list_display = ("request", "rubric", "reason", "value", "effort_band", "priority_index")
    list_filter = ("reason", "effort_band")


@admin.register(RequestStatusChange)
class RequestStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("request", "from_status", "to_status", "actor", "at")
    list_filter = ("to_status",)
