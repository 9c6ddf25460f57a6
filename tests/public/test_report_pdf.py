"""The annual report as a PDF (/report/<year>.pdf): caching, drafts, 404; the print stylesheet."""

import datetime
import io
import re
from unittest import mock

import pytest
from pypdf import PdfReader

from recommendations.models import ProgressUpdate
from tests.factories import ProgressUpdateFactory
from tests.site_data import SECRET, make_site

pytestmark = pytest.mark.django_db


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_the_pdf_of_a_year_without_a_report_is_a_404(client):
    make_site()
    response = client.get("/report/2015.pdf")
    assert response.status_code == 404
    assert "There is no progress report for 2015" in response.content.decode()


def test_the_pdf_is_built_once_until_the_public_data_changes(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the view's own cache, not the page cache
    site = make_site()
    with mock.patch("public.views.report_pdf.render_pdf", return_value=b"%PDF-1.7") as render_pdf:
        client.get("/report/2017.pdf")
        client.get("/report/2017.pdf")
        assert render_pdf.call_count == 1
        update = ProgressUpdate.objects.filter(recommendation=site.r32).latest("date")
        update.text = "This recommendation has been resolved, and tested."
        with django_capture_on_commit_callbacks(execute=True):
            update.save()
        client.get("/report/2017.pdf")
        assert render_pdf.call_count == 2


def test_the_small_report_keeps_drafts_out_of_the_pdf(client):
    site = make_site()
    # A draft of the report's own year, later than the published update it must not replace.
    ProgressUpdateFactory(
        recommendation=site.r13, date=datetime.date(2017, 12, 1), text=SECRET, published=False
    )
    text = "\n".join(page_texts(pdf_of(client.get("/report/2017.pdf"))))
    assert "Work goes on." in text
    assert SECRET not in text


def test_the_report_page_links_the_pdf_and_prints_on_a4(client, settings):
    make_site()
    page = client.get("/report/2017/").content.decode()
    assert 'href="/report/2017.pdf"' in page
    assert re.search(r'<link rel="stylesheet" href="[^"]*report-print\.css" media="print">', page)
    css = (settings.BASE_DIR / "static/css/report-print.css").read_text()
    assert "size: A4" in css
    assert "counter(page)" in css
