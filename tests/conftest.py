import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    """Cheap hashing, no manifest for static files, a cache of the test's own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Login lockout is tested on its own (tests/harris_tracker/test_hardening.py); elsewhere
    # it would only get in the way of client.login().
    settings.AXES_ENABLED = False
    # Locmem caches outlive a settings change: a page cached by one test must not serve another.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def real_data(db):
    """The project's real data, as `make run` loads it."""
    from django.core.management import call_command

    call_command("load_initial_data", verbosity=0)


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
