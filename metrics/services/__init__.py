"""Writes of metrics: the catalogue (metrics, targets, annotations, links to initiatives),
hand-entered measurements (`catalogue`), imports of files (`imports`) and the stored roll-ups
(`rollups`). Every function checks who may act, validates with field- or row-named errors
before writing anything and records what changed."""

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
from metrics.services.imports import import_run, import_upload
from metrics.services.rollups import (
    RollupResult,
    rollup_enqueue,
    rollup_enqueue_split,
    rollup_refresh,
    rollup_run,
)

__all__ = [
    "METRIC_EDITABLE",
    "METRIC_FIELDS",
    "ROLLUP_FIELDS",
    "VALUE_BASIS_FIELDS",
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
    "rollup_enqueue_split",
    "rollup_refresh",
    "rollup_run",
    "target_delete",
    "target_set",
    "value_basis_delete",
    "value_basis_set",
]
