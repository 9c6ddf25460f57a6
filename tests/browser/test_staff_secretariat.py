"""The secretariat's main path in a real browser: from the staff home, record a meeting with
an action, publish its minutes, and carry the open action to the board's next meeting."""

import datetime

import pytest
from django.apps import apps

from boards.models import Action, Meeting
from harris_tracker.roles import apply_roles
from tests.factories import MeetingFactory, StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a secretariat password"


def sign_in(page, live_server) -> None:
    # An earlier transactional test may have flushed the groups the roles' migration made.
    apply_roles(apps)
    StaffUserFactory(username="secretariat", password=PASSWORD, role="Board secretariat")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def save_and_continue(page) -> None:
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator(".errorlist").all_inner_texts()


def test_the_secretariat_records_a_meeting_publishes_minutes_and_carries_actions(
    page, live_server, site
):
    sign_in(page, live_server)
    # The staff home counts the meetings held whose minutes are not out (April, October).
    awaiting = page.get_by_role("link", name="Meetings awaiting minutes")
    assert awaiting.inner_text().startswith("2")

    page.goto(f"{live_server.url}/admin/boards/meeting/add/")
    page.click(".field-board .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "CONTEST")
    page.locator(".select2-results__option", has_text="London CONTEST Board").click()
    page.fill("#id_date", "2018-01-19")
    page.select_option("#id_status", "held")
    page.fill("#id_place", "City Hall")
    page.fill("#id_actions-0-reference", "Action 1")
    page.fill("#id_actions-0-text", "Circulate the exercise report to members.")
    save_and_continue(page)
    meeting = Meeting.objects.get(date=datetime.date(2018, 1, 19))
    assert meeting.actions.get().status == Action.Status.OPEN

    for step in ["approved", "published"]:
        page.select_option("#id_minutes_status", step)
        save_and_continue(page)
    approval = page.locator(".field-minutes_record").inner_text()
    assert "Approved by secretariat on" in approval
    assert "Published by secretariat on" in approval

    MeetingFactory(board=site.board, date=datetime.date(2018, 4, 20), minutes_status="draft")
    page.goto(f"{live_server.url}/admin/boards/meeting/")
    page.check(f"input[name=_selected_action][value='{meeting.pk}']")
    page.select_option("select[name=action]", "carry_forward")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "Carried 1 open action" in page.locator(".messagelist").inner_text()

    page.goto(f"{live_server.url}/admin/boards/action/{meeting.actions.get().pk}/change/")
    page.locator(".field-carried_to_link a").click()
    page.wait_for_url("**/admin/boards/action/*/change/")
    assert "20 April 2018" in page.locator(".field-meeting").inner_text()

    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    assert (
        "Carried forward to the meeting of 20 April 2018, whose minutes are not yet published."
        in page.locator("main").inner_text()
    )
