"""Forms say where the keyboard starts: the main form of a page is marked for its first field to
take the focus (static/js/forms.js), and an invalid post answers with a summary of the errors,
each linked to its field, above the form."""

from collections.abc import Callable

import pytest
from django.test import Client

from informatics.choices import Role
from intake.models import IntakeRequest

pytestmark = pytest.mark.django_db


def test_the_request_form_marks_its_first_field_to_take_the_focus(
    client_for: Callable[[str], Client],
) -> None:
    page = client_for(Role.CHAMPION).get("/requests/new/").content.decode()

    assert '<form method="post" class="form" novalidate data-focus-first>' in page
    assert '<script src="/static/js/forms.js"' in page
    assert "error-summary" not in page


def test_an_invalid_post_lists_each_error_linked_to_its_field_and_saves_nothing(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for(Role.CHAMPION).post("/requests/new/", {"title": "Discharge summary"})

    page = " ".join(response.content.decode().split())
    assert IntakeRequest.objects.count() == 0
    assert (
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-heading"> '
        '<h2 id="error-summary-heading">Nothing was saved: correct 4 fields</h2>'
    ) in page
    assert (
        '<li><a href="#id_kind">What kind of request is it?</a>: '
        "Choose the kind of request closest to yours.</li>"
    ) in page
    assert '<a href="#id_story_today">What happens today?</a>: Say what happens today.' in page
    assert page.count('aria-invalid="true"') == 4
