"""`manage.py seed_demo` on an empty database: refused in production without --force, and it
calls each app's `seed` in dependency order. (test_seed_demo.py shares one seeded demo across
its tests, so the tests that need the database empty first live here.)"""

import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from informatics.models import Facility, StrategicPriority, User

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@override_settings(PRODUCTION=True)
def test_refuses_production_settings_without_force() -> None:
    with pytest.raises(CommandError, match="--force"):
        seed()

    assert Facility.objects.count() == 0
    assert User.objects.count() == 0


@override_settings(PRODUCTION=True)
def test_force_seeds_even_with_production_settings() -> None:
    seed("--force")

    assert StrategicPriority.objects.count() == 7


def test_calls_each_apps_seed_in_dependency_order_skipping_apps_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    for app in ("informatics", "intake", "metrics", "governance", "reports"):
        module = importlib.import_module(f"{app}.demo")
        monkeypatch.setattr(
            module, "seed", lambda *, stdout, app=app: calls.append(app), raising=False
        )
    monkeypatch.delattr(importlib.import_module("initiatives.demo"), "seed", raising=False)

    seed()

    assert calls == ["informatics", "intake", "metrics", "governance", "reports"]
