"""The annual progress report: what the page (/report/<year>/) and the PDF both show."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch

from recommendations.models import ProgressUpdate, Recommendation, Section


def annual_report_context(year: int) -> dict[str, Any] | None:
    """The year's report, in the source's sections and order; None if nothing was published."""
    years = ProgressUpdate.objects.published_years()
    if year not in years:
        return None
    year_end = datetime.date(year, 12, 31)
    that_year = ProgressUpdate.objects.published().filter(date__year=year).newest_first()
    recommendations = (
        Recommendation.objects.as_at(year_end)
        .in_report_order()
        .prefetch_related(Prefetch("updates", queryset=that_year, to_attr="updates_that_year"))
    )
    sections = [
        (section, [r for r in recommendations if r.section == section]) for section in Section
    ]
    return {
        "year": year,
        "years": years,
        "tally": Recommendation.objects.as_at(year_end).tally(),
        "sections": sections,
        "position_date": that_year.values_list("date", flat=True).first(),
    }
