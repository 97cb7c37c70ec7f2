"""API views of the portfolio: each parses its input, authorises, calls one service or selector
and renders an output serializer. Refusals come from informatics.permissions (403, nothing
changed); stale edits and stage moves from the services' optimistic locking (409); a move
outside the stage table is a 400 naming `to_stage`; a status update whose text looks like
patient information, the kernel's PHI answer (400)."""

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from informatics import rest
from informatics.permissions import Action, can
from initiatives import selectors, services
from initiatives.api import serializers as s
from initiatives.choices import GATE_STAGES, Stage
from initiatives.filters import InitiativeFilter
from initiatives.models import BenefitLine, Initiative, Milestone

# Approve, defer and stop are governance decisions (their API is /api/v1/decisions/).
GATE_REFUSAL = (
    "{stage} is a governance decision: record it through /api/v1/decisions/ (with a rationale, "
    "for a deferral its revisit date, and for an approval the lead and benefit plan, or a "
    "waiver)."
)
NOT_FOUND = OpenApiResponse(description="No such initiative (or no such item of it).")
MILESTONE_ID = OpenApiParameter(
    "milestone_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The milestone's id."
)
BENEFIT_ID = OpenApiParameter(
    "benefit_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The benefit line's id."
)

# What each operation needs of DESIGN.md's table before any input is parsed; the services check
# again, with the initiative (an informaticist edits those they lead; approve, defer and
# stop are governance decisions, refused by the stage action and by `initiative_advance` alike).
NEEDS: dict[str, Action] = {
    "list": Action.PORTFOLIO_READ,
    "retrieve": Action.PORTFOLIO_READ,
    "create": Action.INITIATIVE_EDIT,
    "partial_update": Action.INITIATIVE_EDIT,
    "link_requests": Action.INITIATIVE_EDIT,
    "milestones": Action.INITIATIVE_EDIT,
    "milestone_done": Action.INITIATIVE_EDIT,
    "status_updates": Action.INITIATIVE_EDIT,
    "benefits": Action.INITIATIVE_EDIT,
    "benefit_update": Action.INITIATIVE_EDIT,
}
# Sub-resources anyone signed in may read.
READABLE = frozenset({"milestones", "status_updates", "benefits"})


class StageAllowed(BasePermission):
    """The stage action needs what `services.stage_move_action` says: the gate for approve,
    defer and stop (a governance decision), the edit for any other move. A `to_stage` that is
    not a stage (missing, or not even a string) is no gate: whoever may edit initiatives gets the
    serializer's 400 naming it. The service checks again, with the initiative."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        to_stage = request.data.get("to_stage") if hasattr(request.data, "get") else None
        needed = services.stage_move_action(to_stage)
        self.message = f"You may not do this ({needed.value})."
        return can(request.user, needed)


@rest.listing(
    "List initiatives",
    "Every initiative by title, with the latest health (the worst dimension of its latest "
    "status update) and whether it is stale (no update within the site's stale-after days); "
    "filtered like the initiatives page.",
)
class InitiativeViewSet(mixins.ListModelMixin, rest.RecordViewSet[Initiative]):
    """Initiatives: aligned to strategic priorities, moved through one stage table (approve,
    defer and stop are gates), with milestones, status updates, a benefit plan locked at
    approval, and the requests they answer."""

    serializer_class = s.InitiativeListOutput
    detail_output = s.InitiativeDetailOutput
    filterset_class = InitiativeFilter
    lookup_value_regex = "[0-9]+"
    record_name = "initiative"
    needs = NEEDS
    needs_otherwise = Action.PORTFOLIO_READ

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "stage":
            return [IsAuthenticated(), StageAllowed()]
        return super().get_permissions()

    def needed(self) -> Action:
        if self.action in READABLE and self.request.method == "GET":
            return Action.PORTFOLIO_READ
        return super().needed()

    def get_queryset(self) -> QuerySet[Initiative]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Initiative.objects.none()
        return selectors.initiative_list()

    def _in_full(self, pk: int | str) -> Initiative:
        """The initiative in full (Http404 when there is none)."""
        return selectors.initiative_detail(pk=int(pk), user=rest.actor(self.request))

    def shown(self, record: Initiative) -> Initiative:
        return self._in_full(record.pk)

    def _item[I: Model](self, model: type[I], pk: str) -> I:
        """An item (milestone, benefit line) of the initiative of the URL (Http404 when the
        initiative has no such item)."""
        return get_object_or_404(model, pk=pk, initiative=self.get_object())

    @extend_schema(
        summary="One initiative",
        description="With the priorities it serves and how strongly, its people, stage "
        "timeline, milestones, latest status update, benefit plan (locked values and variance) "
        "and linked requests with their statuses.",
        responses={200: s.InitiativeDetailOutput, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return rest.render(self.detail_output, self._in_full(pk))

    @extend_schema(
        summary="Create an initiative",
        description="The CMIO, or an informaticist (who leads what they create). It starts as "
        "proposed; the linked requests follow its stage from then on. Text that looks like "
        'patient information is refused unless sent again with `"phi_confirmed": true`.',
        request=s.InitiativeCreateInput,
        responses=rest.answers(s.InitiativeDetailOutput, code=201, bad=rest.PHI_FLAGGED),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.initiative_create, s.InitiativeCreateInput)

    @extend_schema(
        operation_id="initiatives_update",
        summary="Edit an initiative",
        description="The CMIO, or the informaticist who leads it. Send the `version` you "
        "edited with the fields to change (people, facilities and priorities are replaced as "
        "a whole); a stale version gets 409 and nothing is saved. The stage moves through the "
        "stage action.",
        request=s.InitiativeUpdateInput,
        responses=rest.answers(
            s.InitiativeDetailOutput, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND, stale=True
        ),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.change(services.initiative_update, s.InitiativeUpdateInput)

    @extend_schema(
        operation_id="initiatives_stage",
        summary="Move an initiative to another stage",
        description="Only along the stage table; any other move is refused with a 400 that "
        "names `to_stage`. Approving, deferring and stopping are governance decisions, "
        "recorded through `/api/v1/decisions/` (a deferral with its `revisit_on`): asked for "
        "here, they are refused by the gate's permission, or for the CMO, who holds it, with "
        "a 400 naming `to_stage`. Putting on hold needs a `reason`. Going live records "
        "`go_live_date` (today by default). Linked requests follow (in build → in build; "
        "pilot or live → released; stopped → declined; deferred → scheduled). A stale "
        "`version` gets 409.",
        request=s.StageInput,
        responses=rest.answers(
            s.InitiativeDetailOutput, bad=rest.PHI_FLAGGED, not_found=NOT_FOUND, stale=True
        ),
    )
    @action(detail=True, methods=["post"], url_path="stage", url_name="stage")
    def stage(self, request: Request, pk: str) -> Response:
        to_stage = request.data.get("to_stage") if hasattr(request.data, "get") else None
        if isinstance(to_stage, str) and to_stage in GATE_STAGES:
            raise ValidationError({"to_stage": GATE_REFUSAL.format(stage=Stage(to_stage).label)})
        return self.change(services.initiative_advance, s.StageInput)

    @extend_schema(
        operation_id="initiatives_link_requests",
        summary="Link requests to an initiative",
        description="The linked requests show the initiative and its stage to their "
        "submitters, and follow its stage where the request table allows it.",
        request=s.LinkRequestsInput,
        responses=rest.answers(s.InitiativeDetailOutput, not_found=NOT_FOUND),
    )
    @action(detail=True, methods=["post"], url_path="link-requests", url_name="link-requests")
    def link_requests(self, request: Request, pk: str) -> Response:
        self.on_record(services.initiative_link_requests, s.LinkRequestsInput)
        return self.retrieve(request, pk)

    # --- Milestones -------------------------------------------------------------------------

    @rest.collection(
        "milestones",
        output=s.MilestoneOutput,
        input_class=s.MilestoneInput,
        not_found=NOT_FOUND,
        listed={
            "operation_id": "initiatives_milestones_list",
            "summary": "An initiative's milestones",
            "description": "By due date; `is_overdue` when not done and the due date has passed.",
        },
        added={
            "operation_id": "initiatives_milestones_create",
            "summary": "Add a milestone",
            "description": "The CMIO, or the informaticist who leads the initiative.",
        },
    )
    def milestones(self, request: Request, pk: str) -> Response:
        return self.list_or_add(
            lambda: self._in_full(pk).milestones.all(),
            s.MilestoneOutput,
            services.milestone_add,
            s.MilestoneInput,
        )

    @extend_schema(
        operation_id="initiatives_milestone_done",
        summary="Mark a milestone done",
        description="Records when and by whom.",
        parameters=[MILESTONE_ID],
        request=None,
        responses=rest.answers(s.MilestoneOutput, not_found=NOT_FOUND),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"milestones/(?P<milestone_id>[0-9]+)/done",
        url_name="milestone-done",
    )
    def milestone_done(self, request: Request, pk: str, milestone_id: str) -> Response:
        milestone = self._item(Milestone, milestone_id)
        return rest.render(
            s.MilestoneOutput, rest.call(services.milestone_done, request, milestone=milestone)
        )

    # --- Status updates ---------------------------------------------------------------------

    @rest.collection(
        "status-updates",
        output=s.StatusUpdateOutput,
        input_class=s.StatusUpdateInput,
        not_found=NOT_FOUND,
        bad=rest.PHI_FLAGGED,
        listed={
            "operation_id": "initiatives_status_updates_list",
            "summary": "An initiative's status updates",
            "description": "Newest first; the first one sets the initiative's health.",
        },
        added={
            "operation_id": "initiatives_status_updates_create",
            "summary": "Post a status update",
            "description": "Health per dimension (schedule, scope, budget, adoption), a "
            "narrative and risks; the CMIO, or the informaticist who leads the initiative. Text "
            "that looks like patient information is refused unless sent again with "
            '`"phi_confirmed": true`.',
        },
    )
    def status_updates(self, request: Request, pk: str) -> Response:
        return self.list_or_add(
            lambda: self._in_full(pk).status_updates.all(),
            s.StatusUpdateOutput,
            services.status_update_post,
            s.StatusUpdateInput,
        )

    # --- Benefit plan -----------------------------------------------------------------------

    @rest.collection(
        "benefits",
        output=s.BenefitOutput,
        input_class=s.BenefitInput,
        not_found=NOT_FOUND,
        listed={
            "operation_id": "initiatives_benefits_list",
            "summary": "An initiative's benefit plan",
            "description": "Expected value per value category; once approved, the locked "
            "forecast and the variance of the current plan against it.",
        },
        added={
            "operation_id": "initiatives_benefits_create",
            "summary": "Add a benefit line",
            "description": "The CMIO, or the informaticist who leads the initiative. A line "
            "added after approval is locked as it is added.",
        },
    )
    def benefits(self, request: Request, pk: str) -> Response:
        return self.list_or_add(
            lambda: self._in_full(pk).benefits.all(),
            s.BenefitOutput,
            services.benefit_add,
            s.BenefitInput,
        )

    @extend_schema(
        operation_id="initiatives_benefit_update",
        summary="Edit a benefit line",
        description="Fields left out keep their value. After approval the locked forecast "
        "never changes: the edit shows as variance against it.",
        parameters=[BENEFIT_ID],
        request=s.BenefitUpdateInput,
        responses=rest.answers(s.BenefitOutput, not_found=NOT_FOUND),
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"benefits/(?P<benefit_id>[0-9]+)",
        url_name="benefit-detail",
    )
    def benefit_update(self, request: Request, pk: str, benefit_id: str) -> Response:
        benefit = self._item(BenefitLine, benefit_id)
        updated = rest.call(services.benefit_update, request, s.BenefitUpdateInput, benefit=benefit)
        return rest.render(s.BenefitOutput, updated)
