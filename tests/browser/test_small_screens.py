"""At 375 px (a small phone) the status tables stack, every status shows without sideways
scrolling, and the list's filters fold behind a "Filter" disclosure that needs no script."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import WCAG_TAGS

pytestmark = pytest.mark.browser

WIDTH = 375
STATUS_PAGES = ["/", "/organisations/mps/", "/recommendations/"]

#: Where a status is shown: the tags, and the figures of the tables of statuses.
STATUSES = ".tag, .table--stack td"
OUT_OF_SIGHT = """(selector) => [...document.querySelectorAll(selector)].filter((element) => {
    const box = element.getBoundingClientRect();
    const clipper = element.closest('.table-wrapper');
    const scrolls = clipper && clipper.scrollWidth > clipper.clientWidth;
    return box.width === 0 || box.left < 0 || box.right > window.innerWidth || scrolls;
}).map((element) => element.textContent.trim())"""


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    return page


@pytest.mark.parametrize("path", STATUS_PAGES)
def test_every_status_shows_without_sideways_scrolling(phone, live_server, site, path):
    phone.goto(live_server.url + path)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
    assert phone.locator(STATUSES).count() > 0
    assert phone.evaluate(OUT_OF_SIGHT, STATUSES) == []
    results = Axe().run(phone, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_the_filters_fold_behind_a_disclosure_that_works_without_javascript(
    browser, live_server, site
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": WIDTH, "height": 800}
    )
    page = context.new_page()
    page.goto(live_server.url + "/recommendations/")
    status = page.get_by_label("Status")
    assert not status.is_visible()
    page.get_by_text("Filter", exact=True).click()
    status.select_option("resolved")
    page.get_by_role("button", name="Apply").click()
    assert "status=resolved" in page.url
    # Filters applied, or a bad value: the form is shown open.
    assert page.get_by_label("Status").is_visible()
    page.goto(live_server.url + "/recommendations/?status=nonsense")
    assert page.get_by_label("Status").is_visible()
    context.close()
