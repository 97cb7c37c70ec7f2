"""Pages of the program kernel: priorities, people, facilities, site settings, one's own
notification settings, redaction, prepared list exports, and single sign-on's two ends.

(The project's root URLconf is informatics/urls.py, so the kernel's own pages live here.)
"""

from django.urls import path

from informatics.routes import pages
from informatics.views import account, exports, people, priorities, redaction, site, sso

app_name = "informatics"

urlpatterns = [
    *pages(priorities, "priorities/", "priority", "list", "create"),
    *pages(priorities, "priorities/<int:pk>/", "priority", "detail", "edit", "move"),
    *pages(priorities, "priorities/<int:pk>/", "priority", "retire", "restore"),
    *pages(people, "people/", "person", "list", "invite"),
    *pages(people, "people/<int:pk>/", "person", "detail", "edit", set_active="active/"),
    *pages(site, "facilities/", "facility", "list"),
    *pages(exports, "exports/<int:pk>/", "export", "detail", "download"),
    *pages(site, "settings/", "settings", edit=""),
    *pages(account, "account/", "account", "notifications", "access", "sign-out-everywhere"),
    *pages(account, "account/token/", "account-token", "create", "revoke"),
    *pages(sso, "sso/", "sso", "login", "callback"),
    path(
        "redact/<str:app_label>/<str:model>/<str:object_id>/<str:field>/",
        redaction.text_redact,
        name="text-redact",
    ),
]
