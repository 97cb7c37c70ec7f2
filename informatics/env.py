"""Small typed readers for environment variables.

Each fails loudly, naming the variable, when a value cannot be parsed, so a typo in a
deployment shows up at start-up rather than as odd behaviour later.
"""

import os
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str, *, reason: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: {reason}")
    return value


def env_pairs(name: str, *, allowed: Iterable[str]) -> list[tuple[str, str]]:
    """ "key=value,key=value" as pairs, each value among `allowed` (a key may repeat)."""
    values = list(allowed)
    pairs = []
    for item in env_list(name):
        key, sep, value = item.rpartition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or value not in values:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not key=value with a value among {', '.join(values)}"
            )
        pairs.append((key, value))
    return pairs
