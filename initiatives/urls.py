"""The portfolio's pages, under /portfolio/ and /initiatives/."""

from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    # The portfolio.
    path("portfolio/", views.portfolio, name="portfolio"),
    path("initiatives/", views.initiative_list, name="initiative-list"),
    path("initiatives/new/", views.initiative_create, name="initiative-create"),
    path("initiatives/export.csv", views.initiative_export, name="initiative-export"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:pk>/stage/", views.initiative_stage, name="initiative-stage"),
    path(
        "initiatives/<int:pk>/status/",
        views.initiative_status_update,
        name="initiative-status-update",
    ),
    path(
        "initiatives/<int:pk>/milestones/",
        views.initiative_milestone_add,
        name="initiative-milestone-add",
    ),
    path(
        "initiatives/<int:pk>/milestones/<int:milestone_pk>/done/",
        views.initiative_milestone_done,
        name="initiative-milestone-done",
    ),
    path(
        "initiatives/<int:pk>/benefits/",
        views.initiative_benefit_add,
        name="initiative-benefit-add",
    ),
    path(
        "initiatives/<int:pk>/benefits/<int:benefit_pk>/",
        views.initiative_benefit_edit,
        name="initiative-benefit-edit",
    ),
    path(
        "initiatives/<int:pk>/financials/",
        views.initiative_financial_add,
        name="initiative-financial-add",
    ),
    path(
        "initiatives/<int:pk>/financials/<int:entry_pk>/delete/",
        views.initiative_financial_delete,
        name="initiative-financial-delete",
    ),
    path(
        "initiatives/<int:pk>/requests/candidates/",
        views.initiative_link_candidates,
        name="initiative-link-candidates",
    ),
    path(
        "initiatives/<int:pk>/requests/",
        views.initiative_link_requests,
        name="initiative-link-requests",
    ),
]
