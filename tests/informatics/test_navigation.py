"""Navigation by role: every declared entry resolves, each role sees its own, one is current."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from informatics.navigation import navigation_for

pytestmark = pytest.mark.django_db


def test_every_declared_entry_resolves():
    entries = [e for config in apps.get_app_configs() for e in getattr(config, "navigation", ())]

    assert len(entries) >= 7
    for entry in entries:
        assert reverse(entry.url_name).startswith("/")


def _labels(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation_for(request)


def test_admin_sees_people_and_settings_and_a_champion_does_not(users):
    admin_labels = [link.label for link in _labels(users["admin"])]
    champion_labels = [link.label for link in _labels(users["champion"])]

    assert {"People", "Settings"} <= set(admin_labels)
    assert "People" not in champion_labels
    assert "Settings" not in champion_labels
    assert "Triage" not in champion_labels


def test_the_closest_matching_entry_is_the_only_current_one(users):
    links = _labels(users["cmio"], path=reverse("intake:triage-queue"))

    assert [link.label for link in links if link.is_current] == ["Triage"]


def test_home_is_current_on_a_landing_page(users):
    links = _labels(users["cmo"], path="/home/cmo/")

    assert [link.label for link in links if link.is_current] == ["Home"]


def test_anonymous_visitors_get_no_navigation():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert navigation_for(request) == []
