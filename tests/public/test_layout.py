"""The public site is one app: every public page, feed and download is served by `public`."""

import pytest
from django.urls import resolve, reverse

from tests.site.test_urls import PUBLIC_URLS

SITE_URLS = [url.split("?")[0] for url in PUBLIC_URLS if url != "/healthz"]


@pytest.mark.parametrize("url", sorted(set(SITE_URLS)))
def test_every_public_url_is_served_by_the_public_app(url):
    view = resolve(url).func
    module = getattr(view, "view_class", view).__module__
    assert module.startswith("public."), f"{url} is served by {module}"


@pytest.mark.parametrize(
    ("name", "kwargs", "url"),
    [
        ("recommendations:home", {}, "/"),
        ("recommendations:detail", {"number": 32}, "/recommendations/32/"),
        ("recommendations:download-csv", {}, "/recommendations.csv"),
        ("recommendations:feed", {}, "/updates/feed/"),
        ("boards:index", {}, "/boards/"),
        ("boards:meeting", {"slug": "lcb", "date": "2017-01-18"}, "/boards/lcb/2017-01-18/"),
        ("public:contact", {}, "/contact/"),
    ],
)
def test_url_names_and_namespaces_are_unchanged(name, kwargs, url):
    assert reverse(name, kwargs=kwargs) == url
