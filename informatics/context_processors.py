"""What every page template may use: the organisation's name, the user's navigation, and
whether local passwords are on (the footer's "Change password")."""

from typing import Any

from django.http import HttpRequest

from informatics.navigation import navigation_for
from informatics.services import local_passwords_on, site_settings_get


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "organisation_name": site_settings_get().organisation_name,
        "navigation": navigation_for(request),
        "local_passwords": local_passwords_on(),
    }
