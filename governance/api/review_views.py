"""API views of reviews and action items: each parses its input, authorises, calls one service
or selector and renders. The services check who may act, with the body (403, nothing
changed)."""

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from governance import selectors, services
from governance.api import review_serializers as s
from governance.models import ActionItem, Review
from informatics import rest
from informatics import services as kernel
from informatics.permissions import Action

REVIEW_NOT_FOUND = OpenApiResponse(description="No such review.")
ACTION_NOT_FOUND = OpenApiResponse(description="No such action item (or not yours to see).")


@rest.listing(
    "List reviews",
    "Reviews of every body, the latest first, with counts of agenda items and decisions.",
)
class ReviewViewSet(mixins.ListModelMixin, rest.RecordViewSet[Review]):
    """Reviews (meetings) of the governance bodies, with their agendas."""

    serializer_class = s.ReviewListOutput
    detail_output = s.ReviewDetailOutput
    lookup_value_regex = "[0-9]+"
    record_name = "review"
    # Anyone signed in reads; the service lets the body's chair, the CMO or the CMIO schedule.
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[Review]:
        return selectors.review_list()

    def shown(self, record: Review) -> Review:
        return selectors.review_detail(pk=record.pk)

    @extend_schema(
        summary="One review",
        description="With its attendees, minutes and agenda: each item's reason and subject.",
        responses={200: s.ReviewDetailOutput, 404: REVIEW_NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        try:
            review = selectors.review_detail(pk=int(pk))
        except Review.DoesNotExist:
            raise Http404("No such review.") from None
        return Response(s.ReviewDetailOutput(review).data)

    @extend_schema(
        summary="Schedule a review",
        description="The body's chair, the CMO or the CMIO. `body` is the body's code.",
        request=s.ReviewCreateInput,
        responses=rest.answers(s.ReviewDetailOutput, code=201),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.review_schedule, s.ReviewCreateInput)


@rest.listing(
    "List action items",
    "Your action items and those of the bodies you chair (all of them for the CMO and the "
    "CMIO), open and overdue first.",
)
class ActionItemViewSet(mixins.ListModelMixin, rest.RecordViewSet[ActionItem]):
    """Action items left by decisions and agenda items."""

    serializer_class = s.ActionItemOutput
    detail_output = s.ActionItemOutput
    lookup_value_regex = "[0-9]+"
    record_name = "item"
    # Anyone signed in; the services check the body (decision recorders create, the owner or
    # the chair completes).
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[ActionItem]:
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return selectors.action_list(user=rest.actor(self.request), today=kernel.site_today())

    @extend_schema(
        summary="One action item",
        responses={200: s.ActionItemOutput, 404: ACTION_NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(self.get_object())

    @extend_schema(
        summary="Create an action item",
        description="Whoever records the body's decisions (its members, the CMO, the CMIO). "
        "The owner is told.",
        request=s.ActionItemCreateInput,
        responses=rest.answers(s.ActionItemOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.action_item_create, s.ActionItemCreateInput)

    @extend_schema(
        operation_id="action_items_complete",
        summary="Mark an action item done",
        description="Its owner, or the body's chair, the CMO or the CMIO.",
        request=None,
        responses=rest.answers(s.ActionItemOutput, not_found=ACTION_NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="complete", url_name="complete")
    def complete(self, request: Request, pk: str) -> Response:
        return self.change(services.action_item_complete)
