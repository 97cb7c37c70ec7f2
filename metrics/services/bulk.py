"""Bulk writes of many rows in a few statements. Rows are tuples of plain Python values in the
order of the field names given (JSON fields as Python objects).

On PostgreSQL each chunk of rows is one statement over `unnest` of one array per column:
`INSERT … SELECT * FROM unnest(…)` and `UPDATE … FROM unnest(…) WHERE id = …`, without building
a model instance per row. Elsewhere (SQLite) Django's `bulk_create` and `bulk_update`."""

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

ROWS_PER_STATEMENT = 5000

type Row = Sequence[Any]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Row]) -> None:
    """INSERT `rows` (values of `fields`, in order) into `model`'s table. Every column
    without a database default must be among `fields` (Django's defaults are not applied)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            batch_size=ROWS_PER_STATEMENT,
        )
        return
    columns = [_column(model, name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names come from the model
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), ROWS_PER_STATEMENT):
            cursor.execute(sql, _arrays(columns, rows[offset : offset + ROWS_PER_STATEMENT]))


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Row]) -> None:
    """UPDATE `fields` of `model`'s rows: each row is (primary key, *values of `fields`)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        pk_name = model._meta.pk.attname
        model._default_manager.bulk_update(
            [model(**dict(zip((pk_name, *fields), row, strict=True))) for row in rows],
            list(fields),
            batch_size=ROWS_PER_STATEMENT,
        )
        return
    pk: Any = model._meta.pk
    columns = [pk, *(_column(model, name) for name in fields)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column.column) for column in columns)
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    assignments = ", ".join(
        f"{quote(column.column)} = v.{quote(column.column)}" for column in columns[1:]
    )
    key = quote(pk.column)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names come from the model
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{key} = v.{key}"
    )
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), ROWS_PER_STATEMENT):
            cursor.execute(sql, _arrays(columns, rows[offset : offset + ROWS_PER_STATEMENT]))


def update_instances[M: models.Model](
    model: type[M], objs: Sequence[M], fields: Sequence[str]
) -> None:
    """Write `fields` of every saved instance in `objs` to its row."""
    attnames = [_column(model, name).attname for name in fields]
    update_rows(
        model,
        fields,
        [(obj.pk, *(getattr(obj, name) for name in attnames)) for obj in objs],
    )


def _column(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _arrays(columns: Sequence[Any], rows: Sequence[Row]) -> list[str]:
    """One PostgreSQL array literal ('{…}') per column: parsed by the array type's input
    function, far cheaper for the server than an ARRAY[…] expression of many parameters."""
    arrays: list[str] = []
    for column, values in zip(columns, zip(*rows, strict=True), strict=True):
        texts: Iterable[str]
        if isinstance(column, models.JSONField):
            texts = [
                '"[]"' if v == [] else "NULL" if v is None else _quoted(json.dumps(v))
                for v in values
            ]
        elif isinstance(column, models.BooleanField):
            texts = _each_once(values, lambda v: "t" if v else "f")
        elif isinstance(column, models.FloatField):
            distinct = set(values)
            if len(distinct) * 4 < len(values):  # a roll-up's centre and limits, say
                texts = _each_once(values, lambda v: repr(float(v)), distinct)
            elif None in distinct:
                texts = ["NULL" if v is None else repr(float(v)) for v in values]
            else:  # a column without a gap, as most are: no test per value
                texts = map(repr, map(float, values))
        elif isinstance(column, (models.CharField, models.TextField, models.DateTimeField)):
            texts = ["NULL" if v is None else _quoted(str(v)) for v in values]
        elif isinstance(column, (models.DateField, models.ForeignKey, models.IntegerField)):
            # A roll-up's periods and series repeat on every row of their period or series.
            texts = _each_once(values, str)  # str() is a valid element
        elif None in values:  # decimals: their str() is a valid element
            texts = ["NULL" if v is None else str(v) for v in values]
        else:
            texts = map(str, values)
        arrays.append("{" + ",".join(texts) + "}")
    return arrays


def _each_once(
    values: Sequence[Any], text: Callable[[Any], str], distinct: Iterable[Any] | None = None
) -> Iterable[str]:
    """The elements of `values` (NULL for None), each distinct value formatted once."""
    texts = {
        v: "NULL" if v is None else text(v) for v in (set(values) if distinct is None else distinct)
    }
    return map(texts.__getitem__, values)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
