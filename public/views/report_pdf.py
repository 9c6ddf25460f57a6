"""The annual progress report as a PDF: A4, title page, contents, running header, page numbers.

The file is built by a background task when the public data changes (`public.publications`)
and served from storage here: no request runs WeasyPrint. A request gets the newest edition
built, dated by its "as at" time (Last-Modified, and the file's name); until the first one is
built, a short page says the PDF is being prepared (503, Retry-After).
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from public import publications, reports
from public.views.recommendations import report_missing

#: How long a client is asked to wait before asking again for a PDF being prepared.
PREPARING_RETRY_SECONDS = 60


@require_safe
def annual_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The year's newest built PDF; "being prepared" before the first; 404 without a report."""
    edition = publications.latest_edition(year)
    if edition is None:
        return _no_edition(request, year)
    etag, last_modified = f'"{edition.fingerprint}"', edition.as_at.timestamp()
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if not_modified is not None:
        return not_modified
    as_at = timezone.localtime(edition.as_at)
    response = FileResponse(edition.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="harris-review-progress-{year}-as-at-{as_at:%Y-%m-%d}.pdf"'
    )
    response["Last-Modified"] = http_date(last_modified)
    response["ETag"] = etag
    return response


def _no_edition(request: HttpRequest, year: int) -> HttpResponse:
    """Before the year's first edition: "being prepared", or why there is no PDF."""
    if year not in reports.report_years():
        return report_missing(request, year)
    count = publications.report_size(year)
    if publications.too_large(count):
        context = {"year": year, "count": count, "limit": settings.REPORT_PDF_MAX_RECOMMENDATIONS}
        return render(request, "public/report_too_large.html", context, status=404)
    response = render(request, "public/report_preparing.html", {"year": year}, status=503)
    response["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    return response
