"""API routes of intake and the portfolio, included under /api/v1/ (namespace "api") by
informatics/api/urls.py.

URL names follow `<entity>-<action>`: request-list, request-detail, request-votes,
request-comments, request-question, request-answer, request-triage, request-transition,
request-withdraw, request-merge, request-similar; rubric; initiative-list, initiative-detail,
initiative-stage, initiative-link-requests, initiative-milestones, initiative-milestone-done,
initiative-status-updates, initiative-benefits, initiative-benefit-detail.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from initiatives.api import portfolio_views, views

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")
router.register("initiatives", portfolio_views.InitiativeViewSet, basename="initiative")

urlpatterns: list[URLPattern | URLResolver] = [
    path("rubric/", views.RubricApi.as_view(), name="rubric"),
    *router.urls,
]
