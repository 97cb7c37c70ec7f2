"""This app's part of the demo health system (DOMAIN.md §7).

`manage.py seed_demo` calls `seed(*, stdout)` here, in dependency order (informatics,
initiatives, metrics, governance, reports), once this module defines it; it must be safe to run
again (upsert by natural keys) and may use what the apps before it seeded.
"""
