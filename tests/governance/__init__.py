"""Tests of governance: maturity self-assessments."""
