"""Writes of intake: submitting, editing, voting on, discussing, triaging, scoring, moving
and merging requests, and editing the scoring rubric; and of the portfolio (`portfolio`):
initiatives, their stages, linked requests, benefit plans, milestones and status updates.

Every function checks who may act (informatics.permissions), validates with field-named
errors before writing anything, guards free text against patient information
(informatics.phi), and records what changed (informatics.audit). Status moves go through
`transitions._move` only, which enforces the one transition table, writes the timeline and
tells the submitter.

One submodule per concern; every public name is re-exported here, so callers keep writing
`from initiatives import services`.
"""

from initiatives.services._common import SHORT_TEXT_MAX, TITLE_MAX, S, request_url
from initiatives.services.merge import request_merge
from initiatives.services.portfolio import (
    ADVANCE_CALLERS,
    BENEFIT_FIELDS,
    INITIATIVE_EDITABLE,
    INITIATIVE_FIELDS,
    MILESTONE_FIELDS,
    STOPPED_DECLINE_REASON,
    benefit_add,
    benefit_update,
    initiative_advance,
    initiative_create,
    initiative_link_requests,
    initiative_unlink_requests,
    initiative_update,
    milestone_add,
    milestone_done,
    milestone_update,
    status_update_post,
)
from initiatives.services.rubric import rubric_update
from initiatives.services.submission import (
    AUDITED_ON_CREATE,
    EDITABLE_FIELDS,
    PHI_FIELDS,
    request_submit,
    request_update,
)
from initiatives.services.thread import request_answer, request_ask, request_comment, request_vote
from initiatives.services.transitions import (
    TRANSITION_CALLERS,
    request_transition,
    request_withdraw,
)
from initiatives.services.triage import request_triage

__all__ = [
    "ADVANCE_CALLERS",
    "AUDITED_ON_CREATE",
    "BENEFIT_FIELDS",
    "EDITABLE_FIELDS",
    "INITIATIVE_EDITABLE",
    "INITIATIVE_FIELDS",
    "MILESTONE_FIELDS",
    "PHI_FIELDS",
    "SHORT_TEXT_MAX",
    "STOPPED_DECLINE_REASON",
    "TITLE_MAX",
    "TRANSITION_CALLERS",
    "S",
    "benefit_add",
    "benefit_update",
    "initiative_advance",
    "initiative_create",
    "initiative_link_requests",
    "initiative_unlink_requests",
    "initiative_update",
    "milestone_add",
    "milestone_done",
    "milestone_update",
    "request_answer",
    "request_ask",
    "request_comment",
    "request_merge",
    "request_submit",
    "request_transition",
    "request_triage",
    "request_update",
    "request_url",
    "request_vote",
    "request_withdraw",
    "rubric_update",
    "status_update_post",
]
