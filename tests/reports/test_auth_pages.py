"""The sign-in pages the web layer renders: login (e-mail + password), password reset by
e-mail, password change."""

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from informatics.choices import Role
from informatics.models import User

pytestmark = pytest.mark.django_db


def test_login_page_labels_the_username_field_e_mail(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_username">E-mail</label>' in html
    assert 'type="email" name="username" id="id_username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'href="/accounts/password_reset/"' in html


def test_login_sends_the_user_to_their_landing_page(
    client: Client, make_user: Callable[..., User], password: str
) -> None:
    make_user(Role.EXECUTIVE, email="exec@riverside.example")

    response = client.post(
        "/accounts/login/",
        {"username": "exec@riverside.example", "password": password},
        follow=True,
    )

    assert response.redirect_chain == [("/", 302), ("/home/executive/", 302)]


def test_password_reset_e_mail_greets_the_person_and_links_to_the_reset_page(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.CHAMPION, email="doc@riverside.example", full_name="Ana Lopez")

    client.post("/accounts/password_reset/", {"email": "doc@riverside.example"})

    [message] = mail.outbox
    body = str(message.body)
    assert message.subject == "Reset your password for the Informatics Portal"
    assert body.startswith("Hello Ana Lopez,\n")
    assert re.search(r"^http://testserver/accounts/reset/[^/\s]+/[^/\s]+/$", body, re.MULTILINE)
    assert "You sign in with: doc@riverside.example" in body


def test_password_reset_done_page_says_how_long_the_link_works(client: Client) -> None:
    html = client.get("/accounts/password_reset/done/").content.decode()

    assert "The link works once, for 3 days." in html


def test_used_reset_link_explains_that_it_no_longer_works(client: Client) -> None:
    html = client.get("/accounts/reset/MQ/expired-link/").content.decode()

    assert "This link no longer works" in html


def test_password_change_page_uses_the_portal_layout(
    client_as: Callable[..., Client],
) -> None:
    html = client_as(Role.CMO).get("/accounts/password_change/").content.decode()

    assert "<h1>Change your password</h1>" in html
    assert '<label for="id_old_password">Current password</label>' in html
