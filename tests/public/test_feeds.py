"""The Atom feeds of published progress updates."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest

from recommendations.models import ProgressUpdate
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


FEEDS = ["/updates/feed/", "/recommendations/32/feed/", "/organisations/mps/feed/"]


def summaries(response) -> list[str]:
    feed = ET.fromstring(response.content)  # fails unless the feed is well-formed XML
    return [entry.find(f"{ATOM}summary").text for entry in feed.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("feed", FEEDS)
def test_a_stored_control_character_does_not_break_a_feed(client, site, feed):
    # A direct write, as an older import could have left it: no cleaning on the way in.
    ProgressUpdate.objects.filter(recommendation__number=32, status="resolved").update(
        text="Resolved\x0b after\x1f the exercise\x08."
    )
    response = client.get(feed)
    assert response.status_code == 200
    assert "<p>Resolved after the exercise.</p>" in summaries(response)


@pytest.mark.parametrize("feed", FEEDS)
def test_markup_in_an_update_reaches_feed_readers_as_text(client, site, feed):
    ProgressUpdate.objects.filter(recommendation__number=32, status="resolved").update(
        text="<b>x</b> & <script>alert(1)</script>\n\nSecond paragraph."
    )
    texts = summaries(client.get(feed))
    assert (
        "<p>&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n\n"
        "<p>Second paragraph.</p>"
    ) in texts
    assert not any("<b>" in text or "<script>" in text for text in texts)


GOV_UK = "https://www.gov.uk/government/news/new-crowded-places-guidance-launched"


@pytest.mark.parametrize("feed", FEEDS)
def test_an_address_in_angle_brackets_reaches_feed_readers_as_a_link(client, site, feed):
    # Recommendation 84's update in the 2017 report quotes its source this way.
    ProgressUpdate.objects.filter(recommendation__number=32, status="resolved").update(
        text=f"The guidance is on the NaCTSO website at <{GOV_UK}>.\n\nIt was revised."
    )
    summary = next(s for s in summaries(client.get(feed)) if "NaCTSO" in s)
    assert summary == (
        f'<p>The guidance is on the NaCTSO website at &lt;<a href="{GOV_UK}">{GOV_UK}</a>'
        "&gt;.</p>\n\n<p>It was revised.</p>"
    )


def ids(response) -> list[str]:
    feed = ET.fromstring(response.content)
    return [feed.find(f"{ATOM}id").text] + [
        entry.find(f"{ATOM}id").text for entry in feed.iter(f"{ATOM}entry")
    ]


@pytest.mark.parametrize("feed", FEEDS)
def test_ids_are_tag_uris_that_do_not_change_with_the_host_name(client, site, settings, feed):
    settings.SITE_URL = "https://tracker.example.gov.uk"
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    first = ids(client.get(feed))
    assert ids(client.get(feed, HTTP_HOST="other.example")) == first
    assert all(id_.startswith("tag:tracker.example.gov.uk,2016:") for id_ in first)
    assert len(set(first)) == len(first)


def test_updates_written_in_one_batch_have_distinct_updated_times(client, site):
    # The fixture's 2017 updates all carry the same whole second.
    ProgressUpdate.objects.update(modified_at=datetime.datetime(2017, 10, 31, tzinfo=datetime.UTC))
    feed = ET.fromstring(client.get("/updates/feed/").content)
    updated = [entry.find(f"{ATOM}updated").text for entry in feed.iter(f"{ATOM}entry")]
    assert len(updated) == 4
    assert len(set(updated)) == len(updated)
    assert all(value.startswith("2017-10-31T00:00:00.") for value in updated)


def test_a_feed_reader_shows_recommendation_84s_whole_address(client, real_data):
    # feedparser is what many feed readers use; it drops anything it takes for a tag.
    parsed = feedparser.parse(client.get("/recommendations/84/feed/").content)

    (entry,) = [e for e in parsed.entries if "NaCTSO" in e.summary]
    assert f'<a href="{GOV_UK}">{GOV_UK}</a>' in entry.summary
    assert not parsed.bozo, parsed.get("bozo_exception")


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("See www.gov.uk for more.", '<a href="http://www.gov.uk">www.gov.uk</a>'),
        ("Guidance: example.org/guidance.", '<a href="http://example.org/guidance">'),
        ("Write to team@example.co.uk.", '<a href="mailto:team@example.co.uk">'),
        ("SEE HTTPS://EXAMPLE.GOV.UK/X", '<a href="https://EXAMPLE.GOV.UK/X">'),
    ],
)
def test_addresses_without_brackets_become_links_too(client, site, text, link):
    ProgressUpdate.objects.filter(recommendation__number=32, status="resolved").update(text=text)
    assert any(link in summary for summary in summaries(client.get("/updates/feed/")))


@pytest.mark.django_db
def test_every_page_links_a_plain_words_page_that_says_what_a_feed_is(client):
    assert 'href="/feeds/"' in client.get("/").content.decode()
    page = client.get("/feeds/").content.decode()
    assert "Follow updates with a feed" in page
    assert 'href="/updates/feed/"' in page
    assert "shows as code (XML)" in page
