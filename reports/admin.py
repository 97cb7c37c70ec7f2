"""Django admin registrations of this app."""

from informatics.admin_lists import Listing, register_listings
from reports.models import ValueReport

register_listings(
    {
        ValueReport: Listing(
            ("month", "priority", "revision", "state", "issued_at"), filters=("state",)
        ),
    }
)
