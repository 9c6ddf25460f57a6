"""The real annual report as a PDF: A4, contents, page numbers, all 127 recommendations."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from pypdf import PdfReader

from public.publications import build_reports
from recommendations.models import Recommendation
from tests.read_only_data import loaded_for_module

pytestmark = pytest.mark.django_db

A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def real_report(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real data's 2017 PDF and the report's order, built once (as the task worker
    builds it): printing takes seconds."""
    built = {}

    @override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL="http://testserver")
    def load() -> None:
        call_command("load_initial_data", verbosity=0)
        build_reports.call()
        response = Client().get("/report/2017.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        built["pdf"] = PdfReader(io.BytesIO(response.getvalue()))
        # Reading the text of 50-odd pages takes seconds: once for the module.
        built["texts"] = [page.extract_text() for page in built["pdf"].pages]
        built["order"] = list(
            Recommendation.objects.in_report_order().values_list("number", flat=True)
        )

    with loaded_for_module(django_db_blocker, load):
        yield built


@pytest.fixture
def report_2017(real_report):
    return real_report["pdf"]


@pytest.fixture
def texts(real_report):
    return real_report["texts"]


def test_the_pdf_is_a4_with_a_title_page_and_a_contents_page(report_2017, texts):
    for page in report_2017.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == (round(A4_POINTS[0], 1), 841.9)
    title, contents = texts[:2]
    assert "Mayor's Office for Policing and Crime (MOPAC)" in title
    assert "progress report 2017" in title
    assert re.search(r"Published \d{1,2} \w+ \d{4}", title)
    assert "Contents" in contents
    # Each contents entry ends with the number of the page it starts on.
    assert re.search(r"Introduction[ .]*3\b", contents)


def test_the_pdf_lists_all_127_recommendations_in_the_reports_order(texts, real_report):
    text = "\n".join(texts)
    listed = [int(n) for n in re.findall(r"^Recommendation (\d+)$", text, flags=re.MULTILINE)]
    expected = real_report["order"]
    assert len(expected) == 127
    assert listed == expected


def test_every_page_after_the_title_has_a_running_header_and_its_number(texts):
    total = len(texts)
    assert "Page" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Harris Review: progress report" in text


def test_the_pdf_has_no_relative_link(report_2017, texts):
    """Every link is made from SITE_URL (never a request's Host: the task has none)."""
    site = re.escape(settings.SITE_URL)
    text = "\n".join(texts)
    assert "/recommendations/" in text
    assert not re.search(rf"(?<!{site})/(recommendations|report|boards)/", text)
    for page in report_2017.pages:
        for annotation in page.get("/Annots") or []:
            uri = annotation.get_object().get("/A", {}).get("/URI")
            assert uri is None or uri.startswith(f"{settings.SITE_URL}/"), uri


def test_the_pdf_is_tagged_with_its_title_and_language(report_2017):
    root = report_2017.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert report_2017.metadata.title == "Harris Review progress report 2017"
    assert "MOPAC" in report_2017.metadata.author
