"""Governance bodies, reviews, decisions and action items; the program's maturity
self-assessments. One module per part, re-exported here so that Django finds the models."""

from governance.models.maturity import MaturityAssessment, MaturityScore, MaturityWeight

__all__ = ["MaturityAssessment", "MaturityScore", "MaturityWeight"]
