"""Who may open which metric page and take which action, for every role (DESIGN.md's table):
everyone signed in reads the catalogue and every metric's page; the CMIO, the CMO and admins
edit the catalogue, targets, timeline notes and links to initiatives; informaticists and the
CMIO enter measurements. Each refused write answers 403 and changes nothing: rows, fields,
version, history and roll-up jobs stay as they were."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.choices import Role
from informatics.models import AuditEvent, JobRun, PhiConfirmation, User
from metrics.forms import MetricEditForm
from metrics.models import Annotation, Measurement, Metric, MetricInitiative, Target
from tests.conftest import snapshot
from tests.metrics.page_world import World
from tests.metrics.test_views import metric_form

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

ROLES = Role.values
EDITORS: set[str] = {Role.CMIO, Role.CMO, Role.ADMIN}
LOADERS: set[str] = {Role.INFORMATICIST, Role.CMIO}


# Everything a refused write could have changed (compared whole with `snapshot`).
TABLES = (
    Metric,
    Target,
    Annotation,
    MetricInitiative,
    Measurement,
    Metric.priorities.through,
    AuditEvent,
    PhiConfirmation,
    JobRun,
)


def edit_data(world: World) -> dict[str, Any]:
    initial = MetricEditForm.initial_for(world.metric)
    # A form posts no unticked box and no empty choice.
    data = {
        name: value for name, value in initial.items() if value is not None and value is not False
    }
    data.update(name="SEP-1 compliance (edited)", priorities=[], balancing_metrics=[])
    return data


Write = Callable[[World], tuple[str, dict[str, Any]]]

WRITES: dict[str, tuple[set[str], Write]] = {
    "metric-create": (EDITORS, lambda w: (reverse("metrics:metric-create"), metric_form())),
    "metric-edit": (
        EDITORS,
        lambda w: (reverse("metrics:metric-edit", args=[w.metric.pk]), edit_data(w)),
    ),
    "target-add": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-target-add", args=[w.metric.pk]),
            {"value": "82", "due_date": "2031-01-31"},
        ),
    ),
    "target-delete": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-target-delete", args=[w.metric.pk, w.target.pk]),
            {},
        ),
    ),
    "annotation-add": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-annotation-add", args=[w.metric.pk]),
            {"kind": "note", "date": "2025-03-01", "label": "Sepsis coordinator hired"},
        ),
    ),
    "annotation-delete": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-annotation-delete", args=[w.metric.pk, w.note.pk]),
            {},
        ),
    ),
    "link-add": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-link-add", args=[w.metric.pk]),
            {"initiative": w.other.pk, "share": "20"},
        ),
    ),
    "link-delete": (
        EDITORS,
        lambda w: (
            reverse("metrics:metric-link-delete", args=[w.metric.pk, w.initiative.pk]),
            {},
        ),
    ),
    "measurement-enter": (
        LOADERS,
        lambda w: (
            reverse("metrics:metric-measurement-enter", args=[w.metric.pk]),
            {
                "facility": w.south.pk,
                "period_start": "2025-05-01",
                "period_end": "2025-05-31",
                "numerator": "70",
                "denominator": "100",
            },
        ),
    ),
}


@pytest.fixture
def world(users: dict[str, User]) -> World:
    return World(users)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_catalogue_and_each_metric(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)

    listing = client.get(reverse("metrics:metric-list"))
    page = client.get(reverse("metrics:metric-detail", args=[world.metric.pk]))
    hospital = client.get(
        reverse("metrics:metric-detail", args=[world.metric.pk]) + f"?facility={world.north.pk}"
    )

    assert (listing.status_code, page.status_code, hospital.status_code) == (200, 200, 200)


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    for url in (
        reverse("metrics:metric-list"),
        reverse("metrics:metric-detail", args=[world.metric.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_only_catalogue_editors_open_the_metric_forms(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)

    create = client.get(reverse("metrics:metric-create"))
    edit = client.get(reverse("metrics:metric-edit", args=[world.metric.pk]))

    expected = 200 if role in EDITORS else 403
    assert (create.status_code, edit.status_code) == (expected, expected)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_is_for_its_roles_only_and_a_refusal_changes_nothing(
    world: World, client_for: Callable[[str], Client], role: str, write: str
) -> None:
    allowed, make = WRITES[write]
    url, data = make(world)
    before = snapshot(*TABLES)

    response = client_for(role).post(url, data)

    if role in allowed:
        assert response.status_code == 302, getattr(response, "context", {}) and [
            form.errors
            for name in ("form", "target_form", "annotation_form", "link_form", "measurement_form")
            if (form := response.context.get(name)) is not None
        ]
        assert snapshot(*TABLES) != before
    else:
        assert response.status_code == 403
        assert snapshot(*TABLES) == before
