"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

Register viewsets on `router` and add single-operation views to `urlpatterns`; URL names
follow `<entity>-<action>` (the router's basename gives `<entity>-list`, `<entity>-detail`):
report-list, report-detail, report-review, report-issue, report-download, report-job.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/jobs/<int:pk>/", views.ReportJobApi.as_view(), name="report-job"),
    *router.urls,
]
