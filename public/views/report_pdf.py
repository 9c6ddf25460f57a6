"""The annual progress report as a PDF: A4, title page, contents, running header, page numbers.

WeasyPrint takes a few seconds for the whole report, so the file is kept in the cache under
the public stamp (`public.freshness`): it is rebuilt only once the public data changes (or the
day or release does), and each worker builds it at most once per stamp.
"""

from __future__ import annotations

import contextlib

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from public import freshness, reports
from public.views.recommendations import report_missing

#: The A4 page rules shared with the printed page, then what only the PDF has.
STYLESHEETS = ("css/report-print.css", "css/report-pdf.css")
#: The stamp changes at least daily, so a day bounds how long an unused copy is kept.
PDF_CACHE_SECONDS = 24 * 60 * 60


@require_safe
def annual_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The year's report (the same data as /report/<year>/) as a tagged A4 PDF."""
    site_url = request.build_absolute_uri("/").removesuffix("/")
    key = f"report-pdf:{freshness.stamp()}:{year}:{site_url}"
    pdf = _cached(key)
    if pdf is None:
        context = reports.annual_report_context(year)
        if context is None:
            return report_missing(request, year)
        pdf = render_pdf(context, site_url=site_url)
        with contextlib.suppress(RedisError):
            cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="harris-review-progress-{year}.pdf"'
    return response


def _cached(key: str) -> bytes | None:
    """The PDF kept under `key`; when the shared cache is down, none (it is built afresh)."""
    try:
        return cache.get(key)
    except RedisError:
        return None


def render_pdf(context: dict, *, site_url: str) -> bytes:
    """The report's PDF, every link written out in full against `site_url`."""
    from weasyprint import CSS, HTML  # loads Pango: only the workers that print pay for it

    html = render_to_string(
        "public/report_pdf.html",
        {**context, "site_url": site_url, "published": timezone.localdate()},
    )
    stylesheets = [CSS(filename=finders.find(name)) for name in STYLESHEETS]
    document = HTML(string=html, base_url=site_url + "/", url_fetcher=_refuse)
    # Tagged, so that screen readers follow the headings; the language and title come from
    # the page's <html lang> and <title>.
    return document.write_pdf(stylesheets=stylesheets, pdf_tags=True)


def _refuse(url: str, *args, **kwargs) -> dict:
    """The report loads nothing: no request leaves the server while it is printed."""
    raise ValueError(f"The report PDF does not load {url}")
