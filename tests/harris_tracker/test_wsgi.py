"""The WSGI entry point answers repeat views of public pages before Django's handler runs,
with the very page, headers and all, and never once the page has changed."""

import contextlib
import datetime
import io
import logging
import socket

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harris_tracker.wsgi import RepeatViews
from recommendations.models import Recommendation
from recommendations.services import record_update
from tests.site_data import make_site

pytestmark = pytest.mark.django_db(transaction=True)


class CountingDjango:
    """Django's own handler, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


DRILL = b"A drill was held at Westfield."


def record_drill():
    """A change to recommendation 62's public page."""
    record_update(
        recommendation=Recommendation.objects.get(number=62),
        date=datetime.date(2026, 11, 1),
        text=DRILL.decode(),
        status="ongoing",
    )


@pytest.fixture
def site(production):
    cache.clear()
    make_site()
    django = CountingDjango()
    return django, RepeatViews(django)


def get(app, path, host="testserver", method="GET", connection=None, body=b"", **headers):
    """One request through `app` as gunicorn makes it: (status, headers, body).

    `connection`: the server's end of the client's connection (gunicorn's `gunicorn.socket`).
    """
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    if connection is not None:
        environ["gunicorn.socket"] = connection
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    body = b"".join(app(environ, start_response))
    headers = {k: v for k, v in answer["headers"].items() if k != "Date"}
    return answer["status"], headers, body


def test_a_repeat_view_is_the_kept_page_and_never_reaches_django(site):
    django, app = site
    first = get(app, "/recommendations/62/")
    assert django.calls == 1
    again = get(app, "/recommendations/62/")
    # The third is served from what the entry point remembers of the second.
    third = get(app, "/recommendations/62/")
    assert django.calls == 1
    assert again == first
    assert third == first
    assert first[0] == "200 OK"
    assert "Content-Security-Policy" in again[1]
    assert "Strict-Transport-Security" in again[1]


@pytest.mark.parametrize("views_before", [1, 3])
def test_the_next_request_after_a_change_shows_it(site, views_before):
    django, app = site
    for _ in range(views_before):
        get(app, "/recommendations/62/")
    record_drill()
    status, _, body = get(app, "/recommendations/62/")
    assert django.calls == 2
    assert status == "200 OK"
    assert DRILL in body


def test_a_browser_that_has_the_page_is_told_so_without_django(site):
    django, app = site
    _, headers, _ = get(app, "/")
    status, answer, body = get(app, "/", if_none_match=headers["ETag"])
    assert (status, body) == ("304 Not Modified", b"")
    assert answer["Content-Security-Policy"] == headers["Content-Security-Policy"]
    assert django.calls == 1


def test_a_host_not_allowed_is_refused_by_django_not_served_a_kept_page(site):
    django, app = site
    get(app, "/")
    get(app, "/")
    status, _, _ = get(app, "/", host="evil.example")
    assert status.startswith("400")
    assert django.calls == 2


def test_a_host_no_longer_allowed_is_refused(site, settings):
    django, app = site
    get(app, "/")
    get(app, "/")
    settings.ALLOWED_HOSTS = ["tracker.example"]
    status, _, _ = get(app, "/")
    assert status.startswith("400")
    assert django.calls == 2


def test_a_plain_http_request_is_redirected_not_served(site):
    _, app = site
    get(app, "/")
    get(app, "/")
    status, headers, _ = get(app, "/", x_forwarded_proto="http")
    assert status.startswith("301")
    assert headers["Location"].startswith("https://")


def test_a_page_rendered_afresh_reads_the_stamp_once(site):
    _, app = site
    with CaptureQueriesContext(connection) as queries:
        status, _, _ = get(app, "/recommendations/62/")
    stamp_reads = [q for q in queries.captured_queries if "public_sitechange" in q["sql"]]
    assert status == "200 OK"
    assert len(stamp_reads) == 1


def test_pages_beyond_the_workers_limit_are_still_served_right(site, settings):
    django, app = site
    settings.PUBLIC_PAGE_CACHE_ENTRIES = 1
    app = RepeatViews(django)
    pages = {path: get(app, path) for path in ("/", "/recommendations/62/")}
    for _ in range(2):
        for path, page in pages.items():
            assert get(app, path) == page
    assert django.calls == 2
    assert len(app.served) == 1


def test_a_repeat_view_is_logged(site, caplog):
    _, app = site
    for _ in range(3):
        get(app, "/recommendations/62/")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="harris_tracker.requests"):
        get(app, "/recommendations/62/")
    (record,) = [r for r in caplog.records if r.name == "harris_tracker.requests"]
    assert (record.method, record.path, record.status) == ("GET", "/recommendations/62/", 200)


class Connection:
    """A client's keep-alive connection to the server: the client sends, gunicorn reads."""

    def __init__(self):
        self.client, self.server = socket.socketpair()

    def send(self):
        """The client sends its next request: it waits on the server until read."""
        self.client.sendall(b"GET / HTTP/1.1\r\nHost: testserver\r\n\r\n")

    def request(self, app, path, **kwargs):
        """gunicorn reads the waiting request and hands it to `app`."""
        self.server.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            self.server.recv(65536)
        return get(app, path, connection=self.server, **kwargs)

    def close(self):
        self.client.close()
        self.server.close()


@pytest.fixture
def connections(site):
    opened = [Connection() for _ in range(3)]
    _, app = site
    for client in opened:  # the server knows them, and has the page to serve again
        client.send()
        client.request(app, "/recommendations/62/")
    yield opened
    for client in opened:
        client.close()


def stamp_reads(queries):
    return [q for q in queries.captured_queries if "public_sitechange" in q["sql"]]


def test_one_read_of_the_stamp_serves_the_requests_already_waiting(site, connections):
    django, app = site
    for client in connections:
        client.send()
    with CaptureQueriesContext(connection) as queries:
        pages = [c.request(app, "/recommendations/62/") for c in connections]
    assert len(stamp_reads(queries)) == 1
    assert {page[0] for page in pages} == {"200 OK"}
    assert pages[1] == pages[0] and pages[2] == pages[0]
    assert django.calls == 1


def test_a_request_sent_after_the_read_reads_again_and_sees_a_change(site, connections):
    _, app = site
    first, second, _ = connections
    first.send()
    first.request(app, "/recommendations/62/")  # nothing waiting on `second` then
    record_drill()
    second.send()
    status, _, body = second.request(app, "/recommendations/62/")
    assert status == "200 OK"
    assert DRILL in body


def test_a_stamp_read_for_a_waiting_request_is_not_kept_for_the_one_after(site, connections):
    """Whatever the waiting request was (here a form sent to the admin), it takes the read
    for itself: the connection's next request, sent after the change, reads again."""
    _, app = site
    first, second, _ = connections
    second.send()
    first.send()
    first.request(app, "/recommendations/62/")  # marks `second`, which was waiting
    second.request(app, "/admin/login/", method="POST")
    record_drill()
    second.send()
    _, _, body = second.request(app, "/recommendations/62/")
    assert DRILL in body


def test_bytes_left_of_a_request_with_a_body_are_not_taken_for_a_waiting_request(
    site, connections
):
    """A request's body the application has not read yet could make its connection look
    like it has a request waiting: such a connection reads the stamp again."""
    _, app = site
    first, second, _ = connections
    second.send()
    second.request(app, "/recommendations/62/", body=b"x=1&y")
    second.client.sendall(b"x=1&y")  # the body, still unread when `first` reads the stamp
    first.send()
    first.request(app, "/recommendations/62/")
    record_drill()
    second.send()
    _, _, body = second.request(app, "/recommendations/62/")
    assert DRILL in body
