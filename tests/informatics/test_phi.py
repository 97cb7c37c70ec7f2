"""The PHI guard: what it flags (each identifier of the issue, alone and inside a sentence),
what it leaves alone, the error it raises, and the confirmation it records (never the text)."""

import pickle
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from informatics.choices import PhiKind
from informatics.models import PhiConfirmation, User
from informatics.phi import (
    PhiFinding,
    PhiFlagged,
    phi_confirmations_record,
    phi_guard,
    phi_highlight,
    phi_scan,
)
from tests.factories import PriorityFactory

# Done-when 2 of issue 3: each of these is flagged, as this kind.
FLAGGED = [
    ("MRN 4412897", PhiKind.MRN),
    ("DOB 3/4/61", PhiKind.DOB),
    ("born 03/04/1961", PhiKind.DOB),
    ("555-201-3344", PhiKind.PHONE),
    ("123-45-6789", PhiKind.SSN),
    ("jane.doe@example.org", PhiKind.EMAIL),
]

# … and none of these.
NOT_FLAGGED = [
    "20 a day",
    "5 mg",
    "Q4 2024",
    "room 12",
    "version 2.3.1",
    "since the 3/4 upgrade",
    "ticket INC0012345",
]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_each_identifier_is_flagged_as_its_kind(text: str, kind: PhiKind) -> None:
    assert phi_scan(text) == [PhiFinding(kind=kind, start=0, end=len(text), text=text)]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_each_identifier_is_flagged_inside_a_sentence(text: str, kind: PhiKind) -> None:
    before = "The nurse pasted "
    sentence = f"{before}{text} into the sticky note, then paged the hospitalist."

    findings = phi_scan(sentence)

    start = len(before)
    assert findings == [PhiFinding(kind=kind, start=start, end=start + len(text), text=text)]


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_clinical_and_technical_text_is_not_flagged(text: str) -> None:
    assert phi_scan(text) == []


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_text_is_not_flagged_inside_a_sentence(text: str) -> None:
    assert phi_scan(f"The alert fires {text}, and nobody reads it (see note {text}).") == []


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("MRN: 00123456", PhiKind.MRN, "MRN: 00123456"),
        ("mrn#4412897", PhiKind.MRN, "mrn#4412897"),
        ("medical record number 88231", PhiKind.MRN, "medical record number 88231"),
        ("medical record # 88231", PhiKind.MRN, "medical record # 88231"),
        ("DOB: 03-04-1961", PhiKind.DOB, "DOB: 03-04-1961"),
        ("D.O.B. 3.4.61", PhiKind.DOB, "D.O.B. 3.4.61"),
        ("date of birth 1961-03-04", PhiKind.DOB, "date of birth 1961-03-04"),
        ("born on March 4, 1961", PhiKind.DOB, "born on March 4, 1961"),
        ("Born 4 Mar 1961", PhiKind.DOB, "Born 4 Mar 1961"),
        ("call (555) 201-3344", PhiKind.PHONE, "(555) 201-3344"),
        ("call +1 555.201.3344", PhiKind.PHONE, "+1 555.201.3344"),
        ("call 1-555-201-3344", PhiKind.PHONE, "1-555-201-3344"),
        ("call 555 201 3344 today", PhiKind.PHONE, "555 201 3344"),
        ("write to J.Doe+ed@mail.example.co.uk.", PhiKind.EMAIL, "J.Doe+ed@mail.example.co.uk"),
    ],
)
def test_other_ways_of_writing_an_identifier_are_flagged(
    text: str, kind: PhiKind, found: str
) -> None:
    start = text.index(found)
    assert phi_scan(text) == [
        PhiFinding(kind=kind, start=start, end=start + len(found), text=found)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "5552013344",  # ten digits with no separator: an order or ticket number
        "order 4412897",  # a number without an MRN label
        "MRN field is blank",  # the label without a number
        "released 03/04/2024",  # a date without a birth label
        "born in 1961",  # a year alone is not an identifier
        "stubborn 3/4/61 issue",  # "born" inside another word
        "123-456-7890",  # no area code starts with 1
        "build 1555-201-33445",  # part of a longer number
        "dose 0.5 mg q6h, 2-3 times",
        "order set v12-2024-03",
    ],
)
def test_look_alikes_are_not_flagged(text: str) -> None:
    assert phi_scan(text) == []


def test_several_findings_come_in_text_order_and_never_overlap() -> None:
    text = "jane.doe@example.org, MRN 4412897, cell 555-201-3344, born 03/04/1961."

    findings = phi_scan(text)

    assert [(f.kind, f.text) for f in findings] == [
        (PhiKind.EMAIL, "jane.doe@example.org"),
        (PhiKind.MRN, "MRN 4412897"),
        (PhiKind.PHONE, "555-201-3344"),
        (PhiKind.DOB, "born 03/04/1961"),
    ]
    assert all(text[f.start : f.end] == f.text for f in findings)


# --- The guard ------------------------------------------------------------------------------


def test_guard_raises_phi_flagged_naming_each_field_with_what_it_saw() -> None:
    with pytest.raises(PhiFlagged) as raised:
        phi_guard(
            fields={
                "story_today": "Call 555-201-3344 or jane.doe@example.org",
                "story_wanted": "One click instead of five.",
                "title": "MRN 4412897 keeps timing out",
            },
            confirmed=False,
        )

    error = raised.value
    assert isinstance(error, ValidationError)
    assert error.message_dict == {
        "story_today": [
            "This looks like patient information (phone number: “555-201-3344”; "
            "e-mail address: “jane.doe@example.org”). Edit it out, or confirm it is not "
            "patient information."
        ],
        "title": [
            "This looks like patient information (medical record number: “MRN 4412897”). "
            "Edit it out, or confirm it is not patient information."
        ],
    }
    assert [e.code for e in error.error_dict["title"]] == ["phi"]
    assert {field: [f.kind for f in found] for field, found in error.findings.items()} == {
        "story_today": [PhiKind.PHONE, PhiKind.EMAIL],
        "title": [PhiKind.MRN],
    }


def test_guard_with_confirmation_returns_the_findings_instead_of_raising() -> None:
    findings = phi_guard(fields={"body": "Ext 555-201-3344 is the unit desk."}, confirmed=True)

    assert findings == {
        "body": [PhiFinding(kind=PhiKind.PHONE, start=4, end=16, text="555-201-3344")]
    }


def test_guard_returns_nothing_for_clean_or_empty_text_whether_confirmed_or_not() -> None:
    fields = {"title": "Sepsis alert fires 20 a day", "note": "", "other": None}
    assert phi_guard(fields=fields, confirmed=False) == {}
    assert phi_guard(fields=fields, confirmed=True) == {}


def test_phi_flagged_survives_pickling_with_its_findings() -> None:
    error = PhiFlagged({"body": phi_scan("SSN 123-45-6789")})

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, round-tripped

    assert copy.message_dict == error.message_dict
    assert copy.findings == error.findings


# --- Confirmation ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirmation_records_the_kinds_per_field_and_never_the_text(
    make_user: Callable[..., User],
) -> None:
    champion = make_user("champion")
    record = PriorityFactory.create()
    findings = phi_guard(
        fields={
            "story_today": "jane.doe@example.org or 555-201-3344, or 555-201-3345",
            "story_wanted": "Unit desk 555-201-3399",
        },
        confirmed=True,
    )

    rows = phi_confirmations_record(instance=record, findings=findings, actor=champion)

    saved = list(
        PhiConfirmation.objects.order_by("field").values(
            "content_type", "object_id", "field", "kinds", "confirmed_by"
        )
    )
    content_type = ContentType.objects.get_for_model(record).pk
    assert len(rows) == 2
    assert saved == [
        {
            "content_type": content_type,
            "object_id": str(record.pk),
            "field": "story_today",
            "kinds": ["phone", "email"],
            "confirmed_by": champion.pk,
        },
        {
            "content_type": content_type,
            "object_id": str(record.pk),
            "field": "story_wanted",
            "kinds": ["phone"],
            "confirmed_by": champion.pk,
        },
    ]


@pytest.mark.django_db
def test_confirmation_of_nothing_records_nothing(make_user: Callable[..., User]) -> None:
    rows = phi_confirmations_record(
        instance=PriorityFactory.create(), findings={}, actor=make_user("champion")
    )
    assert rows == []
    assert PhiConfirmation.objects.count() == 0


# --- Highlighting ---------------------------------------------------------------------------


def test_highlight_marks_each_finding_and_escapes_the_rest() -> None:
    html = phi_highlight("<b>Call</b> 555-201-3344 & DOB 3/4/61")

    assert html == (
        "&lt;b&gt;Call&lt;/b&gt; "
        '<mark class="phi" title="Looks like a phone number">555-201-3344</mark> &amp; '
        '<mark class="phi" title="Looks like a date of birth">DOB 3/4/61</mark>'
    )
