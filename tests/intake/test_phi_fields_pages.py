"""The request form shows what the PHI guard saw beside the short texts it now reads."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from informatics.models import PhiConfirmation, User
from intake.models import IntakeRequest
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
