"""The annual progress report: what the page (/report/<year>/) and the PDF both show."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch

from public import freshness
from recommendations.models import ProgressUpdate, Recommendation, Section

#: The page lists this many recommendations at most: at scale (thousands) it is paged, while
#: the 127 of the real data stay on one printable page. The PDF always has them all.
REPORT_PAGE_SIZE = 200


def annual_report_context(year: int, page: int | str | None = None) -> dict[str, Any] | None:
    """The year's report, in the source's sections and order; None if nothing was published.

    With `page` (a number, or "last"), only that page of `REPORT_PAGE_SIZE` recommendations;
    an unknown page raises Django's `InvalidPage`.
    """
    years = report_years()
    if year not in years:
        return None
    year_end = datetime.date(year, 12, 31)
    that_year = ProgressUpdate.objects.published().filter(date__year=year).newest_first()
    recommendations = (
        Recommendation.objects.as_at(year_end)
        .in_report_order()
        .prefetch_related(Prefetch("updates", queryset=that_year, to_attr="updates_that_year"))
    )
    page_obj: Page | None = None
    if page is not None:
        page_obj = Paginator(recommendations, REPORT_PAGE_SIZE).page(page)
        recommendations = page_obj.object_list
    sections = [
        (section, [r for r in recommendations if r.section == section]) for section in Section
    ]
    return {
        "year": year,
        "years": years,
        **freshness.kept(f"report-summary:{year}", partial(summary, year_end)),
        "sections": [(section, listed) for section, listed in sections if listed],
        "page_obj": page_obj,
        "position_date": that_year.values_list("date", flat=True).first(),
    }


def report_years() -> list[int]:
    """The years with a report: those in which an update was published, oldest first."""
    return freshness.kept("report-years", ProgressUpdate.objects.published_years)


def summary(year_end: datetime.date) -> dict[str, Any]:
    """The report's figures over every recommendation made by `year_end`: the tally of their
    status then, and how many each section had (by the section's value)."""
    rows = (
        Recommendation.objects.filter(made_on__lte=year_end)
        .order_by()
        .values_list("section")
        .annotate(count=Count("pk"))
    )
    return {
        "tally": Recommendation.objects.as_at(year_end).tally(),
        "section_totals": {section.value: 0 for section in Section} | dict(rows),
    }
