"""The project's URLs: each app's pages under its namespace, the API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView

from informatics.auth import PasswordChangeForm, SetPasswordForm
from informatics.forms import PasswordResetForm
from informatics.health import healthz
from informatics.views import errors
from informatics.views.sso import LoginView, local_passwords_only

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("informatics.kernel_urls")),
    # Each app's pages own their path prefixes (initiatives: /requests/, /initiatives/).
    path("", include("intake.urls")),
    path("", include("initiatives.urls")),
    path("", include("metrics.urls")),
    path("", include("governance.urls")),
    # The login page offers single sign-on; password pages vanish while passwords are off.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        local_passwords_only(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)),
        name="password_reset",
    ),
    # Both password forms set the password through the service, which also revokes the API token.
    path(
        "accounts/password_change/",
        local_passwords_only(auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        local_passwords_only(
            auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm)
        ),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("informatics.api.urls")),
    # The back office signs in through the portal's own login page (and its single sign-on).
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler500 = errors.server_error


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path that names nothing: the API answers JSON (its error shape), the pages their page
    (Django's own handler rendering templates/404.html, with the request)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


handler404 = not_found
