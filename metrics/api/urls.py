"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

URL names follow `<entity>-<action>` (the router's basename gives `<entity>-list`,
`<entity>-detail`): metrics, measurements and the SPC read, and imports.
"""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from metrics.api import views

router = SimpleRouter()
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("measurements", views.MeasurementViewSet, basename="measurement")
router.register("imports", views.ImportViewSet, basename="import")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
