"""The Atom feeds of published progress updates."""

import xml.etree.ElementTree as ET

import pytest

from tests.site_data import SECRET, make_site

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[tuple[str, str]]:
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        (entry.find(f"{ATOM}title").text, entry.find(f"{ATOM}link").get("href"))
        for entry in feed.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def site():
    return make_site()


def test_updates_feed_lists_published_updates_newest_first(client, site):
    response = client.get("/updates/feed/")
    titles = [title for title, _ in entries(response)]
    assert titles[-1] == "Recommendation 32: Ongoing"
    assert len(titles) == 4
    assert SECRET not in response.content.decode()
    _, link = entries(response)[0]
    assert link.startswith("http://testserver/recommendations/")
    assert "#update-" in link


def test_a_recommendations_feed_has_its_updates_only(client, site):
    titles = [title for title, _ in entries(client.get("/recommendations/32/feed/"))]
    assert titles == ["Recommendation 32: Resolved", "Recommendation 32: Ongoing"]
    assert client.get("/recommendations/999/feed/").status_code == 404


def test_an_organisations_feed_has_the_updates_on_what_it_owns(client, site):
    titles = {title for title, _ in entries(client.get("/organisations/mps/feed/"))}
    assert titles == {
        "Recommendation 32: Resolved",
        "Recommendation 32: Ongoing",
        "Recommendation 62: Resolved by other means",
    }


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/", "/updates/feed/"),
        ("/recommendations/32/", "/recommendations/32/feed/"),
        ("/organisations/mps/", "/organisations/mps/feed/"),
    ],
)
def test_pages_announce_their_feeds(client, site, page, feed):
    html = client.get(page).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
