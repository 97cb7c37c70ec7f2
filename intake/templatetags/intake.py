"""Template filters of the intake pages. Load with `{% load intake %}`."""

import datetime
from typing import Any

from django import template
from django.utils import timezone

from intake.choices import CLOSED_STATUSES

register = template.Library()


def _amount(seconds: float) -> str:
    """A span in the largest unit that reads well: minutes, hours up to two days, then days."""
    minutes = int(seconds // 60)
    if minutes < 60:
        minutes = max(minutes, 1)
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days = hours // 24
    return f"{days} day" if days == 1 else f"{days} days"


def sla_words(due: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """The time left on a service level, in words: "due in 5 h", "overdue by 2 days"."""
    if due is None:
        return "no service level yet"
    left = (due - (now or timezone.now())).total_seconds()
    if left >= 0:
        return f"due in {_amount(left)}"
    return f"overdue by {_amount(-left)}"


@register.filter(name="sla_words")
def sla_words_filter(due: datetime.datetime | None) -> str:
    return sla_words(due)


@register.filter
def lookup(mapping: dict, key: str) -> object:
    """`ratings|lookup:code`: a dictionary's value by a variable key."""
    return mapping.get(key) if isinstance(mapping, dict) else None


STATUS_BADGES: dict[str, str] = {
    "needs_info": "badge--warn",
    "released": "badge--ok",
    "benefit_check": "badge--ok",
    "closed": "badge--ok",
    "declined": "badge--muted",
    "withdrawn": "badge--muted",
    "merged": "badge--muted",
    "redirected": "badge--muted",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge modifier of a request status: needs info warns, done is green, ended is grey."""
    return STATUS_BADGES.get(str(status), "")


@register.filter
def is_open(request: Any) -> bool:
    """Whether a request is still open (not closed, declined, redirected, merged, withdrawn)."""
    return getattr(request, "status", "") not in CLOSED_STATUSES
