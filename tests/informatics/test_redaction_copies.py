"""Redaction follows every copy the portal made of a text: the audit events of related records
(votes, comments, questions and answers, merges both ways, an initiative's links), the record
labels, the outbox and the cached chart SVG. After an admin redacts it, the text is in no
column of any table and in no cached value, on SQLite and PostgreSQL, with the in-process cache
and with Redis."""

import datetime
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import reverse

from informatics import services
from informatics.cache import render_key, renders_purge
from informatics.choices import FacilityKind, NotificationPreference
from informatics.models import AuditEvent, JobRun, Notification, Redaction, User
from informatics.phi import REDACTED
from informatics.services.notifications import notify
from informatics.services.redaction import _scrub, copy_fields
from initiatives import services as initiative_services
from intake import services as intake_services
from intake.models import IntakeRequest, RequestVote
from metrics import charts, selectors
from metrics.choices import AnnotationKind
from metrics.models import Annotation
from metrics.services.catalogue.annotations import annotation_add
from metrics.services.rollups import rollup_refresh
from tests.conftest import port_open, require_service, snapshot
from tests.factories import FacilityFactory
from tests.initiatives.factories import create_initiative
from tests.intake.factories import submit, triage_fully
from tests.metrics.factories import MetricFactory, monthly_series
from tests.ops.conftest import TEST_REDIS_DB, closed_port

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

# The text to redact: a word found nowhere else, and a letter that SQLite's JSON keeps escaped.
TOKEN = "Zebrafish"
VALUE = f"{TOKEN} façade quandary on 4 West"

REDIS_LOCATION = f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"
REDIS_PREFIX = f"redaction-test-{os.getpid()}"


# --- Where to look ----------------------------------------------------------------------------


def database_hits(token: str) -> list[str]:
    """Every "table.column" of every table whose value, read as text, holds `token` (in any
    case, as written or JSON-escaped)."""
    quote = connection.ops.quote_name
    forms = {token.lower(), json.dumps(token.lower())[1:-1]}
    hits = []
    with connection.cursor() as cursor:
        tables = [t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t"]
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                for form in forms:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - names from introspection
                        f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                        [f"%{form}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{column.name}")
                        break
    return hits


def cached_values() -> Iterator[tuple[str, bytes]]:
    """Every key of the default cache with its value as stored: pickled, so a text is in it
    as UTF-8 bytes."""
    backend = caches["default"]
    store: Any = backend  # the stores below are not in the stubs
    if isinstance(backend, LocMemCache):
        with store._lock:
            stored = list(store._cache.items())
        yield from stored
    elif isinstance(backend, RedisCache):
        client = store._cache.get_client()
        for key in client.scan_iter(match=f"{REDIS_PREFIX}*"):
            raw = client.get(key) or b""
            yield key.decode(), raw if isinstance(raw, bytes) else str(raw).encode()
    else:
        raise AssertionError(f"no way to list the keys of {type(backend).__name__}")


def cache_hits(token: str) -> list[str]:
    needle = token.lower().encode()
    return [key for key, value in cached_values() if needle in value.lower()]


@pytest.fixture(params=["locmem", "redis"])
def each_cache(request: pytest.FixtureRequest) -> Iterator[str]:
    """The test runs once with the in-process cache and once with Redis (the production one);
    the Redis keys carry a prefix of this process, deleted afterwards."""
    if request.param == "locmem":
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ):
            cache.clear()
            yield "locmem"
            cache.clear()
        return
    require_service(port_open("127.0.0.1", 6379), "Redis at 127.0.0.1:6379")
    settings = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_LOCATION,
        "KEY_PREFIX": REDIS_PREFIX,
    }
    with override_settings(CACHES={"default": settings}):
        yield "redis"
    client = redis.Redis.from_url(REDIS_LOCATION)
    for key in client.scan_iter(match=f"{REDIS_PREFIX}*"):
        client.delete(key)
    client.close()


def copies_elsewhere(*records: Model) -> list[tuple[str, str]]:
    """The audit events of records other than `records` that quote TOKEN: (model, what the
    event is of)."""
    own = {(record._meta.model_name, str(record.pk)) for record in records}
    found = []
    for event in AuditEvent.objects.select_related("content_type").order_by("id"):
        held = json.dumps([event.object_repr, event.note, event.changes], ensure_ascii=False)
        if TOKEN not in held or (event.content_type.model, event.object_id) in own:
            continue
        what = event.object_repr.split(" by ")[0]
        if event.content_type.model == "intakerequest":
            what = "the duplicate merged into it"
        found.append((event.content_type.model, what))
    return sorted(found)


# --- The whole walk ---------------------------------------------------------------------------


def copy_everywhere(users: dict[str, User]) -> tuple[IntakeRequest, Annotation]:
    """A request titled VALUE, and the value copied everywhere the portal copies it."""
    champion, cmio, admin = users["champion"], users["cmio"], users["admin"]
    request = submit(champion, title=VALUE)
    intake_services.request_vote(actor=users["executive"], request=request)
    intake_services.request_comment(actor=cmio, request=request, body="Seen this on 5 East too.")
    intake_services.request_ask(actor=cmio, request=request, question="Which shifts?")
    request.refresh_from_db()
    intake_services.request_answer(actor=champion, request=request, body="Nights mostly.")
    # Another request merged into it; it linked to an initiative, then merged into a third.
    duplicate = submit(users["executive"], title="Same trouble on the ward")
    intake_services.request_merge(actor=cmio, request=duplicate, survivor=request)
    request.refresh_from_db()
    initiative = create_initiative(cmio, title="Ward workflow clean-up")
    request = triage_fully(cmio, request)  # only a triaged request is linked
    initiative_services.initiative_link_requests(
        actor=cmio, initiative=initiative, requests=[request]
    )
    initiative_services.initiative_unlink_requests(
        actor=cmio, initiative=initiative, requests=[request]
    )
    keeper = submit(users["cmo"], title="Ward workflow wish list")
    request.refresh_from_db()
    intake_services.request_merge(actor=cmio, request=request, survivor=keeper)
    # A queued e-mail quoting it, and one already sent.
    admin.notification_preference = NotificationPreference.DAILY
    admin.save(update_fields=["notification_preference"])
    notify(recipient=admin, subject=f"New: {VALUE}", body=f"“{VALUE}” was submitted.")
    sent = notify(recipient=users["cmo"], subject=f"Merged: {VALUE}", body=VALUE)
    assert sent is not None
    Notification.objects.filter(pk=sent.pk).update(sent_at=NOW)
    # A background job whose error and result quote it.
    JobRun.objects.create(kind="report", error=f"Could not draw “{VALUE}”", result={"t": [VALUE]})
    # A metric annotation labelled with it, drawn on a chart that is cached.
    system = FacilityFactory.create(code="rh", name="Riverside Health", kind=FacilityKind.SYSTEM)
    metric = MetricFactory.create(baseline_points=12)
    monthly_series(metric, system, [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 11, 14, 15])
    annotation = annotation_add(
        actor=cmio,
        metric=metric,
        kind=AnnotationKind.NOTE,
        date=datetime.date(2024, 9, 1),
        label=VALUE,
    )
    rollup_refresh(metric_ids=[metric.pk], today=NOW.date())
    svg = charts.chart_svg(selectors.series_view(metric=metric, facility=system))
    assert TOKEN in svg
    request.refresh_from_db()
    annotation.refresh_from_db()
    return request, annotation


def test_a_redacted_text_is_in_no_column_of_any_table_and_in_no_cached_value(
    users: dict[str, User],
    each_cache: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # Given a value copied into related audit events, labels, the outbox and a cached chart
    request, annotation = copy_everywhere(users)
    assert set(database_hits(TOKEN)) >= {
        "intake_intakerequest.title",
        "metrics_annotation.label",
        "informatics_auditevent.object_repr",
        "informatics_auditevent.changes",
        "informatics_notification.subject",
        "informatics_notification.body",
        "informatics_jobrun.error",
        "informatics_jobrun.result",
    }
    assert len(cache_hits(TOKEN)) == 1
    assert copies_elsewhere(request, annotation) == [
        ("intakerequest", "the duplicate merged into it"),
        ("requestcomment", "Answer"),
        ("requestcomment", "Comment"),
        ("requestcomment", "Question to the submitter"),
        ("requestvote", "+1"),
    ]

    # When an admin redacts the request's title and the annotation's label
    with django_capture_on_commit_callbacks(execute=True):
        services.text_redact(
            actor=users["admin"], instance=request, field="title", reason="A name was typed in."
        )
        services.text_redact(
            actor=users["admin"], instance=annotation, field="label", reason="Same name."
        )

    # Then no column of any table and no cached value holds it
    assert database_hits(TOKEN) == []
    assert cache_hits(TOKEN) == []
    assert copies_elsewhere(request, annotation) == []
    # … and the history stays readable, with "[redacted]" where the text was
    vote_event = AuditEvent.objects.get(content_type__model="requestvote")
    assert vote_event.changes["request"] == [None, f"#{request.pk} {REDACTED}"]
    assert vote_event.changes["voter"] == [None, "Demo EXECUTIVE"]
    request.refresh_from_db()
    assert request.title == REDACTED
    assert str(request) == f"#{request.pk} {REDACTED}"
    assert Notification.objects.filter(subject=f"New: {REDACTED}").count() == 1
    assert Notification.objects.filter(subject=f"Merged: {REDACTED}", body=REDACTED).count() == 1
    assert Redaction.objects.count() == 2
    job = JobRun.objects.get()
    assert (job.error, job.result) == (f"Could not draw “{REDACTED}”", {"t": [REDACTED]})


# --- The pieces -------------------------------------------------------------------------------


LONG = "Patient Jane Roe in bay 4 fell twice overnight, and the bed alarm was off each time"


def test_a_copy_cut_short_loses_its_tail_and_other_text_is_kept() -> None:
    cut = f"Vote on #7 {LONG}"[:60]

    assert _scrub(cut, {LONG}) == f"Vote on #7 {REDACTED}"
    assert _scrub(f"#7 {LONG} (merged)", {LONG}) == f"#7 {REDACTED} (merged)"
    # A text that only starts the same way is not a copy
    assert _scrub("Patient Jane Roe in bay 4 is fine", {LONG}) == (
        "Patient Jane Roe in bay 4 is fine"
    )


def test_another_records_history_loses_a_long_title_cut_short_in_its_label(
    users: dict[str, User],
) -> None:
    # A name typed and confirmed past the guard: what an admin redacts
    request = submit(users["champion"], title=LONG[:80], phi_confirmed=True)
    vote = intake_services.request_vote(actor=users["executive"], request=request)
    # An event whose label was cut at 60 characters, in the middle of the title
    event = AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(RequestVote),
        object_id=str(vote.pk),
        object_repr=f"Vote on {request}"[:60],
        action="update",
        changes={"request": [None, str(request)]},
        note=f"moved from {request}",
    )

    services.text_redact(
        actor=users["admin"], instance=request, field="title", reason="A name was typed in."
    )

    event.refresh_from_db()
    assert event.object_repr == f"Vote on #{request.pk} {REDACTED}"
    assert event.changes == {"request": [None, f"#{request.pk} {REDACTED}"]}
    assert event.note == f"moved from #{request.pk} {REDACTED}"


def test_the_kernel_declares_where_it_keeps_copies_of_other_records_texts() -> None:
    # and the value reports, whose payloads quote titles and rationales
    assert copy_fields() == {
        "informatics.auditevent": ("object_repr", "note", "changes"),
        "informatics.notification": ("subject", "body"),
        "informatics.jobrun": ("error", "result"),
        "reports.valuereport": ("payload",),
    }


def test_a_short_text_is_redacted_on_its_record_but_not_searched_for_in_other_copies(
    users: dict[str, User],
) -> None:
    # "Slow" would match unrelated labels: only its own record and history lose it
    request = submit(users["champion"], title="Slow order entry on nights")
    comment = intake_services.request_comment(actor=users["cmio"], request=request, body="Slow")
    title_event = AuditEvent.objects.get(
        content_type__model="intakerequest", object_id=str(request.pk)
    )
    before = (title_event.object_repr, title_event.changes)

    services.text_redact(actor=users["admin"], instance=comment, field="body", reason="A name.")

    comment.refresh_from_db()
    assert comment.body == REDACTED
    title_event.refresh_from_db()
    assert (title_event.object_repr, title_event.changes) == before
    assert title_event.changes["title"] == [None, "Slow order entry on nights"]


def test_the_purge_drops_every_cached_render_and_nothing_else(each_cache: str) -> None:
    cache.set(render_key("metrics-chart-svg-v1", "abc"), "<svg>old label</svg>")
    cache.set(render_key("page-piece", "def"), "<p>old label</p>")
    cache.set("site-settings", "kept")

    assert renders_purge() == 2

    assert cache.get(render_key("metrics-chart-svg-v1", "abc")) is None
    assert cache.get(render_key("page-piece", "def")) is None
    assert cache.get("site-settings") == "kept"
    assert charts.CACHE_PREFIX == "render:metrics-chart-svg-v1:"


def closed_cache() -> override_settings:
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            }
        }
    )


UNREACHABLE = (
    "The cache could not be reached to drop cached charts; nothing was redacted. "
    "Try again when the cache is back."
)


def test_a_redaction_is_refused_whole_when_the_cache_cannot_be_reached(
    users: dict[str, User],
) -> None:
    request = submit(users["champion"], title=VALUE)
    intake_services.request_vote(actor=users["executive"], request=request)
    before = snapshot(IntakeRequest, AuditEvent, Notification, Redaction)

    with closed_cache(), pytest.raises(ValidationError) as raised:
        services.text_redact(
            actor=users["admin"], instance=request, field="title", reason="A name was typed."
        )

    assert raised.value.messages == [UNREACHABLE]
    assert snapshot(IntakeRequest, AuditEvent, Notification, Redaction) == before


def test_the_page_says_why_nothing_was_redacted_when_the_cache_cannot_be_reached(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    request = submit(users["champion"], title=VALUE)
    url = reverse(
        "informatics:text-redact",
        kwargs={
            "app_label": "intake",
            "model": "intakerequest",
            "object_id": str(request.pk),
            "field": "title",
        },
    )
    admin = client_for("admin")
    before = snapshot(IntakeRequest, AuditEvent, Redaction)

    with closed_cache():
        response = admin.post(url, {"reason": "A name was typed."})

    assert response.status_code == 200
    assert UNREACHABLE in response.content.decode()
    assert snapshot(IntakeRequest, AuditEvent, Redaction) == before
