"""Settings come from the environment and refuse nonsense with one clear line."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harris_tracker.env import database_from_url, env_bool, redact_url

#: Variables of the test run that a deployment would not have (the browser tests set the last).
NOT_PASSED_ON = ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("yes", True), ("No", False), ("1", True), ("off", False)]
)
def test_env_bool_reads_yes_and_no(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a yes/no value"):
        env_bool("FLAG", default=False)


def test_database_url_for_postgres_and_sqlite():
    assert database_from_url("postgres://postgres@127.0.0.1:5432/tracker")["NAME"] == "tracker"
    assert database_from_url("sqlite:////tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/x", "nonsense", "postgres://postgres@127.0.0.1:5432/"]
)
def test_unusable_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url)


def test_passwords_are_hidden_in_messages():
    assert (
        redact_url("postgres://app:s3cret@db:5432/tracker") == "postgres://app:***@db:5432/tracker"
    )


def test_a_bad_database_url_is_one_clear_line():
    result = manage("check", DATABASE_URL="mysql://root:hunter2@localhost/x")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "only PostgreSQL and SQLite are supported" in result.stderr
    assert "hunter2" not in result.stderr


def test_an_unreachable_database_is_one_clear_line():
    result = manage(
        "migrate", "--check", DATABASE_URL="postgres://postgres:pw@127.0.0.1:1/tracker"
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Cannot use the database at postgres://postgres:***@127.0.0.1:1/tracker"
    )
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_production_refuses_a_missing_secret_key():
    result = manage("check", DJANGO_ENV="production", SECRET_KEY="")
    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="x" * 30 + "-a-long-random-production-secret-key",
        ALLOWED_HOSTS="tracker.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
