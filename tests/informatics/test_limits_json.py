"""The API's JSON bodies have a size and a depth limit: past either, a 400 naming the limit and
nothing saved, never a 500; at the limit, the body is read as usual."""

import pytest

from informatics.choices import Role
from informatics.models import User
from informatics.parsers import json_depth_exceeds
from intake.models import RequestComment
from tests.conftest import ApiAs
from tests.intake.factories import submit

pytestmark = pytest.mark.django_db

DEPTH_MESSAGE = (
    "The request body nests arrays and objects deeper than the limit of 32 levels "
    "(API_JSON_MAX_DEPTH)."
)


def nested(depth: int) -> str:
    """A comment body whose `body` value is a list nested `depth` levels inside the object."""
    return '{"body": ' + "[" * (depth - 1) + '"x"' + "]" * (depth - 1) + "}"


def test_a_comment_nested_50000_deep_is_refused_naming_the_limit(
    users: dict[str, User], api_as: ApiAs
) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)

    answer = api_as(champion).post(
        f"/api/v1/requests/{row.pk}/comments/", nested(50_000), content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json() == {"detail": DEPTH_MESSAGE}
    assert RequestComment.objects.count() == 0


def test_a_body_one_level_past_the_limit_is_refused_and_one_at_it_is_read(
    users: dict[str, User], api_as: ApiAs
) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)
    api = api_as(champion)
    url = f"/api/v1/requests/{row.pk}/comments/"

    over = api.post(url, nested(33), content_type="application/json")
    at = api.post(url, nested(32), content_type="application/json")

    assert over.status_code == 400
    assert over.json() == {"detail": DEPTH_MESSAGE}
    # At the limit the body is parsed and the serializer names the field's problem.
    assert at.status_code == 400
    assert at.json() == {"body": ["Not a valid string."]}
    assert RequestComment.objects.count() == 0


def test_brackets_inside_strings_do_not_count(users: dict[str, User], api_as: ApiAs) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)
    body = "[[[[" * 100 + ' "quoted \\" [[[ " ' + "{{{{" * 100

    answer = api_as(champion).post(
        f"/api/v1/requests/{row.pk}/comments/", {"body": body}, format="json"
    )

    assert answer.status_code == 201
    assert list(RequestComment.objects.values_list("body", flat=True)) == [body]


def test_a_body_over_the_size_limit_is_refused_naming_the_limit(
    users: dict[str, User], api_as: ApiAs
) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)
    api = api_as(champion)
    url = f"/api/v1/requests/{row.pk}/comments/"
    padding = " " * (1_000_000 - len('{"body": "ok"}'))

    over = api.post(url, '{"body": "ok"}' + padding + " ", content_type="application/json")
    at = api.post(url, '{"body": "ok"}' + padding, content_type="application/json")

    assert over.status_code == 400
    assert over.json() == {
        "detail": "The request body is larger than the limit of 1,000,000 bytes "
        "(API_JSON_MAX_BYTES)."
    }
    assert at.status_code == 201
    assert list(RequestComment.objects.values_list("body", flat=True)) == ["ok"]


@pytest.mark.parametrize(
    ("text", "limit", "exceeds"),
    [
        ("[[1]]", 2, False),
        ("[[[1]]]", 2, True),
        ('{"a": {"b": 1}}', 2, False),
        ('{"a": {"b": {"c": 1}}}', 2, True),
        ('["[[[[[", "\\\\", "{{{{"]', 1, False),
        ('["\\"[[[["]', 1, False),
        ("[" * 10_000, 32, True),
    ],
)
def test_the_depth_is_read_outside_strings(text: str, limit: int, exceeds: bool) -> None:
    assert json_depth_exceeds(text, limit) is exceeds


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # Read whole by a form parser, past every limit: the API reads no form bodies.
        ("application/x-www-form-urlencoded", "body=" + "x" * 3_000_000),
        (
            "multipart/form-data; boundary=b",
            '--b\r\nContent-Disposition: form-data; name="body"\r\n\r\nMine.\r\n--b--\r\n',
        ),
    ],
)
def test_a_comment_sent_as_a_form_is_a_415_and_nothing_is_saved(
    users: dict[str, User], api_as: ApiAs, content_type: str, body: str
) -> None:
    champion = users[Role.CHAMPION]
    row = submit(champion)

    answer = api_as(champion).post(
        f"/api/v1/requests/{row.pk}/comments/", body, content_type=content_type
    )

    assert answer.status_code == 415
    assert answer.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}
    assert RequestComment.objects.count() == 0
