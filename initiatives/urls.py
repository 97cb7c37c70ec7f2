"""Intake pages under /requests/; the portfolio under /portfolio/ and /initiatives/."""

from django.urls import path

from initiatives import portfolio_views, views

app_name = "initiatives"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/mine/", views.request_mine, name="request-mine"),
    path("requests/triage/", views.triage_queue, name="triage-queue"),
    path("requests/similar/", views.request_similar, name="request-similar"),
    path("requests/export.csv", views.request_export, name="request-export"),
    path("requests/rubric/", views.rubric_edit, name="rubric-edit"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/vote/", views.request_vote, name="request-vote"),
    path("requests/<int:pk>/comment/", views.request_comment, name="request-comment"),
    path("requests/<int:pk>/ask/", views.request_ask, name="request-ask"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request-answer"),
    path("requests/<int:pk>/triage/", views.request_triage, name="request-triage"),
    path("requests/<int:pk>/transition/", views.request_transition, name="request-transition"),
    path("requests/<int:pk>/merge/", views.request_merge, name="request-merge"),
    # The portfolio.
    path("portfolio/", portfolio_views.portfolio, name="portfolio"),
    path("initiatives/", portfolio_views.initiative_list, name="initiative-list"),
    path("initiatives/new/", portfolio_views.initiative_create, name="initiative-create"),
    path("initiatives/export.csv", portfolio_views.initiative_export, name="initiative-export"),
    path("initiatives/<int:pk>/", portfolio_views.initiative_detail, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", portfolio_views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:pk>/stage/", portfolio_views.initiative_stage, name="initiative-stage"),
    path(
        "initiatives/<int:pk>/status/",
        portfolio_views.initiative_status_update,
        name="initiative-status-update",
    ),
    path(
        "initiatives/<int:pk>/milestones/",
        portfolio_views.initiative_milestone_add,
        name="initiative-milestone-add",
    ),
    path(
        "initiatives/<int:pk>/milestones/<int:milestone_pk>/done/",
        portfolio_views.initiative_milestone_done,
        name="initiative-milestone-done",
    ),
    path(
        "initiatives/<int:pk>/benefits/",
        portfolio_views.initiative_benefit_add,
        name="initiative-benefit-add",
    ),
    path(
        "initiatives/<int:pk>/benefits/<int:benefit_pk>/",
        portfolio_views.initiative_benefit_edit,
        name="initiative-benefit-edit",
    ),
    path(
        "initiatives/<int:pk>/requests/",
        portfolio_views.initiative_link_requests,
        name="initiative-link-requests",
    ),
]
