"""Writes of metrics: the catalogue (metrics, targets, annotations, links to initiatives),
hand-entered measurements (`catalogue`), imports of files (`imports`) and the stored roll-ups
(`rollups`). Every function checks who may act, validates with field- or row-named errors
before writing anything and records what changed."""

from metrics.services.catalogue import (
    METRIC_EDITABLE,
    METRIC_FIELDS,
    ROLLUP_FIELDS,
    annotation_add,
    annotation_delete,
    measurement_enter,
    metric_create,
    metric_link_initiative,
    metric_unlink_initiative,
    metric_update,
    target_delete,
    target_set,
    value_basis_delete,
    value_basis_set,
)
from metrics.services.imports import import_run, import_upload
from metrics.services.rollups import RollupResult, rollup_enqueue, rollup_refresh, rollup_run

__all__ = [
    "METRIC_EDITABLE",
    "METRIC_FIELDS",
    "ROLLUP_FIELDS",
    "RollupResult",
    "annotation_add",
    "annotation_delete",
    "import_run",
    "import_upload",
    "measurement_enter",
    "metric_create",
    "metric_link_initiative",
    "metric_unlink_initiative",
    "metric_update",
    "rollup_enqueue",
    "rollup_refresh",
    "rollup_run",
    "target_delete",
    "target_set",
    "value_basis_delete",
    "value_basis_set",
]
