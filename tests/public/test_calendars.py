"""Each board's meetings as iCalendar: /boards/<slug>/meetings.ics."""

import datetime

import pytest
from icalendar import Calendar

from tests.factories import MeetingFactory
from tests.site_data import SECRET, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site()


def events_of(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_calendar_lists_every_meeting_with_a_link_to_its_page(client, site):
    events = events_of(client.get("/boards/london-contest-board/meetings.ics"))
    starts = [event.decoded("dtstart") for event in events]
    assert starts == [
        datetime.date(2017, 1, 18),
        datetime.date(2017, 4, 21),
        datetime.date(2017, 10, 20),
    ]
    january = events[0]
    assert str(january["summary"]) == "London CONTEST Board meeting"
    assert str(january["location"]) == "City Hall"
    assert str(january["url"]) == "http://testserver/boards/london-contest-board/2017-01-18/"
    assert str(january["uid"]) == f"meeting-{site.january.pk}@harris-review-tracker"


def test_a_meeting_with_a_time_starts_then_in_london_time(client, site):
    MeetingFactory(board=site.board, date=datetime.date(2018, 7, 2), time=datetime.time(14, 30))
    event = events_of(client.get("/boards/london-contest-board/meetings.ics"))[-1]
    start = event.decoded("dtstart")
    assert (start.isoformat(), str(start.tzinfo)) == ("2018-07-02T14:30:00+01:00", "Europe/London")
    assert event.decoded("dtend") - start == datetime.timedelta(hours=2)


def test_the_calendar_shows_nothing_confidential_or_unpublished(client, site):
    response = client.get("/boards/london-contest-board/meetings.ics")
    assert SECRET not in response.content.decode()


def test_the_board_page_links_its_calendar(client, site):
    page = client.get("/boards/london-contest-board/").content.decode()
    assert 'href="/boards/london-contest-board/meetings.ics"' in page


def test_an_unknown_board_has_no_calendar(client, site):
    assert client.get("/boards/no-such-board/meetings.ics").status_code == 404
