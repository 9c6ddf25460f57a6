"""Every URL of the public contract answers, with data from the factories."""

import pytest

from public.publications import build_reports
from tests.site_data import make_site

PUBLIC_URLS = [
    "/",
    "/?as_at=2017-06-30",
    "/recommendations/",
    "/recommendations/?status=resolved&owner=mps&section=other&board=london-contest-board&q=MPS",
    "/recommendations/32/",
    "/recommendations/32/feed/",
    "/recommendations.csv",
    "/recommendations.json",
    "/organisations/mps/",
    "/organisations/mps/feed/",
    "/boards/",
    "/boards/london-contest-board/",
    "/boards/london-contest-board/2017-01-18/",
    "/boards/london-contest-board/2017-04-21/",
    "/updates/feed/",
    "/report/2017/",
    "/report/2017.pdf",
    "/boards/london-contest-board/meetings.ics",
    "/datapackage.json",
    "/data/",
    "/healthz",
    "/accessibility/",
    "/contact/",
    "/feeds/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_url_answers_200(client, url, settings, tmp_path):
    make_site()
    if url.endswith(".pdf"):  # the task worker builds the PDFs
        settings.MEDIA_ROOT = tmp_path
        build_reports.call()
    response = client.get(url)
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        for syntax in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert syntax not in page, f"template syntax {syntax} shows on {url}"
