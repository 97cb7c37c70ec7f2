"""Stored files that outlive their use: the rows stay as the record, the files go."""

from typing import Any

from django.db.models import QuerySet


def stored_files_forget(rows: QuerySet[Any]) -> int:
    """Delete the stored file of every row in `rows` (a model with a `file` FileField) and
    empty the field, keeping the row; rows already without a file are passed over. Returns how
    many files were deleted, so running it again deletes nothing more."""
    deleted = 0
    for row in rows.exclude(file="").only("pk", "file").order_by("pk").iterator(chunk_size=500):
        row.file.delete(save=False)  # the storage forgets the file; a missing one is no error
        type(row).objects.filter(pk=row.pk).update(file="")
        deleted += 1
    return deleted
