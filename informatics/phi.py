"""The PHI guard: free text that looks like a patient identifier is flagged before it is saved.

The portal is not a place for patient information. Every free-text field (stories, comments,
answers, narratives, rationales, minutes) goes through `phi_guard` in the service that saves
it: a finding stops the save (`PhiFlagged`, a ValidationError naming each field) until the
text is edited or the writer confirms it is not patient information; the confirmation is
recorded by `phi_confirmations_record` (the kinds found, never the text).

The patterns look for identifiers by their shape and, where a shape alone would flag ordinary
clinical or technical text, by the label in front of them:

- MRN: a label ("MRN", "MR#", "medical record", "medical record number/no./#") followed by a
  number of 4 to 12 digits ("MRN 4412897", "MRN: 00123456", "medical record # 88231").
  A bare number is never an MRN: "ticket INC0012345", "room 12" are not flagged.
- Date of birth: a label ("DOB", "D.O.B.", "date of birth", "birth date", "born", "born on")
  followed by a full date: d/m/y or m/d/y with "/", "-" or "." and a 2- or 4-digit year,
  an ISO date (1961-03-04), or a month name with day and year ("March 4, 1961",
  "4 March 1961"). A date without such a label is not flagged ("since the 3/4 upgrade",
  "released 03/04/2024"), nor is a year alone ("born in 1961": a year is not an identifier).
- Phone number: a US (NANP) number written with separators: 3-3-4 digits separated by "-",
  "." or a space, the area code optionally in parentheses, optionally preceded by "+1" or "1"
  ("555-201-3344", "(555) 201-3344", "+1 555.201.3344"). Area code and exchange start with
  2–9, as every NANP number does. Ten digits with no separator are not flagged (ticket and
  order numbers look like that), nor is a part of a longer number.
- SSN: ddd-dd-dddd with hyphens ("123-45-6789"), not part of a longer number.
- E-mail address: local@domain.tld.

`phi_scan` returns the findings in text order; where two patterns overlap, the one starting
first (then the longer) wins, so every character is reported at most once.
"""

import re
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

# --- Patterns -------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:"
    r"\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})"  # 3/4/61, 03-04-1961, 3.4.1961
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1961-03-04
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # March 4, 1961
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"  # 4 March 1961
    r")(?!\d)"
)

PATTERNS: dict[PhiKind, re.Pattern[str]] = {
    PhiKind.MRN: re.compile(
        r"(?:\bMRN\b|\bMR\s?\#|\bmedical\s+record\b(?:\s+(?:number\b|no\b\.?|num\b|\#))?)"
        r"\s*(?:[:#=]\s*|is\s+|of\s+)?\d{4,12}(?!\d)",
        re.IGNORECASE,
    ),
    PhiKind.DOB: re.compile(
        r"(?:\bDOB\b|\bD\.O\.B\.?|\bdate\s+of\s+birth\b|\bbirth\s?date\b|\bborn\b(?:\s+on\b)?)"
        rf"\s*(?:[:=-]\s*|is\s+|was\s+)?{_DATE}",
        re.IGNORECASE,
    ),
    PhiKind.PHONE: re.compile(
        r"(?<!\d)(?<!\d[-.])(?<![\w+])"
        r"(?:\+?1[\s.-]?)?"
        r"(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])"
        r"[2-9]\d{2}[\s.-]\d{4}"
        r"(?!\d|[-.]\d)"
    ),
    PhiKind.SSN: re.compile(r"(?<!\d)(?<!\d-)\d{3}-\d{2}-\d{4}(?!\d|-\d)"),
    PhiKind.EMAIL: re.compile(
        r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
    ),
}


@dataclass(frozen=True)
class PhiFinding:
    """One stretch of text that looks like a patient identifier: `text[start:end]`."""

    kind: PhiKind
    start: int
    end: int
    text: str


def phi_scan(text: str) -> list[PhiFinding]:
    """Everything in `text` that looks like a patient identifier, in text order."""
    if not text:
        return []
    candidates = [
        PhiFinding(kind=kind, start=match.start(), end=match.end(), text=match.group())
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    findings: list[PhiFinding] = []
    for finding in candidates:
        if findings and finding.start < findings[-1].end:
            continue  # overlaps the one before it: each character is reported once
        findings.append(finding)
    return findings


# --- The guard ------------------------------------------------------------------------------


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


# --- Redaction registry ---------------------------------------------------------------------

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
