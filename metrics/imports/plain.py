"""The plain path (SQLite, or any database): Python streaming in chunks.

1. Read and check every row, keeping only each row's key and period in memory (about 150
   bytes a row), reporting progress as it goes.
2. In one transaction: check the file's periods against each other and against the stored
   ones of the same metric × facility; reject on any error; otherwise read the file again and
   upsert it chunk by chunk (one SELECT of the chunk's stored rows, then bulk_create and
   bulk_update), leaving unchanged rows untouched; then `finish` records the outcome.
"""

import datetime
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from metrics.imports.base import FIELDS, Finisher, Opener, Outcome, Period, Reader, overlaps
from metrics.imports.rows import CheckedRow
from metrics.models import ImportBatch, Measurement

CHUNK = 500

Key = tuple[int, int]  # metric id, facility id
Index = dict[Key, dict[datetime.date, tuple[datetime.date, int, bool]]]


def import_plain(
    *, batch: ImportBatch, opener: Opener, reader: Reader, finish: Finisher
) -> Outcome:
    outcome = Outcome(errors=reader.errors)
    index: Index = {}
    flagged: set[int] = set()
    with opener() as file:
        for row in reader.rows(file):
            periods = index.setdefault((row.metric_id, row.facility_id), {})
            first = periods.get(row.period_start)
            if first is None:
                periods[row.period_start] = (row.period_end, row.row, row.is_bad)
            else:
                reader.duplicate(row.row, first[1])
                if not row.is_bad:
                    flagged.add(row.row)
    outcome.rows_total = reader.progress.done

    with transaction.atomic():
        for later, earlier in _overlaps(index):
            target = later if later[2] is not None else earlier
            other = earlier if target is later else later
            assert target[2] is not None
            reader.overlap(target[2], other[2], other[0], other[1])
            if not target[3]:
                flagged.add(target[2])
        outcome.rows_rejected = reader.bad_rows + len(flagged)
        if not reader.errors:
            del index
            with opener() as file:
                for chunk in _chunks(reader.rows(file, again=True)):
                    _upsert(chunk, batch, outcome)
            outcome.rows_unchanged = (
                outcome.rows_total - outcome.rows_inserted - outcome.rows_updated
            )
        finish(outcome)
    return outcome


def _overlaps(index: Index) -> Iterator[tuple[Period, Period]]:
    """Overlapping (later, earlier) periods, pair by pair, with the stored periods of the
    metric × facility pairs the file touches (those it replaces left out)."""
    stored: dict[Key, list[Period]] = {}
    metric_ids = sorted({key[0] for key in index})
    rows = (
        Measurement.objects.filter(metric_id__in=metric_ids)
        .values_list("metric_id", "facility_id", "period_start", "period_end")
        .iterator(chunk_size=5000)
    )
    for metric_id, facility_id, start, end in rows:
        mine = index.get((metric_id, facility_id))
        if mine is not None and start not in mine:
            stored.setdefault((metric_id, facility_id), []).append((start, end, None, False))
    for key, periods in index.items():
        combined: list[Period] = [
            (start, end, row, is_bad) for start, (end, row, is_bad) in periods.items()
        ]
        combined.extend(stored.get(key, []))
        yield from overlaps(combined)


def _chunks(rows: Iterator[CheckedRow]) -> Iterator[list[CheckedRow]]:
    chunk: list[CheckedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _upsert(chunk: list[CheckedRow], batch: ImportBatch, outcome: Outcome) -> None:
    now = timezone.now()
    existing = {
        (m.metric_id, m.facility_id, m.period_start): m
        for m in Measurement.objects.filter(
            metric_id__in={row.metric_id for row in chunk},
            facility_id__in={row.facility_id for row in chunk},
            period_start__in={row.period_start for row in chunk},
        ).only("id", "metric_id", "facility_id", "period_start", *FIELDS)
    }
    new: list[Measurement] = []
    changed: list[Measurement] = []
    for row in chunk:
        figures = {name: getattr(row, name) for name in FIELDS}
        current = existing.get((row.metric_id, row.facility_id, row.period_start))
        if current is None:
            new.append(
                Measurement(
                    metric_id=row.metric_id,
                    facility_id=row.facility_id,
                    period_start=row.period_start,
                    batch=batch,
                    updated_at=now,
                    **figures,
                )
            )
        elif any(getattr(current, name) != value for name, value in figures.items()):
            for name, value in figures.items():
                setattr(current, name, value)
            current.batch = batch
            current.entered_by = None
            current.updated_at = now
            changed.append(current)
        else:
            continue
        outcome.metric_ids.add(row.metric_id)
    if new:
        Measurement.objects.bulk_create(new)
    if changed:
        Measurement.objects.bulk_update(changed, [*FIELDS, "batch", "entered_by", "updated_at"])
    outcome.rows_inserted += len(new)
    outcome.rows_updated += len(changed)
