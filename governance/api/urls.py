"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

Register viewsets on `router` and add single-operation views to `urlpatterns`; URL names
follow `<entity>-<action>` (the router's basename gives `<entity>-list`, `<entity>-detail`):
decision-list, decision-detail.
"""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from governance.api import review_views, views

router = SimpleRouter()
router.register("maturity", views.MaturityViewSet, basename="maturity")
router.register("reviews", review_views.ReviewViewSet, basename="review")
router.register("action-items", review_views.ActionItemViewSet, basename="action-item")
router.register("decisions", views.DecisionViewSet, basename="decision")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
