"""The longest text a person may type into each kind of free-text field, in one place.

Every `TextField` of the portal declares one of these as its `max_length` (which sizes the
form and API fields) and as a `MaxLengthValidator` (which the model's own field checks, and so
every service, apply on any database): a longer text is refused with a message that names the
field and the limit. Short texts (titles, names, labels) are `CharField`s with their own
`max_length`."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
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
# A web address: http or https, a host of at most 253 characters (Django's URL check refuses a
# longer one), an optional port, then a path, query or fragment without whitespace. Django's
# URL check applies too; this says in a pattern an API client can read what it adds to RFC 3986.
WEB_ADDRESS = (
    f"^https?://[^/?#:@{WHITESPACE}]{{1,253}}(?::[0-9]{{1,5}})?(?:[/?#][^{WHITESPACE}]*)?$"
)


def max_length(limit: int) -> list[MaxLengthValidator]:
    """The validators of a text field of at most `limit` characters."""
    return [MaxLengthValidator(limit)]


@deconstructible
class WebAddressValidator(RegexValidator):
    """WEB_ADDRESS, checked on what Django's own URL check (which a URL field runs beside it)
    takes, so that an address is refused with one message, not two."""

    regex = WEB_ADDRESS
    message = "Enter a web address starting http:// or https://."

    def __call__(self, value: object) -> None:
        try:
            URLValidator()(value)
        except ValidationError:
            return
        super().__call__(value)


def web_address() -> list[RegexValidator]:
    """The validators of a URL field, besides Django's own URL check."""
    return [WebAddressValidator()]
