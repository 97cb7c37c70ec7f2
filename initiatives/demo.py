"""This app's part of the demo health system (called by seed_demo)."""
