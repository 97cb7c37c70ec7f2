"""Open requests whose titles resemble a title being typed: word overlap on normalised tokens,
over a bounded set of candidates, most similar first."""

import re

from django.db import connection
from django.db.models import F, Q, QuerySet, Value

from intake.choices import CLOSED_STATUSES
from intake.models import IntakeRequest
from intake.selectors.requests import held, vote_count

# Below this, a title is not similar enough to suggest (0–1 on either database).
SIMILARITY_THRESHOLD = 0.3
SIMILAR_CANDIDATES = 200


STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it"}
    | {"of", "on", "or", "the", "to", "when", "with"}
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def title_tokens(text: str) -> set[str]:
    """Lowercase words without punctuation; a hyphenated word ("post-op") is a token and so
    is each of its parts ("post", "op"). Stopwords are left out."""
    tokens: set[str] = set()
    for word in _WORD.findall(text.lower()):
        tokens.add(word)
        if "-" in word:
            tokens.update(word.split("-"))
    return tokens - STOPWORDS


def _query_words(text: str) -> list[str]:
    return [word for word in dict.fromkeys(_WORD.findall(text.lower())) if word not in STOPWORDS]


def title_similarity(query: str, title: str) -> float:
    """0–1: the share of the query's words found in the title.

    A word found whole counts 1; a hyphenated query word whose parts are only partly there
    counts the share of its parts; a word that only begins a title word (still being typed:
    "seps" of "sepsis") counts 0.5 — the prefix bonus.
    """
    words = _query_words(query)
    if not words:
        return 0.0
    tokens = title_tokens(title)
    total = 0.0
    for word in words:
        if word in tokens:
            total += 1
            continue
        parts = [part for part in word.split("-") if part] if "-" in word else []
        if parts and any(part in tokens for part in parts):
            total += sum(part in tokens for part in parts) / len(parts)
        elif len(word) >= 3 and any(token.startswith(word) for token in tokens):
            total += 0.5
    return total / len(words)


def _similar_candidates(exclude_id: int | None) -> QuerySet[IntakeRequest]:
    rows = IntakeRequest.objects.exclude(status__in=CLOSED_STATUSES).filter(
        Q(is_private=False) & Q(~held())
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return rows.annotate(vote_count=vote_count())


def requests_similar(
    *, title: str, limit: int = 5, exclude_id: int | None = None
) -> list[IntakeRequest]:
    """Open, non-private requests whose titles resemble `title`, most similar first, each with
    `similarity` (0–1) and `vote_count`.

    PostgreSQL ranks with pg_trgm's word similarity (how well the typed words match some run
    of the title); other databases use `title_similarity` on the words.
    """
    title = title.strip()
    if len(title) < 3:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import TrigramWordSimilarity

        return list(
            _similar_candidates(exclude_id)
            .annotate(similarity=TrigramWordSimilarity(title, "title"))
            # `title %> query` reads the trigram index on titles (its threshold is the
            # connection's pg_trgm.word_similarity_threshold, set to this one in settings);
            # the exact comparison keeps the threshold whatever the connection says.
            .filter(TrigramWordSimilar(F("title"), Value(title)))
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-created_at", "-id")[:limit]
        )
    words = [word for word in _query_words(title) if len(word) >= 2]
    if not words:
        return []
    match = Q()
    for word in words:
        for part in {word, *word.split("-")}:
            if len(part) >= 2:
                match |= Q(title__icontains=part)
    scored = []
    for row in _similar_candidates(exclude_id).filter(match)[:SIMILAR_CANDIDATES]:
        similarity = title_similarity(title, row.title)
        if similarity >= SIMILARITY_THRESHOLD:
            row.similarity = similarity  # type: ignore[attr-defined]
            scored.append((similarity, row))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].created_at.timestamp(), -pair[1].pk))
    return [row for _, row in scored[:limit]]
