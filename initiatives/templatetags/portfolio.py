"""Template filters of the portfolio pages. Load with `{% load portfolio %}`."""

from decimal import Decimal
from typing import Any

from django import template

from informatics.templatetags.portal import choice_label
from initiatives.choices import Health, Stage

register = template.Library()

HEALTH_BADGES: dict[str, str] = {
    Health.ON_TRACK: "badge--ok",
    Health.AT_RISK: "badge--warn",
    Health.OFF_TRACK: "badge--danger",
}

STAGE_BADGES: dict[str, str] = {
    Stage.PROPOSED: "badge--muted",
    Stage.APPROVED: "",
    Stage.IN_BUILD: "",
    Stage.PILOT: "",
    Stage.LIVE: "badge--ok",
    Stage.SUSTAINING: "badge--ok",
    Stage.CLOSED: "badge--muted",
    Stage.ON_HOLD: "badge--warn",
    Stage.DEFERRED: "badge--warn",
    Stage.STOPPED: "badge--danger",
}


@register.filter
def health_badge(health: str | None) -> str:
    """The badge modifier of a health value: on track green, at risk amber, off track red."""
    return HEALTH_BADGES.get(str(health), "badge--muted") if health else "badge--muted"


@register.filter
def health_label(health: str | None) -> str:
    """A health value in words ("No update yet" when there is none)."""
    if not health:
        return "No update yet"
    return choice_label(Health, health)


@register.filter
def stage_badge(stage: str) -> str:
    """The badge modifier of a stage: done green, waiting amber, stopped red, not begun grey."""
    return STAGE_BADGES.get(str(stage), "")


@register.filter
def stage_label(stage: str) -> str:
    return choice_label(Stage, stage)


@register.filter
def signed(value: Decimal | int | float | None) -> str:
    """A variance with its sign: +5.00, −2.50, 0.00 (an empty value is an em dash)."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{-number}"
    return str(number)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`cells|get_item:stage`: a dictionary's value by a variable key."""
    return mapping.get(key) if isinstance(mapping, dict) else None
