from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (the browser tests) end by emptying every table, the roles' groups
    that a data migration made included. pytest-django runs them last, but pytest then pulls
    every test that shares the session's browser next to the first one (a feed test that
    only renders HTML): put the transactional ones back at the end, in their order."""
    items.sort(key=_is_transactional)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Cheap hashing, no manifest for static files, a cache of the test's own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Absolute links come from SITE_URL: the test client's host.
    settings.SITE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
        for name in ("default", "pages")
    }
    # Login lockout is tested on its own (tests/harris_tracker/test_hardening.py); elsewhere
    # it would only get in the way of client.login().
    settings.AXES_ENABLED = False
    # Background tasks are only recorded: nothing runs behind the test's back. A test runs
    # them with `run_tasks` (or, to prove the real queue, the database backend and db_worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # Locmem caches outlive a settings change: a page cached by one test must not serve another.
    from django.core.cache import caches

    for name in settings.CACHES:
        caches[name].clear()
    # A transactional test flushes the tables and the content types come back with new ids;
    # the ids Django keeps in memory would then break the admin log's foreign key.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def run_queued_tasks(*, due_only: bool = True) -> list:
    """Run the tasks queued so far (and those they queue), oldest first, as db_worker would;
    with `due_only`, leave those deferred to later (an email's retry). Returns their results."""
    from django.utils import timezone
    from django_tasks import default_task_backend

    results = []
    while True:
        due = [
            queued
            for queued in default_task_backend.results
            if not (due_only and queued.task.run_after and queued.task.run_after > timezone.now())
        ]
        if not due:
            return results
        default_task_backend.results.remove(due[0])
        results.append(due[0].task.call(*due[0].args, **due[0].kwargs))


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks) -> Callable:
    """`with run_tasks(): ...` commits what the block did (its on-commit callbacks run, as
    they would after a real commit), then runs every task queued, as the worker would."""

    @contextmanager
    def committed_then_run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        # A task's own writes commit too (its on-commit callbacks may queue more tasks).
        ran = True
        while ran:
            with django_capture_on_commit_callbacks(execute=True):
                ran = run_queued_tasks()

    return committed_then_run


@pytest.fixture
def production(settings):
    """Production's HTTPS settings behind a TLS proxy, and the public page cache on."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def real_data(db):
    """The project's real data, as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_initial_data", verbosity=0)


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
