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
"""

from metrics.services.catalogue.annotations import annotation_add, annotation_delete
from metrics.services.catalogue.definitions import (
    METRIC_EDITABLE,
    METRIC_FIELDS,
    ROLLUP_FIELDS,
    metric_create,
    metric_update,
)
from metrics.services.catalogue.links import metric_link_initiative, metric_unlink_initiative
from metrics.services.catalogue.measurements import measurement_enter
from metrics.services.catalogue.targets import target_delete, target_set
from metrics.services.catalogue.value import (
    VALUE_BASIS_FIELDS,
    value_basis_delete,
    value_basis_set,
)

__all__ = [
    "METRIC_EDITABLE",
    "METRIC_FIELDS",
    "ROLLUP_FIELDS",
    "VALUE_BASIS_FIELDS",
    "annotation_add",
    "annotation_delete",
    "measurement_enter",
    "metric_create",
    "metric_link_initiative",
    "metric_unlink_initiative",
    "metric_update",
    "target_delete",
    "target_set",
    "value_basis_delete",
    "value_basis_set",
]
