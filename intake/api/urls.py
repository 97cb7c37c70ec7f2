"""API routes of intake, included under /api/v1/ (namespace "api") by
informatics/api/urls.py.

URL names follow `<entity>-<action>`: request-list, request-detail, request-votes,
request-comments, request-question, request-answer, request-triage, request-transition,
request-withdraw, request-merge, request-similar; rubric.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from intake.api import views

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns: list[URLPattern | URLResolver] = [
    path("rubric/", views.RubricApi.as_view(), name="rubric"),
    *router.urls,
]
