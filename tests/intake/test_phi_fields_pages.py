"""The request form shows what the PHI guard saw beside the short texts it now reads."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.models import PhiConfirmation, User
from intake.choices import RequestStatus
from intake.models import IntakeRequest, RequestVote
from tests.conftest import ApiAs
from tests.intake.factories import submit
from tests.intake.test_views import SUBMISSION, field_errors

pytestmark = pytest.mark.django_db

PHI_MRN = (
    "This looks like patient information (medical record number: “MRN 4412897”). Edit it "
    "out, or confirm it is not patient information."
)


@pytest.mark.parametrize("field", ["workflow_area", "ehr_module", "specialty"])
def test_phi_in_a_short_text_is_highlighted_beside_it_and_nothing_is_saved(
    users: dict[str, User], field: str
) -> None:
    client = Client()
    client.force_login(users["champion"], backend="django.contrib.auth.backends.ModelBackend")
    data: dict[str, Any] = {**SUBMISSION, field: "MRN 4412897"}

    response = client.post(reverse("intake:request-create"), data)

    assert response.status_code == 200
    assert field_errors(response) == {field: [PHI_MRN]}
    page = response.content.decode()
    assert f'id="id_{field}_phi"' in page
    assert '<mark class="phi" title="Looks like a medical record number">MRN 4412897</mark>' in page
    assert IntakeRequest.objects.count() == 0

    confirmed = client.post(reverse("intake:request-create"), {**data, "phi_confirmed": "on"})

    assert confirmed.status_code == 302
    assert list(PhiConfirmation.objects.values_list("field", flat=True)) == [field]


def test_phi_in_a_transition_note_is_highlighted_and_can_be_confirmed(
    users: dict[str, User],
) -> None:
    request = submit(users["champion"])
    client = Client()
    client.force_login(users["informaticist"], backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("intake:request-transition", args=[request.pk])
    data = {"to_status": RequestStatus.TRIAGE, "note": "Seen for MRN 4412897"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert field_errors(response, "transition_form") == {"note": [PHI_MRN]}
    page = response.content.decode()
    assert '<mark class="phi" title="Looks like a medical record number">MRN 4412897</mark>' in page
    assert 'name="phi_confirmed"' in page
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED

    confirmed = client.post(url, {**data, "phi_confirmed": "on"})

    assert confirmed.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGE
    assert list(PhiConfirmation.objects.values_list("field", flat=True)) == ["note"]


def test_the_api_takes_a_confirmed_votes_specialty_and_a_transition_note(
    users: dict[str, User], make_user: Any, api_as: ApiAs
) -> None:
    request = submit(users["champion"])
    voter = make_user("champion")
    path = f"/api/v1/requests/{request.pk}/votes/"

    refused = api_as(voter).post(path, {"specialty": "MRN 4412897"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["specialty"] == [PHI_MRN]
    assert RequestVote.objects.count() == 0

    taken = api_as(voter).post(
        path, {"specialty": "MRN 4412897", "phi_confirmed": True}, format="json"
    )
    assert taken.status_code == 201
    moved = api_as(users["informaticist"]).post(
        f"/api/v1/requests/{request.pk}/transition/",
        {"to_status": RequestStatus.TRIAGE, "note": "MRN 4412897", "phi_confirmed": True},
        format="json",
    )
    assert moved.status_code == 200
    assert sorted(PhiConfirmation.objects.values_list("field", flat=True)) == ["note", "specialty"]
