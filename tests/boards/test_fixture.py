"""The boards' fixtures hold the source documents' meetings, word for word, and load with
the recommendations' fixture without duplicating an organisation."""

import datetime
import json
import re

import pytest
from django.core.management import call_command

from boards.models import Action, AgendaItem, Attendance, Board, Meeting
from recommendations.models import Organisation
from tests.boards.conftest import FIXTURES, load_real_boards
from tests.read_only_data import loaded_for_module
from tools import board_records

pytestmark = pytest.mark.django_db


def source(name: str) -> str:
    return (FIXTURES / "sources" / name).read_text(encoding="utf-8")


def squashed(name: str) -> str:
    """A source as one line: page breaks and line ends become single spaces."""
    return board_records.squash(source(name))


def report_section(number: int) -> str:
    """Recommendation `number`'s text and update in the October 2017 progress report."""
    text = source("progress-report-2017.txt")
    match = re.search(rf"^{number}\.$(.*?)(?=^\d+\.$|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"recommendation {number} is not in the report"
    return board_records.squash(match.group(1))


@pytest.fixture(scope="module")
def _boards_fixtures(django_db_setup, django_db_blocker):
    with loaded_for_module(django_db_blocker, load_real_boards):
        yield


@pytest.fixture
def real_boards(_boards_fixtures, db):
    """The boards' fixtures, loaded once for this module's tests, which only read them."""


def meeting(slug: str, date: str) -> Meeting:
    return Meeting.objects.get(board__slug=slug, date=date)


def test_every_record_passes_the_models_own_validation(real_boards):
    for model in [Board, Meeting, Attendance, AgendaItem, Action]:
        for obj in model.objects.all():
            obj.full_clean()


def test_no_meeting_predates_its_board(real_boards):
    for m in Meeting.objects.select_related("board"):
        if m.board.established_on:
            assert m.date >= m.board.established_on, m


# --- London Crime Reduction Board, 10 March 2015 --------------------------------------------


def test_the_lcrb_meeting_of_10_march_2015_is_held_with_published_minutes(real_boards):
    m = meeting("lcrb", "2015-03-10")

    assert m.board.name == "London Crime Reduction Board"
    assert (m.time, m.place, m.chair) == (
        datetime.time(15, 30),
        "Mayor's Office, City Hall, GLA",
        "Mayor Boris Johnson",
    )
    assert (m.status, m.minutes_status) == (Meeting.Status.HELD, Meeting.MinutesStatus.PUBLISHED)


def test_the_lcrb_attendance_is_everyone_present_with_role_and_organisation(real_boards):
    attendance = list(meeting("lcrb", "2015-03-10").attendance.select_related("organisation"))

    assert len(attendance) == 20
    assert [a.person for a in attendance if a.kind == Attendance.Kind.OFFICER] == [
        "Dan Hales",
        "Doug Flight",
        "Tony Hawker",
    ]
    rows = {a.person: (a.role, str(a.organisation), a.kind) for a in attendance}
    assert rows["Mayor Boris Johnson"] == ("Chair", "GLA", "member")
    assert rows["Stephen Greenhalgh"] == ("DMPC", "MOPAC", "member")
    assert rows["Deputy Commissioner Craig Mackey"] == ("Deputy Commissioner", "MPS", "member")
    assert rows["Martin Esom"] == (
        "CEO Waltham Forest, Chair Prevent",
        "LB Waltham Forest",
        "member",
    )
    assert rows["Nick Smart"] == ("CEO", "CRC London", "member")
    assert rows["Baljit Ubhey"][1:] == ("CPS", "member")
    assert all(a.present for a in attendance)


def test_every_lcrb_attendee_is_a_line_of_the_minutes():
    lines = set(source(board_records.LCRB_MINUTES).splitlines())
    for person, column, role, _organisation in [
        *board_records.LCRB_MEMBERS,
        *board_records.LCRB_OFFICERS,
    ]:
        assert f"{person}\t{column}" in lines
        assert role in column or role in person or role == "Councillor"


def test_the_lcrb_items_keep_the_minutes_numbered_paragraphs_and_wording(real_boards):
    items = list(meeting("lcrb", "2015-03-10").items.all())
    minutes = squashed(board_records.LCRB_MINUTES)

    assert [(i.number, i.title) for i in items] == [
        (1, "Welcome and Introductions"),
        (2, "Minutes Of Last Meeting/Actions (15 September)"),
        (3, "Counter Terrorism"),
        (4, "Public Service Reform"),
        (5, "Any other business"),
    ]
    paragraphs = [line for item in items for line in item.minutes.splitlines()]
    numbered = [int(p.split(".", 1)[0]) for p in paragraphs if re.match(r"\d+\. ", p)]
    assert numbered == list(range(1, 11))
    for paragraph in paragraphs:
        assert paragraph in minutes
    assert [int(p[0]) for p in items[2].minutes.splitlines()] == [1, 2, 3, 4]
    assert items[3].minutes.splitlines()[0].startswith("5. The MOPAC COO")
    assert items[4].minutes.startswith("10. Following the publication of an article")


def test_the_page_break_in_paragraph_4_is_healed(real_boards):
    item = meeting("lcrb", "2015-03-10").items.get(number=3)
    paragraph_4 = item.minutes.splitlines()[3]

    assert "supported by the London Prevent Board (chaired by Martin Esom). This was agreed" in (
        paragraph_4
    )
    assert not any(line.startswith("Martin Esom") for line in item.minutes.splitlines())


def test_lcrb_actions_1_and_2_have_their_owners_and_items(real_boards):
    m = meeting("lcrb", "2015-03-10")
    action_1, action_2 = m.actions.order_by("reference")

    assert action_1.reference == "Action 1"
    assert action_1.text.startswith(
        "Partners from MOPAC, MPS, London Councils, Health and MoJ/HO will meet to design and "
        "create a new London-Wide CT CONTEST Board."
    )
    assert action_1.agenda_item.number == 3
    assert {o.slug for o in action_1.owners.all()} == {
        "mopac",
        "mps",
        "london-councils",
        "nhs-england",
        "moj",
        "home-office",
    }
    assert action_2.text == (
        "London Councils and MOPAC to continue working on the shared approach to public "
        "service reform as outlined in the paper."
    )
    assert action_2.agenda_item.number == 4
    assert {o.slug for o in action_2.owners.all()} == {"london-councils", "mopac"}
    minutes = squashed(board_records.LCRB_MINUTES)
    assert f"Action 1: {action_1.text}" in minutes
    assert f"Action 2: {action_2.text}" in minutes


def test_the_next_lcrb_meeting_is_scheduled_with_draft_minutes_and_no_items(real_boards):
    m = meeting("lcrb", "2015-06-09")

    assert (m.time, m.place) == (datetime.time(12, 0), "City Hall")
    assert (m.status, m.minutes_status) == (Meeting.Status.SCHEDULED, Meeting.MinutesStatus.DRAFT)
    assert not m.items.exists()
    assert not Meeting.objects.public().filter(pk=m.pk).exists()


# --- London CONTEST Board ------------------------------------------------------------------


def test_the_contest_board_meeting_of_18_january_2017(real_boards):
    m = meeting("contest-board", "2017-01-18")

    assert m.board.name == "London CONTEST Board"
    assert m.chair == "Deputy Mayor for Policing and Crime"
    assert {o.slug for o in m.board.members.all()} == {
        "mopac",
        "mps",
        "home-office",
        "nhs-england",
        "city-of-london-corporation",
        "nps",
        "london-councils",
    }
    guest = m.attendance.get(kind=Attendance.Kind.GUEST)
    assert guest.organisation.slug == "noms"
    assert m.is_public_record


def test_the_contest_board_items_and_their_text(real_boards):
    items = list(meeting("contest-board", "2017-01-18").items.all())
    note = squashed(board_records.CONTEST_NOTE)

    assert [(i.number, i.title) for i in items] == [
        (1, "Harris Review and Local Government Review"),
        (2, "CONTEST strategy refresh"),
        (3, "Threat briefing"),
        (4, "TACT offenders; extremism assessment and intervention"),
        (5, "Prevent Board and Prevent Funding"),
        (6, "Updates"),
    ]
    for item in items:
        assert item.minutes in note
    assert items[0].minutes.startswith("This covered the work and findings in brief")
    assert items[4].minutes.startswith("A short update on the strengthening of the Prevent")


def test_the_threat_briefing_is_confidential_its_title_public(real_boards):
    briefing = meeting("contest-board", "2017-01-18").items.get(number=3)

    assert briefing.confidential
    assert briefing.title == "Threat briefing"
    assert not briefing.is_content_public
    assert [i.number for i in briefing.meeting.items.all() if i.is_content_public] == [
        1,
        2,
        4,
        5,
        6,
    ]


def test_the_previous_meetings_actions_are_in_the_meetings_summary(real_boards):
    summary = meeting("contest-board", "2017-01-18").summary

    assert "Actions from the previous meeting, reported done:" in summary
    assert "‘London at Critical’ meeting briefing paper was circulated to Council Leaders" in (
        summary
    )
    assert "NHS England summarised the current position on the Health Service referral" in (
        summary
    )


def test_item_1_links_the_local_resilience_recommendations(real_boards):
    # 69 (local resilience teams, the LRF's role) and 70 (boroughs' sub-regional
    # partnerships with the LRF): the item's review of local government resilience and its
    # cross-border working. See tools/board_records.py for why not more.
    item = meeting("contest-board", "2017-01-18").items.get(number=1)

    assert sorted(r.number for r in item.recommendations.all()) == [69, 70]
    assert "Local Government Resilience and Emergency Planning Review" in item.minutes
    assert "Resilience Forum" in report_section(69)
    assert "Resilience Forum" in report_section(70)


def test_the_next_contest_board_meeting_is_scheduled(real_boards):
    m = meeting("contest-board", "2017-04-21")

    assert (m.status, m.minutes_status) == (Meeting.Status.SCHEDULED, Meeting.MinutesStatus.DRAFT)
    assert "The next meeting will be held on 21 April 2017." in squashed(
        board_records.CONTEST_NOTE
    )


def test_the_20_october_2017_meeting_has_the_bollards_item_linked_to_32(real_boards):
    m = meeting("contest-board", "2017-10-20")
    [item] = m.items.all()

    assert (m.status, m.minutes_status) == (Meeting.Status.HELD, Meeting.MinutesStatus.PUBLISHED)
    assert "protective bollards" in item.title
    assert [r.number for r in item.recommendations.all()] == [32]
    assert item.minutes in report_section(32)
    assert "reported back to the London CONTEST Board on 20 October 2017" in item.minutes


def test_the_contest_board_oversees_what_the_report_puts_under_it(real_boards):
    board = Board.objects.get(slug="contest-board")
    numbers = sorted(r.number for r in board.oversees.all())

    assert numbers == [13, 32, 62, 78, 106, 115, 123]
    for number in numbers:
        assert "CONTEST Board" in report_section(number), number


def test_no_other_recommendation_names_the_contest_board():
    text = source("progress-report-2017.txt")
    named = {
        int(match.group(1))
        for match in re.finditer(r"^(\d+)\.$", text, flags=re.MULTILINE)
        if "CONTEST Board" in report_section(int(match.group(1)))
    }
    assert named == set(board_records.CONTEST_OVERSEES)


def test_the_lrf_oversees_the_recommendations_the_report_gives_it(real_boards):
    board = Board.objects.get(slug="lrf")

    assert board.name == "London Resilience Forum"
    numbers = sorted(r.number for r in board.oversees.all())
    assert numbers == board_records.LRF_OVERSEES
    for number in numbers:
        section = report_section(number)
        assert "London Resilience Forum" in section or "LRF" in section, number


def test_the_contest_boards_history_remit_and_established_date(real_boards):
    board = Board.objects.get(slug="contest-board")
    london_councils = source("london-councils-contest.txt").splitlines()

    assert board.established_on == datetime.date(2015, 3, 10)
    assert "CONTEST (London) board would commence in March 2009" in board.background
    assert "On 10 March 2015 the London Crime Reduction Board agreed" in board.background
    strands = board.remit.splitlines()
    assert [s.split(":")[0] for s in strands] == ["Pursue", "Prevent", "Protect", "Prepare"]
    for strand in strands:
        assert strand in london_councils
    assert "CONTEST (London) board will commence in March" in source(
        "mpa-delivery-of-prevent-2009.txt"
    )


def test_the_london_prevent_board_is_recorded_with_its_purpose(real_boards):
    board = Board.objects.get(slug="london-prevent-board")

    assert board.name == "London Prevent Board"
    assert "17 priority boroughs" in board.purpose
    assert "29 January 2009" in board.background
    assert board.established_on is None  # the sources say only that it existed by then


# --- Organisations by natural key ----------------------------------------------------------


def test_loading_the_boards_twice_changes_nothing(real_boards):
    counts = [m.objects.count() for m in (Organisation, Board, Meeting, AgendaItem, Action)]

    call_command("loaddata", "board_organisations", "boards", verbosity=0)

    assert [m.objects.count() for m in (Organisation, Board, Meeting, AgendaItem, Action)] == (
        counts
    )


def test_the_boards_fixture_names_organisations_only_by_slug():
    for name in ["boards.json", "board_organisations.json"]:
        for obj in json.loads((FIXTURES / name).read_text(encoding="utf-8")):
            if obj["model"] == "recommendations.organisation":
                assert "pk" not in obj
            for field in ["organisation", "members", "owners"]:
                value = obj["fields"].get(field)
                if isinstance(value, list) and value and field != "organisation":
                    assert all(isinstance(key, list) for key in value)
                elif value is not None and field == "organisation":
                    assert isinstance(value, list)
