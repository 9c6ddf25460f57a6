"""An officer records an update from the staff home, sees plainly that a draft changed
nothing public, and publishes it with one click."""

import pytest
from playwright.sync_api import expect

from recommendations.models import Recommendation, Status
from tests.browser.roles import make_roles, sign_in
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "right password here"


def test_an_officer_records_and_publishes_an_update(page, live_server, site):
    make_roles()
    StaffUserFactory(username="officer", password=PASSWORD, role="MOPAC officer")
    sign_in(page, live_server, "officer", PASSWORD)

    # From the staff home to recommendation 13's page.
    page.get_by_role("link", name="Recommendations", exact=True).first.click()
    page.get_by_role("link", name="13", exact=True).click()
    page.wait_for_url("**/change/")
    # The Review's own words are shown, not offered for editing.
    assert page.locator("input[name=number], textarea[name=text]").count() == 0

    last = int(page.input_value("#id_updates-TOTAL_FORMS")) - 1
    published = page.locator(f"#id_updates-{last}-published")
    assert published.is_checked()  # published unless the officer says otherwise
    page.fill(f"#id_updates-{last}-date", "2018-06-01")
    page.select_option(f"#id_updates-{last}-status", "resolved")
    page.fill(f"#id_updates-{last}-text", "The Mayor's review is complete.")
    published.uncheck()
    page.click("input[name=_continue]")

    draft = "Saved as a draft: the public status of Recommendation 13 is still Ongoing."
    expect(page.get_by_text(draft)).to_be_visible()
    assert Recommendation.objects.get(number=13).status == Status.ONGOING

    page.get_by_role("button", name="Publish the update of 1 Jun 2018").click()
    expect(page.get_by_text("Recommendation 13 is now Resolved in public")).to_be_visible()
    assert Recommendation.objects.get(number=13).status == Status.RESOLVED
