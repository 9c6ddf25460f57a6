"""The public pages of the boards: what is shown depends on the minutes' status."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ActionFactory, AttendanceFactory, MeetingFactory
from tests.site_data import SECRET, make_site, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def test_boards_index_lists_each_board_with_its_counts(client, site):
    page = text_of(client.get("/boards/"))
    assert "London CONTEST Board" in page
    assert "Oversees 3 recommendations · 3 meetings recorded" in page


def test_board_page_shows_purpose_remit_members_recommendations_meetings(client, site):
    response = client.get("/boards/london-contest-board/")
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "<title>London CONTEST Board – Harris Review Tracker</title>" in response.content.decode()
    )
    assert "To oversee London's response to the Harris Review." in page
    assert "Remit Pursue, Prevent, Protect, Prepare." in page
    assert (
        "Mayor's Office for Policing and Crime (MOPAC), Metropolitan Police Service (MPS)" in page
    )
    assert "32: recommendation 32 The MPS should exercise with partners. Resolved" in page
    assert "20 October 2017, City Hall · Held, minutes not yet published" in page
    assert "18 January 2017, City Hall · Held" in page


def test_board_page_lists_open_public_actions_only(client, site):
    ActionFactory(meeting=site.january, reference="Action 9", text="Done already", status="done")
    page = text_of(client.get("/boards/london-contest-board/"))
    assert "Action 1, meeting of 18 January 2017 Open" in page
    assert "Action 2, meeting of 18 January 2017 Open" in page
    assert "This action is confidential" in page
    assert "Action 9" not in page
    assert "meeting of 21 April 2017" not in page  # minutes not published
    assert SECRET not in page


def test_meeting_with_published_minutes_shows_attendance_items_and_actions(client, site):
    response = client.get("/boards/london-contest-board/2017-01-18/")
    page = text_of(response)
    assert "Sophie Linden Chair MOPAC Present" in page
    assert (
        "1. Progress on exercising 1.1 The board noted the report. Refers to recommendation 32"
        in page
    )
    assert "3. Threat briefing This item is confidential: its minutes are not published." in page
    assert "Action 1 Open · due 21 April 2017 Report on exercising to the next meeting." in page
    assert "Action 2 Open · due 21 April 2017 This action is confidential" in page
    assert "Next meeting: 21 April 2017" in page
    assert SECRET not in page


@pytest.mark.parametrize("date", ["2017-04-21", "2017-10-20"])
def test_meeting_without_published_minutes_shows_date_place_status_only(client, site, date):
    response = client.get(f"/boards/london-contest-board/{date}/")
    assert response.status_code == 200
    page = text_of(response)
    assert "The minutes of this meeting are not yet published." in page
    assert "Place City Hall Status Held Minutes Not yet published" in page
    assert "Attendance" not in page
    assert "Exercising" not in page
    assert SECRET not in page


def test_a_scheduled_meeting_says_its_minutes_are_not_published(client, site):
    coming = timezone.localdate() + datetime.timedelta(days=30)
    MeetingFactory(board=site.board, date=coming, status="scheduled", minutes_status="draft")
    page = text_of(client.get(f"/boards/london-contest-board/{coming.isoformat()}/"))
    assert "Status Scheduled" in page
    assert "not yet published" in page
    assert f"{coming:%-d %B %Y}, City Hall · Scheduled" in text_of(
        client.get("/boards/london-contest-board/")
    )


def test_a_meeting_whose_date_has_passed_shows_as_held_though_nobody_marked_it(client, site):
    # The CONTEST Board meeting of 21 April 2017 was left "scheduled" in the records.
    site.april.status, site.april.minutes_status = "scheduled", "draft"
    site.april.save()
    page = text_of(client.get("/boards/london-contest-board/2017-04-21/"))
    assert "Status Held Minutes Not yet published" in page
    board_page = text_of(client.get("/boards/london-contest-board/"))
    assert "21 April 2017, City Hall · Held, minutes not yet published" in board_page
    assert "Scheduled" not in board_page


@pytest.mark.parametrize(
    "url",
    [
        "/boards/no-such-board/",
        "/boards/london-contest-board/2017-01-19/",
        "/boards/london-contest-board/2017-02-30/",
        "/boards/london-contest-board/18-01-2017/",
    ],
)
def test_unknown_boards_and_meetings_are_404s(client, site, url):
    assert client.get(url).status_code == 404


def test_a_meeting_time_is_shown_as_the_clock_reads_in_london(client, site):
    MeetingFactory(board=site.board, date=datetime.date(2018, 7, 2), time=datetime.time(18, 30))
    page = text_of(client.get("/boards/london-contest-board/2018-07-02/"))
    assert "Date Monday 2 July 2018, 6:30 p.m." in page


def test_an_attendee_with_no_organisation_shows_an_empty_cell(client, site):
    AttendanceFactory(meeting=site.january, person="Jo Bloggs", role="Observer", organisation=None)
    response = client.get("/boards/london-contest-board/2017-01-18/")
    assert (
        "<td>Jo Bloggs</td><td>Observer</td><td></td><td>Present</td>" in response.content.decode()
    )


def test_a_carried_forward_action_links_where_it_now_stands_without_its_text(client, site):
    july = MeetingFactory(board=site.board, date=datetime.date(2017, 7, 12))
    site.open_action.status = "carried-forward"
    site.open_action.save()
    ActionFactory(
        meeting=july,
        reference="Action 4",
        carried_from=site.open_action,
        due_date=datetime.date(2017, 10, 20),
        text=f"Carried on: {SECRET}",
        confidential=True,
    )
    january = client.get("/boards/london-contest-board/2017-01-18/").content.decode()
    assert (
        'Now: open as Action 4 of the <a href="/boards/london-contest-board/2017-07-12/">'
        "meeting of 12 July 2017</a>, due 20 October 2017." in january
    )
    later = client.get("/boards/london-contest-board/2017-07-12/").content.decode()
    assert (
        'Carried forward from the <a href="/boards/london-contest-board/2017-01-18/">'
        "meeting of 18 January 2017</a>." in later
    )
    board = text_of(client.get("/boards/london-contest-board/"))
    assert (
        "Action 4, meeting of 12 July 2017 Open · due 20 October 2017 Carried forward from the "
        "meeting of 18 January 2017. This action is confidential" in board
    )
    assert SECRET not in january + later + board


def test_an_action_carried_to_unpublished_minutes_names_only_that_meeting(client, site):
    site.open_action.status = "carried-forward"
    site.open_action.save()
    ActionFactory(meeting=site.october, reference="Action 7", carried_from=site.open_action)
    for url in ("/boards/london-contest-board/2017-01-18/", "/boards/london-contest-board/"):
        content = client.get(url).content.decode()
        assert (
            'Carried forward to the <a href="/boards/london-contest-board/2017-10-20/">'
            "meeting of 20 October 2017</a>, whose minutes are not yet published." in content
        )
        assert "Action 7" not in content
