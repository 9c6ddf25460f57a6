"""Confidential material never reaches the public site, its feeds, downloads or error pages."""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader

from public.publications import build_reports
from tests.site_data import make_site

CANARY = "CANARY-7f3c-never-public"
MAX_PAGES = 400


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in ("a", "link") and href:
            self.links.append(href)


def same_site_links(current: str, body: str) -> list[str]:
    parser = LinkParser()
    parser.feed(body)
    links = []
    for href in parser.links:
        url = urlsplit(urljoin(f"http://testserver{current}", href))
        if (
            url.scheme == "http"
            and url.netloc == "testserver"
            and not url.path.startswith(("/admin/", "/static/"))
        ):
            links.append(url.path + (f"?{url.query}" if url.query else ""))
    return links


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode()


@pytest.mark.django_db
def test_the_canary_never_appears_anywhere_public(client, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path
    client.raise_request_exception = False
    site = make_site(secret=CANARY)
    build_reports.call()  # as the task worker does after a change: the PDF is read too
    start = [
        "/",
        "/updates/feed/",
        "/recommendations.csv",
        "/recommendations.json",
        "/recommendations.json?q=CANARY",
        "/recommendations/?q=CANARY",
        "/recommendations/?status=nonsense",
        "/recommendations/999/",
        "/report/2018/",
    ]
    queue, seen = list(start), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        body = body_of(client.get(url))
        assert CANARY not in body, f"confidential text on {url}"
        if not url.endswith((".csv", ".json", ".pdf", ".ics")) and "/feed/" not in url:
            queue.extend(link for link in same_site_links(url, body) if link not in seen)
    assert len(seen) < MAX_PAGES, "the crawl should cover the whole small site"
    # The pages that hold the confidential records were reached, so the test can fail.
    for page in [
        "/recommendations/13/",
        "/recommendations/32/",
        "/recommendations/32/feed/",
        site.january.get_absolute_url(),
        site.april.get_absolute_url(),
        site.october.get_absolute_url(),
        "/boards/london-contest-board/",
        "/boards/london-contest-board/meetings.ics",
        "/report/2017.pdf",
    ]:
        assert page in seen, f"the crawl never reached {page}"


@pytest.mark.django_db
def test_the_canary_check_would_catch_a_leak(client):
    """The crawl's assertion is live: the same canary on a public field is found."""
    site = make_site(secret=CANARY)
    site.r32.text = f"Public: {CANARY}"
    site.r32.save()
    assert CANARY in client.get("/recommendations/32/").content.decode()


@pytest.mark.django_db
def test_an_owners_contact_details_are_in_the_crawl(client):
    """The owners' contact details carry the canary, so the crawl above checks them too."""
    site = make_site(secret=CANARY)
    assert CANARY in site.mps.contact_name
    page = client.get(site.mps.get_absolute_url()).content.decode()
    assert "Metropolitan Police Service" in page
    assert "chase.mps@police.example" not in page
