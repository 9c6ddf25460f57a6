"""The annual report as a PDF (/report/<year>.pdf): built by a background task into storage,
served as a file; drafts, 404; the print stylesheet."""

import datetime
import io
import re
import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django_tasks import default_task_backend
from pypdf import PdfReader

from public.models import ReportEdition
from public.publications import build_reports
from recommendations.models import ProgressUpdate, Status
from recommendations.services import record_update
from tests.factories import ProgressUpdateFactory
from tests.site_data import SECRET, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The built PDFs land in the test's own storage."""
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.getvalue()))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def no_weasyprint():
    """WeasyPrint fails if anything calls it: no request may."""
    return mock.patch("weasyprint.HTML", side_effect=AssertionError("a request ran WeasyPrint"))


def test_the_pdf_of_a_year_without_a_report_is_a_404(client):
    make_site()
    response = client.get("/report/2015.pdf")
    assert response.status_code == 404
    assert "There is no progress report for 2015" in response.content.decode()


def test_before_the_first_build_the_pdf_is_being_prepared(client):
    make_site()
    with no_weasyprint():
        response = client.get("/report/2017.pdf")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "The 2017 progress report PDF is being prepared" in page
    assert 'href="/report/2017/"' in page


def test_a_report_too_long_for_one_pdf_is_not_built_and_says_where_to_read_it(client, settings):
    make_site()
    settings.REPORT_PDF_MAX_RECOMMENDATIONS = 2
    with no_weasyprint():
        assert build_reports.call() == {"2017": "not built: 3 recommendations"}
        response = client.get("/report/2017.pdf")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This report lists 3 recommendations" in page
    assert 'href="/report/2017/"' in page and 'href="/recommendations.csv"' in page
    assert not ReportEdition.objects.exists()


def test_the_task_builds_each_changed_report_once(django_capture_on_commit_callbacks):
    site = make_site()
    with mock.patch("public.publications.render_pdf", return_value=b"%PDF-1.7") as render_pdf:
        assert build_reports.call() == {"2017": "built " + ReportEdition.objects.get().file.name}
        assert build_reports.call() == {"2017": "unchanged"}
        assert render_pdf.call_count == 1
        # A draft changes nothing the report shows: no new build.
        ProgressUpdateFactory(
            recommendation=site.r13, date=datetime.date(2017, 12, 1), published=False
        )
        assert build_reports.call() == {"2017": "unchanged"}
        update = ProgressUpdate.objects.filter(recommendation=site.r32).latest("date")
        update.text = "This recommendation has been resolved, and tested."
        update.save()
        build_reports.call()
        assert render_pdf.call_count == 2
    editions = ReportEdition.objects.order_by("-as_at")
    assert [e.file.name.startswith("publications/") for e in editions] == [True, True]
    assert editions[0].fingerprint != editions[1].fingerprint


def test_a_public_change_queues_one_build_after_the_commit(django_capture_on_commit_callbacks):
    site = make_site()
    with django_capture_on_commit_callbacks(execute=True):
        record_update(
            recommendation=site.r32,
            date=datetime.date(2017, 11, 1),
            text="Tested again.",
            status=Status.RESOLVED,
            published=True,
        )
    assert [r.task for r in default_task_backend.results] == [build_reports]


@pytest.mark.django_db(transaction=True)
def test_two_clients_get_the_previous_edition_until_the_task_builds_the_new_one(settings):
    """The issue's test: publish, then ask for the PDF from two clients at once; neither
    waits for WeasyPrint. Once the worker has run, both get the new edition, the same file."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    site = make_site()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    before = ReportEdition.objects.get()
    previous = before.file.read()

    record_update(
        recommendation=site.r32,
        date=datetime.date(2017, 11, 1),
        text="Tested again at the November exercise.",
        status=Status.RESOLVED,
        published=True,
    )
    with no_weasyprint():
        during = fetch_at_once("/report/2017.pdf", clients=2)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    with no_weasyprint():
        after = fetch_at_once("/report/2017.pdf", clients=2)

    assert [body for _, body in during] == [previous, previous]
    edition = ReportEdition.objects.order_by("-as_at").first()
    assert edition.pk != before.pk
    assert [body for _, body in after] == [edition.file.read()] * 2
    # Every cache keyed by the public stamp lets the previous edition go.
    assert after[0][0] == after[1][0] != during[0][0]
    text = "\n".join(page_texts(PdfReader(io.BytesIO(after[0][1]))))
    assert "Tested again at the November exercise." in " ".join(text.split())


def fetch_at_once(url: str, *, clients: int) -> list[tuple[str, bytes]]:
    """GET `url` from several clients in threads released together: (ETag, body) each."""
    barrier = threading.Barrier(clients)
    answers: list = [None] * clients

    def fetch(n: int) -> None:
        try:
            barrier.wait()
            response = Client().get(url)
            assert response.status_code == 200, response.status_code
            answers[n] = (response.get("ETag"), response.getvalue())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fetch, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert None not in answers, "a client got no PDF"
    return answers


def test_the_pdf_says_its_as_at_date_and_links_to_site_url_whatever_the_host(client, settings):
    settings.SITE_URL = "https://tracker.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    make_site()
    build_reports.call()
    edition = ReportEdition.objects.get()

    with no_weasyprint():
        forged = client.get("/report/2017.pdf", headers={"host": "attacker.example:1"})
        other = client.get("/report/2017.pdf", headers={"host": "127.0.0.1:2"})

    body = forged.getvalue()
    assert body == other.getvalue() == edition.file.read()
    as_at = f"{edition.as_at.astimezone(datetime.UTC):%d %b %Y}"
    assert as_at in forged["Last-Modified"]
    assert re.search(
        r'filename="harris-review-progress-2017-as-at-\d{4}-\d\d-\d\d\.pdf"',
        forged["Content-Disposition"],
    )
    text = "\n".join(page_texts(PdfReader(io.BytesIO(body))))
    assert "https://tracker.example.org/report/2017/" in text
    assert "attacker.example" not in text


def test_the_small_report_keeps_drafts_out_of_the_pdf(client):
    site = make_site()
    # A draft of the report's own year, later than the published update it must not replace.
    ProgressUpdateFactory(
        recommendation=site.r13, date=datetime.date(2017, 12, 1), text=SECRET, published=False
    )
    build_reports.call()
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


def test_a_browser_that_has_the_edition_is_told_so_without_the_file(client):
    make_site()
    build_reports.call()
    first = client.get("/report/2017.pdf")
    with mock.patch("django.db.models.fields.files.FieldFile.open") as opened:
        again = client.get("/report/2017.pdf", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert not opened.called
