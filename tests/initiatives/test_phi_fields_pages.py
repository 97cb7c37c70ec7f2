"""The initiative page's milestone and benefit forms show what the PHI guard saw beside the
field, with the box to confirm it is not patient information."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.models import PhiConfirmation, User
from initiatives.models import BenefitLine, Milestone
from tests.conftest import snapshot
from tests.initiatives.factories import BenefitLineFactory, create_initiative

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

MARKED = '<mark class="phi" title="Looks like a medical record number">MRN 4412897</mark>'
PHI_MRN = (
    "This looks like patient information (medical record number: “MRN 4412897”). Edit it "
    "out, or confirm it is not patient information."
)


@pytest.fixture
def cmio(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users["cmio"], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_milestone_title_is_highlighted_and_can_be_confirmed(
    users: dict[str, User], cmio: Client
) -> None:
    initiative = create_initiative(users["cmio"])
    url = reverse("initiatives:initiative-milestone-add", args=[initiative.pk])
    data: dict[str, Any] = {"title": "Call back MRN 4412897", "due_date": "2026-09-01"}

    response = cmio.post(url, data)

    assert response.status_code == 200
    assert dict(response.context["milestone_form"].errors) == {"title": [PHI_MRN]}
    page = response.content.decode()
    assert MARKED in page
    assert 'id="milestone_phi_confirmed"' in page
    assert Milestone.objects.count() == 0

    assert cmio.post(url, {**data, "phi_confirmed": "on"}).status_code == 302
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Call back MRN 4412897"]
    assert list(PhiConfirmation.objects.values_list("field", flat=True)) == ["title"]


def test_a_benefit_edit_highlights_the_unit_and_can_be_confirmed(
    users: dict[str, User], cmio: Client
) -> None:
    initiative = create_initiative(users["cmio"])
    benefit = BenefitLineFactory.create(initiative=initiative)
    url = reverse("initiatives:initiative-benefit-edit", args=[initiative.pk, benefit.pk])
    data: dict[str, Any] = {
        "value_category": benefit.value_category,
        "description": benefit.description,
        "unit": "MRN 4412897",
        "baseline": str(benefit.baseline),
        "target": str(benefit.target),
        "horizon": benefit.horizon.isoformat(),
    }
    before = snapshot(BenefitLine)

    response = cmio.post(url, data)

    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"unit": [PHI_MRN]}
    page = response.content.decode()
    assert MARKED in page
    assert 'name="phi_confirmed"' in page
    assert snapshot(BenefitLine) == before

    assert cmio.post(url, {**data, "phi_confirmed": "on"}).status_code == 302
    benefit.refresh_from_db()
    assert benefit.unit == "MRN 4412897"
    assert list(PhiConfirmation.objects.values_list("field", flat=True)) == ["unit"]
