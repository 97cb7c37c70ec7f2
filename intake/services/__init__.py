"""Writes of intake: submitting, editing, voting on, discussing, triaging, scoring, moving
and merging requests, and editing the scoring rubric.

Every function checks who may act (informatics.permissions), validates before writing
anything — the model's own field checks (types, lengths, choices), then intake's rules, each
error naming its field — guards free text against patient information (informatics.phi), and
records what changed (informatics.audit). Status moves go through `transitions._move` only,
which enforces the one transition table, writes the timeline and tells the submitter.

One submodule per concern; every public name is re-exported here, so callers keep writing
`from intake import services`.
"""

from intake.services._common import SHORT_TEXT_MAX, S, request_url
from intake.services.hold import request_hold_clear
from intake.services.merge import request_merge
from intake.services.rubric import rubric_update
from intake.services.submission import (
    AUDITED_ON_CREATE,
    EDITABLE_FIELDS,
    request_submit,
    request_update,
)
from intake.services.thread import (
    request_answer,
    request_ask,
    request_comment,
    request_vote,
    request_vote_refusal,
)
from intake.services.transitions import (
    TRANSITION_CALLERS,
    request_transition,
    request_withdraw,
)
from intake.services.triage import request_triage, requests_bulk_triage
from intake.services.views import saved_view_delete, saved_view_save

__all__ = [
    "AUDITED_ON_CREATE",
    "EDITABLE_FIELDS",
    "SHORT_TEXT_MAX",
    "TRANSITION_CALLERS",
    "S",
    "request_answer",
    "request_ask",
    "request_comment",
    "request_hold_clear",
    "request_merge",
    "request_submit",
    "request_transition",
    "request_triage",
    "request_update",
    "request_url",
    "request_vote",
    "request_vote_refusal",
    "request_withdraw",
    "requests_bulk_triage",
    "rubric_update",
    "saved_view_delete",
    "saved_view_save",
]
