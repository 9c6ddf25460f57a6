"""Every kind of public page: zero axe-core violations (WCAG 2.2 AA), sense without CSS."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PAGES = [
    "/",
    "/?as_at=2017-06-30",
    "/?as_at=not-a-date",
    "/recommendations/",
    "/recommendations/?status=resolved&owner=mps",
    "/recommendations/?status=nonsense",
    "/recommendations/32/",
    "/organisations/mps/",
    "/boards/",
    "/boards/london-contest-board/",
    "/boards/london-contest-board/2017-01-18/",
    "/boards/london-contest-board/2017-04-21/",
    "/report/2017/",
    "/data/",
    "/report/2015/",
    "/accessibility/",
    "/contact/",
    "/feeds/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(page, live_server, site, path):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert page.locator("h1").count() == 1
    assert page.title().endswith("– Harris Review Tracker")
    assert refused == [], "the page needs something the Content Security Policy refuses"


@pytest.mark.parametrize("width", [320, 1280])
def test_nothing_overflows_sideways_at_320px_or_400_percent_zoom(page, live_server, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    for path in ["/", "/recommendations/", "/recommendations/32/", "/report/2017/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"


def test_page_reads_in_order_without_css(page, live_server, site):
    page.goto(live_server.url + "/recommendations/32/")
    page.evaluate("for (const sheet of document.styleSheets) sheet.disabled = true")
    text = page.locator("body").inner_text()
    order = [
        text.index("Skip to main content"),
        text.index("Recommendation 32"),
        text.index("The MPS should exercise with partners."),
        text.index("Progress updates"),
        text.index("Accessibility statement"),
    ]
    assert order == sorted(order)
    assert page.locator("a.skip-link").is_visible()
    assert page.evaluate("document.styleSheets[0].disabled")
