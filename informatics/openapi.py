"""The OpenAPI document's one error shape, and the answers every operation can give besides its
own (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): every 4xx body is an `Error`, the
PHI-flagged 400 an extension of it, and each operation lists each 4xx status it can answer."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.hooks import postprocess_schema_enums

from informatics.limits import WHITESPACE

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"
PHI_FLAGGED = "PhiFlaggedOutput"
NO_NUL = "^[^\\x00]*$"  # any text without a NUL character
# Text without a NUL that keeps a character once DRF has trimmed it: a required text's value.
NOT_BLANK = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"

SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "Every 4xx answer. `detail` says what went wrong with the request as a "
        "whole (not signed in, refused, not found, a body that is not JSON, a stale version, "
        "too many attempts); each other key names a field of the body or of the query with "
        "its messages; `non_field_errors` holds those about several fields together.",
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
            "current_version": {
                "type": "integer",
                "description": "409 only: the record's version now; reload it and edit again.",
            },
        },
        "additionalProperties": {"$ref": f"#/components/schemas/{FIELD_ERRORS}"},
    },
    FIELD_ERRORS: {
        "description": "A field's messages: a list of strings; for a list of objects, one "
        "object of field errors per item; for a list or a mapping, its items' errors by "
        "index or key.",
        "anyOf": [
            {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "additionalProperties": {
                                "$ref": f"#/components/schemas/{FIELD_ERRORS}"
                            },
                        },
                    ]
                },
            },
            {
                "type": "object",
                "additionalProperties": {"$ref": f"#/components/schemas/{FIELD_ERRORS}"},
            },
        ],
    },
}

# What each status means when an operation does not say more.
GENERIC = {
    400: "Bad input: each bad field of the body or query is named with its messages; a body "
    "that is not JSON (or is too large or too deep) is named in `detail`.",
    401: "Not signed in: no session, and no valid `Authorization: Token <key>`.",
    403: "Your roles do not allow this (or a session's CSRF check failed); nothing was changed.",
    404: "No such record, or no such page of the list; or a filter, a query parameter or a "
    "field of the body names a record that does not exist (each is named with its message).",
    409: "The request is well formed, but the records' current state refuses it (a move the "
    "current status or stage does not allow, a code already taken, something already done, "
    "a stale version): the field concerned is named with its message. Nothing was changed.",
    415: "The body is not of a media type this operation reads.",
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}},
    }


def _answers(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The 4xx statuses `operation` can answer, whether or not it documents them."""
    codes = {400, 403}
    if {} not in operation.get("security", []):  # an anonymous caller gets 401
        codes.add(401)
    else:
        codes.discard(403)
    parameters = operation.get("parameters", [])
    if "{" in path or any(p["name"] in ("page", "cursor") for p in parameters):
        codes.add(404)
    if "requestBody" in operation:
        codes.add(415)
    signed_in = operation.get("security") and {} not in operation["security"]
    if method != "get" and signed_in:
        codes.add(409)  # the services refuse what the records' current state does not allow
    return codes


# Partial edits without a version that still refuse to change nothing.
NEED_A_CHANGE = {"PatchedBenefitUpdateInputRequest"}


def _edit_needs(component: dict[str, Any], *, needs_a_change: bool) -> None:
    """A partial edit (PATCH) names the `version` it edited when it has one, and then (or when
    `needs_a_change`) at least one field to change besides it, as the server requires."""
    fields = [name for name in component["properties"] if name not in ("version", "phi_confirmed")]
    if "version" in component["properties"]:
        component["required"] = ["version"]
        needs_a_change = True
    if fields and needs_a_change:
        component["anyOf"] = [{"required": [name]} for name in fields]


def postprocess(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular's enum hook, then the error shape: each 4xx answer of each operation
    documents an `Error` body (the PHI-flagged 400 keeps its extension), and each 4xx status an
    operation can answer is documented."""
    result = postprocess_schema_enums(result, generator, **kwargs)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(SCHEMAS)
    phi = schemas.get(PHI_FLAGGED)
    if phi is not None and "allOf" not in phi:
        phi.pop("required", None)
        phi.pop("type", None)
        schemas[PHI_FLAGGED] = {
            "description": phi.pop("description", ""),
            "allOf": [{"$ref": f"#/components/schemas/{ERROR}"}, {"type": "object", **phi}],
        }
    for name, component in schemas.items():
        if name.startswith("Patched") and "properties" in component:
            _edit_needs(component, needs_a_change=name in NEED_A_CHANGE)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:  # forms parse too, but clients send JSON
                operation["requestBody"]["content"] = {
                    "application/json": content["application/json"]
                }
                ref = content["application/json"].get("schema", {}).get("$ref", "")
                if schemas.get(ref.rpartition("/")[2], {}).get("required"):
                    operation["requestBody"]["required"] = True  # no body lacks those fields
            responses = operation.setdefault("responses", {})
            for code in _answers(path, method, operation):
                responses.setdefault(str(code), {"description": GENERIC[code]})
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    responses[code] = _error(response.get("description") or "")
            operation["responses"] = dict(sorted(responses.items()))
    return result


class DecimalInputExtension(OpenApiSerializerFieldExtension):
    """A decimal sent to the API keeps at most its field's decimal places (more is a 400): the
    request schema says so with `multipleOf`, or with the field's own `request_schema`."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        places = self.target.decimal_places
        if direction == "request" and places is not None and schema.get("type") == "number":
            schema["multipleOf"] = float(f"1e-{places}") if places else 1
            schema.update(getattr(self.target, "request_schema", {}))
        return schema


class TextInputExtension(OpenApiSerializerFieldExtension):
    """Text sent to the API never holds a NUL character (DRF refuses it, and PostgreSQL could
    not store it), and text that may not be blank keeps a character once DRF has trimmed it (a
    lone "\\x1d" is blank to Python): the request schema of a text field without a pattern of
    its own (a code's) says so."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        patterned = any(isinstance(v, RegexValidator) for v in self.target.validators)
        plain = not patterned and not {"pattern", "format", "enum"} & set(schema)
        if direction == "request" and schema.get("type") == "string" and plain:
            trimmed = self.target.trim_whitespace and not self.target.allow_blank
            schema["pattern"] = NOT_BLANK if trimmed else NO_NUL
        return schema
