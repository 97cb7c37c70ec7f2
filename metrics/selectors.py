"""Reads of this app, shaped for pages and the API."""

from informatics.models import User
from informatics.selectors import NeedsMeItem


def needs_me_for(user: User) -> list[NeedsMeItem]:
    """What waits on `user` in this app, for the landing page's needs-me list."""
    return []
