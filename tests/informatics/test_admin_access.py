"""The Django admin back office is for the admin role; an invitee can always get a new link."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from informatics.choices import Role
from informatics.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_staff_flag_without_the_admin_role_does_not_open_the_admin_site(client, make_user, role):
    user = make_user(role, is_staff=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_role_opens_the_admin_site(client_for):
    assert client_for("admin").get(reverse("admin:index")).status_code == 200


def test_createsuperuser_makes_an_admin_role_holder(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-bootstrap-password")
    call_command(
        "createsuperuser",
        "--no-input",
        "--email",
        "it.ops@riverside.example",
        "--full_name",
        "IT Operations",
    )

    user = User.objects.get(email="it.ops@riverside.example")
    assert user.roles == ("admin",)
    assert user.is_superuser is True


def test_invitee_without_a_password_can_request_a_new_link(client, users):
    invitee = User.objects.create_user(email="new.doctor@riverside.example", full_name="New Doc")
    assert invitee.has_usable_password() is False

    client.post(reverse("password_reset"), {"email": "New.Doctor@riverside.example"})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.doctor@riverside.example"]
    assert re.search(r"/accounts/reset/[^/]+/[^/]+/", str(mail.outbox[0].body))


def test_deactivated_account_gets_no_reset_link(client, users):
    User.objects.filter(pk=users["champion"].pk).update(is_active=False)

    client.post(reverse("password_reset"), {"email": users["champion"].email})

    assert mail.outbox == []
