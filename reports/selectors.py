"""Reads of the reports app: landing pages compose every app's needs-me list."""
