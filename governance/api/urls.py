"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

Register viewsets on `router` and add single-operation views to `urlpatterns`; URL names
follow `<entity>-<action>` (the router's basename gives `<entity>-list`, `<entity>-detail`):
decision-list, decision-detail, request-body.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from governance.api import views

router = SimpleRouter()
router.register("maturity", views.MaturityViewSet, basename="maturity")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("decisions", views.DecisionViewSet, basename="decision")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("requests/<int:pk>/body/", views.RequestBodyApi.as_view(), name="request-body"),
]
