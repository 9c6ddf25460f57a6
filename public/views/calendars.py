"""Each board's meetings as an iCalendar file, for partners' diaries.

Only what a board page shows of every meeting goes in: board, date, time, place and status,
and a link to the meeting's page. Minutes, summaries and chairs stay on the pages, which show
them once published.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from boards.models import Board, Meeting
from public.links import absolute

#: A meeting with no recorded time is shown as a day-long event; one with a time, as two hours.
MEETING_LENGTH = datetime.timedelta(hours=2)


@require_safe
def board_meetings_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """/boards/<slug>/meetings.ics: one event per meeting of the board."""
    board = get_object_or_404(Board, slug=slug)
    calendar = Calendar()
    calendar.add("prodid", "-//MOPAC//Harris Review Tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{board.name}: meetings")
    stamp = timezone.now()
    for meeting in board.meetings.order_by("date"):
        url = absolute(meeting.get_absolute_url())
        calendar.add_component(meeting_event(meeting, url=url, stamp=stamp))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{board.slug}-meetings.ics"'
    return response


def meeting_event(meeting: Meeting, *, url: str, stamp: datetime.datetime) -> Event:
    """One meeting's public fields as an event; its UID never changes, so diaries update it."""
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@harris-review-tracker")
    event.add("dtstamp", stamp)
    event.add("summary", f"{meeting.board.name} meeting")
    if meeting.time is None:
        event.add("dtstart", meeting.date)
    else:
        start = datetime.datetime.combine(
            meeting.date, meeting.time, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        event.add("dtstart", start)
        event.add("dtend", start + MEETING_LENGTH)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("status", "CONFIRMED")
    event.add("url", url)
    event.add("description", f"{meeting.get_status_display()}. Details: {url}")
    return event
