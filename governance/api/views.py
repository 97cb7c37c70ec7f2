"""API views of this app: one per operation, each calling one service or selector.

Decisions are append-only: the API lists, shows and records them; there is no update or
delete (PUT, PATCH and DELETE answer 405)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import selectors, services
from governance.api import serializers as s
from governance.filters import DecisionFilter
from governance.models import ActionItem, Decision, MaturityAssessment, Review
from informatics import rest
from informatics import services as kernel
from informatics.permissions import Action
from intake.models import IntakeRequest

NO_ASSESSMENT = OpenApiResponse(description="No such assessment.")


@rest.listing(
    "List maturity assessments",
    "The history of the program's self-assessments, newest first, each with its overall score "
    "under the current weights.",
)
class MaturityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, rest.ApiViewSet[MaturityAssessment]
):
    """The program's maturity self-assessments: the CMO and CMIO record them (a new one never
    changes the ones before); the CMO, CMIO, informaticists, executives and admins read them."""

    serializer_class = s.MaturityAssessmentOutput
    detail_output = s.MaturityAssessmentOutput
    needs = {"create": Action.MATURITY_ASSESS}
    needs_otherwise = Action.MATURITY_READ

    def get_queryset(self) -> QuerySet[MaturityAssessment]:
        return selectors.maturity_assessment_list()

    def _render(self, rows: list[MaturityAssessment]) -> list[selectors.MaturityProfile]:
        weights = selectors.maturity_weights()
        return [selectors.maturity_profile(row, weights) for row in rows]

    def shown(self, record: MaturityAssessment) -> selectors.MaturityProfile:
        return self._render([record])[0]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = self._render(list(page if page is not None else self.get_queryset()))
        return self.get_paginated_response(s.MaturityAssessmentOutput(rows, many=True).data)

    @extend_schema(
        summary="One maturity assessment",
        responses={200: s.MaturityAssessmentOutput, 404: NO_ASSESSMENT},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond(self.get_object())

    @extend_schema(
        operation_id="maturity_create",
        summary="Record a maturity assessment",
        description="A score per dimension, 1 to 4 in steps of 0.5; any other score is refused "
        "with a message naming its dimension, and nothing is saved.",
        request=s.MaturityAssessmentInput,
        responses=rest.answers(s.MaturityAssessmentOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        data = rest.parse(s.MaturityAssessmentInput, request)
        assessment = services.maturity_assessment_record(actor=rest.actor(request), **data)
        row = selectors.maturity_assessment_list().get(pk=assessment.pk)
        return self.respond(row, status.HTTP_201_CREATED)


NOT_FOUND = OpenApiResponse(description="No such decision.")


class DecidesSomewhere(BasePermission):
    """Recording a decision needs a body to record it for: the CMO and the CMIO decide in any,
    the others in the bodies they are members of. The service checks the body sent."""

    message = f"You may not do this ({Action.DECISION_RECORD.value})."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.bodies_deciding(user=rest.actor(request)).exists()


@rest.listing(
    "List decisions",
    "The decision log, newest first, filtered like its page: by `body` (id), `outcome`, "
    "`subject` (request, initiative or priority) and `q` (words of the subject's title, the "
    "rationale or the body's name).",
    operation_id="decisions_list",
)
class DecisionViewSet(mixins.ListModelMixin, rest.ApiViewSet[Decision]):
    """Decisions of the governance bodies about requests, initiatives and priorities, with
    the evidence each saw. Append-only: a correction is a new decision that supersedes."""

    serializer_class = s.DecisionOutput
    detail_output = s.DecisionOutput
    filterset_class = DecisionFilter
    lookup_value_regex = "[0-9]+"
    needs_otherwise = Action.PORTFOLIO_READ

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [IsAuthenticated(), DecidesSomewhere()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Decision]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Decision.objects.none()
        return selectors.decision_list()

    def shown(self, record: Decision) -> Decision:
        return selectors.decision_detail(pk=record.pk)

    @extend_schema(
        operation_id="decisions_retrieve",
        summary="One decision",
        description="With the evidence it saw and the decisions it supersedes and is "
        "superseded by.",
        responses={200: s.DecisionOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(self.detail_output, self.get_object())

    @extend_schema(
        operation_id="decisions_create",
        summary="Record a decision",
        description="Members of the body record its decisions; the CMO and the CMIO in any "
        "body. Each outcome takes what it needs (defer: `revisit_on` after today; decline: "
        "`decline_reason`; redirect: `redirect_to`; merge: `merged_into`); approving an "
        "initiative needs its informaticist lead and a benefit line, or a `waiver`. The "
        "effect is applied at once (the request moves, the initiative passes its gate); a "
        "refused move saves nothing. `supersedes` corrects an earlier decision.",
        request=s.DecisionCreateInput,
        responses=rest.answers(s.DecisionOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.decision_record, s.DecisionCreateInput)


NO_REQUEST = OpenApiResponse(description="No such request.")


class RequestBodyApi(rest.ApiView):
    """Triage (informaticists and the CMIO) chooses the body that decides one request."""

    needs = Action.REQUEST_TRIAGE

    @extend_schema(
        operation_id="requests_body_choose",
        summary="Choose the body that decides a request",
        description="An active body of the same kind as the request's route's default body: "
        "it decides the request and proposes it on its review agendas. Sending the default "
        "body clears an earlier choice. A retired body, a body of another kind or a request "
        "with no route yet is refused with a message naming `body`, and nothing is saved.",
        request=s.RequestBodyInput,
        responses=rest.answers(s.RequestBodyOutput, bad=rest.PHI_FLAGGED, not_found=NO_REQUEST),
    )
    def post(self, request: Request, pk: int) -> Response:
        intake = get_object_or_404(IntakeRequest, pk=pk)
        data = rest.parse(s.RequestBodyInput, request)
        chosen = services.request_body_choose(actor=rest.actor(request), request=intake, **data)
        default = selectors.default_body_for(request=intake)
        return rest.render(
            s.RequestBodyOutput,
            {
                "request": intake.pk,
                "route": intake.route,
                "body": chosen.body if chosen else default,
                "default_body": default,
                "chosen_by": chosen.chosen_by if chosen else None,
                "chosen_at": chosen.chosen_at if chosen else None,
                "reason": chosen.reason if chosen else "",
            },
        )


# --- Reviews and action items: the services check who may act, with the body ----------------------

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
