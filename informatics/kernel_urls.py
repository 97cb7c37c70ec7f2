"""Pages of the program kernel: priorities, people, facilities, site settings, one's own
notification settings, redaction, prepared list exports, and single sign-on's two ends.

(The project's root URLconf is informatics/urls.py, so the kernel's own pages live here.)
"""

from django.urls import path

from informatics import export_views, sso_views, views

app_name = "informatics"

urlpatterns = [
    path("priorities/", views.priority_list, name="priority-list"),
    path("priorities/new/", views.priority_create, name="priority-create"),
    path("priorities/<int:pk>/", views.priority_detail, name="priority-detail"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority-edit"),
    path("priorities/<int:pk>/move/", views.priority_move, name="priority-move"),
    path("priorities/<int:pk>/retire/", views.priority_retire, name="priority-retire"),
    path("priorities/<int:pk>/restore/", views.priority_restore, name="priority-restore"),
    path("people/", views.person_list, name="person-list"),
    path("people/invite/", views.person_invite, name="person-invite"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/active/", views.person_set_active, name="person-set-active"),
    path("facilities/", views.facility_list, name="facility-list"),
    path("exports/<int:pk>/", export_views.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export-download"),
    path("settings/", views.settings_edit, name="settings-edit"),
    path("account/notifications/", views.account_notifications, name="account-notifications"),
    path("account/access/", views.account_access, name="account-access"),
    path("account/token/new/", views.account_token_create, name="account-token-create"),
    path("account/token/revoke/", views.account_token_revoke, name="account-token-revoke"),
    path(
        "account/sign-out-everywhere/",
        views.account_sign_out_everywhere,
        name="account-sign-out-everywhere",
    ),
    path("sso/login/", sso_views.sso_login, name="sso-login"),
    path("sso/callback/", sso_views.sso_callback, name="sso-callback"),
    path(
        "redact/<str:app_label>/<str:model>/<str:object_id>/<str:field>/",
        views.text_redact,
        name="text-redact",
    ),
]
