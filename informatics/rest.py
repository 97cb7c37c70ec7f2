"""API plumbing every app shares (the kernel publishes it here, so that no app imports another's
API modules): parsing and the acting user, calling a service with them, the permission class,
the documented answers, the base of versioned edits, reference serializers and the PHI
confirmation field."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, cast

from django.db.models import Model
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from informatics import openapi  # noqa: F401 — registers the schema's decimal input extension
from informatics.choices import PhiKind
from informatics.middleware import current_user
from informatics.models import Facility, User
from informatics.permissions import Action, can

BAD_INPUT = OpenApiResponse(description="Bad input: the body names each field and its problem.")
REFUSED = OpenApiResponse(description="Your roles do not allow this; nothing was changed.")
STALE = OpenApiResponse(
    description="Someone saved the record since the version you sent; nothing was changed."
)


# Ids are 64-bit (BigAutoField): an id past these bounds is refused before the database is asked,
# which would raise instead of finding nothing (SQLite cannot even bind it). Counts, hours and
# days are stored in 32-bit columns.
MAX_ID = 2**63 - 1
MAX_COUNT = 2**31 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A record's id as a bare integer (1 … MAX_ID), checked against the table by the caller."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def count_field(*, max_value: int = MAX_COUNT, **kwargs: Any) -> serializers.IntegerField:
    """A count of minutes, hours, days or points: 0 … `max_value` (what its column holds)."""
    return serializers.IntegerField(min_value=0, max_value=max_value, **kwargs)


class RecordList(serializers.ManyRelatedField):
    """Records named in a JSON list: never an object (whose keys would be read as the list)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return list(super().to_internal_value(data))


class _StrictRelation:
    """A relation named in JSON as the schema says: `many=True` takes a list, and an empty
    string names nothing (DRF would read it as null)."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> RecordList:
        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        child = cast(serializers.RelatedField, cls(*args, **kwargs))  # the mixin's subclass
        return RecordList(child_relation=child, **many)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data == "":
            raise exceptions.ValidationError("This field may not be blank.")
        return super().run_validation(data)  # type: ignore[misc]  # the relation's own


class CodeField(_StrictRelation, serializers.SlugRelatedField):
    """A record named by its code (`slug_field`); `many=True`: a list of codes."""


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class RecordField(_StrictRelation, serializers.PrimaryKeyRelatedField):
    """A record named by its id (`many=True`: a list of ids). Anything but an integer from 1 to
    MAX_ID is refused, naming the field, before the database is asked (a 400); an id that names
    no record is a 404."""

    default_error_messages = {"out_of_range": f"Give an id from 1 to {MAX_ID}."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= pk <= MAX_ID:
            self.fail("out_of_range")
        return super().to_internal_value(pk)


class CharField(serializers.CharField):
    """Text: a JSON string, never a number or a boolean turned into one (the schema says
    string)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SlugField(CharField, serializers.SlugField):
    """A code of letters, digits, hyphens and underscores: a JSON string (the schema's
    pattern)."""


class BooleanField(serializers.BooleanField):
    """true or false: JSON's, or a form's spelling of them, never 0, 1 or "yes" (the schema
    says boolean)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool) and data not in ("true", "false", "True", "False"):
            self.fail("invalid", input=data)
        return bool(super().to_internal_value(data))


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


def answers(
    output: Any,
    *,
    code: int = status.HTTP_200_OK,
    bad: OpenApiResponse | None = None,
    not_found: OpenApiResponse | None = None,
    stale: bool = False,
) -> dict[int, Any]:
    """The documented answers of a write: `output` under `code`, bad input (`bad`, BAD_INPUT by
    default), refusal, and when given the 404 of a missing record and the 409 of a stale
    version."""
    documented: dict[int, Any] = {code: output, 400: bad or BAD_INPUT, 403: REFUSED}
    if not_found is not None:
        documented[404] = not_found
    if stale:
        documented[409] = STALE
    return documented


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


PHI_CONFIRMED_HELP = (
    "Send true to save text that the patient-information guard flagged, confirming it is not "
    "patient information (the confirmation is recorded)."
)


class PersonRefOutput(serializers.Serializer):
    """A person named on another record (e.g. a priority's executive sponsor)."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.SerializerMethodField(
        help_text="Only for admins and for the person themself; null for everyone else."
    )

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, person: User) -> str | None:
        viewer = current_user()
        if viewer is not None and (viewer.pk == person.pk or can(viewer, Action.ADMINISTER)):
            return person.email
        return None


# A record with a code, named on another record: its id and code, then what each kind adds (its
# name or title). (No docstring: the schema would give it to every subclass without one of its
# own.)
class CodedRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class FacilityRefOutput(CodedRefOutput):
    """A facility named on another record."""

    name = serializers.CharField()


class PriorityRefOutput(CodedRefOutput):
    """A strategic priority named on another record."""

    title = serializers.CharField()


class PhiFlaggedOutput(serializers.Serializer):
    """The 400 answer when free text looks like patient information. Besides the keys below,
    each flagged field is a key with its message, like any other bad field."""

    phi_flagged = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(PhiKind.choices)),
        help_text="Each flagged field → the kinds of patient information seen in it.",
    )
    phi_confirmed = serializers.ListField(
        child=serializers.CharField(),
        help_text='How to go on: edit the text, or send it again with "phi_confirmed": true.',
    )


def facility_field(**kwargs: Any) -> CodeField:
    """A facility named by its code (facilities by their codes, with `many=True`)."""
    return CodeField(slug_field="code", queryset=Facility.objects.all(), **kwargs)


class NumberField(serializers.DecimalField):
    """A decimal answered as a JSON number. `request_schema` adds to what the request schema
    says of it (bounds or steps a service enforces, naming the field)."""

    def __init__(self, *args: Any, request_schema: dict[str, Any] | None = None, **kwargs: Any):
        self.request_schema = request_schema or {}
        super().__init__(*args, **kwargs)


def number_field(max_digits: int, decimal_places: int, **kwargs: Any) -> NumberField:
    """A decimal answered as a JSON number (DRF answers decimals as strings by default)."""
    return NumberField(
        max_digits=max_digits, decimal_places=decimal_places, coerce_to_string=False, **kwargs
    )


def optional_text(**kwargs: Any) -> serializers.CharField:
    """Free text that may be left out or blank (blank when left out)."""
    return CharField(required=False, default="", allow_blank=True, **kwargs)


def optional_choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    """One of `choices`, or blank (blank when left out)."""
    return serializers.ChoiceField(choices, required=False, default="", allow_blank=True, **kwargs)


def phi_confirmed_field() -> BooleanField:
    return BooleanField(required=False, default=False, help_text=PHI_CONFIRMED_HELP)


PHI_FLAGGED = OpenApiResponse(
    response=PhiFlaggedOutput,
    description="Bad input, or text that looks like patient information: each flagged field "
    'is named with its message, `phi_flagged` lists what was seen, and `"phi_confirmed": true` '
    "saves it anyway. Nothing was saved.",
)


# An edit: the `version` edited (a stale one gets 409) and at least one field to change. With
# `every_field_optional`, the fields of the record's create input that it reuses become optional,
# and those left out keep their value. (No docstring: the schema would give it to every subclass
# without one of its own.)
class VersionedEditInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_COUNT, help_text="The version you edited."
    )
    every_field_optional: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.every_field_optional:
            for name, field in self.fields.items():
                if name not in ("version", "phi_confirmed"):
                    field.required = False
                    field.default = serializers.empty

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"version", "phi_confirmed"}:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give at least one field to change besides version."]}
            )
        return attrs
