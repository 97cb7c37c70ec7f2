"""The site's date, for jobs and agendas that run outside any request."""

import datetime
import zoneinfo

from django.utils import timezone

from informatics.services import site_settings_get


def site_today() -> datetime.date:
    """Today in the organisation's time zone (SiteSettings.time_zone)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(site_settings_get().time_zone))
