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
    links = []
    for entry in sorted(entries, key=lambda e: (e.order, e.label)):
        if not can(user, entry.action):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # an app not wired into urls.py; tests check every entry resolves
        current = (request.path == url if url == "/" else request.path.startswith(url)) or any(
            request.path.startswith(prefix) for prefix in entry.also_current
        )
        links.append(NavLink(label=entry.label, url=url, is_current=current))
    return links
