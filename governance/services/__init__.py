"""Writes of this app: typed functions named <entity>_<action>."""

from governance.services.actions import (
    action_item_complete,
    action_item_create,
    action_item_drop,
    action_reminders_send,
)
from governance.services.agenda import (
    ProposedItem,
    agenda_build,
    agenda_item_add,
    agenda_item_close,
    agenda_item_move,
    agenda_item_remove,
    agenda_propose,
    agenda_settings,
)
from governance.services.minutes import review_minutes_pdf, review_minutes_render
from governance.services.reviews import review_hold, review_schedule, review_update
from governance.services.today import site_today

__all__ = [
    "ProposedItem",
    "action_item_complete",
    "action_item_create",
    "action_item_drop",
    "action_reminders_send",
    "agenda_build",
    "agenda_item_add",
    "agenda_item_close",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_propose",
    "agenda_settings",
    "review_hold",
    "review_minutes_pdf",
    "review_minutes_render",
    "review_schedule",
    "review_update",
    "site_today",
]
