"""Reads of import batches for the import pages and the API: shaped so that a list or a
detail is one query (the batch with its job and uploader)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from metrics.models import ImportBatch


def import_list() -> QuerySet[ImportBatch]:
    """Every batch, newest first, with its job and uploader; the error list is left out (the
    detail has it)."""
    return ImportBatch.objects.select_related("job", "uploaded_by").defer("errors")


def import_detail(*, batch_id: int) -> ImportBatch:
    """One batch with its job, uploader and errors (Http404 when there is none)."""
    return get_object_or_404(ImportBatch.objects.select_related("job", "uploaded_by"), pk=batch_id)
