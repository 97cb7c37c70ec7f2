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
"""

import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from informatics.choices import PhiKind
from informatics.models import PhiConfirmation, User

# --- Normalisation --------------------------------------------------------------------------

# Fullwidth forms, mathematical letters, ligatures and the like become their plain
# counterparts by NFKC; what NFKC leaves (a Cyrillic "М" in "МRN", a middle dot as a
# separator) is folded by the Unicode confusables data, limited to characters drawn like an
# ASCII letter, digit or one of the separators the patterns use.
_FOLD_TARGETS = frozenset("@.-/:#'")


@cache
def _confusables() -> dict[str, str]:
    """Non-ASCII character → the ASCII character it is drawn like (letters to letters, digits
    to digits, separators to separators), from the Unicode confusables data."""
    # The package ships no type information.
    from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]

    table: dict[str, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        category = unicodedata.category(char)[0]
        for glyph in glyphs:
            target = glyph["c"]
            if len(target) != 1 or not target.isascii():
                continue
            if (
                (category == "L" and target.isalpha())
                or (category == "N" and target.isdigit())
                or (category not in "LN" and target in _FOLD_TARGETS)
            ):
                table[char] = target
                break
    return table


def _fold(char: str) -> str:
    """One character of NFKC output as the patterns see it: format characters (zero-width
    space and joiner, soft hyphen, word joiner, BOM: category Cf) vanish, every dash and the
    minus sign is "-", a confusable is its ASCII look-alike."""
    if char.isascii():
        return char
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category == "Pd" or char == "\u2212":
        return "-"
    return _confusables().get(char, char)


# A character outside ASCII, or any character with the combining marks that follow it.
_CLUSTER = re.compile(
    r"[^\x00-\x7f]|.(?=[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])",
    re.DOTALL,
)


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """`text` as the patterns see it, with, for each character of the result, the start and
    end in `text` of what it came from (a base character and its combining marks). ASCII is
    copied as it is; only the rest goes through NFKC and the folding, so a long note scans
    quickly."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, length = 0, len(text)
    for match in _CLUSTER.finditer(text):
        if match.start() < i:
            continue  # a combining mark already taken with its base character
        chars.append(text[i : match.start()])
        starts.extend(range(i, match.start()))
        ends.extend(range(i + 1, match.start() + 1))
        i, j = match.start(), match.start() + 1
        while j < length and unicodedata.combining(text[j]):
            j += 1
        cluster = "".join(_fold(c) for c in unicodedata.normalize("NFKC", text[i:j]))
        chars.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    chars.append(text[i:])
    starts.extend(range(i, length))
    ends.extend(range(i + 1, length + 1))
    return "".join(chars), starts, ends


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
        r"(?:\bMRN(?![a-z])|\bMR\s?\#|\bmedical\s+record\b(?:\s+(?:number\b|no\b\.?|num\b|\#))?)"
        r"[\s):#=.-]{0,4}(?:is\s+|of\s+)?\d{4,12}(?!\d)",
        re.IGNORECASE,
    ),
    PhiKind.DOB: re.compile(
        r"(?:\bDOB(?![a-z])|\bD\.O\.B\.?|\bdate\s+of\s+birth\b|\bbirth\s?date\b"
        r"|\bborn\b(?:\s+on\b)?)"
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
    PhiKind.SSN: re.compile(
        r"(?<!\d)(?<!\d-)\d{3}-\d{2}-\d{4}(?!\d|-\d)"
        r"|(?:\bSSN(?![a-z])|\bsocial\s+security(?:\s+(?:number\b|no\b\.?|\#))?)"
        r"[\s:#=.-]{0,4}\d{3}[\s-]?\d{2}[\s-]?\d{4}(?!\d)",
        re.IGNORECASE,
    ),
    PhiKind.EMAIL: re.compile(
        r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
    ),
}

# --- Names ----------------------------------------------------------------------------------

# A capitalised word as names are written: "Smith", "O'Brien", "McDonald", "Smith-Jones",
# "José" (a possessive "'s" is not part of it).
_LOWER = r"[a-z\u00df-\u00f6\u00f8-\u00ff]"
_WORD = rf"[A-Z](?:'[A-Z])?{_LOWER}+(?:[A-Z]{_LOWER}+)?(?:-[A-Z]{_LOWER}+)*"
_NAME = rf"(?P<first>{_WORD})(?:\s+(?:[A-Z]\.?\s+)?(?P<second>{_WORD}))?"
_CUE = r"\b(?i:pts?|patient)\b\.?(?:\s+(?i:named|called|is))?[\s:,(]+|\b(?i:name)\s*[:=-]\s*"
_HONORIFIC = re.compile(rf"\b(?:(?:Mr|Mrs|Ms|Mx)\b\.?|(?:MR|MRS|MS|MX)\.)\s+{_NAME}")
_CLINICAL = re.compile(rf"(?:{_CUE}){_NAME}")
_SURNAME_FIRST = re.compile(
    rf"(?:{_CUE})(?:(?P<second>{_WORD}),\s*(?P<first>{_WORD})"
    r"|(?P<upper_second>[A-Z]{2,}(?:['-][A-Z]+)*),\s*(?P<upper_first>[A-Z]{2,}))\b"
)
_CLINICIAN = r"\b(?:Dr|Doctor|Nurse|Prof|Professor|NP|PA|RN|MD)\b\.?"
_PAIR_BEFORE = re.compile(
    rf"(?:(?P<title>{_CLINICIAN})\s+)?\b(?P<first>{_WORD})\s+(?:[A-Z]\.?\s+)?(?P<second>{_WORD})"
    r"(?:'s)?[\s,;:(-]{0,3}$"
)
_PAIR_AFTER = re.compile(
    rf"[\s,;:)-]{{0,3}}(?P<first>{_WORD})\s+(?:[A-Z]\.?\s+)?(?P<second>{_WORD})\b"
    r"(?!,?\s*(?:MD|DO|RN|NP|PA|PharmD|RPh|CRNA|APRN)\b)"
)
# Given names that are also ordinary words: after a cue they are a name only when a surname
# follows ("Patient Will Smith", not "Patient Will"). A word list reads better as words than
# as a column of quoted strings, hence the split.
_ORDINARY_WORDS = frozenset(
    "An April Art August Ben Bill Brain Carol Chance Chase Dale Dawn Don Dusty Faith Frank "  # noqa: SIM905
    "Gene Grace Grant Guy Hope In Iris Ivy Jack January Joy June King Lane Long Love Major "
    "Many Mark May My Page Pat Penny Queen Ray Rich Rose Royal Rusty Sage See So Son Soon "
    "Star Sue Summer Sunny Ward Will Young".split()
)


@cache
def _census_names() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames (upper case) from the US census lists that the `names`
    package ships: about 5,000 given names and 89,000 surnames."""
    spec = importlib.util.find_spec("names")
    directory = Path(spec.origin if spec and spec.origin else "").parent

    def read(*files: str) -> frozenset[str]:
        return frozenset(
            line.split(maxsplit=1)[0]
            for file in files
            for line in (directory / file).read_text().splitlines()
            if line.strip()
        )

    return read("dist.male.first", "dist.female.first"), read("dist.all.last")


def _census_key(word: str) -> str:
    """How the census lists spell `word`: upper case, no accents, no apostrophe ("OBRIEN")."""
    plain = unicodedata.normalize("NFD", word.split("-")[0])
    return "".join(c for c in plain if c.isalpha() and c.isascii()).upper()


def _is_given(word: str | None) -> bool:
    return word is not None and _census_key(word) in _census_names()[0]


def _is_surname(word: str | None) -> bool:
    return word is not None and _census_key(word) in _census_names()[1]


def _name_spans(text: str, others: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of patient names in normalised `text`: the words after an honorific; a given name
    (and its surname) after a clinical cue; a Given Surname pair written right before or after
    another identifier (`others`), unless a clinician's title or credential goes with it."""
    spans: list[tuple[int, int]] = []
    for match in _HONORIFIC.finditer(text):
        first, second = match.group("first", "second")
        whole = second and (_is_given(first) or _is_surname(second))
        spans.append((match.start("first"), match.end("second" if whole else "first")))
    for match in _CLINICAL.finditer(text):
        first, second = match.group("first", "second")
        if _is_given(first) and _is_surname(second):
            spans.append((match.start("first"), match.end("second")))
        elif _is_given(first) and first not in _ORDINARY_WORDS:
            spans.append((match.start("first"), match.end("first")))
    for match in _SURNAME_FIRST.finditer(text):
        groups = (
            ("upper_first", "upper_second") if match.group("upper_first") else ("first", "second")
        )
        if _is_given(match.group(groups[0])) and _is_surname(match.group(groups[1])):
            spans.append((match.start(groups[1]), match.end(groups[0])))
    for start, end in others:
        before = _PAIR_BEFORE.search(text, max(0, start - 80), start)
        if (
            before
            and not before.group("title")
            and _is_given(before.group("first"))
            and _is_surname(before.group("second"))
        ):
            spans.append((before.start("first"), before.end("second")))
        after = _PAIR_AFTER.match(text, end)
        if after and _is_given(after.group("first")) and _is_surname(after.group("second")):
            spans.append((after.start("first"), after.end("second")))
    return spans


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
    normal, starts, ends = _normalise(text)
    spans = [
        (PhiKind(kind), match.start(), match.end())
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(normal)
    ]
    spans += [(PhiKind.NAME, s, e) for s, e in _name_spans(normal, [(s, e) for _, s, e in spans])]
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
