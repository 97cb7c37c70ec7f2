"""Reads of this app, shaped for pages and the API: `decisions`, `reviews` and `maturity`, and
here what waits on whom across them. Callers import the reads from here."""

from django.urls import reverse

from governance.selectors.decisions import (
    DECISION_RELATIONS,
    bodies_deciding,
    chosen_body_for,
    decision_body_for,
    decision_detail,
    decision_form_url,
    decision_list,
    decisions_needs_me,
    default_body_for,
    request_body_options,
)
from governance.selectors.maturity import (
    HISTORY_PER_PAGE,
    DimensionRow,
    MaturityOverview,
    MaturityProfile,
    maturity_assessment_list,
    maturity_overview,
    maturity_profile,
    maturity_weights,
)
from governance.selectors.reviews import (
    PREPARE_DAYS,
    action_list,
    review_actions,
    review_and_action_needs,
    review_detail,
    review_list,
)
from informatics.models import User
from informatics.selectors import NEEDS_ME_LIMIT, NeedsMe, NeedsMeItem

__all__ = [
    "DECISION_RELATIONS",
    "HISTORY_PER_PAGE",
    "PREPARE_DAYS",
    "DimensionRow",
    "MaturityOverview",
    "MaturityProfile",
    "action_list",
    "bodies_deciding",
    "chosen_body_for",
    "decision_body_for",
    "decision_detail",
    "decision_form_url",
    "decision_list",
    "default_body_for",
    "maturity_assessment_list",
    "maturity_overview",
    "maturity_profile",
    "maturity_weights",
    "needs_me_for",
    "request_body_options",
    "review_actions",
    "review_detail",
    "review_list",
]


def needs_me_for(user: User) -> NeedsMe:
    """What waits on `user` in this app, for the landing page's needs-me list: at most
    NEEDS_ME_LIMIT items of each kind, the oldest, with each kind's total."""
    if not user.is_authenticated or not user.is_active or not user.roles:
        return NeedsMe()
    decisions = decisions_needs_me(user)
    reviews_and_actions = review_and_action_needs(user)
    # A chair's reviews and an owner's overdue actions are their own (a few): read whole,
    # counted, and the oldest NEEDS_ME_LIMIT of each kept.
    kept: list[NeedsMeItem] = []
    totals = dict(decisions.totals)
    for item in reviews_and_actions:
        totals[item.kind] = totals.get(item.kind, 0) + 1
        if totals[item.kind] <= NEEDS_ME_LIMIT:
            kept.append(item)
    links = {
        **decisions.links,
        "Review to prepare": reverse("governance:review-list"),
        "Overdue action": reverse("governance:action-list"),
    }
    items = sorted([*decisions, *kept], key=lambda item: item.since)
    return NeedsMe(items, totals=totals, links=links)
