"""Writes of this app: typed functions named <entity>_<action>."""

from governance.services.decisions import decision_evidence, decision_record

__all__ = ["decision_evidence", "decision_record"]
