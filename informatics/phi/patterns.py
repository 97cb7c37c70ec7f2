"""What the guard looks for: each kind of identifier's pattern (a record number, a date of birth,
a phone number, an SSN, an e-mail address) and names, cued ("patient", "Mr") or a census given
name beside a census surname."""

import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from informatics.choices import PhiKind

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


def name_spans(text: str, others: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
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
