"""A trigram GIN index on request titles, so that "similar requests" (pg_trgm's word
similarity, through the `%>` operator) reads the index instead of every row. PostgreSQL only:
other databases compare words in Python and get nothing here. Not in the model's Meta, since
SQLite cannot build it; the migration state does not change."""

from typing import Any

from django.db import migrations

INDEX = "request_title_trgm_idx"


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON intake_intakerequest "
        "USING gin (title gin_trgm_ops)"
    )


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_request_created_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
