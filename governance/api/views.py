"""API views of this app: one per operation, each calling one service or selector.

Decisions are append-only: the API lists, shows and records them; there is no update or
delete (PUT, PATCH and DELETE answer 405)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import selectors, services
from governance.api import serializers as s
from governance.filters import DecisionFilter
from governance.models import Decision
from informatics import rest
from informatics.permissions import Action

NOT_FOUND = OpenApiResponse(description="No such decision.")


class DecidesSomewhere(BasePermission):
    """Recording a decision needs a body to record it for: the CMO and the CMIO decide in any,
    the others in the bodies they are members of. The service checks the body sent."""

    message = f"You may not do this ({Action.DECISION_RECORD.value})."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.bodies_deciding(user=rest.actor(request)).exists()


@extend_schema_view(
    list=extend_schema(
        operation_id="decisions_list",
        summary="List decisions",
        description="The decision log, newest first, filtered like its page: by `body` (id), "
        "`outcome`, `subject` (request, initiative or priority) and `q` (words of the "
        "subject's title, the rationale or the body's name).",
    ),
)
class DecisionViewSet(mixins.ListModelMixin, rest.ApiViewSet[Decision]):
    """Decisions of the governance bodies about requests, initiatives and priorities, with
    the evidence each saw. Append-only: a correction is a new decision that supersedes."""

    serializer_class = s.DecisionOutput
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

    @extend_schema(
        operation_id="decisions_retrieve",
        summary="One decision",
        description="With the evidence it saw and the decisions it supersedes and is "
        "superseded by.",
        responses={200: s.DecisionOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(s.DecisionOutput, self.get_object())

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
        decision = rest.call(services.decision_record, request, s.DecisionCreateInput)
        return rest.render(
            s.DecisionOutput, selectors.decision_detail(pk=decision.pk), status.HTTP_201_CREATED
        )
