"""Governance pages, under /governance/."""

from django.urls import path

from governance.views import bodies, decisions, maturity, reviews
from informatics.routes import pages

app_name = "governance"

urlpatterns = [
    path("governance/routes/", bodies.route_owners, name="route-owners"),
    *pages(bodies, "governance/requests/<int:pk>/", "request", "body"),
    *pages(
        maturity, "governance/maturity/", "maturity", "assess", "target", "weights", overview=""
    ),
    # Reviews, agendas and action items
    *pages(reviews, "governance/reviews/", "review", "list", "create"),
    *pages(reviews, "governance/reviews/<int:pk>/", "review", "detail", "minutes", "hold"),
    *pages(reviews, "governance/reviews/<int:pk>/", "review", agenda_build="agenda/"),
    *pages(reviews, "governance/reviews/<int:pk>/", "review", minutes_pdf="minutes.pdf"),
    *pages(reviews, "governance/reviews/<int:pk>/", "review-item", add="items/"),
    *pages(reviews, "governance/agenda-items/<int:pk>/", "review-item", "remove", "move"),
    *pages(reviews, "governance/actions/", "action", "list"),
    *pages(reviews, "governance/actions/<int:pk>/", "action", "complete"),
    # Decisions: the log, one decision, the form. No edit or delete: decisions are append-only.
    *pages(decisions, "governance/decisions/", "decision", "list", "create"),
    *pages(decisions, "governance/decisions/<int:pk>/", "decision", "detail"),
]
