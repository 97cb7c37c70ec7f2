"""Writes of this app: typed functions named <entity>_<action>.

One submodule per part; every public name is re-exported here, so callers keep writing
`from governance import services`.
"""

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
from governance.services.bodies import request_body_choose, route_owners_set
from governance.services.decisions import decision_record
from governance.services.evidence import decision_evidence
from governance.services.maturity import (
    maturity_assessment_record,
    maturity_target_set,
    maturity_weights_set,
)
from governance.services.minutes import review_minutes_pdf, review_minutes_render
from governance.services.reviews import review_hold, review_schedule, review_update

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
    "decision_evidence",
    "decision_record",
    "maturity_assessment_record",
    "maturity_target_set",
    "maturity_weights_set",
    "request_body_choose",
    "review_hold",
    "review_minutes_pdf",
    "review_minutes_render",
    "review_schedule",
    "review_update",
    "route_owners_set",
]
