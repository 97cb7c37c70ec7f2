"""API routes: /api/v1/ (namespace "api": the kernel's and every app's API) and the OpenAPI
schema and docs. Each app adds its routes in its own api/urls.py, included here."""

from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from informatics.api import views

router = SimpleRouter()
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("priorities", views.PriorityViewSet, basename="priority")
router.register("users", views.UserViewSet, basename="user")

v1: list[URLPattern | URLResolver] = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="token"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("", include(router.urls)),
    path("", include("intake.api.urls")),
    path("", include("initiatives.api.urls")),
    path("", include("metrics.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("reports.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"))),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): anonymous gets 401, an
    # anonymous browser the login page; a browser is shown the docs.
    path("schema/", views.schema, name="api-schema"),
    # An anonymous visitor is sent to the login page, then back here.
    path(
        "docs/",
        login_required(views.DocsView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
