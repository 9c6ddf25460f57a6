"""Board follow-through: where a carried-forward action now stands, meetings that read as held
once their date has passed, and who approved and published the minutes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards.models import Action, Meeting
from boards.services import carry_forward_open_actions
from tests.boards.test_admin import MEETINGS, change_page_data, errors_on_page
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeetingFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.site_data import SECRET, make_site, text_of

pytestmark = pytest.mark.django_db

BOARD = "/boards/london-contest-board/"


@pytest.fixture
def site():
    return make_site()


def carry(meeting: Meeting) -> Action:
    (new,) = carry_forward_open_actions(meeting=meeting, user=None)
    return new


def test_a_carried_action_shows_where_it_stands_once_the_next_minutes_are_out(
    client, site, django_capture_on_commit_callbacks
):
    site.april.actions.all().delete()
    site.january.actions.filter(reference="Action 2").update(status="done")
    continuation = carry(site.january)
    site.april.minutes_status = "published"
    site.april.save()

    january = text_of(client.get(site.january.get_absolute_url()))
    assert (
        "Action 1 Carried forward · due 21 April 2017 "
        "Now: open as Action 1 of the meeting of 21 April 2017, due 21 April 2017." in january
    )
    board = text_of(client.get(BOARD))
    assert "No open action in the published minutes." not in board
    assert "Action 1, meeting of 21 April 2017 Open" in board
    assert "Carried forward from the meeting of 18 January 2017." in board
    assert "Action 1, meeting of 18 January 2017" not in board  # the chain's latest link only

    with django_capture_on_commit_callbacks(execute=True):  # the public pages' stamp moves
        continuation.status, continuation.closed_at = "done", site.october
        continuation.save()
    january = text_of(client.get(site.january.get_absolute_url()))
    assert "Now: done as Action 1 of the meeting of 21 April 2017, done at the meeting of " in (
        january
    )
    assert "20 October 2017" in january


def test_the_recommendation_page_says_where_a_carried_action_now_stands(
    client, site, django_capture_on_commit_callbacks
):
    site.april.actions.all().delete()
    site.january.actions.filter(reference="Action 2").update(status="done")
    continuation = carry(site.january)
    page = text_of(client.get("/recommendations/32/"))
    assert (
        "Carried forward to the meeting of 21 April 2017, whose minutes are not yet published."
        in page
    )

    with django_capture_on_commit_callbacks(execute=True):  # the public pages' stamp moves
        site.april.minutes_status = "published"
        site.april.save()
        continuation.status, continuation.closed_at = "done", site.october
        continuation.save()
    page = text_of(client.get("/recommendations/32/"))
    assert "Now: done as Action 1 of the meeting of 21 April 2017, done at the meeting of " in page
    assert "Carried forward from the meeting of 18 January 2017." in page


def test_the_recommendation_page_follows_chains_in_the_same_queries(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0

    def page_queries(links: int) -> int:
        Action.objects.all().delete()
        Meeting.objects.all().delete()
        recommendation = RecommendationFactory(number=40 + links)
        board = BoardFactory()
        meetings = [
            MeetingFactory(
                board=board, date=datetime.date(2017, 1, 2) + datetime.timedelta(days=7 * i)
            )
            for i in range(links)
        ]
        ActionFactory(meeting=meetings[0], reference="Action 1", recommendations=[recommendation])
        for meeting in meetings[:-1]:
            carry(meeting)
        with CaptureQueriesContext(connection) as queries:
            page = text_of(client.get(recommendation.get_absolute_url()))
        assert f"meeting of {meetings[-1].date:%-d %B %Y}" in page
        return len(queries)

    assert page_queries(2) == page_queries(8)


def test_a_continuation_in_unpublished_minutes_is_named_not_read(client, site):
    site.april.actions.all().delete()
    site.january.actions.filter(reference="Action 2").update(status="done")
    continuation = carry(site.january)
    continuation.text = f"Changed at the meeting: {SECRET}"
    continuation.save()

    january = text_of(client.get(site.january.get_absolute_url()))
    assert (
        "Carried forward to the meeting of 21 April 2017, whose minutes are not yet published."
        in january
    )
    board = text_of(client.get(BOARD))
    # Still open as far as the public record goes: listed, with where it went.
    assert "Action 1, meeting of 18 January 2017 Carried forward" in board
    assert SECRET not in board + january


def test_a_confidential_action_carried_forward_shows_its_reference_never_its_text(client, site):
    site.april.actions.all().delete()
    site.january.actions.filter(reference="Action 1").update(status="done")
    carry(site.january)  # Action 2, under the confidential briefing
    site.april.minutes_status = "published"
    site.april.save()
    board = text_of(client.get(BOARD))
    january = text_of(client.get(site.january.get_absolute_url()))
    april = text_of(client.get(site.april.get_absolute_url()))
    assert "Action 2, meeting of 21 April 2017 Open" in board
    assert "Now: open as Action 2 of the meeting of 21 April 2017" in january
    for page in (board, january, april):
        assert "Follow up the briefing" not in page


def test_following_a_chain_takes_the_same_queries_however_long_it_is(client):
    def board_page_queries(links: int) -> int:
        Action.objects.all().delete()
        Meeting.objects.all().delete()
        board = BoardFactory()
        meetings = [
            MeetingFactory(
                board=board, date=datetime.date(2017, 1, 2) + datetime.timedelta(days=7 * i)
            )
            for i in range(links)
        ]
        ActionFactory(meeting=meetings[0], reference="Action 1")
        for meeting in meetings[:-1]:
            carry(meeting)
        url = meetings[0].board.get_absolute_url()
        with CaptureQueriesContext(connection) as queries:
            page = text_of(client.get(url))
        assert f"meeting of {meetings[-1].date:%-d %B %Y} Open" in page
        return len(queries)

    assert board_page_queries(2) == board_page_queries(8)


def test_the_admin_links_an_action_to_its_continuation_and_back(client, site):
    client.force_login(UserFactory(username="secretariat", is_superuser=True))
    site.april.actions.all().delete()
    site.january.actions.filter(reference="Action 2").update(status="done")
    continuation = carry(site.january)
    original = site.open_action

    page = client.get(f"/admin/boards/action/{original.pk}/change/").content.decode()
    assert f'href="/admin/boards/action/{continuation.pk}/change/"' in page
    page = client.get(f"/admin/boards/action/{continuation.pk}/change/").content.decode()
    assert f'href="/admin/boards/action/{original.pk}/change/"' in page
    meeting_page = client.get(f"{MEETINGS}{site.january.pk}/change/").content.decode()
    assert f'href="/admin/boards/action/{continuation.pk}/change/"' in meeting_page


def test_a_meeting_reads_as_held_once_its_date_has_passed():
    today = timezone.localdate()
    past = MeetingFactory(date=today - datetime.timedelta(days=1), status="scheduled",
                          minutes_status="draft")  # fmt: skip
    coming = MeetingFactory(date=today + datetime.timedelta(days=1), status="scheduled",
                            minutes_status="draft")  # fmt: skip
    published = MeetingFactory(date=today - datetime.timedelta(days=9))
    assert past.effective_status == Meeting.EffectiveStatus.AWAITING_MINUTES
    assert coming.effective_status == Meeting.EffectiveStatus.SCHEDULED
    assert published.effective_status == Meeting.EffectiveStatus.HELD
    assert list(Meeting.objects.awaiting_minutes()) == [past]


def test_the_meetings_list_shows_a_past_meeting_as_awaiting_minutes(client, site):
    client.force_login(UserFactory(username="secretariat", is_superuser=True))
    site.april.status, site.april.minutes_status = "scheduled", "draft"
    site.april.save()
    page = client.get(f"{MEETINGS}?stage=awaiting-minutes")
    assert {m.pk for m in page.context["cl"].result_list} == {site.april.pk, site.october.pk}
    assert "Held, minutes not yet published" in page.content.decode()


def test_who_approved_and_who_published_the_minutes_is_recorded_and_shown(client):
    meeting = MeetingFactory(minutes_status="draft")
    url = f"{MEETINGS}{meeting.pk}/change/"
    approver = UserFactory(username="approver", is_superuser=True)
    publisher = UserFactory(username="publisher", is_superuser=True)
    for user, step in [(approver, "approved"), (publisher, "published")]:
        client.force_login(user)
        response = client.post(url, {**change_page_data(client, meeting), "minutes_status": step})
        assert response.status_code == 302, errors_on_page(response)
        meeting.refresh_from_db()

    assert (meeting.minutes_approved_by, meeting.minutes_published_by) == (approver, publisher)
    page = text_of(client.get(url))
    day = f"{timezone.localdate():%d %B %Y}"
    assert f"Approved by approver on {day}" in page
    assert f"Published by publisher on {day}" in page
    history = text_of(client.get(f"{MEETINGS}{meeting.pk}/history/"))
    assert "Changed publisher None Minutes: approved → published" in history
    assert "Changed approver None Minutes: draft → approved" in history
    latest, approved, _draft = meeting.history.all()[:3]
    assert (approved.history_user, approved.minutes_approved_by) == (approver, approver)
    assert (latest.history_user, latest.minutes_published_by) == (publisher, publisher)


def test_minutes_taken_back_to_draft_lose_their_approval(client):
    client.force_login(UserFactory(username="secretariat", is_superuser=True))
    meeting = MeetingFactory(minutes_status="draft")
    url = f"{MEETINGS}{meeting.pk}/change/"
    for step in ["approved", "draft"]:
        client.post(url, {**change_page_data(client, meeting), "minutes_status": step})
        meeting.refresh_from_db()
    assert meeting.minutes_approved_at is None
    assert "Not approved. Not published." in text_of(client.get(url))


def test_the_real_contest_board_meeting_of_21_april_2017_no_longer_reads_scheduled(
    client, real_data
):
    board = text_of(client.get("/boards/contest-board/"))
    assert "21 April 2017 · Held, minutes not yet published" in board
    assert "Scheduled" not in board
    meeting = text_of(client.get("/boards/contest-board/2017-04-21/"))
    assert "Status Held Minutes Not yet published" in meeting
