"""The admin export page's "Select all" works under the admin's strict script policy."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_on_the_export_page_works_without_inline_script(page, live_server, site):
    UserFactory(username="admin", password="right password here", is_superuser=True)
    refused = []

    def note_refusal(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note_refusal)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/recommendations/recommendation/export/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "right password here")
    page.click("input[type=submit]")
    page.wait_for_url("**/export/")
    fields = page.locator('.selectable-field-export-row:visible input[type="checkbox"]')
    assert fields.count() > 1
    page.uncheck("input.select-toggle")
    assert all(not box.is_checked() for box in fields.all())
    page.check("input.select-toggle")
    assert all(box.is_checked() for box in fields.all())
    assert refused == []
