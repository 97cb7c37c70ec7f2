"""GET /healthz: can this process reach the database, the broker and the cache?

For load balancers, container health checks and IT teams. It needs no login, opens no session
and makes no query beyond its own `SELECT 1`. Each check has a short timeout, so a part that is
down makes the answer a quick 503 rather than a hung probe. Production settings exempt this path
from the HTTPS redirect, so a probe can use plain HTTP.
"""

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"
EAGER = "eager (no broker configured)"
LOCAL_CACHE = "local memory (no Redis configured)"
TIMEOUT_SECONDS = 2
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _down(part: str, exc: Exception) -> str:
    logger.warning("healthz: %s is down", part, exc_info=exc)
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"down: {reason[:200]}"


def _redis_ping(url: str) -> None:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _down("database", exc)
    return OK


def check_broker() -> str:
    url: str = settings.CELERY_BROKER_URL
    if not url:
        return EAGER
    try:
        if url.startswith(REDIS_SCHEMES):
            _redis_ping(url)
        else:
            with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=1)
    except Exception as exc:
        return _down("broker", exc)
    return OK


def check_cache() -> str:
    cache_settings: dict[str, Any] = dict(settings.CACHES["default"])
    if not str(cache_settings["BACKEND"]).endswith(".RedisCache"):
        return LOCAL_CACHE
    location = cache_settings["LOCATION"]
    urls = location if isinstance(location, list | tuple) else str(location).split(",")
    try:
        for url in urls:
            _redis_ping(url.strip())
    except Exception as exc:
        return _down("cache", exc)
    return OK


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers; 503 when any is down, each part saying why."""
    parts = {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
    healthy = not any(state.startswith("down") for state in parts.values())
    return JsonResponse(parts, status=200 if healthy else 503)
