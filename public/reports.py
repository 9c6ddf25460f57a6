"""The annual progress report: what the page (/report/<year>/) and the PDF both show.

The report lists every recommendation, so it is built from plain rows (`.values()`) in three
queries whatever the number of recommendations: the years there are reports for, the
recommendations with their status at the year's end, and the year's published updates. The
tally and the date of the position are counted from those rows rather than asked again.
"""

from __future__ import annotations

import datetime
from collections import Counter
from functools import lru_cache
from typing import Any, NamedTuple

from public.prepared import Prepared
from public.templating import date, links
from recommendations.models import (
    STATUS_LABELS,
    ProgressUpdate,
    Recommendation,
    Section,
    StatusTally,
)


class Update(NamedTuple):
    """The update a report quotes for a recommendation."""

    date: datetime.date
    text: str
    #: Its month, as the report prints it ("June 2017").
    month: str


class Entry(NamedTuple):
    """One recommendation as the report shows it: its words, its update, its status then.

    A tuple with named fields rather than a dict: the templates read them as attributes,
    which Jinja tries first (a dict would fail that try on every read). The page's link is
    worked out here: a function call from a template costs several times one from Python.
    """

    number: int
    path: str
    text: str
    section: str
    status: str
    status_label: str
    latest: Update | None


#: The years with a report: asked on the progress report and every annual report, so its
#: SQL is made once (see public/prepared.py).
_REPORT_YEARS = Prepared(lambda: ProgressUpdate.objects.published().years(), 0)


def report_years() -> list[int]:
    """The years in which at least one published update is dated, oldest first (as
    `ProgressUpdate.objects.published_years()`)."""
    return sorted(year for (year,) in _REPORT_YEARS())


def annual_report_context(year: int, years: list[int] | None = None) -> dict[str, Any] | None:
    """The year's report, in the source's sections and order; None if nothing was published.

    `years`: the years with a report, when the caller has already read them.
    """
    if years is None:
        years = report_years()
    if year not in years:
        return None
    queries = _queries_of(year)
    latest = {
        pk: Update(day, text, date(day, "F Y")) for pk, day, text in queries.latest_updates()
    }
    detail = links("recommendations:detail")
    rows = queries.recommendations()
    recommendations = [
        Entry(
            number=number,
            path=detail(number=number),
            text=text,
            section=section,
            status=status,
            status_label=STATUS_LABELS[status],
            latest=latest.get(pk),
        )
        for pk, number, text, section, status in rows
    ]
    return {
        "year": year,
        "years": years,
        "tally": StatusTally.from_rows(Counter(row[4] for row in rows).items()),
        "sections": [
            (section, [r for r in recommendations if r.section == section]) for section in Section
        ],
        "position_date": max((update.date for update in latest.values()), default=None),
    }


class YearQueries(NamedTuple):
    """A year's two queries, their SQL made once (see public/prepared.py)."""

    #: Each recommendation made by the year's end: pk, number, text, section, status then,
    #: in the report's order.
    recommendations: Prepared
    #: The updates published that year, oldest first (date, then write order): for each
    #: recommendation the last one is the one the report quotes.
    latest_updates: Prepared


@lru_cache(maxsize=64)
def _queries_of(year: int) -> YearQueries:
    """The year's queries (years are few: only those with a report are asked for)."""
    year_end = datetime.date(year, 12, 31)
    return YearQueries(
        recommendations=Prepared(
            lambda: (
                Recommendation.objects.as_at(year_end)
                .in_report_order()
                .values_list("pk", "number", "text", "section", "status_as_at")
            ),
            0,
        ),
        latest_updates=Prepared(
            lambda: (
                ProgressUpdate.objects.published()
                .filter(date__year=year)
                .order_by("date", "pk")
                .values_list("recommendation_id", "date", "text")
            ),
            0,
        ),
    )
