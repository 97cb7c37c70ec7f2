"""Sign-in plumbing: e-mail addresses are matched without regard to case."""

from typing import Any

from django.http import HttpRequest


def lockout_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a failed sign-in counts against (django-axes), case-folded so that
    "CMO@…" and "cmo@…" share one lock-out."""
    source: Any = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username") or source.get("email")
    return str(username).strip().lower() if username else None
