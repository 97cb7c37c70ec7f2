"""Where a figure's source lives on the site: a source ref of the report payload
(`{"kind": …, "id": …, "label": …}`) mapped to the page that shows it.

Most kinds are a plain `reverse`. Three kinds have no page of their own and link to their
parent's page: a roll-up series to its metric, a benefit line or a financial entry to its
initiative. A ref may carry the parent's id (`metric_id`, `initiative_id`), which is used as
it is; otherwise the parent is read by one small query (series, benefit line), and a parent
that cannot be found falls back to the list page, so a link never breaks.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.urls import reverse

from informatics.permissions import Action, can


def _metric_of_series(series_id: int) -> int | None:
    from metrics.models import RollupSeries

    return RollupSeries.objects.filter(pk=series_id).values_list("metric_id", flat=True).first()


def _initiative_of_line(line_id: int) -> int | None:
    from initiatives.models import BenefitLine

    return BenefitLine.objects.filter(pk=line_id).values_list("initiative_id", flat=True).first()


def _parent(
    ref: Mapping[str, Any], key: str, lookup: Callable[[int], int | None] | None
) -> int | None:
    if ref.get(key) is not None:
        return int(ref[key])
    return lookup(int(ref["id"])) if lookup is not None else None


def _metric_page(ref: Mapping[str, Any], lookup: Callable[[int], int | None] | None) -> str:
    metric_id = _parent(ref, "metric_id", lookup)
    if metric_id is None:
        return reverse("metrics:metric-list")
    return reverse("metrics:metric-detail", args=[metric_id])


def _initiative_page(ref: Mapping[str, Any], lookup: Callable[[int], int | None] | None) -> str:
    initiative_id = _parent(ref, "initiative_id", lookup)
    if initiative_id is None:
        return reverse("initiatives:initiative-list")
    return reverse("initiatives:initiative-detail", args=[initiative_id])


# Kinds whose id is the pk of the page's own object.
DIRECT: dict[str, str] = {
    "metric": "metrics:metric-detail",
    "import_batch": "metrics:import-detail",
    "initiative": "initiatives:initiative-detail",
    "request": "intake:request-detail",
    "decision": "governance:decision-detail",
    "review": "governance:review-detail",
    "priority": "informatics:priority-detail",
}
# Kinds that name a list (a figure that counted nothing still points at where it looked).
LISTS: dict[str, str] = {
    "request_list": "intake:request-list",
    "metric_list": "metrics:metric-list",
    "initiative_list": "initiatives:initiative-list",
    "decision_list": "governance:decision-list",
}
KINDS = frozenset({*DIRECT, *LISTS, "series", "benefit_line", "financial_entry"})


def source_url(ref: Mapping[str, Any]) -> str:
    """The site path of the page that shows `ref`'s source. ValueError for an unknown kind."""
    kind = str(ref.get("kind", ""))
    if kind in DIRECT:
        return reverse(DIRECT[kind], args=[int(ref["id"])])
    if kind in LISTS:
        return reverse(LISTS[kind])
    if kind == "series":
        return _metric_page(ref, _metric_of_series)
    if kind == "benefit_line":
        return _initiative_page(ref, _initiative_of_line)
    if kind == "financial_entry":
        # The value inputs' model belongs to another app; the ref names its initiative.
        return _initiative_page(ref, None)
    raise ValueError(f"Unknown source kind: {kind!r}")


def _walk_refs(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                yield from value
            else:
                yield from _walk_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_refs(value)


def _may_open(user: Any, kind: str) -> bool:
    """Whether `user` may open the pages of `kind`: an import batch (its file name, counts and
    errors) is for those who load measurements and for admins (metrics' `import_can_read`; a
    batch's own uploader may open it from the imports page); every other source is for anyone
    who reads the report."""
    if kind != "import_batch" or user is None:
        return True
    return can(user, Action.MEASUREMENT_LOAD) or can(user, Action.ADMINISTER)


def payload_source_urls(
    payload: Mapping[str, Any], *, reader: Any = None
) -> dict[tuple[str, int], str]:
    """The URL of every source ref in `payload`, keyed by (kind, id), in at most two queries
    (the series' metrics, the benefit lines' initiatives). The web page passes it to the body
    template as `source_urls`, so rendering the links reads nothing. A source `reader` may not
    open maps to "" and shows as its label, unlinked."""
    from initiatives.models import BenefitLine
    from metrics.models import RollupSeries

    refs = list(_walk_refs(payload))
    wanted: dict[str, set[int]] = {"series": set(), "benefit_line": set()}
    for ref in refs:
        if ref.get("kind") == "series" and ref.get("metric_id") is None:
            wanted["series"].add(int(ref["id"]))
        elif ref.get("kind") == "benefit_line" and ref.get("initiative_id") is None:
            wanted["benefit_line"].add(int(ref["id"]))
    metrics = (
        dict(RollupSeries.objects.filter(pk__in=wanted["series"]).values_list("pk", "metric_id"))
        if wanted["series"]
        else {}
    )
    lines = (
        dict(
            BenefitLine.objects.filter(pk__in=wanted["benefit_line"]).values_list(
                "pk", "initiative_id"
            )
        )
        if wanted["benefit_line"]
        else {}
    )
    urls = {}
    for ref in refs:
        kind, pk = str(ref.get("kind", "")), int(ref["id"])
        if not _may_open(reader, kind):
            urls[(kind, pk)] = ""
        elif kind == "series":
            urls[(kind, pk)] = _metric_page(ref, metrics.get)
        elif kind == "benefit_line":
            urls[(kind, pk)] = _initiative_page(ref, lines.get)
        else:
            urls[(kind, pk)] = source_url(ref)
    return urls
