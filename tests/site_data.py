"""A small public site built with the factories: what the site, feed and browser tests share."""

from __future__ import annotations

import datetime
import html
import re
from types import SimpleNamespace

from boards.models import Action, Meeting
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BoardFactory,
    MeetingFactory,
    OrganisationFactory,
    OwnershipFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RecommendationLinkFactory,
)

D = datetime.date
SECRET = "not for the public"


def make_site(secret: str = SECRET) -> SimpleNamespace:
    """Recommendations 13, 32 and 62 with owners, updates and a board that met three times.

    `secret` is written into everything that must never be public: a confidential item's
    minutes, a confidential action, the minutes of unpublished meetings, a draft update, an
    owner's contact details.
    """
    mps = OrganisationFactory(
        name="Metropolitan Police Service",
        acronym="MPS",
        slug="mps",
        contact_name=f"Chase {secret}",
        contact_email="chase.mps@police.example",
        contact_phone=f"020 7230 {secret}",
    )
    mopac = OrganisationFactory(
        name="Mayor's Office for Policing and Crime", acronym="MOPAC", slug="mopac"
    )
    r13 = RecommendationFactory(number=13, section="mayor", text="The Mayor should review.")
    r32 = RecommendationFactory(number=32, text="The MPS should exercise with partners.")
    r62 = RecommendationFactory(number=62, text="The MPS should train more officers.")
    RecommendationLinkFactory(from_recommendation=r32, to_recommendation=r62)
    OwnershipFactory(recommendation=r13, organisation=mopac, is_lead=True)
    OwnershipFactory(recommendation=r32, organisation=mps, is_lead=True)
    OwnershipFactory(recommendation=r32, organisation=mopac, is_lead=False)
    OwnershipFactory(recommendation=r62, organisation=mps, is_lead=True)
    ProgressUpdateFactory(
        recommendation=r32, date=D(2017, 3, 1), status="ongoing", text="Planning has begun."
    )
    ProgressUpdateFactory(
        recommendation=r32,
        date=D(2017, 10, 31),
        status="resolved",
        text="This recommendation has been resolved.",
    )
    ProgressUpdateFactory(
        recommendation=r62,
        date=D(2017, 10, 31),
        status="resolved-by-other-means",
        text="This has been resolved by other means.",
    )
    ProgressUpdateFactory(
        recommendation=r13, date=D(2017, 10, 31), status="ongoing", text="Work goes on."
    )
    ProgressUpdateFactory(
        recommendation=r13,
        date=D(2018, 2, 1),
        status="resolved",
        text=f"Draft: {secret}",
        published=False,
    )

    board = BoardFactory(name="London CONTEST Board", short_name="", slug="london-contest-board")
    board.members.add(mps, mopac)
    board.oversees.add(r13, r32, r62)
    january = MeetingFactory(board=board, date=D(2017, 1, 18), place="City Hall")
    AttendanceFactory(meeting=january, person="Sophie Linden", role="Chair", organisation=mopac)
    AgendaItemFactory(
        meeting=january, number=1, title="Progress on exercising", recommendations=[r32]
    )
    briefing = AgendaItemFactory(
        meeting=january,
        number=3,
        title="Threat briefing",
        minutes=f"Briefing: {secret}",
        confidential=True,
        recommendations=[r32],
    )
    ActionFactory(
        meeting=january,
        due_date=datetime.date(2017, 4, 21),
        reference="Action 1",
        text="Report on exercising to the next meeting.",
        recommendations=[r32],
    )
    ActionFactory(
        meeting=january,
        due_date=datetime.date(2017, 4, 21),
        reference="Action 2",
        text=f"Follow up the briefing: {secret}",
        agenda_item=briefing,
        confidential=True,
        recommendations=[r32],
    )
    april = MeetingFactory(
        board=board,
        date=D(2017, 4, 21),
        minutes_status=Meeting.MinutesStatus.APPROVED,
        summary=f"Approved, unpublished: {secret}",
    )
    AgendaItemFactory(meeting=april, number=1, title="Exercising", minutes=secret)
    ActionFactory(meeting=april, reference="Action 1", text=secret, recommendations=[r32])
    october = MeetingFactory(
        board=board,
        date=D(2017, 10, 20),
        minutes_status=Meeting.MinutesStatus.DRAFT,
        summary=f"Draft: {secret}",
    )
    AgendaItemFactory(meeting=october, number=1, title="Review", minutes=secret)
    return SimpleNamespace(
        mps=mps,
        mopac=mopac,
        r13=r13,
        r32=r32,
        r62=r62,
        board=board,
        january=january,
        april=april,
        october=october,
        open_action=Action.objects.get(meeting=january, reference="Action 1"),
    )


def text_of(response) -> str:
    """The page's text without tags or runs of white space, as a reader sees it."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.:;)])", r"\1", text)
