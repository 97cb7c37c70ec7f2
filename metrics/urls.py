"""Pages of this app: the metric catalogue and each metric's page (views.py), imports
(import_views.py)."""

from django.urls import URLPattern

from metrics import import_views, views

app_name = "metrics"

urlpatterns: list[URLPattern] = [
    *views.urlpatterns,
    *import_views.urlpatterns,
]
