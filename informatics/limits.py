"""The longest text a person may type into each kind of free-text field, in one place.

Every `TextField` a person types into is made by `text(limit)`: the limit is its `max_length`
(which sizes the form and API fields) and its `MaxLengthValidator` (which the model's own field
checks, and so every service, apply on any database; a `TextField`'s `max_length` alone checks
nothing): a longer text is refused with a message that names the field and the limit. Short
texts (titles, names, labels) are `CharField`s with their own `max_length`."""

from typing import Any

from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.deconstruct import deconstructible

# A request's stories, an initiative's summary and problem, a status narrative and its risks,
# a metric's definition, a strategic priority's goal.
LONG_TEXT = 10_000
# A comment, question or answer in a request's thread.
COMMENT = 5_000
# A reason or note given with a step: a status move, a stage move, a retirement, an annotation.
NOTE = 2_000

# The characters Python's str.strip() removes (str.isspace()), as a regular expression's class
# body: the whitespace a form or serializer trims, and which no web address holds.
WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# A web address, checked by this pattern alone (which the API's schema publishes as it is):
# http or https; a host that is an IPv4 address, `localhost`, or dot-separated names of at
# most 63 characters (letters, digits, hyphens inside; Unicode letters too, no white space)
# ending in a top-level name of letters (or an `xn--` name); an optional port; then a path,
# query or fragment without white space. No user name and password, no IPv6 host: a canonical
# URL holds neither. Unlike Django's URL check, no limit of 253 characters on the host: a
# pattern could state it only with a lookahead, and a canonical URL is an identifier, never
# looked up (the field's own length limit applies).
_LETTER = (
    "a-zA-Z\\u00a1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e"
    "\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\ud7ff\\ue000-\\ufffd"
)
_NAME = f"[{_LETTER}0-9](?:[{_LETTER}0-9-]{{0,61}}[{_LETTER}0-9])?"
_TOP = f"(?:[{_LETTER}][{_LETTER}-]{{0,61}}[{_LETTER}]|[xX][nN]--[a-zA-Z0-9]{{1,59}})"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HOST = f"(?:{_OCTET}(?:\\.{_OCTET}){{3}}|(?:{_NAME}\\.)+{_TOP}\\.?|localhost)"
WEB_ADDRESS = f"^[hH][tT][tT][pP][sS]?://{_HOST}(?::[0-9]{{1,5}})?(?:[/?#][^{WHITESPACE}]*)?$"


def max_length(limit: int) -> list[MaxLengthValidator]:
    """The validators of a text field of at most `limit` characters."""
    return [MaxLengthValidator(limit)]


def text(limit: int, **options: Any) -> "models.TextField[str, str]":
    """A free-text field of at most `limit` characters (one of the limits above), refused past it
    by the model's own check; `options` are the field's others (`blank`, `help_text`)."""
    return models.TextField(max_length=limit, validators=max_length(limit), **options)


@deconstructible
class WebAddressValidator(RegexValidator):
    """WEB_ADDRESS (a migration names this class, not the pattern)."""

    regex = WEB_ADDRESS
    message = "Enter a web address starting http:// or https://."


def web_address() -> list[RegexValidator]:
    """The validators of a field holding a web address: a CharField, as Django's URL check
    would refuse some addresses the pattern takes."""
    return [WebAddressValidator()]
