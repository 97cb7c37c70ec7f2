"""API routes: /api/v1/ (every app's API) and the OpenAPI schema and docs."""

from django.urls import path

urlpatterns: list = []
