"""Governance bodies, reviews, decisions and action items; the program's maturity
self-assessments. One module per part, re-exported here so that Django finds the models."""

from governance.models.bodies import BodyMembership, GovernanceBody, RequestBody, RouteOwner
from governance.models.maturity import MaturityAssessment, MaturityScore, MaturityWeight
from governance.models.reviews import ActionItem, AgendaItem, AgendaSettings, Decision, Review

__all__ = [
    "ActionItem",
    "AgendaItem",
    "AgendaSettings",
    "BodyMembership",
    "Decision",
    "GovernanceBody",
    "MaturityAssessment",
    "MaturityScore",
    "MaturityWeight",
    "RequestBody",
    "Review",
    "RouteOwner",
]
