"""Intake pages: submit, follow, triage and export requests; read and edit the rubric.

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. The services hold the rules — the transition table, the PHI guard, who may
do what — and a ValidationError they raise names the field, which goes back onto the form beside
it. When the PHI guard flags a text, the form comes back with that field highlighted and a
"This is not patient information" box to tick: saving then needs an edit or the tick.
"""

from intake.views.detail import (
    request_answer,
    request_ask,
    request_comment,
    request_detail,
    request_merge,
    request_transition,
    request_triage,
)
from intake.views.lists import (
    request_export,
    request_list,
    request_mine,
    request_view_delete,
    request_view_save,
    triage_board,
    triage_board_save,
    triage_bulk,
    triage_queue,
)
from intake.views.rubric import rubric_edit
from intake.views.submit import (
    request_create,
    request_edit,
    request_hold_clear,
    request_similar,
    request_vote,
    request_withdraw,
)

__all__ = [
    "request_answer",
    "request_ask",
    "request_comment",
    "request_create",
    "request_detail",
    "request_edit",
    "request_export",
    "request_hold_clear",
    "request_list",
    "request_merge",
    "request_mine",
    "request_similar",
    "request_transition",
    "request_triage",
    "request_view_delete",
    "request_view_save",
    "request_vote",
    "request_withdraw",
    "rubric_edit",
    "triage_board",
    "triage_board_save",
    "triage_bulk",
    "triage_queue",
]
