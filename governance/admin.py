"""Django admin registrations of this app: read-only, since every record changes through the
services (the maturity weights on the maturity page)."""

from django.contrib import admin

from governance.models import MaturityAssessment, MaturityScore, MaturityWeight
from informatics.web import ReadOnlyAdmin


@admin.register(MaturityAssessment)
class MaturityAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("assessed_on", "kind", "assessed_by", "due_on")
    list_filter = ("kind",)
    list_select_related = ("assessed_by",)


@admin.register(MaturityScore)
class MaturityScoreAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "dimension", "score")
    list_filter = ("dimension",)
    list_select_related = ("assessment",)


@admin.register(MaturityWeight)
class MaturityWeightAdmin(ReadOnlyAdmin):
    list_display = ("dimension", "weight", "updated_at")
