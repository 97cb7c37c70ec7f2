"""Governance pages, under /governance/."""

from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    # Decisions: the log, one decision, the form. No edit or delete: decisions are append-only.
    path("governance/decisions/", views.decision_list, name="decision-list"),
    path("governance/decisions/new/", views.decision_create, name="decision-create"),
    path("governance/decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
]
