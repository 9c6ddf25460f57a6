"""Two web instances on one PostgreSQL database and one Redis show the same, current pages.

Each instance is a real gunicorn with production settings and `REDIS_URL`, as compose.yaml
runs them. An update published through one instance's admin shows on the other's page at
the very next request, although that page was in the shared cache a moment before.

Needs PostgreSQL on 127.0.0.1:5432 (or INSTANCES_POSTGRES_URL) and Redis on 127.0.0.1:6379
(or INSTANCES_REDIS_URL): where either is missing the test skips and says which; with
REQUIRE_SERVICES=1 (as in CI) it fails instead.
"""

from __future__ import annotations

import datetime
import http.client
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.helpers import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("INSTANCES_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("INSTANCES_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = secrets.token_urlsafe(16)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or default_port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database with the real data, a Redis key prefix of its own."""
    if not reachable(POSTGRES_URL, 5432):
        unavailable(f"no PostgreSQL at {POSTGRES_URL} for the two-instance test")
    if not reachable(REDIS_URL, 6379):
        unavailable(f"no Redis at {REDIS_URL} for the two-instance test")
    import psycopg

    name = f"test_tracker_instances_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "harris_tracker.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"{POSTGRES_URL}/{name}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": name,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "no",
        "SESSION_COOKIE_SECURE": "no",
        "CSRF_COOKIE_SECURE": "no",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        # Production serves static files from the collected manifest, as the image does.
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    try:
        for command in (
            ["collectstatic", "--no-input", "-v0"],
            ["migrate", "--no-input", "-v0"],
            ["load_initial_data"],
            ["createsuperuser", "--no-input", "--username=editor", "--email=e@example.org"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
            )
        yield env
    finally:
        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Instance:
    """One gunicorn serving the site, and a browser-like client of it (cookies kept)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.cookies: dict[str, str] = {}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "harris_tracker.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.request("GET", "/healthz")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), text

    def post_form(self, path: str, fields: dict[str, str]) -> int:
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **fields})[0]


@pytest.fixture(scope="module")
def instances(environment) -> Iterator[tuple[Instance, Instance]]:
    first = Instance(environment)
    try:
        second = Instance(environment)
    except BaseException:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()


def recommendation_pk(env: dict[str, str], number: int) -> str:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT id FROM recommendations_recommendation WHERE number = %s", [number]
        ).fetchone()
    return str(row[0])


def test_an_update_published_on_one_instance_shows_on_the_other_at_once(environment, instances):
    editor, reader = instances
    status, first, page = reader.request("GET", "/recommendations/32/")
    assert status == 200
    # Kept in Redis now: this answer comes from the shared cache.
    assert reader.request("GET", "/recommendations/32/")[1]["ETag"] == first["ETag"]
    text = f"Published through the first instance {secrets.token_hex(4)}."
    assert text not in page

    login = {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    assert editor.post_form("/admin/login/", login) == 302
    added = editor.post_form(
        "/admin/recommendations/progressupdate/add/",
        {
            "recommendation": recommendation_pk(environment, 32),
            "date": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
            "status": "ongoing",
            "text": text,
            "source": "Two-instance test",
            "published": "on",
            "version": "",
        },
    )
    assert added == 302

    status, after, page = reader.request("GET", "/recommendations/32/")
    assert status == 200
    assert text in page
    assert after["ETag"] != first["ETag"]


def test_under_load_every_request_sent_after_an_update_shows_it(environment, instances):
    """Requests waiting on the reader's worker share its stamp reads (harris_tracker/wsgi.py).
    Two connections keep the worker busy with another page, reading the stamp all the time;
    four pause between requests, so that at most of those reads they have nothing waiting.
    Every request those four send once the update is published shows it."""
    editor, reader = instances
    path = "/recommendations/13/"
    text = f"Published under load {secrets.token_hex(4)}."
    published_at = []  # when the editor sent the update, and when it was answered
    seen: list[list[tuple[float, bool]]] = [[] for _ in range(4)]
    stop = threading.Event()
    failures: list[str] = []

    def load(page: str, answers: list[tuple[float, bool]] | None) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", reader.port, timeout=30)
        try:
            while not stop.is_set():
                if answers is not None:
                    time.sleep(random.uniform(0, 0.1))
                sent = time.monotonic()
                connection.request("GET", page, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                body = response.read().decode()
                if response.status != 200:
                    failures.append(f"{page}: {response.status}")
                if answers is not None:
                    answers.append((sent, text in body))
        except Exception as error:  # a load that stopped would leave nothing to check
            failures.append(f"{page}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=load, args=("/recommendations/", None)) for _ in "ab"]
    threads += [threading.Thread(target=load, args=(path, answers)) for answers in seen]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        editor.cookies.clear()
        login = {"username": "editor", "password": PASSWORD, "next": "/admin/"}
        assert editor.post_form("/admin/login/", login) == 302
        published_at.append(time.monotonic())
        added = editor.post_form(
            "/admin/recommendations/progressupdate/add/",
            {
                "recommendation": recommendation_pk(environment, 13),
                "date": datetime.date.today().isoformat(),
                "status": "ongoing",
                "text": text,
                "source": "Load test",
                "published": "on",
                "version": "",
            },
        )
        assert added == 302
        published_at.append(time.monotonic())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            sum(sent > published_at[1] for sent, _ in answers) < 10 for answers in seen
        ):
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not failures
    before = [shown for answers in seen for sent, shown in answers if sent < published_at[0]]
    after = [shown for answers in seen for sent, shown in answers if sent > published_at[1]]
    assert len(before) > 20 and not any(before)
    assert len(after) >= 4 * 10
    assert all(after), f"{after.count(False)} of {len(after)} requests after the update missed it"
