"""Panels: how a higher app shows something on a lower app's page without the lower app
importing it.

A page names itself (for example "intake.request-detail"); an app's AppConfig declares
`panels = {page: (Panel(template, select_related=…), …)}`. The page's selector joins the
panels' relations in its own query (`panel_relations`) and its template includes each panel
(`panels_for`), so the page keeps a fixed number of queries and its app never names the apps
above it.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Panel:
    template: str
    select_related: tuple[str, ...] = ()


def panels_for(page: str) -> list[Panel]:
    """Every app's panels for `page`, in INSTALLED_APPS order."""
    return [
        panel
        for config in apps.get_app_configs()
        for panel in getattr(config, "panels", {}).get(page, ())
    ]


def panel_relations(page: str) -> tuple[str, ...]:
    """The relations the panels of `page` read, for the page's select_related."""
    return tuple(relation for panel in panels_for(page) for relation in panel.select_related)
