"""Django admin registrations of this app."""

from django.contrib import admin

from informatics.web import ReadOnlyAdmin
from reports.models import ValueReport


@admin.register(ValueReport)
class ValueReportAdmin(ReadOnlyAdmin):
    list_display = ("month", "priority", "revision", "state", "issued_at")
    list_filter = ("state",)
