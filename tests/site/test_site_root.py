"""What browsers and crawlers ask of every site: /favicon.ico, /robots.txt, and the headers
that every response carries, whether fresh, from the page cache or a static file."""

import pytest

from public.publications import build_reports
from tests.site.test_urls import PUBLIC_URLS
from tests.site_data import make_site

pytestmark = pytest.mark.django_db


def test_favicon_is_a_real_icon_answered_without_a_redirect(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = b"".join(response.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)


def test_robots_txt_lets_crawlers_index_the_public_pages_but_not_the_sign_in_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines


@pytest.mark.parametrize(
    "url", ["/", "/recommendations.csv", "/favicon.ico", "/recommendations/999/", "/healthz"]
)
def test_every_response_has_a_permissions_policy(client, url):
    make_site()
    policy = client.get(url)["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy


def test_a_page_from_the_cache_has_the_same_headers_as_a_fresh_one(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    make_site()
    fresh = client.get("/recommendations/")
    cached = client.get("/recommendations/")
    assert cached["Permissions-Policy"] == fresh["Permissions-Policy"]
    assert set(cached.headers) == set(fresh.headers)


TRACKING = "utm_source=newsletter&utm_campaign=x&fbclid=abc&gclid=def&mc_cid=1&mc_eid=2"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_tracking_parameters_are_ignored_on_every_public_url(client, url, settings, tmp_path):
    make_site()
    if url.endswith(".pdf"):  # the task worker builds the PDFs
        settings.MEDIA_ROOT = tmp_path
        build_reports.call()
    joiner = "&" if "?" in url else "?"
    tracked = client.get(f"{url}{joiner}{TRACKING}")
    assert tracked.status_code == 200
    if not tracked.streaming and url != "/healthz":
        assert tracked.content == client.get(url).content
