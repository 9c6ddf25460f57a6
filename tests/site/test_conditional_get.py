"""A 304 answers only for a URL that would answer 200: never for a 404 or a 400."""

import pytest

from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def etag(client):
    RecommendationFactory(number=62)
    response = client.get("/recommendations/62/")
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize("seconds", [600, 0], ids=["cached", "uncached"])
def test_a_page_that_exists_is_a_304_with_the_current_etag(client, settings, etag, seconds):
    settings.PUBLIC_PAGE_CACHE_SECONDS = seconds
    response = client.get("/recommendations/62/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/no-such-page/", 404),
        ("/recommendations/999/", 404),
        ("/recommendations/?status=bad", 400),
        ("/recommendations/?sort=nonsense", 400),
    ],
)
@pytest.mark.parametrize("seconds", [600, 0], ids=["cached", "uncached"])
def test_a_missing_page_or_bad_request_is_never_a_304(
    client, settings, etag, url, status, seconds
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = seconds
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == status
    assert not response.has_header("ETag")


def test_a_download_with_the_current_etag_is_a_304(client, etag):
    response = client.get("/recommendations.csv", headers={"if-none-match": etag})
    assert response.status_code == 304
