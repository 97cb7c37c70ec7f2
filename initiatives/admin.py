"""Django admin registrations of the portfolio: a read-only back office.

Initiatives, their alignments, linked requests, stage timeline, benefit lines, financial
entries, milestones and status updates change through the portfolio services (stage table,
forecast lock, optimistic locking, audit); so here they are shown and searched, never changed.
"""

from informatics.admin_lists import Listing, register_listings
from initiatives.models import (
    BenefitLine,
    FinancialEntry,
    Initiative,
    InitiativePriority,
    LinkedRequest,
    Milestone,
    StageChange,
    StatusUpdate,
)

register_listings(
    {
        Initiative: Listing(
            ("id", "title", "type", "stage", "cmio_owner", "informaticist_lead", "version"),
            filters=("stage", "type"),
            search=("id", "title"),
            ordering=("title",),
        ),
        InitiativePriority: Listing(
            ("initiative", "priority", "alignment"), filters=("alignment",)
        ),
        StageChange: Listing(
            ("initiative", "from_stage", "to_stage", "actor", "at"), filters=("to_stage",)
        ),
        BenefitLine: Listing(
            ("initiative", "value_category", "description", "target", "locked_target"),
            filters=("value_category",),
        ),
        Milestone: Listing(("initiative", "title", "due_date", "done_at", "done_by")),
        StatusUpdate: Listing(
            ("initiative", "at", "author", "schedule", "scope", "budget", "adoption")
        ),
        LinkedRequest: Listing(
            ("request", "initiative"), search=("request__title", "initiative__title")
        ),
        FinancialEntry: Listing(
            ("initiative", "month", "kind", "amount", "source", "entered_by"),
            filters=("kind", "month"),
            search=("initiative__title", "source"),
        ),
    }
)
