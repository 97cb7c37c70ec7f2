"""The text as the patterns read it: NFKC, format characters removed, every dash a hyphen,
confusable letters and digits their ASCII look-alike; with the map from each normalised
character back to the original, so findings report what the writer typed (see `informatics.phi`)."""

import re
import unicodedata
from functools import cache

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


def normalise(text: str) -> tuple[str, list[int], list[int]]:
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
