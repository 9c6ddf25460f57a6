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
    # Locmem caches outlive a settings change: a page cached by one test must not serve another.
    from django.core.cache import caches

    for name in settings.CACHES:
        caches[name].clear()
    # A transactional test flushes the tables and the content types come back with new ids;
    # the ids Django keeps in memory would then break the admin log's foreign key.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


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
