"""Governance pages, under /governance/."""

from django.urls import path

from governance import review_views, views
from informatics.routes import pages

app_name = "governance"

urlpatterns = [
    path("governance/routes/", views.route_owners, name="route-owners"),
    *pages(views, "governance/requests/<int:pk>/", "request", "body"),
    *pages(views, "governance/maturity/", "maturity", "assess", "target", "weights", overview=""),
    # Reviews, agendas and action items (governance/review_views.py)
    *pages(review_views, "governance/reviews/", "review", "list", "create"),
    *pages(review_views, "governance/reviews/<int:pk>/", "review", "detail", "minutes", "hold"),
    *pages(review_views, "governance/reviews/<int:pk>/", "review", agenda_build="agenda/"),
    *pages(review_views, "governance/reviews/<int:pk>/", "review", minutes_pdf="minutes.pdf"),
    *pages(review_views, "governance/reviews/<int:pk>/", "review-item", add="items/"),
    *pages(review_views, "governance/agenda-items/<int:pk>/", "review-item", "remove", "move"),
    *pages(review_views, "governance/actions/", "action", "list"),
    *pages(review_views, "governance/actions/<int:pk>/", "action", "complete"),
    # Decisions: the log, one decision, the form. No edit or delete: decisions are append-only.
    *pages(views, "governance/decisions/", "decision", "list", "create"),
    *pages(views, "governance/decisions/<int:pk>/", "decision", "detail"),
]
