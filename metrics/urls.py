"""Pages of this app: the metric catalogue and each metric's page (`views.catalogue`), imports
(`views.imports`)."""

from django.urls import URLPattern, path

from informatics.routes import item_pages, pages
from metrics.views import catalogue, imports

app_name = "metrics"

urlpatterns: list[URLPattern] = [
    *pages(catalogue, "metrics/", "metric", "list", "create"),
    *pages(catalogue, "metrics/<int:pk>/", "metric", "detail", "edit", value_set="value/"),
    *pages(catalogue, "metrics/<int:pk>/", "metric", measurement_enter="measurements/"),
    # The items a metric's page adds and removes.
    *item_pages(catalogue, "metrics/<int:pk>/targets/", "metric-target", "delete"),
    *item_pages(catalogue, "metrics/<int:pk>/annotations/", "metric-annotation", "delete"),
    *item_pages(catalogue, "metrics/<int:pk>/initiatives/", "metric-link", delete="unlink/"),
    # Imports: upload a file, its CSV template, one batch.
    path("metrics/imports/", imports.import_upload_page, name="import-upload"),
    path("metrics/imports/template.csv", imports.import_template, name="import-template"),
    path("metrics/imports/<int:pk>/", imports.import_detail_page, name="import-detail"),
]
