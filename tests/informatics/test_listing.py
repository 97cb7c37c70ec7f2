"""The shared list plumbing: filters, the page, and the query string kept for export links."""

import pytest
from django.test import RequestFactory

from informatics.filters import PriorityFilter
from informatics.listing import filtered_page
from informatics.models import StrategicPriority
from tests.factories import PriorityFactory

pytestmark = pytest.mark.django_db


def test_the_page_keeps_the_filters_without_the_page_number():
    PriorityFactory.create_batch(3)
    request = RequestFactory().get("/priorities/", {"page": "2", "is_active": "true"})
    filterset = PriorityFilter(request.GET, queryset=StrategicPriority.objects.order_by("rank"))

    context = filtered_page(request, filterset, per_page=2)

    assert context["query"] == "is_active=true"
    assert context["is_filtered"] is True
    assert context["page"].number == 2
    assert len(context["rows"]) == 1


def test_an_unfiltered_list_says_so():
    PriorityFactory.create_batch(2)
    request = RequestFactory().get("/priorities/")
    filterset = PriorityFilter(request.GET, queryset=StrategicPriority.objects.order_by("rank"))

    context = filtered_page(request, filterset, per_page=50)

    assert context["query"] == ""
    assert context["is_filtered"] is False
    assert len(context["rows"]) == 2
