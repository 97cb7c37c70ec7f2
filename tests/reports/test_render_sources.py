"""Every kind of source ref maps to a page on the site: against real objects, the URL resolves to
the page of the object (or, for refs without a page of their own, of their parent)."""

from typing import Any

import pytest
from django.template import Context
from django.urls import resolve

from governance.choices import BodyKind, Outcome
from governance.models import Decision
from informatics.models import User
from metrics.choices import ImportFormat, ImportStatus
from metrics.models import ImportBatch
from reports.sources import source_url
from reports.templatetags.report_tags import sources
from tests.factories import PriorityFactory
from tests.governance.agenda_world import body, review_of, rollup
from tests.initiatives.factories import BenefitLineFactory, InitiativeFactory
from tests.intake.factories import IntakeRequestFactory
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users: dict[str, User]) -> dict[str, Any]:
    metric = MetricFactory.create()
    series = rollup(metric)
    initiative = InitiativeFactory.create()
    line = BenefitLineFactory.create(initiative=initiative)
    request = IntakeRequestFactory.create()
    steering = body("steering", BodyKind.STEERING, users["cmo"])
    review = review_of(steering, users["cmo"])
    decision = Decision.objects.create(
        body=steering,
        review=review,
        initiative=initiative,
        outcome=Outcome.APPROVE,
        rationale="Evidence base",
        decided_by=users["cmo"],
    )
    batch = ImportBatch.objects.create(
        file="imports/2026/11/q2.csv",
        filename="q2.csv",
        format=ImportFormat.CSV,
        sha256="0" * 64,
        status=ImportStatus.DONE,
        uploaded_by=users["informaticist"],
    )
    return {
        "metric": metric,
        "series": series,
        "initiative": initiative,
        "line": line,
        "request": request,
        "review": review,
        "decision": decision,
        "batch": batch,
        "priority": PriorityFactory.create(),
    }


def test_each_kind_resolves_to_its_page(world: dict[str, Any]) -> None:
    w = world
    cases = [
        ({"kind": "metric", "id": w["metric"].pk}, "metrics:metric-detail", w["metric"].pk),
        ({"kind": "series", "id": w["series"].pk}, "metrics:metric-detail", w["metric"].pk),
        ({"kind": "import_batch", "id": w["batch"].pk}, "metrics:import-detail", w["batch"].pk),
        (
            {"kind": "initiative", "id": w["initiative"].pk},
            "initiatives:initiative-detail",
            w["initiative"].pk,
        ),
        (
            {"kind": "benefit_line", "id": w["line"].pk},
            "initiatives:initiative-detail",
            w["initiative"].pk,
        ),
        (
            {"kind": "financial_entry", "id": 999, "initiative_id": w["initiative"].pk},
            "initiatives:initiative-detail",
            w["initiative"].pk,
        ),
        ({"kind": "request", "id": w["request"].pk}, "intake:request-detail", w["request"].pk),
        (
            {"kind": "decision", "id": w["decision"].pk},
            "governance:decision-detail",
            w["decision"].pk,
        ),
        ({"kind": "review", "id": w["review"].pk}, "governance:review-detail", w["review"].pk),
        (
            {"kind": "priority", "id": w["priority"].pk},
            "informatics:priority-detail",
            w["priority"].pk,
        ),
    ]
    for ref, view_name, pk in cases:
        match = resolve(source_url({**ref, "label": "x"}))
        assert (ref["kind"], match.view_name, match.kwargs) == (ref["kind"], view_name, {"pk": pk})


def test_a_parent_id_in_the_ref_is_used_without_a_query(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        url = source_url({"kind": "series", "id": 12345, "metric_id": world["metric"].pk})

    assert url == f"/metrics/{world['metric'].pk}/"


def test_a_series_or_line_that_is_gone_links_to_the_list_page() -> None:
    assert resolve(source_url({"kind": "series", "id": 404})).view_name == "metrics:metric-list"
    assert (
        resolve(source_url({"kind": "benefit_line", "id": 404})).view_name
        == "initiatives:initiative-list"
    )
    assert (
        resolve(source_url({"kind": "financial_entry", "id": 404})).view_name
        == "initiatives:initiative-list"
    )


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown source kind: 'invoice'"):
        source_url({"kind": "invoice", "id": 1, "label": "x"})


@pytest.mark.parametrize("refs", [None, []])
def test_a_figure_without_sources_renders_nothing(refs: list[dict[str, Any]] | None) -> None:
    """Django 6's format_html refuses to format without arguments; no sources is empty text."""
    assert sources(Context({"links": True}), refs) == ""
