"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

URL names follow `<entity>-<action>`. Metrics, measurements and the SPC read live in views.py;
imports in import_views.py.
"""

from django.urls import URLPattern, URLResolver

from metrics.api import import_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    *views.urlpatterns,
    *import_views.urlpatterns,
]
