"""API views of the kernel: each parses its input, authorises, calls one service or selector and
renders an output serializer. Refusals come from informatics.permissions (403, nothing changed);
stale edits from the services' optimistic locking (409)."""

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from informatics import rest, selectors, services
from informatics.api import serializers as s
from informatics.api.tokens import token_obtain
from informatics.filters import FacilityFilter, PriorityFilter, UserFilter
from informatics.models import Facility, StrategicPriority, User
from informatics.permissions import Action

# --- Authentication and the current user ----------------------------------------------------


class TokenObtainApi(APIView):
    """Exchange an e-mail address and password for an API token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_obtain",
        summary="Obtain an API token",
        description="Returns the account's token (created on first use). Failed attempts "
        "count towards the account's lockout, as on the login page.",
        request=s.TokenObtainInput,
        responses={
            200: s.TokenOutput,
            400: OpenApiResponse(description="Wrong credentials, or a deactivated account."),
            403: OpenApiResponse(description="Local passwords are switched off (single sign-on)."),
            429: OpenApiResponse(description="Too many failed attempts: the account is locked."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = rest.parse(s.TokenObtainInput, request)
        token = token_obtain(request=request, email=data["email"], password=data["password"])
        return Response(s.TokenOutput({"token": token.key}).data)


class MeApi(APIView):
    """Who the caller is: profile, roles in landing order, facilities, landing page."""

    @extend_schema(summary="The signed-in user", responses=s.MeOutput)
    def get(self, request: Request) -> Response:
        user = selectors.user_with_roles(user_id=rest.actor(request).pk)
        return Response(s.MeOutput(user).data)


# --- Facilities -----------------------------------------------------------------------------


@rest.listing("List facilities", retrieve="One facility")
class FacilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, rest.ApiViewSet[Facility]):
    """The system, its hospitals, units and clinics; readable by every signed-in user."""

    serializer_class = s.FacilityOutput
    filterset_class = FacilityFilter
    needs_otherwise = Action.PORTFOLIO_READ

    def get_queryset(self) -> QuerySet[Facility]:
        return selectors.facility_list()


# --- Strategic priorities -------------------------------------------------------------------


@rest.listing(
    "List strategic priorities",
    "Active priorities by rank, then retired ones.",
    retrieve="One priority",
)
class PriorityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, rest.RecordViewSet[StrategicPriority]
):
    """Strategic priorities: everyone reads; the CMO and admins create, edit, reorder, retire
    and restore them."""

    serializer_class = s.PriorityOutput
    detail_output = s.PriorityOutput
    filterset_class = PriorityFilter
    record_name = "priority"
    needs = {"list": Action.PORTFOLIO_READ, "retrieve": Action.PORTFOLIO_READ}
    needs_otherwise = Action.PRIORITY_EDIT

    def get_queryset(self) -> QuerySet[StrategicPriority]:
        return selectors.priority_list()

    @extend_schema(
        summary="Create a priority",
        description="Added at the bottom of the active ranking.",
        request=s.PriorityCreateInput,
        responses=rest.answers(s.PriorityOutput, code=201),
    )
    def create(self, request: Request) -> Response:
        return self.created(services.priority_create, s.PriorityCreateInput)

    @extend_schema(
        operation_id="priorities_update",
        summary="Edit a priority",
        description="Send the `version` you edited with the fields to change; a stale version "
        "gets 409 and nothing is saved.",
        request=s.PriorityUpdateInput,
        responses=rest.answers(s.PriorityOutput, stale=True),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.change(services.priority_update, s.PriorityUpdateInput)

    @extend_schema(
        operation_id="priorities_reorder",
        summary="Reorder the active priorities",
        request=s.PriorityReorderInput,
        responses={200: s.PriorityOutput(many=True), 400: rest.BAD_INPUT, 403: rest.REFUSED},
    )
    @action(detail=False, methods=["post"])
    def reorder(self, request: Request) -> Response:
        ordered_ids = rest.parse(s.PriorityReorderInput, request)["ordered_ids"]
        priorities = services.priority_reorder(actor=rest.actor(request), ordered_ids=ordered_ids)
        return Response(s.PriorityOutput(priorities, many=True).data)

    @extend_schema(
        operation_id="priorities_retire",
        summary="Retire a priority",
        description="It leaves the active ranking but stays on record.",
        request=s.PriorityRetireInput,
        responses=rest.answers(s.PriorityOutput, stale=True),
    )
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        return self.change(services.priority_retire, s.PriorityRetireInput)

    @extend_schema(
        operation_id="priorities_restore",
        summary="Restore a retired priority",
        description="It comes back at the bottom of the active ranking.",
        request=s.PriorityRestoreInput,
        responses=rest.answers(s.PriorityOutput, stale=True),
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        data = rest.parse(s.PriorityRestoreInput, request)
        priority = self.get_object()
        services.priority_restore(
            actor=rest.actor(request), priority=priority, version=data["version"]
        )
        return self.respond(priority)


# --- People (admins) ------------------------------------------------------------------------


@rest.listing("List people (admins)", retrieve="One person (admins)")
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, rest.RecordViewSet[User]):
    """People, their roles and facilities: admins only, for reading and for writing."""

    serializer_class = s.UserOutput
    detail_output = s.UserOutput
    filterset_class = UserFilter
    record_name = "user"
    needs_otherwise = Action.ADMINISTER

    def get_queryset(self) -> QuerySet[User]:
        return selectors.user_list()

    def shown(self, record: User) -> User:
        return selectors.user_with_roles(user_id=record.pk)

    @extend_schema(
        operation_id="users_invite",
        summary="Invite a person",
        description="Creates the account without a password and e-mails a link to set one.",
        request=s.UserInviteInput,
        responses=rest.answers(s.UserOutput, code=201),
    )
    def create(self, request: Request) -> Response:
        data = rest.parse(s.UserInviteInput, request)
        user = services.user_invite(
            actor=rest.actor(request),
            email=data["email"],
            full_name=data["full_name"],
            title=data["title"],
            specialty=data["specialty"],
            roles=data["roles"],
            facilities=data.get("facilities", []),
            base_url=request.build_absolute_uri("/"),
        )
        return self.respond(user, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="users_update",
        summary="Change a person's name, roles or facilities",
        description="Fields left out keep their current value; `roles` and `facilities` "
        "replace the whole set.",
        request=s.UserUpdateInput,
        responses=rest.answers(s.UserOutput),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = rest.parse(s.UserUpdateInput, request)
        user = self.get_object()
        user = services.user_update(
            actor=rest.actor(request),
            user=user,
            full_name=data.get("full_name", user.full_name),
            title=data.get("title", user.title),
            specialty=data.get("specialty", user.specialty),
            roles=data.get("roles", [group.name for group in user.groups.all()]),
            facilities=data.get("facilities", list(user.facilities.all())),
        )
        return self.respond(user)

    @extend_schema(
        operation_id="users_set_active",
        summary="Deactivate or reactivate a person",
        description="A deactivated person cannot sign in and their API tokens are deleted.",
        request=s.UserSetActiveInput,
        responses=rest.answers(s.UserOutput),
    )
    @action(detail=True, methods=["post"], url_path="active", url_name="set-active")
    def set_active(self, request: Request, pk: str) -> Response:
        return self.change(services.user_set_active, s.UserSetActiveInput)


# --- Interactive docs -----------------------------------------------------------------------


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, served from this host (sidecar), under the site's strict CSP."""

    template_name = "api/docs.html"


def schema(request: HttpRequest) -> HttpResponseBase:
    """The OpenAPI schema (YAML, or JSON with `?format=json`) for a signed-in user or a token.
    A browser opening the address is shown the schema browsable at /api/docs/, through the
    login page when not signed in (rather than a 401 file to download); a client that asks for
    a format, or sends a token, gets the file or the 401 as before."""
    is_browser = "text/html" in request.headers.get("Accept", "")
    if is_browser and "format" not in request.GET and "Authorization" not in request.headers:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return redirect("api-docs")
    return _schema_file(request)


_schema_file = SpectacularAPIView.as_view()
