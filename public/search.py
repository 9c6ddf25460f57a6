"""The list's text search as people type it: a number, words, "a quoted phrase".

PostgreSQL searches in English with `websearch_to_tsquery` (stems, phrases, `-word`, `or`)
and marks the matched words with `ts_headline`. SQLite has neither: there each word, or each
quoted phrase as a whole, must appear as typed, and the snippet is cut and marked in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connections
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from recommendations.models import Ownership, ProgressUpdate, Recommendation

#: The text search configuration of PostgreSQL's full-text search (and of its indexes).
SEARCH_CONFIG = "english"
#: Markers ts_headline puts around a match: characters no text of ours holds, so that the
#: headline can be escaped first and the markers only then turned into <mark>.
START, STOP = "\ue000", "\ue001"
#: About how many words a snippet shows.
SNIPPET_WORDS = 35

TERMS = re.compile(r'"([^"]+)"|(\S+)')
#: A recommendation number as typed: ASCII digits only, short enough for the column.
NUMBER = re.compile(r"[0-9]{1,9}")


def terms(value: str) -> list[str]:
    """The phrases (in double quotes) and the words of a query, quotes removed."""
    found = (phrase or word.strip('"') for phrase, word in TERMS.findall(value))
    return [" ".join(term.split()) for term in found if term.strip()]


def number_in(value: str) -> int | None:
    """The recommendation number a query is, if it is one ("47", "#47")."""
    digits = value.strip().lstrip("#")
    # Not isdigit(): it is true for "①" and "²", which int() refuses.
    return int(digits) if NUMBER.fullmatch(digits) else None


def search(queryset: QuerySet[Recommendation], value: str) -> QuerySet[Recommendation]:
    """Recommendations whose text, a published update or an owner's name matches `value`
    ("London Ambulance Service" finds what the LAS owns), or whose number it is; annotated
    with `number_match` (0 for the number asked for, so it sorts first)."""
    number = number_in(value)
    postgresql = connections[queryset.db].vendor == "postgresql"
    matches = _full_text(value) if postgresql else _substrings(value)
    if number is not None:
        matches |= Q(number=number)
    return queryset.filter(matches).annotate(
        number_match=Case(When(number=number, then=0), default=1, output_field=IntegerField())
    )


def _full_text(value: str) -> Q:
    """PostgreSQL: IN (…) subqueries rather than one OR over the rows, so that the text's and
    the updates' are answered from their GIN indexes (EXPLAIN on 10,000 recommendations and
    100,000 updates: a few ms). Each source must match the whole query on its own."""
    query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
    by_text = (
        Recommendation.objects.alias(document=SearchVector("text", config=SEARCH_CONFIG))
        .filter(document=query)
        .values("pk")
    )
    by_update = (
        ProgressUpdate.objects.published()
        .alias(document=SearchVector("text", config=SEARCH_CONFIG))
        .filter(document=query)
        .values("recommendation_id")
    )
    by_owner = (
        Ownership.objects.alias(
            document=SearchVector(
                "organisation__name", "organisation__acronym", config=SEARCH_CONFIG
            )
        )
        .filter(document=query)
        .values("recommendation_id")
    )
    return Q(pk__in=by_text) | Q(pk__in=by_update) | Q(pk__in=by_owner)


def _substrings(value: str) -> Q:
    """Elsewhere: every word, and every quoted phrase as a whole, appears as typed (in the
    text, a published update, an owner's name, or is an owner's acronym)."""
    condition = Q()
    for term in terms(value):
        in_updates = ProgressUpdate.objects.published().filter(
            recommendation=OuterRef("pk"), text__icontains=term
        )
        by_owner = Ownership.objects.filter(recommendation=OuterRef("pk")).filter(
            Q(organisation__name__icontains=term) | Q(organisation__acronym__iexact=term)
        )
        condition &= Q(text__icontains=term) | Exists(in_updates) | Exists(by_owner)
    return condition


def _headline(field: str, query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        field,
        query,
        config=SEARCH_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
    )


def with_headlines(queryset: QuerySet, value: str) -> QuerySet:
    """On PostgreSQL, each with the marked snippet of its text (`text_headline`) and of its
    newest matching update (`update_headline`), for `attach_snippets`; elsewhere as it is.
    For a page of results only: a headline is made for every row it is asked of."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
    update = (
        ProgressUpdate.objects.published()
        .filter(recommendation=OuterRef("pk"))
        .alias(document=SearchVector("text", config=SEARCH_CONFIG))
        .filter(document=query)
        .newest_first()
        .annotate(headline=_headline("text", query))
        .values("headline")[:1]
    )
    return queryset.annotate(
        text_headline=_headline("text", query), update_headline=Subquery(update)
    )


def marked(headline: str) -> SafeString:
    """A headline with START/STOP markers as escaped HTML with <mark> elements."""
    html = escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")
    # Escaped above: the only markup is our own.
    return mark_safe(html)


def highlight(text: str, found: list[str]) -> str | None:
    """SQLite: about SNIPPET_WORDS words of `text` around the first of `found`, each of
    `found` marked with START/STOP; None if `text` holds none of them."""
    pattern = re.compile("|".join(re.escape(term) for term in found), re.IGNORECASE)
    first = pattern.search(text) if found else None
    if first is None:
        return None
    # A few words of what comes before the match, so that it is read in context.
    words_before = [word.start() for word in re.finditer(r"\S+", text[: first.start()])]
    start = words_before[-8] if len(words_before) > 8 else 0
    snippet = Truncator(text[start:]).words(SNIPPET_WORDS, truncate="…")
    snippet = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", snippet)
    return ("…" if start else "") + snippet


def attach_snippets(recommendations: Iterable[Recommendation], value: str) -> None:
    """Give each recommendation `snippet` (where its text matched, words marked, as HTML) or,
    failing that, `update_snippet` (the same of its newest matching published update)."""
    recommendations = list(recommendations)
    by_update: dict[int, str] = {}
    found = terms(value)
    if recommendations and not hasattr(recommendations[0], "text_headline"):
        updates = (
            ProgressUpdate.objects.published()
            .filter(recommendation__in=recommendations)
            .newest_first()
            .values_list("recommendation_id", "text")
        )
        for pk, text in updates:
            if pk not in by_update and (snippet := highlight(text, found)):
                by_update[pk] = snippet
    for recommendation in recommendations:
        if hasattr(recommendation, "text_headline"):
            text, update = recommendation.text_headline, recommendation.update_headline
        else:
            text, update = highlight(recommendation.text, found), by_update.get(recommendation.pk)
        recommendation.snippet = marked(text) if text and START in text else None
        recommendation.update_snippet = (
            marked(update) if not recommendation.snippet and update and START in update else None
        )
