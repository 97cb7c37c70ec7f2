"""The PHI guard against identifiers hidden by how they are typed, and patient names (finding 4
of issue 11): each example of the finding has its own test; findings report the positions and
text of the original, as typed."""

import pytest

from informatics.choices import PhiKind
from informatics.phi import PhiFinding, phi_highlight, phi_scan

ZWSP = "\u200b"


def only(text: str) -> list[tuple[PhiKind, str]]:
    return [(PhiKind(f.kind), f.text) for f in phi_scan(text)]


# --- Finding 4, one test per example ----------------------------------------------------------


def test_mrn_without_a_separator_is_flagged() -> None:
    assert phi_scan("Seen as MRN4412897 twice") == [
        PhiFinding(kind=PhiKind.MRN, start=8, end=18, text="MRN4412897")
    ]


def test_zero_width_space_inside_the_number_is_flagged() -> None:
    text = f"MRN 441{ZWSP}2897 again"
    assert phi_scan(text) == [
        PhiFinding(kind=PhiKind.MRN, start=0, end=12, text=f"MRN 441{ZWSP}2897")
    ]


def test_zero_width_space_after_the_label_is_flagged() -> None:
    assert only(f"see MRN{ZWSP}4412897") == [(PhiKind.MRN, f"MRN{ZWSP}4412897")]
    assert only(f"see MRN{ZWSP} 4412897") == [(PhiKind.MRN, f"MRN{ZWSP} 4412897")]


def test_fullwidth_letters_are_flagged() -> None:
    assert phi_scan("on ＭＲＮ 4412897.") == [
        PhiFinding(kind=PhiKind.MRN, start=3, end=14, text="ＭＲＮ 4412897")
    ]


@pytest.mark.parametrize("dash", ["\u2013", "\u2011"], ids=["en dash", "non-breaking hyphen"])
def test_ssn_with_a_dash_variant_is_flagged(dash: str) -> None:
    ssn = f"123{dash}45{dash}6789"
    assert phi_scan(f"card shows {ssn}") == [
        PhiFinding(kind=PhiKind.SSN, start=11, end=22, text=ssn)
    ]


@pytest.mark.parametrize("dash", ["\u2013", "\u2011"], ids=["en dash", "non-breaking hyphen"])
def test_phone_number_with_a_dash_variant_is_flagged(dash: str) -> None:
    phone = f"555{dash}201{dash}3344"
    assert phi_scan(f"call {phone} today") == [
        PhiFinding(kind=PhiKind.PHONE, start=5, end=17, text=phone)
    ]


def test_email_with_a_fullwidth_at_sign_is_flagged() -> None:
    assert only("write to jane.doe＠example.org.") == [(PhiKind.EMAIL, "jane.doe＠example.org")]


def test_patient_name_after_a_clinical_cue_is_flagged() -> None:
    assert phi_scan("Pt John Smith in bed 4 had a fall last night") == [
        PhiFinding(kind=PhiKind.NAME, start=3, end=13, text="John Smith")
    ]


# --- Other dashes, invisible characters and look-alikes -------------------------------------


@pytest.mark.parametrize(
    "dash",
    ["\u2010", "\u2012", "\u2014", "\u2212", "\uff0d"],
    ids=["hyphen", "figure dash", "em dash", "minus sign", "fullwidth hyphen"],
)
def test_every_dash_variant_separates_a_phone_number(dash: str) -> None:
    assert only(f"call 555{dash}201{dash}3344") == [(PhiKind.PHONE, f"555{dash}201{dash}3344")]


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"],
    ids=["zero-width space", "zwnj", "zero-width joiner", "soft hyphen", "word joiner", "BOM"],
)
def test_invisible_characters_inside_a_number_do_not_hide_it(invisible: str) -> None:
    text = f"MRN 44{invisible}12{invisible}897"
    assert only(text) == [(PhiKind.MRN, text)]


def test_a_cyrillic_look_alike_in_the_label_does_not_hide_it() -> None:
    assert only("МRN 4412897") == [(PhiKind.MRN, "МRN 4412897")]  # Cyrillic М


def test_fullwidth_digits_and_date_separators_are_read_as_digits() -> None:
    assert only("DOB ０３／０４／１９６１") == [(PhiKind.DOB, "DOB ０３／０４／１９６１")]


def test_ssn_after_its_label_without_hyphens_is_flagged() -> None:
    assert only("SSN 123 45 6789") == [(PhiKind.SSN, "SSN 123 45 6789")]
    assert only("social security number: 123456789") == [
        (PhiKind.SSN, "social security number: 123456789")
    ]


def test_positions_after_a_ligature_and_combining_marks_are_those_of_the_original() -> None:
    text = "ﬁle for Jose\u0301 Hernández, MRN 4412897"  # "ﬁ" is one character, NFKC makes two

    findings = phi_scan(text)

    assert [(f.kind, f.start, f.end, f.text) for f in findings] == [
        (PhiKind.NAME, 8, 23, "Jose\u0301 Hernández"),
        (PhiKind.MRN, 25, 36, "MRN 4412897"),
    ]
    assert [text[f.start : f.end] for f in findings] == [f.text for f in findings]


def test_highlight_marks_the_characters_as_typed() -> None:
    html = phi_highlight(f"Pt John Smith, MRN{ZWSP}4412897, cell 555\u2013201\u20133344.")

    assert html == (
        'Pt <mark class="phi" title="Looks like a patient name">John Smith</mark>, '
        f'<mark class="phi" title="Looks like a medical record number">MRN{ZWSP}4412897</mark>'
        ', cell <mark class="phi" title="Looks like a phone number">555\u2013201\u20133344'
        "</mark>."
    )


# --- Patient names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pt John Smith fell", "John Smith"),
        ("pt. Maria Lopez was discharged", "Maria Lopez"),
        ("Patient John was moved to 5 East", "John"),
        ("patient named Jane Roe", "Jane Roe"),
        ("Mr Smith fell", "Smith"),
        ("Mr. Foley asked for his records", "Foley"),
        ("Mrs. Garcia waited", "Garcia"),
        ("Ms Nguyen's insulin was held", "Nguyen"),
        ("Mx Taylor Brooks was registered", "Taylor Brooks"),
        ("MR. Smith left", "Smith"),
        ("Name: Jane Roe", "Jane Roe"),
        ("Patient name: Roe, Jane", "Roe, Jane"),
        ("Patient: SMITH, JOHN in 12B", "SMITH, JOHN"),
        ("Patient Will Smith was listed twice", "Will Smith"),
        ("Mrs O'Brien refused", "O'Brien"),
        ("Pt. José Hernández needs an interpreter", "José Hernández"),
    ],
)
def test_a_name_after_a_cue_is_flagged(text: str, name: str) -> None:
    assert only(text) == [(PhiKind.NAME, name)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Roe MRN 4412897", [(PhiKind.NAME, "Jane Roe"), (PhiKind.MRN, "MRN 4412897")]),
        (
            "John Smith DOB 3/4/1961",
            [(PhiKind.NAME, "John Smith"), (PhiKind.DOB, "DOB 3/4/1961")],
        ),
        ("MRN 4412897 Jane Roe", [(PhiKind.MRN, "MRN 4412897"), (PhiKind.NAME, "Jane Roe")]),
        (
            "Susan Clark's MRN 8831204",
            [(PhiKind.NAME, "Susan Clark"), (PhiKind.MRN, "MRN 8831204")],
        ),
    ],
)
def test_a_name_pair_next_to_another_identifier_is_flagged(
    text: str, expected: list[tuple[PhiKind, str]]
) -> None:
    assert only(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr Jane Smith 555-201-3344", [(PhiKind.PHONE, "555-201-3344")]),
        ("Nurse Jane Smith 555-201-3344", [(PhiKind.PHONE, "555-201-3344")]),
        ("555-201-3344 Jane Smith, RN", [(PhiKind.PHONE, "555-201-3344")]),
    ],
)
def test_a_clinician_next_to_an_identifier_is_not_a_patient_name(
    text: str, expected: list[tuple[PhiKind, str]]
) -> None:
    assert only(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Patel asked for weight-based dosing",
        "Dr Jane Smith chairs the workgroup",
        "Nurse Kim reported a scanner fault",
        "Parkinson's patients miss doses",
        "Patient with Parkinson's disease",
        "The Foley catheter reminder",
        "Apgar score on the summary",
        "Glasgow Coma Scale is missing",
        "Cushing's workup panel",
        "Epic, Cerner, Haiku, Rover, Dragon and Vocera",
        "Patient Portal messages",
        "The Patient Safety Committee meets monthly",
        "Patient Rover app",
        "Patient Will need a follow-up",
        "Pt tolerated the procedure",
        "Name: Sepsis Bundle dashboard",
    ],
)
def test_clinicians_eponyms_products_and_phrases_are_not_names(text: str) -> None:
    assert phi_scan(text) == []
