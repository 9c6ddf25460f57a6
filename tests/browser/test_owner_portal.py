"""The owner portal in a browser: issue 12's path from an officer's round to a published update,
and every portal page with zero axe-core violations (WCAG 2.2 AA) under the strict CSP."""

from __future__ import annotations

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from reporting.models import Submission
from reporting.services import approve_submission, invite_contact, open_round
from tests.browser.test_accessibility import WCAG_TAGS
from tests.conftest import run_queued_tasks
from tests.factories import (
    OrganisationFactory,
    OwnerContactFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the portal"
UPDATE = "The major incident plan was revised and signed off in March 2018."
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def portal(live_server, site, settings, tmp_path):
    """The public site of tests/site_data.py plus LAS, which leads recommendation 47."""
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    las = OrganisationFactory(name="London Ambulance Service", acronym="LAS", slug="las")
    r47 = RecommendationFactory(number=47, text="LAS should review its major incident plan.")
    OwnershipFactory(recommendation=r47, organisation=las, is_lead=True)
    ProgressUpdateFactory(
        recommendation=r47, date=datetime.date(2017, 10, 31), status="ongoing", text="Begun."
    )
    officer = UserFactory(username="officer", password=PASSWORD, is_superuser=True)
    return site, las, r47, officer


@pytest.fixture
def checked(page):
    """Run axe on the page now showing, and note anything the CSP refuses."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def check() -> None:
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        assert page.locator("h1").count() == 1
        assert page.title().endswith("– Harris Review Tracker")
        assert refused == [], f"{page.url} needs something the CSP refuses"

    return check


def follow(page, selector: str) -> None:
    """Click a link or button and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        page.click(selector)


def link_in(message, path_pattern: str) -> str:
    return re.search(rf"https?://\S+?{path_pattern}\S*", message.body)[0]


def test_an_owner_reports_and_an_officer_publishes(page, live_server, portal, checked, tmp_path):
    site, las, r47, officer = portal
    invite_contact(
        email="paramedic@las.example", name="Pat Medic", organisations=[las], invited_by=officer
    )
    run_queued_tasks()  # the emails leave through the task worker
    set_password = link_in(mail.outbox[-1], "/owners/password/set/")
    mail.outbox.clear()
    open_round(
        name="2018 annual report",
        due_date=datetime.date.today() + datetime.timedelta(days=14),
        recommendations=[r47, site.r32],
        opened_by=officer,
    )
    run_queued_tasks()
    [email] = [m for m in mail.outbox if "paramedic@las.example" in m.to]
    assert f"{live_server.url}/owners/" in email.body
    assert "47" in email.body

    # The invitation's link: choose a password, then sign in.
    page.goto(set_password)
    checked()
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    follow(page, "text=Set my password")
    page.wait_for_url("**/owners/password/set/done/")
    checked()
    follow(page, "text=Sign in to the owner portal")
    checked()
    page.fill("#id_username", "paramedic@las.example")
    page.fill("#id_password", PASSWORD)
    follow(page, "button:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/owners/")
    checked()
    assert page.locator("a[href='/owners/recommendations/47/']").count() >= 1
    assert page.locator("a[href='/owners/recommendations/32/']").count() == 0

    public_before = page.request.get(f"{live_server.url}/recommendations/47/").text()
    home_before = page.request.get(f"{live_server.url}/").text()

    # The update, proposing closure, with a PDF.
    follow(page, "a[href='/owners/recommendations/47/'] >> nth=0")
    checked()
    page.fill("#id_text", UPDATE)
    page.fill("#id_date", "2018-03-31")
    page.check("label:has-text('Resolved') >> nth=0")
    evidence = tmp_path / "sign-off.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("#id_evidence", str(evidence))
    follow(page, "text=Submit for review")
    page.wait_for_url(f"{live_server.url}/owners/")
    checked()
    notification = page.locator(".notification").inner_text()
    assert "It asks for the recommendation to be closed" in notification

    follow(page, "text=See what you sent")
    checked()
    assert "sign-off.pdf" in page.locator("main").inner_text()

    # Nothing public changes until an officer approves.
    assert page.request.get(f"{live_server.url}/recommendations/47/").text() == public_before
    assert page.request.get(f"{live_server.url}/").text() == home_before
    submission = Submission.objects.get()
    assert submission.proposed_status == "resolved"
    approve_submission(submission=submission, officer=officer)

    page.goto(f"{live_server.url}/recommendations/47/")
    assert UPDATE in page.locator("main").inner_text()
    assert "Resolved" in page.locator(".summary-list").inner_text()
    home_after = page.request.get(f"{live_server.url}/").text()
    assert home_after != home_before
    assert UPDATE[:40] in home_after
    assert UPDATE in page.request.get(f"{live_server.url}/updates/feed/").text()

    # Signing out.
    page.goto(f"{live_server.url}/owners/")
    follow(page, "text=Sign out")
    checked()
    assert "You have signed out" in page.locator("h1").inner_text()


def test_the_other_portal_pages_have_no_axe_violations(page, live_server, portal, checked):
    _, las, r47, officer = portal
    page.goto(f"{live_server.url}/owners/password/reset/")
    checked()
    follow(page, "text=Send the link")  # empty: the error summary
    checked()
    page.fill("#id_email", "nobody@example.com")
    follow(page, "text=Send the link")
    page.wait_for_url("**/owners/password/reset/sent/")
    checked()
    page.goto(f"{live_server.url}/owners/password/set/MQ/not-a-token/")
    checked()
    page.goto(f"{live_server.url}/owners/sign-in/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    follow(page, "button:has-text('Sign in')")
    checked()

    OwnerContactFactory(user__username="paramedic", user__password=PASSWORD, organisations=[las])
    open_round(
        name="2018 annual report",
        due_date=datetime.date.today(),
        recommendations=[r47],
        opened_by=officer,
    )
    page.fill("#id_username", "paramedic")
    page.fill("#id_password", PASSWORD)
    follow(page, "button:has-text('Sign in')")
    page.wait_for_url(f"{live_server.url}/owners/")
    page.goto(f"{live_server.url}/owners/recommendations/47/")
    page.fill("#id_date", "2099-01-01")
    follow(page, "text=Submit for review")  # no text, a future date: errors on the fields
    assert page.locator(".error-summary").is_visible()
    checked()
    follow(page, "text=Save as draft")
    checked()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/owners/sign-in/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    follow(page, "button:has-text('Sign in')")
    checked()  # staff are refused here
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    follow(page, "input[type=submit]")
    page.goto(f"{live_server.url}/owners/")
    checked()
    assert "The owner portal is for owners' contacts" in page.locator("h1").inner_text()
