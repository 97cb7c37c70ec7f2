"""Pages of the program kernel: priorities, people, facilities, site settings, one's own
notification settings, redaction, prepared list exports, and single sign-on's two ends.

(The project's root URLconf is informatics/urls.py, so the kernel's own pages live here.)
"""

from django.urls import path

from informatics import export_views, sso_views, views
from informatics.routes import pages

app_name = "informatics"

urlpatterns = [
    *pages(views, "priorities/", "priority", "list", "create"),
    *pages(
        views, "priorities/<int:pk>/", "priority", "detail", "edit", "move", "retire", "restore"
    ),
    *pages(views, "people/", "person", "list", "invite"),
    *pages(views, "people/<int:pk>/", "person", "detail", "edit", set_active="active/"),
    *pages(views, "facilities/", "facility", "list"),
    *pages(export_views, "exports/<int:pk>/", "export", "detail", "download"),
    *pages(views, "settings/", "settings", edit=""),
    *pages(views, "account/", "account", "notifications", "access", "sign-out-everywhere"),
    *pages(views, "account/token/", "account-token", "create", "revoke"),
    *pages(sso_views, "sso/", "sso", "login", "callback"),
    path(
        "redact/<str:app_label>/<str:model>/<str:object_id>/<str:field>/",
        views.text_redact,
        name="text-redact",
    ),
]
