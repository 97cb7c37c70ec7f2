"""Writes of metrics: the catalogue (metrics, targets, annotations, links to initiatives),
hand-entered measurements (`catalogue`), imports of files (`imports`) and the stored roll-ups
(`rollups`). Every function checks who may act, validates with field- or row-named errors
before writing anything and records what changed."""
