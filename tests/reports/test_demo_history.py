"""Every history entry of the demo health system reads as words (issue 16): the history partial,
which every page with a history includes, shows no raw field name ("sla_due_at", "Ehr module"),
no raw choice value ("pain_point") and no raw dict ("{'safety_quality': 3, …}")."""

import datetime
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from informatics.models import AuditEvent
from informatics.templatetags.portal import ACRONYMS, audit_rows
from tests.conftest import data_for_module

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
MISCASED = re.compile(r"\b(" + "|".join(word.capitalize() for word in ACRONYMS) + r")\b")


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with data_for_module(django_db_blocker):
        call_command("seed_demo", stdout=StringIO())
        yield


def _events() -> list[AuditEvent]:
    return list(AuditEvent.objects.select_related("content_type", "actor").order_by("id"))


def test_every_demo_history_entry_shows_labels_not_raw_names_values_or_dicts(
    seeded: None,
) -> None:
    events = _events()
    problems = []
    for event in events:
        text = strip_tags(render_to_string("partials/history.html", {"events": [event]}))
        for found in (*SNAKE.findall(text), *re.findall(r"[{}\[\]]", text)):
            problems.append((event.pk, event.content_type.model, found))
        problems += [(event.pk, "miscased", word) for word in MISCASED.findall(text)]

    assert len(events) > 100  # the demo's history is there to walk
    assert problems == []


def test_every_changed_choice_field_shows_a_choice_label(seeded: None) -> None:
    raw = []
    for event in _events():
        model = event.content_type.model_class()
        assert model is not None
        for (name, change), row in zip(event.changes.items(), audit_rows(event), strict=True):
            try:
                choices = dict(getattr(model._meta.get_field(name), "flatchoices", None) or ())
            except (FieldDoesNotExist, AttributeError):
                continue
            if not choices:
                continue
            labels = {str(label) for label in choices.values()} | {"—"}
            raw += [(event.pk, name, shown) for shown in (row.old, row.new) if shown not in labels]
            assert isinstance(change, list)

    assert raw == []


def test_a_triaged_demo_requests_ratings_show_as_a_table_of_criterion_labels(
    seeded: None,
) -> None:
    event = next(
        event
        for event in _events()
        if event.content_type.model == "intakerequest" and "ratings" in event.changes
    )

    html = render_to_string("partials/history.html", {"events": [event]})

    (row,) = [row for row in audit_rows(event) if row.label == "Ratings"]
    assert [label for label, _ in row.new_table] == [
        "Patient safety and quality",
        "Strategic alignment",
        "Clinician time saved",
        "Financial",
        "Equity",
        "Evidence",
        "Readiness",
    ]
    assert '<table class="history__table">' in html
    assert '<th scope="row">Patient safety and quality</th>' in html
