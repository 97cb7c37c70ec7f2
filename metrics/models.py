"""Metric catalogue, measurements and roll-ups (the metrics issue adds the records)."""
