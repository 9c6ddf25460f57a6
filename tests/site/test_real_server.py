"""The site under gunicorn with production settings, as the image runs it: odd paths, a
database that does not answer and a Redis that never answers all get a proper page, fast."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import free_port

GUNICORN = Path(sys.executable).with_name("gunicorn")
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args, "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """The site served on `env`'s port; yields its address and (once stopped) its output."""
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "harris_tracker.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    address = f"http://127.0.0.1:{env['PORT']}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while server.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", int(env["PORT"])), timeout=1).close()
                break
            time.sleep(0.1)
        yield address, output
    finally:
        server.terminate()
        output.append(server.communicate(timeout=30)[0])


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url, method=method, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("site")
    env = environment(tmp_path)
    manage(env, "migrate")
    manage(env, "load_initial_data")
    manage(env, "collectstatic", "--no-input")
    with gunicorn(env) as (address, output):
        yield address
    assert "Traceback" not in output[0], output[0]
    assert "sent body bytes" not in output[0], "a HEAD answer carried a body"


@pytest.mark.parametrize(
    "path", ["/recommendations/%CE%A9/", "/admin/%CE%A9/", "/owners/%E2%91%A0/", "/%F0%9F%98%80"]
)
def test_a_path_outside_latin_1_is_the_sites_404_page(site, path):
    status, headers, body = get(site + path)
    # The admin sends a visitor who is not signed in to its sign-in page first.
    expected = (200, b"Log in") if path.startswith("/admin/") else (404, b"Page not found")
    assert status == expected[0]
    assert expected[1] in body
    for header in SECURITY_HEADERS:
        assert header in headers, header


def test_a_head_request_for_a_kept_page_has_the_pages_headers_and_no_body(site):
    get(site + "/recommendations/32/")  # now kept
    status, headers, body = get(site + "/recommendations/32/", method="HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["Content-Length"]) > 1000


def test_the_page_cache_is_not_keyed_by_host_port_or_unknown_parameters(site):
    """Only pages without a query are kept, once each whatever the Host's port: a visitor
    cannot grow the cache by varying either (each answer is still right)."""
    for port in range(1, 6):
        request = urllib.request.Request(
            site + "/report/2017/",
            headers={"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    status, _, body = get(site + "/report/2017/?flood=1")
    assert status == 200 and b"Recommendation 32" in body


def test_while_the_database_does_not_answer_pages_are_a_plain_503(tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        missing = "postgres://postgres@127.0.0.1:5432/no_such_database_" + secrets.token_hex(4)
    else:
        missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'site.sqlite3'}"
    env = environment(tmp_path, DATABASE_URL=missing)
    manage(env, "collectstatic", "--no-input")
    with gunicorn(env) as (address, _):
        for path in ("/", "/recommendations/32/", "/boards/", "/recommendations.csv"):
            started = time.monotonic()
            status, headers, body = get(address + path)
            assert status == 503, path
            assert headers["Retry-After"] == "30"
            assert b"the service is unavailable" in body
            assert b"Traceback" not in body and b"OperationalError" not in body
            for header in SECURITY_HEADERS:
                assert header in headers, (path, header)
            assert time.monotonic() - started < 10, "answered at once, not after a hang"
        assert get(address + "/healthz")[0] == 503


class SilentRedis:
    """A TCP listener that accepts connections and never answers: a hung Redis."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.listener.accept()[0])

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def test_a_redis_that_never_answers_is_asked_once_then_left_alone(tmp_path):
    env = environment(tmp_path)
    manage(env, "migrate")
    manage(env, "load_initial_data")
    manage(env, "collectstatic", "--no-input")
    redis = SilentRedis()
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
    try:
        with gunicorn(env) as (address, _):
            for _ in range(20):
                for path in ("/", "/recommendations/32/", "/recommendations/?status=ongoing"):
                    assert get(address + path)[0] == 200, path
            # Each of the 2 workers tried its two caches once, then used its own memory.
            assert len(redis.accepted) <= 4
    finally:
        redis.close()
