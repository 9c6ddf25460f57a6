"""Browser tests: Debian's Chromium through pytest-playwright, against Django's live server.

Where /usr/bin/chromium is missing they skip, saying why; with REQUIRE_BROWSER=1 (as CI
sets) they fail instead, so CI always runs them.
"""

import os
from pathlib import Path

import pytest

from tests.site_data import make_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """pytest-playwright runs an event loop in the main thread from its first use to the end
    of the session; Django's ORM refuses to run in a thread with an event loop unless told it
    is safe, as it is for these synchronous tests and every test after them."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def site(live_server, settings):
    settings.DEBUG = False
    return make_site()
