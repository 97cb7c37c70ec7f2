"""Intake requests and initiatives (the intake and portfolio issues add the records)."""
