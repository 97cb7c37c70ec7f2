"""Free text has a maximum length, declared by the model (informatics/limits.py) and checked on
every database, by the services behind the pages and the API: a longer text is refused naming
the field and the limit, and nothing is saved."""

import datetime
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.test import Client
from django.urls import reverse

from informatics import limits
from informatics import services as kernel
from informatics.choices import Role
from informatics.models import StrategicPriority, User
from initiatives import services as portfolio
from initiatives.models import Initiative, StageChange
from intake import services as intake
from intake.models import IntakeRequest, RequestComment, RequestStatusChange
from tests.conftest import ApiAs
from tests.factories import PriorityFactory
from tests.initiatives.factories import create_initiative
from tests.intake.factories import submit

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

APPS = ("informatics", "intake", "initiatives", "metrics", "governance", "reports")
# Text the portal writes itself, never typed by a person.
EXEMPT = {
    "informatics.JobRun.error": "the job's exception, written by the portal",
    "informatics.Notification.body": "composed by the portal from records already limited",
    "informatics.IdentityLink.refresh_token": "the identity provider's credential, never typed",
}
TWO_MB = 2_000_000


def too_long(limit: int, size: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {size})."


def test_every_typed_text_field_declares_a_limit_its_model_checks() -> None:
    unlimited, exempt_seen = [], []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField):
                continue
            name = f"{model._meta.label}.{field.name}"
            if name in EXEMPT:
                exempt_seen.append(name)
                continue
            checked = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
            if field.max_length not in (limits.LONG_TEXT, limits.COMMENT, limits.NOTE) or (
                checked != [field.max_length]
            ):
                unlimited.append(name)

    assert unlimited == []
    assert sorted(exempt_seen) == sorted(EXEMPT)


# --- Stories and comments through the service, the page and the API --------------------------


def test_a_2mb_story_is_refused_by_the_service(users: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as raised:
        submit(users[Role.CHAMPION], story_today="x" * TWO_MB)

    assert raised.value.message_dict == {"story_today": [too_long(10_000, TWO_MB)]}
    assert IntakeRequest.objects.count() == 0


def test_a_story_at_the_limit_is_kept_and_one_past_it_refused(users: dict[str, User]) -> None:
    kept = submit(users[Role.CHAMPION], story_wanted="y" * 10_000)
    with pytest.raises(ValidationError) as raised:
        intake.request_update(
            actor=users[Role.CHAMPION], request=kept, version=1, story_wanted="z" * 10_001
        )

    assert raised.value.message_dict == {"story_wanted": [too_long(10_000, 10_001)]}
    kept.refresh_from_db()
    assert (kept.story_wanted, kept.version) == ("y" * 10_000, 1)


def test_a_2mb_story_is_refused_on_the_page(client_for: Callable[[str], Client]) -> None:
    page = client_for(Role.CHAMPION).post(
        reverse("intake:request-create"),
        {
            "title": "Long story",
            "kind": "pain_point",
            "story_today": "x" * TWO_MB,
            "story_wanted": "Shorter.",
            "frequency": "daily",
        },
    )

    assert page.status_code == 200
    assert dict(page.context["form"].errors) == {"story_today": [too_long(10_000, TWO_MB)]}
    assert IntakeRequest.objects.count() == 0


def test_a_2mb_comment_is_refused_by_the_service(users: dict[str, User]) -> None:
    request = submit(users[Role.CHAMPION])

    with pytest.raises(ValidationError) as raised:
        intake.request_comment(actor=users[Role.CMIO], request=request, body="x" * TWO_MB)

    assert raised.value.message_dict == {"body": [too_long(5_000, TWO_MB)]}
    assert RequestComment.objects.count() == 0


def test_a_comment_at_the_limit_is_kept_and_one_past_it_refused(users: dict[str, User]) -> None:
    request = submit(users[Role.CHAMPION])

    kept = intake.request_comment(actor=users[Role.CMIO], request=request, body="x" * 5_000)
    with pytest.raises(ValidationError) as raised:
        intake.request_comment(actor=users[Role.CMIO], request=request, body="x" * 5_001)

    assert raised.value.message_dict == {"body": [too_long(5_000, 5_001)]}
    assert list(RequestComment.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_long_question_and_a_long_answer_are_refused(users: dict[str, User]) -> None:
    champion, cmio = users[Role.CHAMPION], users[Role.CMIO]
    request = submit(champion)

    with pytest.raises(ValidationError) as asked:
        intake.request_ask(actor=cmio, request=request, question="q" * 5_001)
    intake.request_ask(actor=cmio, request=request, question="Which unit?")
    with pytest.raises(ValidationError) as answered:
        intake.request_answer(actor=champion, request=request, body="a" * 5_001)

    assert asked.value.message_dict == {"question": [too_long(5_000, 5_001)]}
    assert answered.value.message_dict == {"body": [too_long(5_000, 5_001)]}
    assert list(RequestComment.objects.values_list("body", flat=True)) == ["Which unit?"]


def test_a_2mb_comment_is_refused_on_the_page(
    users: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    request = submit(users[Role.CHAMPION])

    page = client_for(Role.CMIO).post(
        reverse("intake:request-comment", args=[request.pk]), {"body": "x" * TWO_MB}
    )

    assert page.status_code == 200
    assert dict(page.context["comment_form"].errors) == {"body": [too_long(5_000, TWO_MB)]}
    assert RequestComment.objects.count() == 0


def test_a_long_comment_is_refused_by_the_api(users: dict[str, User], api_as: ApiAs) -> None:
    request = submit(users[Role.CHAMPION])
    api = api_as(users[Role.CMIO])
    url = f"/api/v1/requests/{request.pk}/comments/"

    over = api.post(url, {"body": "x" * 5_001}, format="json")
    huge = api.post(url, {"body": "x" * TWO_MB}, format="json")

    assert (over.status_code, huge.status_code) == (400, 400)
    assert over.json() == {"body": [too_long(5_000, 5_001)]}
    assert huge.json() == {
        "detail": "The request body is larger than the limit of 1,000,000 bytes "
        "(API_JSON_MAX_BYTES)."
    }
    assert RequestComment.objects.count() == 0


# --- Notes and reasons given with a step -------------------------------------------------------


def test_a_long_status_note_is_refused(users: dict[str, User]) -> None:
    request = submit(users[Role.CHAMPION])

    with pytest.raises(ValidationError) as raised:
        intake.request_transition(
            actor=users[Role.CMIO], request=request, to_status="triage", note="n" * 2_001
        )

    assert raised.value.message_dict == {"note": [too_long(2_000, 2_001)]}
    request.refresh_from_db()
    assert request.status == "submitted"
    assert RequestStatusChange.objects.count() == 1


def test_a_long_stage_reason_is_refused(users: dict[str, User]) -> None:
    initiative = create_initiative(users[Role.CMIO])

    with pytest.raises(ValidationError) as raised:
        portfolio.initiative_advance(
            actor=users[Role.CMO],
            initiative=initiative,
            version=initiative.version,
            to_stage="stopped",
            reason="r" * 2_001,
            via="governance",  # the decision service's move: the stage reason's own limit
        )

    assert raised.value.message_dict == {"reason": [too_long(2_000, 2_001)]}
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.stage_reason) == ("proposed", "")
    assert StageChange.objects.filter(initiative=initiative).count() == 1
    assert Initiative.objects.count() == 1


def test_a_long_priority_goal_title_and_retire_reason_are_refused(users: dict[str, User]) -> None:
    cmo = users[Role.CMO]
    with pytest.raises(ValidationError) as created:
        kernel.priority_create(
            actor=cmo,
            code="zero-harm",
            title="t" * 201,
            goal_statement="g" * 10_001,
            value_category="equity",
            horizon=datetime.date(2030, 1, 1),
        )
    priority = PriorityFactory.create()
    with pytest.raises(ValidationError) as retired:
        kernel.priority_retire(
            actor=cmo, priority=priority, version=priority.version, reason="r" * 2_001
        )

    assert created.value.message_dict == {
        "title": ["Ensure this value has at most 200 characters (it has 201)."],
        "goal_statement": [too_long(10_000, 10_001)],
    }
    assert retired.value.message_dict == {"retired_reason": [too_long(2_000, 2_001)]}
    priority.refresh_from_db()
    assert (priority.is_active, priority.retired_reason) == (True, "")
    assert StrategicPriority.objects.count() == 1
