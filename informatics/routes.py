"""The pages' URLs, built by the project's naming rule (STYLE.md, rule 12): page `x` of a kind of
record `entity` is the view `<entity>_x` of the app's views module, named `<entity>-x`, and its
path is the entity's path prefix followed by `x/`. An app's urls.py lists, for each kind of record,
its pages under one prefix, and names the path only of a page whose path is not its name."""

from types import ModuleType

from django.urls import URLPattern, path

# Pages whose path is not their name: a list (or a record) at the prefix itself, the form that
# adds an item to it posted to the same address, a new record's form at new/.
AT_PREFIX = {"list": "", "detail": "", "add": "", "create": "new/"}


def pages(
    views: ModuleType, prefix: str, entity: str, *names: str, **paths: str
) -> list[URLPattern]:
    """The pages `names` of `entity` under `prefix` (e.g. "requests/" for the list and the new
    request's form, "requests/<int:pk>/" for one request's page and the forms posted from it),
    and the pages `paths` at the paths given (`status_update="status/"`). A hyphen in an entity
    or page name is an underscore in the view's name (and in a keyword of `paths`)."""
    routes = {name: AT_PREFIX.get(name, f"{name}/") for name in names}
    routes.update((name.replace("_", "-"), route) for name, route in paths.items())
    return [
        path(
            prefix + route,
            getattr(views, f"{entity}_{name}".replace("-", "_")),
            name=f"{entity}-{name}",
        )
        for name, route in routes.items()
    ]


def item_pages(
    views: ModuleType, prefix: str, entity: str, *names: str, **paths: str
) -> list[URLPattern]:
    """The pages of the items one record holds (a metric's targets, an initiative's milestones):
    the form that adds one, posted to `prefix` (e.g. "metrics/<int:pk>/targets/"), and the pages
    `names` and `paths` of one item, under prefix/<item_pk>/."""
    return [
        *pages(views, prefix, entity, "add"),
        *pages(views, f"{prefix}<int:item_pk>/", entity, *names, **paths),
    ]
