"""The admin's Content Security Policy allows inline styles, never inline script."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.factories import RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/",
    "/admin/recommendations/recommendation/",
    "/admin/recommendations/recommendation/add/",
    "/admin/recommendations/recommendation/export/",
    "/admin/recommendations/progressupdate/import/",
    "/admin/boards/meeting/",
    "/admin/auth/user/",
]
#: An inline event handler attribute in a tag: onchange="…", onclick='…'.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
#: A script element with a body and no src (JSON data blocks run nothing and may stay).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>\s*\S")


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_superuser=True))
    RecommendationFactory(number=1)
    return client


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_allow_scripts_from_the_site_only(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    html = response.content.decode()
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)


def test_the_sign_in_page_allows_scripts_from_the_site_only(client):
    assert policy(client.get("/admin/login/"))["script-src"] == "'self'"


def test_the_export_pages_select_all_is_bound_from_a_static_file(admin_client):
    html = admin_client.get("/admin/recommendations/recommendation/export/").content.decode()
    assert 'class="select-toggle"' in html
    assert "harris_tracker/export_select_all.js" in html
    script = Path(finders.find("harris_tracker/export_select_all.js")).read_text()
    assert 'addEventListener("change", onSelectToggleChange)' in script
