"""Intake pages under /requests/."""

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/mine/", views.request_mine, name="request-mine"),
    path("requests/triage/", views.triage_queue, name="triage-queue"),
    path("requests/triage/board/", views.triage_board, name="triage-board"),
    path("requests/triage/board/<int:pk>/", views.triage_board_save, name="triage-board-save"),
    path("requests/triage/bulk/", views.triage_bulk, name="triage-bulk"),
    path("requests/similar/", views.request_similar, name="request-similar"),
    path("requests/views/", views.request_view_save, name="request-view-save"),
    path("requests/views/<int:pk>/delete/", views.request_view_delete, name="request-view-delete"),
    path("requests/export.csv", views.request_export, name="request-export"),
    path("requests/rubric/", views.rubric_edit, name="rubric-edit"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/hold-clear/", views.request_hold_clear, name="request-hold-clear"),
    path("requests/<int:pk>/vote/", views.request_vote, name="request-vote"),
    path("requests/<int:pk>/comment/", views.request_comment, name="request-comment"),
    path("requests/<int:pk>/ask/", views.request_ask, name="request-ask"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request-answer"),
    path("requests/<int:pk>/triage/", views.request_triage, name="request-triage"),
    path("requests/<int:pk>/transition/", views.request_transition, name="request-transition"),
    path("requests/<int:pk>/merge/", views.request_merge, name="request-merge"),
]
