"""Evidence files an officer made public: listed under the update they back, downloadable by
anyone; every other file neither listed nor served."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.services import withdraw_update
from reporting.models import Evidence, Submission
from tests.factories import ProgressUpdateFactory, RecommendationFactory, SubmissionFactory
from tests.site_data import text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"x" * 2000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def evidence(*, public=True, state=Submission.State.APPROVED, recommendation=None, name="a.pdf"):
    """A PDF sent with a submission on `recommendation`, approved (and published) by default."""
    recommendation = recommendation or RecommendationFactory(number=32)
    update = ProgressUpdateFactory(recommendation=recommendation)
    submission = SubmissionFactory(
        request__recommendation=recommendation,
        state=state,
        published_update=update if state == Submission.State.APPROVED else None,
        review_comment="Say more." if state == Submission.State.RETURNED else "",
    )
    return Evidence.objects.create(
        submission=submission,
        file=ContentFile(PDF, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        public=public,
    )


def url(file: Evidence) -> str:
    return f"/recommendations/{file.submission.request.recommendation.number}/evidence/{file.pk}/"


def test_a_public_file_is_listed_under_its_update_and_downloads(client):
    file = evidence(name="Exercise report 2018.pdf")

    page = client.get("/recommendations/32/")
    assert "Source: Agency return Evidence Exercise report 2018.pdf (PDF, 2.0 KB)" in text_of(page)
    html = page.content.decode()
    update_item = html.split(f'id="update-{file.submission.published_update_id}"')[1]
    assert url(file) in update_item.split("</li>\n  </ul>")[0]

    response = client.get(url(file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Exercise report 2018.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"public": False},
        {"state": Submission.State.SUBMITTED},
        {"state": Submission.State.RETURNED},
        {"state": Submission.State.DRAFT},
    ],
    ids=["not marked public", "awaiting review", "returned", "draft"],
)
def test_a_file_not_made_public_is_neither_listed_nor_served(client, kwargs):
    file = evidence(name="Internal note.pdf", **kwargs)

    assert "Internal note.pdf" not in client.get("/recommendations/32/").content.decode()
    assert client.get(url(file)).status_code == 404


def test_withdrawing_the_update_takes_its_files_off_the_public_site(client):
    file = evidence(name="Withdrawn.pdf")
    assert client.get(url(file)).status_code == 200

    withdraw_update(update=file.submission.published_update, reason="Wrong year", user=None)

    assert "Withdrawn.pdf" not in client.get("/recommendations/32/").content.decode()
    assert client.get(url(file)).status_code == 404


def test_a_file_is_served_only_under_its_own_recommendation(client):
    file = evidence()
    RecommendationFactory(number=62)
    assert client.get(f"/recommendations/62/evidence/{file.pk}/").status_code == 404


def test_unmarking_a_file_moves_the_page_cache_stamp(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    file = evidence(name="Later private.pdf")
    assert client.get(url(file)).status_code == 200
    assert "Later private.pdf" in client.get("/recommendations/32/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        file.public = False
        file.save()

    assert client.get(url(file)).status_code == 404
    assert "Later private.pdf" not in client.get("/recommendations/32/").content.decode()


def test_a_download_is_streamed_and_not_kept_in_the_page_cache(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    file = evidence(name="Large.pdf")
    large = PDF + b"x" * 2_000_000
    file.file.save("large.pdf", ContentFile(large))

    response = client.get(url(file))
    assert response.streaming
    assert b"".join(response.streaming_content) == large
    # Had it been kept, the next request would be answered from the cache, not the storage.
    file.file.storage.delete(file.file.name)
    assert client.get(url(file)).status_code == 404


def test_the_page_takes_the_same_queries_however_many_files(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # count the page's own queries, not the cache's

    def page_queries(number: int, files: int) -> int:
        recommendation = RecommendationFactory(number=number)
        for n in range(files):
            evidence(recommendation=recommendation, name=f"file {n}.pdf")
        with CaptureQueriesContext(connection) as queries:
            assert (
                f"file {files - 1}.pdf"
                in client.get(f"/recommendations/{number}/").content.decode()
            )
        return len(queries)

    assert page_queries(32, 1) == page_queries(62, 6)


def test_a_private_file_never_reaches_the_public_site(client):
    """The public file's page and download are crawled; a private file of the same update,
    named and filled with a canary, appears nowhere."""
    canary = "CANARY-evidence-never-public"
    public = evidence(name="Published.pdf")
    Evidence.objects.create(
        submission=public.submission,
        file=ContentFile(PDF + canary.encode(), name="private.pdf"),
        original_name=f"{canary}.pdf",
        content_type="application/pdf",
        size=100,
        public=False,
    )
    page = client.get("/recommendations/32/").content.decode()
    downloads = set(re.findall(r'href="(/recommendations/32/evidence/\d+/)"', page))
    assert downloads == {url(public)}
    bodies = [page, *(b"".join(client.get(d).streaming_content).decode() for d in downloads)]
    assert not any(canary in body for body in bodies)
    for feed in ("/updates/feed/", "/recommendations/32/feed/"):
        assert canary not in client.get(feed).content.decode()
