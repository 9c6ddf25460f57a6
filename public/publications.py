"""The annual report PDFs, built in the background and served as files.

WeasyPrint takes seconds for the report (minutes at the scale of several reviews), so no web
request runs it. When the public data changes, `public.freshness` sends
`public_data_changed`, and `schedule_report_builds()` (connected to it in `PublicConfig.ready`)
queues `build_reports` after the commit. The task renders
each year's report and builds a PDF only for a year whose report now reads differently from
every edition already built; the file goes to storage under `publications/` and a
`ReportEdition` row says which file is the year's newest. Links inside come from `SITE_URL`,
never a request's Host.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from public import freshness, reports
from public.models import ReportEdition
from recommendations.models import ProgressUpdate, Recommendation

logger = logging.getLogger(__name__)

#: The A4 page rules shared with the printed page, then what only the PDF has.
STYLESHEETS = ("css/report-print.css", "css/report-pdf.css")
TEMPLATE = "public/report_pdf.html"
#: Editions kept per year: the newest, and the one before it (a request may be reading it).
KEEP_EDITIONS = 2
#: The date printed on the title page is the build's; the fingerprint must not move with it.
FINGERPRINT_DATE = datetime.date(2000, 1, 1)


def schedule_report_builds(**signal_kwargs: Any) -> None:
    """Queue a build of the reports once the current transaction commits (at once outside
    one): on `public_data_changed`. A build of unchanged reports is cheap."""
    transaction.on_commit(partial(build_reports.enqueue))


def report_size(year: int) -> int:
    """How many recommendations the year's report lists: those made by the year's end."""
    return Recommendation.objects.filter(made_on__lte=datetime.date(year, 12, 31)).count()


def too_large(recommendations: int) -> bool:
    """Whether a report of this many recommendations is more than one PDF is made for.

    WeasyPrint lays out the whole document in memory, half a megabyte to a megabyte a page:
    the 10,000 recommendations of a large tracker (4,000 pages) took 2.4 GB and 7 minutes.
    Such a report is read, printed and downloaded from its pages instead.
    """
    return recommendations > settings.REPORT_PDF_MAX_RECOMMENDATIONS


def latest_edition(year: int) -> ReportEdition | None:
    """The year's newest built edition, if any."""
    return ReportEdition.objects.filter(year=year).order_by("-as_at", "-pk").first()


@task()
def build_reports() -> dict[str, str]:
    """Build each year's report that changed; drop the editions of years without a report.
    Returns what was done for each year (kept in the task's result)."""
    years = set(ProgressUpdate.objects.published_years())
    years |= set(ReportEdition.objects.values_list("year", flat=True))
    return {str(year): build_report(year) for year in sorted(years)}


def build_report(year: int) -> str:
    """Build `year`'s PDF into storage unless an edition with the same content exists."""
    count = report_size(year)
    if too_large(count):
        # Counted first: the whole report's context is itself large at that size.
        _delete(ReportEdition.objects.filter(year=year))
        return f"not built: {count} recommendations"
    context = reports.annual_report_context(year)
    if context is None:
        _delete(ReportEdition.objects.filter(year=year))
        return "no report"
    fingerprint = _fingerprint(context)
    now = timezone.now()
    if ReportEdition.objects.filter(year=year, fingerprint=fingerprint).update(as_at=now):
        return "unchanged"
    pdf = render_pdf(context, site_url=settings.SITE_URL)
    edition = ReportEdition(year=year, fingerprint=fingerprint, built_at=now, as_at=now)
    edition.file.save(f"harris-review-progress-{year}-{fingerprint[:12]}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError:  # another worker built the same content meanwhile
        edition.file.delete(save=False)
        return "unchanged (built by another worker)"
    _delete(ReportEdition.objects.filter(year=year).order_by("-as_at", "-pk")[KEEP_EDITIONS:])
    # The site now serves another file: no cache may keep the previous one. Counted without
    # `public_data_changed`, which would queue this build again.
    freshness.count_change()
    logger.info("Built the %s report PDF (%d bytes)", year, len(pdf))
    return f"built {edition.file.name}"


def _delete(editions) -> None:
    for edition in list(editions):
        edition.file.delete(save=False)
        edition.delete()


def _fingerprint(context: dict) -> str:
    """A digest of what the PDF would show: its HTML (with a fixed date) and stylesheets."""
    digest = hashlib.blake2b(digest_size=16)
    html = render_to_string(
        TEMPLATE, {**context, "site_url": settings.SITE_URL, "published": FINGERPRINT_DATE}
    )
    digest.update(html.encode())
    for name in STYLESHEETS:
        with open(finders.find(name), "rb") as stylesheet:
            digest.update(stylesheet.read())
    return digest.hexdigest()


def render_pdf(context: dict, *, site_url: str) -> bytes:
    """The report's PDF, every link written out in full against `site_url`."""
    from weasyprint import CSS, HTML  # loads Pango: only the task worker pays for it

    html = render_to_string(
        TEMPLATE, {**context, "site_url": site_url, "published": timezone.localdate()}
    )
    stylesheets = [CSS(filename=finders.find(name)) for name in STYLESHEETS]
    document = HTML(string=html, base_url=site_url + "/", url_fetcher=_refuse)
    # Tagged, so that screen readers follow the headings; the language and title come from
    # the page's <html lang> and <title>.
    return document.write_pdf(stylesheets=stylesheets, pdf_tags=True)


def _refuse(url: str, *args, **kwargs) -> dict:
    """The report loads nothing: no request leaves the server while it is printed."""
    raise ValueError(f"The report PDF does not load {url}")
