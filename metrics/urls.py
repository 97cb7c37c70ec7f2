"""Pages of this app: the metric catalogue and each metric's page (views.py), imports
(import_views.py)."""

from django.urls import URLPattern

from informatics.routes import item_pages, pages
from metrics import import_views, views

app_name = "metrics"

urlpatterns: list[URLPattern] = [
    *pages(views, "metrics/", "metric", "list", "create"),
    *pages(views, "metrics/<int:pk>/", "metric", "detail", "edit", value_set="value/"),
    *pages(views, "metrics/<int:pk>/", "metric", measurement_enter="measurements/"),
    # The items a metric's page adds and removes.
    *item_pages(views, "metrics/<int:pk>/targets/", "metric-target", "delete"),
    *item_pages(views, "metrics/<int:pk>/annotations/", "metric-annotation", "delete"),
    *item_pages(views, "metrics/<int:pk>/initiatives/", "metric-link", delete="unlink/"),
    *import_views.urlpatterns,
]
