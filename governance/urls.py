"""Governance pages, under /governance/."""

from django.urls import path

from governance import review_views, views

app_name = "governance"

urlpatterns = [
    path("governance/routes/", views.route_owners, name="route-owners"),
    path("governance/requests/<int:pk>/body/", views.request_body, name="request-body"),
    path("governance/maturity/", views.maturity_overview, name="maturity-overview"),
    path("governance/maturity/assess/", views.maturity_assess, name="maturity-assess"),
    path("governance/maturity/target/", views.maturity_target, name="maturity-target"),
    path("governance/maturity/weights/", views.maturity_weights, name="maturity-weights"),
    # Reviews, agendas and action items (governance/review_views.py)
    path("governance/reviews/", review_views.review_list, name="review-list"),
    path("governance/reviews/new/", review_views.review_create, name="review-create"),
    path("governance/reviews/<int:pk>/", review_views.review_detail, name="review-detail"),
    path(
        "governance/reviews/<int:pk>/agenda/",
        review_views.review_agenda_build,
        name="review-agenda-build",
    ),
    path(
        "governance/reviews/<int:pk>/items/", review_views.review_item_add, name="review-item-add"
    ),
    path(
        "governance/reviews/<int:pk>/minutes/", review_views.review_minutes, name="review-minutes"
    ),
    path("governance/reviews/<int:pk>/hold/", review_views.review_hold, name="review-hold"),
    path(
        "governance/reviews/<int:pk>/minutes.pdf",
        review_views.review_minutes_pdf,
        name="review-minutes-pdf",
    ),
    path(
        "governance/agenda-items/<int:pk>/remove/",
        review_views.review_item_remove,
        name="review-item-remove",
    ),
    path(
        "governance/agenda-items/<int:pk>/move/",
        review_views.review_item_move,
        name="review-item-move",
    ),
    path("governance/actions/", review_views.action_list, name="action-list"),
    path(
        "governance/actions/<int:pk>/complete/",
        review_views.action_complete,
        name="action-complete",
    ),
    # Decisions: the log, one decision, the form. No edit or delete: decisions are append-only.
    path("governance/decisions/", views.decision_list, name="decision-list"),
    path("governance/decisions/new/", views.decision_create, name="decision-create"),
    path("governance/decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
]
