"""Cached renders: charts and page pieces kept in Django's cache under one namespace.

A render quotes the texts it was drawn from (an annotation label on a chart), and its key is a
fingerprint of those texts, so a redacted text leaves the old render behind, unreachable from
pages but still stored. Every render is keyed with `render_key()`, under one namespace, so
that `renders_purge()` can drop them all when an admin redacts a text. Feature apps use this
module; the kernel's redaction calls the purge without knowing which apps render what.
"""

import logging
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RENDER_NAMESPACE = "render:"
_DELETE_BATCH = 500


def render_key(kind: str, fingerprint: str) -> str:
    """The cache key of one render: `kind` names what is rendered ("chart-svg"),
    `fingerprint` the data it was rendered from."""
    return f"{RENDER_NAMESPACE}{kind}:{fingerprint}"


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def renders_purge(backend: BaseCache | None = None) -> int:
    """Delete every cached render; returns how many keys were deleted.

    Redis and the in-process cache (the two backends the settings offer) are searched by the
    namespace's key prefix. Any other backend cannot list its keys, so it is cleared whole:
    losing other cached values costs a recomputation, keeping a redacted text does not.
    Raises the backend's error when the cache cannot be reached.
    """
    backend = backend or caches["default"]
    prefix = backend.make_key(RENDER_NAMESPACE)
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=_glob_escape(prefix) + "*", count=_DELETE_BATCH))
        for start in range(0, len(keys), _DELETE_BATCH):
            client.delete(*keys[start : start + _DELETE_BATCH])
        return len(keys)
    if isinstance(backend, LocMemCache):
        local: Any = backend  # its store and lock are not in the stubs
        with local._lock:
            stored = [key for key in local._cache if key.startswith(prefix)]
            for key in stored:
                local._delete(key)
        return len(stored)
    logger.warning("cache backend %s cannot list keys; clearing it whole", type(backend).__name__)
    backend.clear()
    return 0
