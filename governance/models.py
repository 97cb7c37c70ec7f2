"""Governance bodies, reviews, decisions and action items (the governance issue adds them)."""
