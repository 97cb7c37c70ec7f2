"""Writes of the metric catalogue — metrics (`definitions`), targets, timeline annotations,
attribution links to initiatives (`links`) — and measurements entered by hand
(`measurements`).

Every function checks who may act (METRIC_EDIT for the catalogue: CMIO, CMO, admin;
MEASUREMENT_LOAD for measurements: informaticists and the CMIO), validates before writing
anything — the model's own field checks (types, lengths, choices), then the catalogue's rules,
each error naming its field — guards free text against patient information, records what
changed (informatics.audit; a hand-entered measurement per row, an imported one through its
batch) and, when a change alters what a chart shows, enqueues a roll-up of the metric after
commit.

The package's public names are exported by `metrics.services`, the one place that lists
them.
"""
