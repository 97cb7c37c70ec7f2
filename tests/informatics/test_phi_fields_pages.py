"""The priority pages show what the PHI guard saw beside the field, with the box to confirm."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.models import PhiConfirmation, StrategicPriority, User
from tests.conftest import snapshot
from tests.factories import PriorityFactory

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

MARKED = '<mark class="phi" title="Looks like a medical record number">MRN 4412897</mark>'
PHI_MRN = (
    "This looks like patient information (medical record number: “MRN 4412897”). Edit it "
    "out, or confirm it is not patient information."
)


@pytest.fixture
def cmo(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users["cmo"], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_new_prioritys_title_is_highlighted_and_can_be_confirmed(cmo: Client) -> None:
    url = reverse("informatics:priority-create")
    data: dict[str, Any] = {
        "code": "sepsis",
        "title": "Sepsis after MRN 4412897",
        "goal_statement": "Fewer sepsis deaths.",
        "value_category": "safety_quality",
        "horizon": "2027-06-30",
    }

    response = cmo.post(url, data)

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"title": [PHI_MRN]}
    page = response.content.decode()
    assert MARKED in page
    assert 'name="phi_confirmed"' in page
    assert StrategicPriority.objects.count() == 0

    assert cmo.post(url, {**data, "phi_confirmed": "on"}).status_code == 302
    assert list(StrategicPriority.objects.values_list("title", flat=True)) == [data["title"]]
    assert list(PhiConfirmation.objects.values_list("field", flat=True)) == ["title"]


def test_an_edited_goal_statement_is_highlighted_and_nothing_is_saved(cmo: Client) -> None:
    priority = PriorityFactory.create()
    url = reverse("informatics:priority-edit", args=[priority.pk])
    data = {
        "code": priority.code,
        "title": priority.title,
        "goal_statement": "Start with MRN 4412897",
        "value_category": priority.value_category,
        "horizon": priority.horizon.isoformat(),
        "version": priority.version,
    }
    before = snapshot(StrategicPriority)

    response = cmo.post(url, data)

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"goal_statement": [PHI_MRN]}
    assert MARKED in response.content.decode()
    assert snapshot(StrategicPriority) == before


def test_a_retire_reason_is_highlighted_and_can_be_confirmed(cmo: Client) -> None:
    priority = PriorityFactory.create()
    url = reverse("informatics:priority-retire", args=[priority.pk])
    data: dict[str, Any] = {"retired_reason": "MRN 4412897", "version": priority.version}

    response = cmo.post(url, data)

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"retired_reason": [PHI_MRN]}
    assert MARKED in response.content.decode()
    priority.refresh_from_db()
    assert priority.is_active is True

    assert cmo.post(url, {**data, "phi_confirmed": "on"}).status_code == 302
    priority.refresh_from_db()
    assert (priority.is_active, priority.retired_reason) == (False, "MRN 4412897")
