"""Writes of the portfolio: initiatives, their stages, linked requests, benefit plans,
financial entries (hard savings and costs), milestones and status updates.

Every function checks who may act (DESIGN.md's table through informatics.permissions: the
CMIO edits every initiative, an informaticist those they lead; approve, defer and stop are
gates, taken only by a governance decision), validates before writing anything — the model's own
field checks (types, lengths, choices), then the portfolio's rules, each error naming its
field — guards free text against patient information (informatics.phi), and records what
changed (informatics.audit).

Stage moves go through `initiative_advance` only (`stages`), which enforces the one stage
table (`STAGE_TRANSITIONS`), writes the stage timeline (`StageChange`), locks the benefit
forecast at the first approval, and makes the linked requests follow the initiative through
intake's `request_transition(..., via="initiative")` — so their timeline, audit and the
submitter's notification are exactly those of any other request move. A linked request whose
status the request table does not let move to the follower status stays where it is (for
example a request still in triage when its initiative enters build: triage finishes it first).
Who may take a move is decided in one place: `stage_move_action` says what a move needs (the
gate for approve, defer and stop, the edit for any other) and `initiative_may_move` applies it to a
user and an initiative. The page and `initiative_advance` ask the latter; the API, before it
loads the initiative, the former. A gate move is a decision: `initiative_advance` takes it only
from governance's decision service (`via="governance"`) and refuses it otherwise, even to the
CMO who holds the gate, pointing to the decision form.

Audit texts name requests by number only ("#12"): their titles are free text an admin may
redact, and redaction rewrites the request's own history, not copies kept elsewhere.

One submodule per concern; every public name is re-exported here, so callers write
`from initiatives import services`.
"""

from initiatives.services._common import (
    ADVANCE_CALLERS,
    BENEFIT_FIELDS,
    INITIATIVE_EDITABLE,
    INITIATIVE_FIELDS,
    MILESTONE_FIELDS,
    STOPPED_DECLINE_REASON,
)
from initiatives.services.benefits import benefit_add, benefit_update
from initiatives.services.financials import (
    FINANCIAL_FIELDS,
    financial_entry_add,
    financial_entry_delete,
    financial_entry_update,
)
from initiatives.services.initiatives import initiative_create, initiative_update
from initiatives.services.links import initiative_link_requests, initiative_unlink_requests
from initiatives.services.milestones import milestone_add, milestone_done, milestone_update
from initiatives.services.stages import (
    GATE_MOVE_REFUSALS,
    initiative_advance,
    initiative_may_move,
    stage_move_action,
)
from initiatives.services.status import status_update_post

__all__ = [
    "ADVANCE_CALLERS",
    "BENEFIT_FIELDS",
    "FINANCIAL_FIELDS",
    "GATE_MOVE_REFUSALS",
    "INITIATIVE_EDITABLE",
    "INITIATIVE_FIELDS",
    "MILESTONE_FIELDS",
    "STOPPED_DECLINE_REASON",
    "benefit_add",
    "benefit_update",
    "financial_entry_add",
    "financial_entry_delete",
    "financial_entry_update",
    "initiative_advance",
    "initiative_create",
    "initiative_link_requests",
    "initiative_may_move",
    "initiative_unlink_requests",
    "initiative_update",
    "milestone_add",
    "milestone_done",
    "milestone_update",
    "stage_move_action",
    "status_update_post",
]
