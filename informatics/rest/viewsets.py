"""The API's views as every app writes them: parsing input and the acting user, calling a
service with them, rendering an output, the permission class and the viewset bases (a list,
one record, its actions and collections)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, cast

from django.db.models import Model
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from informatics.models import User
from informatics.permissions import Action, can
from informatics.rest.responses import answers


def _validated(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    parsed = serializer_class(data=data)
    parsed.is_valid(raise_exception=True)
    validated: dict[str, Any] = parsed.validated_data
    return validated


def parse(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The request body, validated by `serializer_class` (400 naming each bad field)."""
    return _validated(serializer_class, request.data)


def parse_query(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The query parameters, validated by `serializer_class` (400 naming each bad one). Read as
    one value each, an empty one as sent: a query string is not an HTML form, whose empty field
    DRF reads as null where null is allowed (`?preset=` would pass as "no preset")."""
    return _validated(serializer_class, request.query_params.dict())


def actor(request: Request) -> User:
    """The signed-in user taking the action (the permission classes admit no one else)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def call[T](
    service: Callable[..., T],
    request: Request,
    input_class: type[Serializer] | None = None,
    **known: Any,
) -> T:
    """`service` called with the acting user, `known` and the body parsed by `input_class` (400
    naming each bad field). An edit's `version` is among the parsed fields: the service's
    optimistic locking answers 409 when it is stale."""
    data = parse(input_class, request) if input_class is not None else {}
    return service(actor=actor(request), **known, **data)


def render(
    output_class: type[Serializer], instance: Any, code: int = status.HTTP_200_OK
) -> Response:
    """`instance` rendered by `output_class`, answered with `code`."""
    return Response(output_class(instance).data, status=code)


def nested_or_none(output_class: type[Serializer], instance: Any) -> dict[str, Any] | None:
    """`instance` rendered by `output_class`, or None when there is none (a nested record that
    may be missing, read by a serializer method)."""
    return None if instance is None else dict(output_class(instance).data)


def unfiltered_action[View: Callable[..., Any]](
    path: str, *, detail: bool, methods: Sequence[Literal["get", "post"]] = ("get",)
) -> Callable[[View], View]:
    """An action at `path` that answers its own rows or figures: the list's filters and pages
    do not apply to it."""
    routed = action(
        detail=detail,
        methods=methods,
        url_path=path,
        url_name=path,
        filter_backends=[],
        pagination_class=None,
    )

    def decorate(view: View) -> View:
        return cast(View, routed(view))  # the action wraps the view; the viewset calls it the same

    return decorate


def collection[View: Callable[..., Any]](
    path: str,
    *,
    output: type[Serializer],
    input_class: type[Serializer],
    not_found: OpenApiResponse,
    listed: dict[str, Any],
    added: dict[str, Any],
    bad: OpenApiResponse | None = None,
) -> Callable[[View], View]:
    """A record's sub-collection at `path`: GET lists it (documented by `listed`), POST adds to
    it (documented by `added`); neither filters nor pages."""

    def decorate(view: View) -> View:
        routed = unfiltered_action(path, detail=True, methods=("get", "post"))(view)
        routed = extend_schema(
            methods=["POST"],
            request=input_class,
            responses=answers(output, code=status.HTTP_201_CREATED, bad=bad, not_found=not_found),
            **added,
        )(routed)
        routed = extend_schema(
            methods=["GET"], responses={200: output(many=True), 404: not_found}, **listed
        )(routed)
        return routed

    return decorate


class ApiViewSet[M: Model](viewsets.GenericViewSet[M]):
    """A viewset whose operations each need an action of DESIGN.md's table before any input is
    parsed: `needs[operation]`, else `needs_otherwise`. The services check again, with the
    record."""

    needs: ClassVar[Mapping[str, Action]] = {}
    needs_otherwise: ClassVar[Action]

    def needed(self) -> Action:
        """What the current operation needs (override where the HTTP method matters)."""
        return self.needs.get(self.action or "", self.needs_otherwise)

    def get_permissions(self) -> list[BasePermission]:
        return allowed(self.needed())

    # What the viewset's writes answer with: its record as `shown` reads it, rendered by
    # `detail_output`.
    detail_output: ClassVar[type[Serializer]]

    def shown(self, record: M) -> Any:
        """`record` as `detail_output` renders it (override to read it in full)."""
        return record

    def respond(self, record: M, code: int = status.HTTP_200_OK) -> Response:
        """`record`, read by `shown`, rendered by `detail_output` and answered with `code`."""
        return render(self.detail_output, self.shown(record), code)

    def created(self, service: Callable[..., M], input_class: type[Serializer]) -> Response:
        """`service` makes a record from the body parsed by `input_class`; the answer renders it
        (201)."""
        return self.respond(call(service, self.request, input_class), status.HTTP_201_CREATED)


class RecordViewSet[M: Model](ApiViewSet[M]):
    """A viewset whose services take its record under one keyword, `record_name`."""

    record_name: ClassVar[str]

    def on_record[T](
        self,
        service: Callable[..., T],
        input_class: type[Serializer] | None = None,
        *,
        record: M | None = None,
        **known: Any,
    ) -> T:
        """Like `call`, on the record of the URL (`record`, when already read): the body is
        parsed before the record is looked up, so bad input is a 400 even for a missing one."""
        data = parse(input_class, self.request) if input_class is not None else {}
        target = record if record is not None else self.get_object()
        return service(actor=actor(self.request), **{self.record_name: target}, **known, **data)

    def change(
        self, service: Callable[..., M], input_class: type[Serializer] | None = None
    ) -> Response:
        """`service` changes the record of the URL (`on_record`); the answer renders it."""
        return self.respond(self.on_record(service, input_class))

    def add(
        self,
        service: Callable[..., Any],
        input_class: type[Serializer],
        output_class: type[Serializer],
        *,
        record: M | None = None,
    ) -> Response:
        """`service` adds something to the record of the URL; the answer renders it (201)."""
        added = self.on_record(service, input_class, record=record)
        return render(output_class, added, status.HTTP_201_CREATED)

    def list_or_add(
        self,
        rows: Callable[[], Iterable[Any]],
        output_class: type[Serializer],
        service: Callable[..., Any],
        input_class: type[Serializer],
        *,
        record: M | None = None,
    ) -> Response:
        """A sub-collection: GET renders `rows()`, POST adds one with `service` (201)."""
        if self.request.method == "GET":
            return Response(output_class(rows(), many=True).data)
        return self.add(service, input_class, output_class, record=record)


class ActionAllowed(BasePermission):
    """Lets a request through when `can(user, action)` holds (DESIGN.md's permission table).

    The services check again; checking here first means a refused user gets 403 before any
    input is parsed, whatever they sent.
    """

    def __init__(self, action: Action):
        self.action = action
        self.message = f"You may not do this ({action.value})."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can(request.user, self.action)


def allowed(action: Action) -> list[BasePermission]:
    """The permissions of an operation that needs `action`: signed in, then allowed."""
    return [IsAuthenticated(), ActionAllowed(action)]


class ApiView(APIView):
    """An API view whose requests need `needs`, an action of DESIGN.md's table, before any
    input is parsed."""

    needs: ClassVar[Action]

    def needed(self) -> Action:
        """What the current request needs (override where the HTTP method matters)."""
        return self.needs

    def get_permissions(self) -> list[BasePermission]:
        return allowed(self.needed())


def listing[V: type[APIView]](
    summary: str, description: str | None = None, *, retrieve: str | None = None, **schema: Any
) -> Callable[[V], V]:
    """Documents a viewset's list (and, given `retrieve`, its one-record read by that summary)
    where the mixins' operations have no decorator of their own."""
    documented = {"list": extend_schema(summary=summary, description=description, **schema)}
    if retrieve is not None:
        documented["retrieve"] = extend_schema(summary=retrieve)
    return extend_schema_view(**documented)
