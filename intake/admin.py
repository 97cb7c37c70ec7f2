"""Django admin registrations of intake: a read-only back office.

Requests, votes, comments and scores change through intake.services (permissions, PHI guard,
transition table, audit, notifications), and the rubric through its own page, which makes a new
version; so here they are shown and searched, never changed.
"""

from informatics.admin_lists import Listing, register_listings
from intake.models import (
    IntakeRequest,
    RequestComment,
    RequestScore,
    RequestStatusChange,
    RequestVote,
    Rubric,
)

register_listings(
    {
        Rubric: Listing(
            ("version", "is_current", "created_by", "created_at", "note"), ordering=("-version",)
        ),
        IntakeRequest: Listing(
            ("id", "title", "kind", "status", "route", "submitted_by", "created_at"),
            filters=("status", "kind", "route", "is_safety_concern", "is_private"),
            search=("id", "title"),
            ordering=("-created_at",),
        ),
        RequestVote: Listing(
            ("request", "voter", "specialty", "frequency", "merged_from", "created_at"),
            search=("request__title", "voter__email"),
        ),
        RequestComment: Listing(("request", "kind", "author", "created_at"), filters=("kind",)),
        RequestScore: Listing(
            ("request", "rubric", "reason", "value", "effort_band", "priority_index"),
            filters=("reason", "effort_band"),
        ),
        RequestStatusChange: Listing(
            ("request", "from_status", "to_status", "actor", "at"), filters=("to_status",)
        ),
    }
)
