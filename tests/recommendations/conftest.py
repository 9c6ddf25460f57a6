import importlib

import pytest
from django.contrib import admin
from django.urls import clear_url_caches

from boards.models import Meeting


@pytest.fixture
def meeting_admin():
    """The boards' Meeting admin, registered plainly here if the boards app has not yet.

    Role tests need a secretariat-only admin URL; the boards admin is built elsewhere.
    """
    import harris_tracker.urls

    registered_here = not admin.site.is_registered(Meeting)
    if registered_here:
        admin.site.register(Meeting)
        clear_url_caches()
        importlib.reload(harris_tracker.urls)
    yield
    if registered_here:
        admin.site.unregister(Meeting)
        clear_url_caches()
        importlib.reload(harris_tracker.urls)


def management_form(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
