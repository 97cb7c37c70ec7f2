"""Every text field a person types is read by the PHI guard and redactable: the field walk, and
the guard in the services of the fields it once missed."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from informatics.models import Notification, PhiConfirmation, StrategicPriority, User
from informatics.phi import PhiFlagged, redactable_fields
from informatics.services import people, priorities
from informatics.services.records import guarded_fields
from initiatives import services as portfolio
from initiatives.models import BenefitLine, Milestone
from intake import services as intake
from intake.choices import Frequency, RequestStatus
from intake.models import IntakeRequest, RequestStatusChange, RequestVote, Rubric
from metrics.models import ImportBatch
from metrics.services.imports import import_upload
from tests.conftest import snapshot
from tests.factories import PriorityFactory
from tests.initiatives.factories import BenefitLineFactory, MilestoneFactory, create_initiative
from tests.intake.factories import submit

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)  # the clock these tests run on

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW)]

MRN = "MRN 4412897"

# Apps not of this project: their text is written by the framework and libraries, never typed
# as free text about the work.
THIRD_PARTY_EXEMPT = {
    "admin": "Django admin's log of its own actions (the portal's admin pages are read-only)",
    "auth": "permission and group names from the code",
    "contenttypes": "model names from the code",
    "sessions": "session keys and signed session data",
    "authtoken": "API token keys",
    "axes": "sign-in attempts recorded by django-axes (user agent, path, username tried)",
}
CODE_FIELDS = (models.SlugField, models.EmailField, models.URLField)


def text_fields() -> list[tuple[str, str]]:
    """Every CharField and TextField a value is typed into: not a choice, slug, e-mail or URL."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if field.choices or isinstance(field, CODE_FIELDS) or field.name in ("code", "key"):
                continue
            found.append((model._meta.label_lower, field.name))
    return found


def exempt_fields() -> dict[str, dict[str, str]]:
    """The fields each app lists as neither guarded nor redactable, with the reason."""
    table: dict[str, dict[str, str]] = {}
    for config in apps.get_app_configs():
        for label, reasons in getattr(config, "unguarded", {}).items():
            table.setdefault(label, {}).update(reasons)
    return table


def test_every_text_field_is_guarded_or_exempt_with_a_reason() -> None:
    guarded, exempt = redactable_fields(), exempt_fields()
    missing = [
        f"{label}.{name}"
        for label, name in text_fields()
        if name not in guarded.get(label, ())
        and not exempt.get(label, {}).get(name, "").strip()
        and label.split(".")[0] not in THIRD_PARTY_EXEMPT
    ]
    assert missing == []


def test_no_field_is_both_guarded_and_exempt_and_every_listed_field_exists() -> None:
    guarded, exempt = redactable_fields(), exempt_fields()
    both = [
        f"{label}.{name}"
        for label, names in exempt.items()
        for name in names
        if name in guarded.get(label, ())
    ]
    assert both == []
    listed = [(label, name) for label, names in guarded.items() for name in names]
    listed += [(label, name) for label, names in exempt.items() for name in names]
    unknown = [
        f"{label}.{name}" for label, name in listed if (label, name) not in set(text_fields())
    ]
    assert unknown == []


def test_the_fields_once_missed_are_guarded_and_redactable() -> None:
    assert guarded_fields(IntakeRequest) == (
        "story_today",
        "story_wanted",
        "title",
        "workflow_area",
        "ehr_module",
        "specialty",
    )
    assert guarded_fields(RequestVote) == ("specialty",)
    assert guarded_fields(RequestStatusChange) == ("note",)
    assert guarded_fields(Milestone) == ("title",)
    assert guarded_fields(BenefitLine) == ("description", "unit")
    assert guarded_fields(StrategicPriority) == ("title", "goal_statement", "retired_reason")
    assert guarded_fields(User) == ("title", "specialty")
    assert guarded_fields(ImportBatch) == ("filename",)
    assert redactable_fields()["metrics.measurement"] == ("source_system", "definition_version")
    assert "title" in redactable_fields()["initiatives.initiative"]


def flagged(error: pytest.ExceptionInfo[PhiFlagged]) -> list[str]:
    return sorted(error.value.findings)


@pytest.mark.parametrize("field", ["workflow_area", "ehr_module", "specialty"])
def test_request_short_texts_are_guarded_on_submit(users: dict[str, User], field: str) -> None:
    with pytest.raises(PhiFlagged) as raised:
        submit(users["champion"], **{field: MRN})
    assert flagged(raised) == [field]
    assert IntakeRequest.objects.count() == 0


@pytest.mark.parametrize("field", ["workflow_area", "ehr_module", "specialty"])
def test_request_short_texts_are_guarded_on_edit(users: dict[str, User], field: str) -> None:
    request = submit(users["champion"])
    before = snapshot(IntakeRequest)
    flagged_edit: dict[str, Any] = {field: MRN}
    with pytest.raises(PhiFlagged) as raised:
        intake.request_update(
            actor=users["champion"], request=request, version=request.version, **flagged_edit
        )
    assert flagged(raised) == [field]
    assert snapshot(IntakeRequest) == before
    edit: dict[str, Any] = {field: MRN, "phi_confirmed": True}
    intake.request_update(actor=users["champion"], request=request, version=request.version, **edit)
    request.refresh_from_db()
    assert getattr(request, field) == MRN
    assert list(PhiConfirmation.objects.values_list("field", "kinds")) == [(field, ["mrn"])]


def test_a_votes_specialty_is_guarded(users: dict[str, User], make_user: Any) -> None:
    request = submit(users["champion"])
    voter = make_user("champion")
    with pytest.raises(PhiFlagged) as raised:
        intake.request_vote(actor=voter, request=request, specialty=MRN, frequency=Frequency.DAILY)
    assert flagged(raised) == ["specialty"]
    assert RequestVote.objects.count() == 0


def test_a_transition_note_is_guarded_and_a_confirmed_one_stays_out_of_the_email(
    users: dict[str, User],
) -> None:
    request = submit(users["champion"])
    with pytest.raises(PhiFlagged) as raised:
        intake.request_transition(
            actor=users["informaticist"],
            request=request,
            to_status=RequestStatus.TRIAGE,
            note=f"Seen for {MRN}",
        )
    assert flagged(raised) == ["note"]
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    mail.outbox.clear()
    intake.request_transition(
        actor=users["informaticist"],
        request=request,
        to_status=RequestStatus.TRIAGE,
        note=f"Seen for {MRN}",
        phi_confirmed=True,
    )
    change = RequestStatusChange.objects.get(request=request, to_status=RequestStatus.TRIAGE)
    assert change.note == f"Seen for {MRN}"
    confirmation = PhiConfirmation.objects.get()
    assert (confirmation.object_id, confirmation.field) == (str(change.pk), "note")
    bodies = list(Notification.objects.values_list("body", flat=True))
    assert all(MRN not in body for body in bodies)
    assert any("A note was added: read it on the request's page." in body for body in bodies)


def test_milestone_titles_are_guarded(users: dict[str, User]) -> None:
    initiative = create_initiative(users["informaticist"])
    with pytest.raises(PhiFlagged) as raised:
        portfolio.milestone_add(
            actor=users["informaticist"],
            initiative=initiative,
            title=MRN,
            due_date=datetime.date(2026, 6, 1),
        )
    assert flagged(raised) == ["title"]
    milestone = MilestoneFactory.create(initiative=initiative, title="Go-live")
    with pytest.raises(PhiFlagged):
        portfolio.milestone_update(actor=users["informaticist"], milestone=milestone, title=MRN)
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Go-live"]


def test_benefit_description_and_unit_are_guarded(users: dict[str, User]) -> None:
    initiative = create_initiative(users["informaticist"])
    with pytest.raises(PhiFlagged) as raised:
        portfolio.benefit_add(
            actor=users["informaticist"],
            initiative=initiative,
            value_category="safety_quality",
            description=MRN,
            unit="555-201-3344",
            baseline=Decimal(1),
            target=Decimal(2),
            horizon=datetime.date(2027, 1, 1),
        )
    assert flagged(raised) == ["description", "unit"]
    benefit = BenefitLineFactory.create(initiative=initiative)
    before = snapshot(BenefitLine)
    with pytest.raises(PhiFlagged):
        portfolio.benefit_update(actor=users["informaticist"], benefit=benefit, unit=MRN)
    assert snapshot(BenefitLine) == before


def test_priority_title_goal_and_retire_reason_are_guarded(users: dict[str, User]) -> None:
    with pytest.raises(PhiFlagged) as raised:
        priorities.priority_create(
            actor=users["cmo"],
            code="P9",
            title=MRN,
            goal_statement=f"Goal {MRN}",
            value_category="safety_quality",
            horizon=datetime.date(2027, 1, 1),
        )
    assert flagged(raised) == ["goal_statement", "title"]
    priority = PriorityFactory.create()
    before = snapshot(StrategicPriority)
    with pytest.raises(PhiFlagged):
        priorities.priority_retire(
            actor=users["cmo"], priority=priority, version=priority.version, reason=MRN
        )
    assert snapshot(StrategicPriority) == before


def test_a_users_title_and_specialty_are_guarded(users: dict[str, User]) -> None:
    person = users["champion"]
    before = snapshot(User)
    with pytest.raises(PhiFlagged) as raised:
        people.user_update(
            actor=users["admin"],
            user=person,
            full_name="Ana Diaz",
            roles=["champion"],
            facilities=[],
            title=MRN,
            specialty="DOB 03/04/1961",
        )
    assert flagged(raised) == ["specialty", "title"]
    assert snapshot(User) == before


def test_an_import_file_name_is_guarded(users: dict[str, User]) -> None:
    upload = SimpleUploadedFile(f"{MRN}.csv", b"metric_code\n", content_type="text/csv")
    with pytest.raises(ValidationError) as raised:
        import_upload(actor=users["informaticist"], upload=upload)
    assert raised.value.message_dict == {
        "file": [
            "The file's name looks like patient information (medical record number): rename "
            "the file and upload it again."
        ]
    }
    assert ImportBatch.objects.count() == 0


def test_a_rubric_note_is_guarded(users: dict[str, User]) -> None:
    current = Rubric.objects.get(is_current=True)
    before = snapshot(Rubric)
    with pytest.raises(PhiFlagged) as raised:
        intake.rubric_update(
            actor=users["admin"],
            criteria=current.criteria,
            gates=current.gates,
            effort_points=current.effort_points,
            note=f"After {MRN}",
        )
    assert flagged(raised) == ["note"]
    assert snapshot(Rubric) == before
