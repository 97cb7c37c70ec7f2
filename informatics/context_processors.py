"""What every page template may use: the organisation's name and the user's navigation."""

from typing import Any

from django.http import HttpRequest

from informatics.navigation import navigation_for
from informatics.services import site_settings_get


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "organisation_name": site_settings_get().organisation_name,
        "navigation": navigation_for(request),
    }
