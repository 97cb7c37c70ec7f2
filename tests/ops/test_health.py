"""GET /healthz: 200 when the database, broker and cache answer; 503 naming each part down."""

import time

import pytest
from django.db import OperationalError
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from informatics import health
from tests.conftest import port_open, require_service
from tests.ops.conftest import TEST_REDIS_DB, closed_port

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def redis_cache(url: str) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def test_healthz_is_the_named_url() -> None:
    assert reverse("healthz") == "/healthz"


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="", CACHES=LOCMEM)
def test_healthz_answers_200_with_the_embedded_defaults(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "eager (no broker configured)",
        "cache": "local memory (no Redis configured)",
    }
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="", CACHES=LOCMEM)
def test_healthz_needs_no_login_opens_no_session_and_runs_only_its_own_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Expected queries: SELECT 1 (the database check). Nothing else: no session, no user,
    # no site settings.
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.cookies == {}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="", CACHES=LOCMEM)
def test_healthz_answers_head_and_refuses_post(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_redis_is_closed(client: Client) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=url, CACHES=LOCMEM):
        response = client.get("/healthz")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down: ")
    assert "Connection refused" in body["broker"]
    assert body["cache"] == "local memory (no Redis configured)"


@pytest.mark.django_db
def test_healthz_answers_503_naming_broker_and_cache_when_redis_url_is_closed(
    client: Client,
) -> None:
    # REDIS_URL serves as both the cache and the broker.
    url = f"redis://127.0.0.1:{closed_port()}/0"
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=url, CACHES=redis_cache(url)):
        response = client.get("/healthz")

    assert time.monotonic() - started < 8
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down: ")
    assert body["cache"].startswith("down: ")


@pytest.mark.django_db
def test_healthz_checks_a_non_redis_broker_without_hanging(client: Client) -> None:
    url = f"amqp://guest:guest@127.0.0.1:{closed_port()}//"
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=url, CACHES=LOCMEM):
        response = client.get("/healthz")

    assert time.monotonic() - started < 8
    assert response.status_code == 503
    assert response.json()["broker"].startswith("down: ")


class _BrokenConnection:
    def cursor(self) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="", CACHES=LOCMEM)
def test_healthz_answers_503_naming_the_database_when_it_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "connection", _BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "database": "down: connection to server at 127.0.0.1, port 5432 failed",
        "broker": "eager (no broker configured)",
        "cache": "local memory (no Redis configured)",
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_answers_200_with_the_real_redis(client: Client) -> None:
    require_service(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    url = f"redis://127.0.0.1:6379/{TEST_REDIS_DB}"
    with override_settings(CELERY_BROKER_URL=url, CACHES=redis_cache(url)):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "cache": "ok"}
