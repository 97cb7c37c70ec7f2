"""E-mail addresses sign in whatever their case, and failures count against one account."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_with_upper_case_email(client, make_user, password):
    make_user("cmo", email="jordan.ellis@riverside.example")

    response = client.post(
        reverse("login"), {"username": "Jordan.Ellis@Riverside.example", "password": password}
    )

    assert response.status_code == 302
    assert response.url == reverse("reports:home")


def test_failures_in_any_case_lock_the_same_account(client, make_user, password):
    make_user("cmo", email="jordan.ellis@riverside.example")
    spellings = ["JORDAN.ELLIS@riverside.example", "jordan.ellis@RIVERSIDE.example"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": spellings[attempt % 2], "password": "wrong-password"},
        )

    response = client.post(
        reverse("login"), {"username": "jordan.ellis@riverside.example", "password": password}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
