"""The PHI guard: free text that looks like a patient identifier is flagged before it is saved.

The portal is not a place for patient information. Every free-text field (stories, comments,
answers, narratives, rationales, minutes) goes through `phi_guard` in the service that saves
it: a finding stops the save (`PhiFlagged`, a ValidationError naming each field) until the
text is edited or the writer confirms it is not patient information; the confirmation is
recorded by `phi_confirmations_record` (the kinds found, never the text).

Before the patterns run, the text is normalised, so that an identifier cannot hide by the way
it is typed: NFKC (fullwidth "ＭＲＮ", "＠", mathematical letters and digits become plain ones);
format characters removed (zero-width space and joiner, soft hyphen, word joiner, BOM: Unicode
category Cf); every dash (hyphen, non-breaking hyphen, figure, en and em dash: category Pd) and
the minus sign become "-"; letters, digits and separators that are drawn like an ASCII one (a
Cyrillic "М" in "МRN") become it, after the Unicode confusables data (`confusable-homoglyphs`).
Findings are reported with positions and text of the original, so highlighting marks what the
writer typed.

The patterns look for identifiers by their shape and, where a shape alone would flag ordinary
clinical or technical text, by the label in front of them:

- MRN: a label ("MRN", "MR#", "medical record", "medical record number/no./#") followed by a
  number of 4 to 12 digits, with or without a separator ("MRN 4412897", "MRN: 00123456",
  "MRN4412897", "medical record # 88231", "(MRN) 4412897"). A bare number is never an MRN:
  "ticket INC0012345", "room 12" are not flagged.
- Date of birth: a label ("DOB", "D.O.B.", "date of birth", "birth date", "born", "born on")
  followed by a full date: d/m/y or m/d/y with "/", "-" or "." and a 2- or 4-digit year,
  an ISO date (1961-03-04), or a month name with day and year ("March 4, 1961",
  "4 March 1961"). A date without such a label is not flagged ("since the 3/4 upgrade",
  "released 03/04/2024"), nor is a year alone ("born in 1961": a year is not an identifier).
- Phone number: a US (NANP) number written with separators: 3-3-4 digits separated by "-",
  "." or a space, the area code optionally in parentheses, optionally preceded by "+1" or "1"
  ("555-201-3344", "(555) 201-3344", "+1 555.201.3344"). Area code and exchange start with
  2–9, as every NANP number does. Ten digits with no separator are not flagged (ticket and
  order numbers look like that), nor is a part of a longer number, nor an extension ("x4412").
- SSN: ddd-dd-dddd with hyphens ("123-45-6789"), not part of a longer number; or nine digits,
  grouped or not, after "SSN" or "social security (number)" ("SSN 123 45 6789").
- E-mail address: local@domain.tld.
- Patient name (found where a name is said to be a patient's, never by a name list alone):
  - the one or two capitalised words after Mr, Mrs, Ms or Mx (with or without a dot; in
    capitals only with the dot, as "MS" and "MR" are also diagnoses);
  - after a clinical cue ("pt", "pt.", "pts", "patient", optionally "named"/"called", or a
    "name:" label), a given name from the US census list, with the surname that follows it
    ("Pt John Smith", "patient Maria", "Name: Jane Roe", "Name: Roe, Jane"). A capitalised
    word that is no given name is an ordinary phrase ("Patient Portal", "Patient Safety
    Committee"); a given name that is also an ordinary word ("Will", "May", "Grace") counts
    only with a surname after it;
  - a Given Surname pair (census lists, both) written right before or after another
    identifier ("Jane Roe MRN 4412897", "John Smith DOB 3/4/1961", "MRN 4412897 Jane Roe"),
    unless a clinician's title goes before it (Dr, Doctor, Nurse, Prof, NP, PA, RN, MD) or a
    credential after it (", MD", "RN", "NP", ...).
  A clinician ("Dr. Patel", "Dr Jane Smith", "Nurse Kim"), an eponym (Parkinson's, Foley
  catheter, Apgar score, Glasgow Coma Scale) or a product (Epic, Cerner, Haiku, Rover,
  Dragon, Vocera) is none of these, and is not flagged. Names typed all in lower case are not
  recognised.

`phi_scan` returns the findings in text order; where two patterns overlap, the one starting
first (then the longer) wins, so every character is reported at most once.

The text is normalised by `normalise`; the patterns and names are in `patterns`; the scan, the
guard and the redaction registry are here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from informatics.choices import PhiKind
from informatics.models import PhiConfirmation, User
from informatics.phi.normalise import normalise
from informatics.phi.patterns import PATTERNS, name_spans


@dataclass(frozen=True)
class PhiFinding:
    """One stretch of text that looks like a patient identifier: `text[start:end]`."""

    kind: PhiKind
    start: int
    end: int
    text: str


def phi_scan(text: str) -> list[PhiFinding]:
    """Everything in `text` that looks like a patient identifier, in text order. The patterns
    run on the normalised text; each finding's positions and text are those of `text`."""
    if not text:
        return []
    normal, starts, ends = normalise(text)
    spans = [
        (PhiKind(kind), match.start(), match.end())
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(normal)
    ]
    spans += [(PhiKind.NAME, s, e) for s, e in name_spans(normal, [(s, e) for _, s, e in spans])]
    candidates = [
        PhiFinding(kind=kind, start=starts[s], end=ends[e - 1], text=text[starts[s] : ends[e - 1]])
        for kind, s, e in spans
        if e > s
    ]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    findings: list[PhiFinding] = []
    for finding in candidates:
        if findings and finding.start < findings[-1].end:
            continue  # overlaps the one before it: each character is reported once
        findings.append(finding)
    return findings


def phi_message(findings: Iterable[PhiFinding]) -> str:
    """The message shown beside a flagged field, naming what was seen, e.g.
    'This looks like patient information (phone number: “555-201-3344”). Edit it out, or
    confirm it is not patient information.'"""
    seen = "; ".join(f"{PhiKind(f.kind).label}: “{f.text}”" for f in findings)
    return (
        f"This looks like patient information ({seen}). "
        "Edit it out, or confirm it is not patient information."
    )


class PhiFlagged(ValidationError):
    """Free text looks like patient information and was not confirmed; nothing was saved.

    A ValidationError whose `message_dict` maps each flagged field to one message (see
    `phi_message`; code "phi"), so pages put it beside the field and the API answers 400 with
    it. `findings` keeps the findings per field, for highlighting.
    """

    def __init__(self, findings: Mapping[str, list[PhiFinding]]):
        self.findings: dict[str, list[PhiFinding]] = dict(findings)
        super().__init__(
            {
                field: ValidationError(phi_message(items), code="phi")
                for field, items in self.findings.items()
            }
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.findings,))


def phi_guard(*, fields: Mapping[str, str | None], confirmed: bool) -> dict[str, list[PhiFinding]]:
    """Scan the free-text fields about to be saved. Raises PhiFlagged when anything is found
    and the writer has not confirmed it is not patient information; otherwise returns the
    findings per field (empty when nothing was found), for `phi_confirmations_record`."""
    findings = {name: found for name, text in fields.items() if (found := phi_scan(text or ""))}
    if findings and not confirmed:
        raise PhiFlagged(findings)
    return findings


def phi_confirmations_record(
    *, instance: models.Model, findings: Mapping[str, list[PhiFinding]], actor: User
) -> list[PhiConfirmation]:
    """Record that `actor` confirmed each flagged field of `instance` is not patient
    information: one row per field, holding the kinds seen (never the text)."""
    if not findings:
        return []
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    order = list(PhiKind)
    rows = [
        PhiConfirmation(
            content_type=content_type,
            object_id=str(instance.pk),
            field=field,
            kinds=sorted({str(f.kind) for f in items}, key=lambda k: order.index(PhiKind(k))),
            confirmed_by=actor,
        )
        for field, items in findings.items()
        if items
    ]
    return PhiConfirmation.objects.bulk_create(rows)


def phi_highlight(text: str, findings: Iterable[PhiFinding] | None = None) -> SafeString:
    """`text` as HTML with each finding wrapped in <mark class="phi" title="kind">, for a page
    that shows the writer what was flagged. Everything is escaped."""
    found = phi_scan(text) if findings is None else sorted(findings, key=lambda f: f.start)
    parts: list[str] = []
    position = 0
    for finding in found:
        if finding.start < position:
            continue
        parts.append(escape(text[position : finding.start]))
        label = escape(PhiKind(finding.kind).label)
        parts.append(
            f'<mark class="phi" title="Looks like a {label}">'
            f"{escape(text[finding.start : finding.end])}</mark>"
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above


REDACTED = "[redacted]"


def redactable_fields() -> dict[str, tuple[str, ...]]:
    """REDACTABLE: the free-text fields an admin may redact, keyed "app_label.model".

    Each app declares its own on its AppConfig (`redactable = {"intake.requestcomment":
    ("body",)}`), so the kernel lists them without importing the apps."""
    registry: dict[str, tuple[str, ...]] = {}
    for config in apps.get_app_configs():
        for label, names in getattr(config, "redactable", {}).items():
            registry[label] = tuple(dict.fromkeys((*registry.get(label, ()), *names)))
    return registry


def redactable_app_label(model: str) -> str | None:
    """The app whose `model` has redactable fields, when exactly one app has such a model: how
    an old redaction address finds a model that has moved to another app."""
    owners = {label.split(".")[0] for label in redactable_fields() if label.split(".")[1] == model}
    return owners.pop() if len(owners) == 1 else None


def redaction_target(*, app_label: str, model: str, object_id: str, field: str) -> models.Model:
    """The record whose `field` an admin asks to redact. Raises LookupError when the field is
    not registered as redactable or the record does not exist."""
    label = f"{app_label}.{model}".lower()
    if field not in redactable_fields().get(label, ()):
        raise LookupError(f"{label}.{field} cannot be redacted.")
    model_class = apps.get_model(app_label, model)
    try:
        instance: models.Model = model_class._default_manager.get(pk=object_id)
    except (model_class.DoesNotExist, ValueError, ValidationError):
        raise LookupError(f"No {label} #{object_id}.") from None
    return instance
