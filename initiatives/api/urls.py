"""API routes of the portfolio, included under /api/v1/ (namespace "api") by
informatics/api/urls.py.

URL names follow `<entity>-<action>`: initiative-list, initiative-detail, initiative-stage,
initiative-link-requests, initiative-milestones, initiative-milestone-done,
initiative-status-updates, initiative-benefits, initiative-benefit-detail.
"""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from initiatives.api import views

router = SimpleRouter()
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
