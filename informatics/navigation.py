"""Navigation by role. Each app declares its entries on its AppConfig (`navigation`), so the
kernel lists them without importing the apps."""

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from informatics.permissions import Action, can


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    action: Action = Action.PORTFOLIO_READ  # shown to users who may take this action
    order: int = 50
    # Paths under which the entry is also the current one (e.g. Home on every landing page).
    also_current: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    is_current: bool


def navigation_for(request: HttpRequest) -> list[NavLink]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries: list[NavEntry] = []
    for config in apps.get_app_configs():
        entries.extend(getattr(config, "navigation", ()))
    visible: list[tuple[NavEntry, str]] = []
    for entry in sorted(entries, key=lambda e: (e.order, e.label)):
        if not can(user, entry.action):
            continue
        try:
            visible.append((entry, reverse(entry.url_name)))
        except NoReverseMatch:
            continue  # an app not wired into urls.py; tests check every entry resolves
    # The current entry is the one whose address matches the path most closely (so on
    # /requests/triage/ it is Triage, not Requests).
    current = max(
        (
            (len(url), url)
            for entry, url in visible
            if (request.path == url if url == "/" else request.path.startswith(url))
            or any(request.path.startswith(prefix) for prefix in entry.also_current)
        ),
        default=(0, None),
    )[1]
    links = [NavLink(label=e.label, url=url, is_current=url == current) for e, url in visible]
    return links
