"""API routes of this app, included under /api/v1/ (namespace "api") by informatics/api/urls.py.

Register viewsets on `router` and add single-operation views to `urlpatterns`; URL names
follow `<entity>-<action>` (the router's basename gives `<entity>-list`, `<entity>-detail`).
"""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]

# Reviews and action items (governance/api/review_views.py).
from governance.api import review_views  # noqa: E402

review_router = SimpleRouter()
review_router.register("reviews", review_views.ReviewViewSet, basename="review")
review_router.register("action-items", review_views.ActionItemViewSet, basename="action-item")
urlpatterns += review_router.urls
