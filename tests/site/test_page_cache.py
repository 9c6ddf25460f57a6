"""A page from the cache is the fresh page, headers and all, for the price of one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.site_data import make_site

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/recommendations/",
    "/recommendations/62/",
    "/updates/feed/",
    "/recommendations.csv",
]
SECURITY_HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
]


def fetch(client, url, **headers):
    response = client.get(url, headers={"x-forwarded-proto": "https", **headers})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def headers_of(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name != "Date"}


@pytest.mark.parametrize("url", PAGES)
def test_a_page_from_the_cache_has_the_fresh_pages_headers_and_body(
    client, settings, production, url
):
    make_site()
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    fresh, fresh_body = fetch(client, url)
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    fetch(client, url)  # kept
    cached, cached_body = fetch(client, url)

    assert fresh.status_code == cached.status_code == 200
    for header in SECURITY_HEADERS:
        assert fresh.has_header(header), header
    # A download streams every time: it is never kept whole.
    assert cached.streaming == fresh.streaming == url.endswith(".csv")
    assert headers_of(cached) == headers_of(fresh)
    assert cached_body == fresh_body


def test_a_not_modified_answer_keeps_the_security_headers(client, production):
    make_site()
    page, _ = fetch(client, "/recommendations/62/")
    repeat, _ = fetch(client, "/recommendations/62/", if_none_match=page["ETag"])
    assert repeat.status_code == 304
    for header in SECURITY_HEADERS:
        assert repeat[header] == page[header], header


def test_a_repeat_view_costs_one_query_and_no_session(
    client, production, django_assert_num_queries
):
    make_site()
    fetch(client, "/recommendations/62/")
    with django_assert_num_queries(1):
        cached, _ = fetch(client, "/recommendations/62/")
    assert cached.status_code == 200
    assert not cached.cookies
    assert "Cookie" not in cached.get("Vary", "")


def test_a_plain_http_request_is_redirected_even_when_the_page_is_kept(client, production):
    make_site()
    fetch(client, "/recommendations/62/")
    response = client.get("/recommendations/62/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_pages_are_rendered_afresh_while_redis_does_not_answer(client, settings, production):
    # Nothing listens on port 1: every cache call fails at once.
    redis = {
        "BACKEND": "harris_tracker.cache.FailSafeRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    settings.CACHES = {"default": redis, "pages": redis}
    make_site()
    first, _ = fetch(client, "/recommendations/62/")
    second, body = fetch(client, "/recommendations/62/")
    assert first.status_code == second.status_code == 200
    assert b"Recommendation 62" in body


@pytest.mark.parametrize(
    "url",
    [
        "/updates/feed/",
        "/report/2017/",
        "/boards/london-contest-board/meetings.ics",
        "/datapackage.json",
    ],
)
def test_a_host_with_another_port_never_reaches_a_kept_pages_links(client, production, url):
    """Pages are kept by path alone and served to everyone: their absolute links come from
    SITE_URL, whatever Host (its port is not checked) the request that made them named."""
    make_site()
    first, body = fetch(client, url, host="testserver:666")
    assert first.status_code == 200
    assert b"testserver:666" not in body
    assert b"http://testserver/" in body
    _, body = fetch(client, url)
    assert b"testserver:666" not in body


def test_pages_with_made_up_parameters_are_answered_but_never_kept(
    client, production, django_assert_max_num_queries
):
    make_site()
    for n in range(3):
        assert fetch(client, f"/report/2017/?flood={n}")[0].status_code == 200
    with django_assert_max_num_queries(10) as queries:
        fetch(client, "/report/2017/?flood=1")
    assert len(queries) > 1, "rendered afresh, not kept under its own key"
    fetch(client, "/report/2017/")
    with django_assert_max_num_queries(1):
        fetch(client, "/report/2017/?utm_source=newsletter")  # tracking parameters aside


def test_a_fresh_page_reads_the_stamp_once(client, production):
    """What is kept under the stamp for the page (the years with a report, the tallies) is
    looked up under the one read as the request began."""
    make_site()
    with CaptureQueriesContext(connection) as queries:
        fetch(client, "/")
    stamp_reads = [q for q in queries.captured_queries if "public_sitechange" in q["sql"]]
    # The stamp, and the date of the last change that the page shows.
    assert len(stamp_reads) == 2
