"""Serializer pieces every app's API shares: strict id, count, code and record fields, trimmed
text, decimal numbers, the PHI confirmation field, reference outputs (a person, a facility, a
priority), the PHI guard's findings and the base of versioned edits."""

from typing import Any, ClassVar, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from informatics.choices import PhiKind
from informatics.middleware import current_user
from informatics.models import Facility, User
from informatics.permissions import Action, can

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
