"""The API's JSON parser: a body larger than `API_JSON_MAX_BYTES` or nested deeper than
`API_JSON_MAX_DEPTH` is refused with a 400 that names the limit, before `json.loads` ever sees
it (a deeply nested body would otherwise end in a RecursionError, a 500)."""

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A JSON string with its escapes (unrolled, so a long string is one linear match): what is
# inside strings never counts towards the depth.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the arrays and objects of `text` nest deeper than `limit`, read without
    recursion and stopping at the first bracket past the limit."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser behind a size and a depth limit (settings `API_JSON_MAX_BYTES`,
    `API_JSON_MAX_DEPTH`)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        max_bytes: int = settings.API_JSON_MAX_BYTES
        max_depth: int = settings.API_JSON_MAX_DEPTH
        raw: bytes = stream.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise ParseError(
                f"The request body is larger than the limit of {max_bytes:,} bytes "
                "(API_JSON_MAX_BYTES)."
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if json_depth_exceeds(text, max_depth):
            raise ParseError(
                f"The request body nests arrays and objects deeper than the limit of {max_depth} "
                "levels (API_JSON_MAX_DEPTH)."
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
